"""SoftSortKit's outputs as differentiable PyTorch functions (CPU tensors),
each a ``torch.autograd.Function`` over ``softsortkit.numpy``.

Scores have any shape ``(..., n)`` and dtype float32 or float64. Tensors go
to the library through ``Tensor.numpy()`` views (no copy for a contiguous
tensor; a non-contiguous one is made contiguous once) and outputs come back
as ``torch.from_numpy`` of the arrays the library wrote. Backwards are
first-order (``once_differentiable``) and recompute the forward from the
saved inputs, except the losses', which keep the gradient their forward
computed in the same call.

The settings are those of ``softsortkit.numpy`` (``temperature``, ``power``,
``descending``, then keyword-only ``method``, ``path`` -- ``"automatic"`` by
default --, ``accuracy``); ``return_path=True`` returns ``(result, path)``
with the name of the path the forward ran (the backward runs the same one).

    import softsortkit.torch as sst
    P = sst.soft_sort(scores, temperature=0.1, power=2)          # (..., n, n)
    loss = sst.cross_entropy(scores, targets, temperature=0.1, power=2)
    y, path = sst.top_k(values, scores, 5, 0.1, 1.0, return_path=True)   # path == "exact"

``log_normalizers`` and ``permutation`` have no gradient.
"""
import torch
from torch.autograd.function import once_differentiable

from . import numpy as _sn

__all__ = ["matrices", "soft_sort", "neural_sort", "permutation", "apply", "apply_transposed", "top_k",
           "quantiles", "sorted_values", "ranks", "log_normalizers", "cross_entropy", "nearest_neighbor_loss"]

_DTYPES = (torch.float32, torch.float64)


def _array(tensor, argument, floating=True):
    """The NumPy view of a CPU tensor (checked: a tensor, on the CPU, float32 or float64 when ``floating``)."""
    if not isinstance(tensor, torch.Tensor):
        raise TypeError(f"softsortkit: {argument} must be a torch.Tensor, got {type(tensor).__name__}")
    if tensor.device.type != "cpu":
        raise ValueError(f"softsortkit: {argument} must be on the CPU, got {tensor.device}")
    if floating and tensor.dtype not in _DTYPES:
        raise TypeError(f"softsortkit: {argument} must be float32 or float64, got {tensor.dtype}")
    return tensor.detach().numpy()


class _Settings:
    """The keyword settings of one call, passed through autograd as one object."""

    __slots__ = ("temperature", "power", "keywords")

    def __init__(self, temperature, power, descending, method, path, accuracy):
        self.temperature, self.power = float(temperature), float(power)
        self.keywords = dict(method=method, descending=bool(descending), path=path, accuracy=accuracy)


class _Row(torch.autograd.Function):
    """An output of the scores alone: ``matrices``, ``sorted_values`` or ``ranks`` (``name``)."""

    @staticmethod
    def forward(ctx, scores, name, settings, report):
        s = _array(scores, "scores")
        out, path = getattr(_sn, name)(s, settings.temperature, settings.power, **settings.keywords, return_path=True)
        ctx.save_for_backward(scores)
        ctx.call = (name, settings)
        report.append(path)
        return torch.from_numpy(out)

    @staticmethod
    @once_differentiable
    def backward(ctx, grad):
        (scores,) = ctx.saved_tensors
        name, settings = ctx.call
        g = _array(grad.to(scores.dtype), "grad")
        out = getattr(_sn, name + "_backward")(
            _array(scores, "scores"), g, settings.temperature, settings.power, **settings.keywords)
        return torch.from_numpy(out), None, None, None


class _Product(torch.autograd.Function):
    """``apply``, ``apply_transposed``, ``top_k`` (``rows`` k) or ``quantiles`` (``rows`` the levels)."""

    @staticmethod
    def forward(ctx, values, scores, name, rows, settings, report):
        s, v = _array(scores, "scores"), _array(values, "values")
        if v.dtype != s.dtype:
            raise TypeError(f"softsortkit: values must have the scores' dtype {scores.dtype}, got {values.dtype}")
        extra = () if rows is None else (rows,)
        out, path = getattr(_sn, name)(v, s, *extra, settings.temperature, settings.power, **settings.keywords,
                                       return_path=True)
        ctx.save_for_backward(values, scores)
        ctx.call = (name, extra, settings)
        report.append(path)
        return torch.from_numpy(out)

    @staticmethod
    @once_differentiable
    def backward(ctx, grad):
        values, scores = ctx.saved_tensors
        name, extra, settings = ctx.call
        grad_scores, grad_values = getattr(_sn, name + "_backward")(
            _array(values, "values"), _array(scores, "scores"), *extra, _array(grad.to(scores.dtype), "grad"),
            settings.temperature, settings.power, **settings.keywords)
        return torch.from_numpy(grad_values), torch.from_numpy(grad_scores), None, None, None, None


class _Loss(torch.autograd.Function):
    """``cross_entropy`` (``data`` the targets) or ``nearest_neighbor_loss`` (``data`` the matches, ``k``)."""

    @staticmethod
    def forward(ctx, scores, name, data, settings, report):
        s = _array(scores, "scores")
        gradient = ctx.needs_input_grad[0]
        result = getattr(_sn, name)(s, *data, settings.temperature, settings.power, **settings.keywords,
                                    gradient=gradient, return_path=True)
        report.append(result[-1])
        if gradient:
            ctx.save_for_backward(torch.from_numpy(result[1]))
        return torch.tensor(result[0], dtype=scores.dtype)

    @staticmethod
    @once_differentiable
    def backward(ctx, grad):
        (gradient,) = ctx.saved_tensors
        return gradient * grad, None, None, None, None


def _finish(result, report, return_path):
    return (result, report[0]) if return_path else result


def _targets(targets, scores):
    if not isinstance(targets, torch.Tensor):
        targets = torch.as_tensor(targets)
    if targets.device.type != "cpu":
        raise ValueError(f"softsortkit: targets must be on the CPU, got {targets.device}")
    if targets.dtype.is_floating_point or targets.dtype.is_complex or targets.dtype == torch.bool:
        raise TypeError(f"softsortkit: targets must be integers, got {targets.dtype}")
    if isinstance(scores, torch.Tensor) and targets.shape != scores.shape:
        raise ValueError(
            f"softsortkit: targets must have the scores' shape {tuple(scores.shape)}, got {tuple(targets.shape)}")
    return targets.numpy()


# ---- the matrices and the hard permutation --------------------------------

def matrices(scores, temperature=1.0, power=1.0, descending=True, *, method="softsort", path="automatic",
             accuracy=None, return_path=False):
    """The relaxed permutation matrices ``P`` of shape ``(..., n, n)``, differentiable in ``scores``
    (dense or window paths; ``"automatic"`` runs dense)."""
    report = []
    out = _Row.apply(scores, "matrices", _Settings(temperature, power, descending, method, path, accuracy), report)
    return _finish(out, report, return_path)


def soft_sort(scores, temperature=1.0, power=1.0, descending=True, *, path="automatic", return_path=False):
    """SoftSort's ``P``: ``P[..., i, j] = softmax_j(-|sort(s)_i - s_j|^p / tau)``, row 0 the largest
    score when ``descending``."""
    return matrices(scores, temperature, power, descending, path=path, return_path=return_path)


def neural_sort(scores, temperature=1.0, descending=True, *, return_path=False):
    """NeuralSort's matrices ``P`` of shape ``(..., n, n)``, differentiable in ``scores``."""
    return matrices(scores, temperature, 1.0, descending, method="neuralsort", return_path=return_path)


def permutation(scores, descending=True):
    """The hard permutations (int64, the scores' shape); no gradient."""
    return torch.from_numpy(_sn.permutation(_array(scores, "scores"), descending=descending))


# ---- the products ----------------------------------------------------------

def _product(name, rows, values, scores, settings, return_path):
    report = []
    return _finish(_Product.apply(values, scores, name, rows, settings, report), report, return_path)


def apply(values, scores, temperature=1.0, power=1.0, descending=True, *, method="softsort", path="automatic",
          accuracy=None, return_path=False):
    """``Y = P V`` (values ``(..., n, d)`` or ``(..., n)``), differentiable in both."""
    settings = _Settings(temperature, power, descending, method, path, accuracy)
    return _product("apply", None, values, scores, settings, return_path)


def apply_transposed(values, scores, temperature=1.0, power=1.0, descending=True, *, method="softsort",
                     path="automatic", accuracy=None, return_path=False):
    """``Y = P^T U`` (``U`` ``(..., n, d)`` or ``(..., n)`` in sorted row order), differentiable in both."""
    settings = _Settings(temperature, power, descending, method, path, accuracy)
    return _product("apply_transposed", None, values, scores, settings, return_path)


def top_k(values, scores, k, temperature=1.0, power=1.0, descending=True, *, method="softsort", path="automatic",
          accuracy=None, return_path=False):
    """The first ``k`` rows of ``P V``: ``(..., k, d)`` (or ``(..., k)``), differentiable in both."""
    settings = _Settings(temperature, power, descending, method, path, accuracy)
    return _product("top_k", int(k), values, scores, settings, return_path)


def quantiles(values, scores, levels, temperature=1.0, power=1.0, descending=True, *, method="softsort",
              path="automatic", accuracy=None, return_path=False):
    """Rows of ``P V`` at quantile levels in ``[0, 1]`` (row ``round(q (n - 1))``): ``(..., len(levels), d)``
    (or ``(..., len(levels))``), differentiable in both."""
    settings = _Settings(temperature, power, descending, method, path, accuracy)
    return _product("quantiles", tuple(float(q) for q in levels), values, scores, settings, return_path)


# ---- sorted values, ranks, normalizers -------------------------------------

def sorted_values(scores, temperature=1.0, power=1.0, descending=True, *, method="softsort", path="automatic",
                  accuracy=None, return_path=False):
    """The relaxed sorted values ``P s``, shape ``(..., n)``, differentiable."""
    report = []
    settings = _Settings(temperature, power, descending, method, path, accuracy)
    return _finish(_Row.apply(scores, "sorted_values", settings, report), report, return_path)


def ranks(scores, temperature=1.0, power=1.0, descending=True, *, method="softsort", path="automatic",
          accuracy=None, return_path=False):
    """The relaxed ranks ``P^T (1, ..., n)`` (1 = largest), shape ``(..., n)``, differentiable."""
    report = []
    settings = _Settings(temperature, power, descending, method, path, accuracy)
    return _finish(_Row.apply(scores, "ranks", settings, report), report, return_path)


def log_normalizers(scores, temperature=1.0, power=1.0, descending=True, *, method="softsort", path="automatic",
                    accuracy=None, return_path=False):
    """``log Z`` of every row of every ``P`` (``(..., n)``, exact and gauss paths); no gradient."""
    out, used = _sn.log_normalizers(
        _array(scores, "scores"), temperature, power, method=method, descending=descending, path=path,
        accuracy=accuracy, return_path=True)
    return _finish(torch.from_numpy(out), [used], return_path)


# ---- the losses ------------------------------------------------------------

def cross_entropy(scores, targets, temperature=1.0, power=1.0, descending=True, path="automatic", *,
                  method="softsort", accuracy=None, return_path=False):
    """The paper's loss ``sum -log P[..., i, targets[..., i]]`` (a SUM over all rows), a 0-d tensor
    differentiable in ``scores``. ``targets``: integers of the scores' shape in ``0 ..< n``."""
    report = []
    settings = _Settings(temperature, power, descending, method, path, accuracy)
    loss = _Loss.apply(scores, "cross_entropy", (_targets(targets, scores),), settings, report)
    return _finish(loss, report, return_path)


def nearest_neighbor_loss(scores, matches, k, temperature=1.0, power=1.0, descending=True, *, method="softsort",
                          path="automatic", accuracy=None, return_path=False):
    """The paper's kNN loss ``-(1 / (B k)) sum_b sum_(i < k) (P y)[b, i]`` (a MEAN), a 0-d tensor
    differentiable in ``scores``; ``matches`` ``y`` of the scores' shape (not differentiated)."""
    report = []
    settings = _Settings(temperature, power, descending, method, path, accuracy)
    y = _array(matches, "matches", floating=False) if isinstance(matches, torch.Tensor) else matches
    loss = _Loss.apply(scores, "nearest_neighbor_loss", (y, int(k)), settings, report)
    return _finish(loss, report, return_path)
