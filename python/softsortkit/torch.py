"""SoftSortKit's operators as ``torch.autograd.Function`` s (CPU tensors).

Scores have any shape ``(..., n)`` and dtype float32 or float64. Tensors go
to the library by address (``Tensor.data_ptr()``): a contiguous input is not
copied, a non-contiguous one is made contiguous once; outputs are written
straight into fresh tensors. Backwards are first-order
(``once_differentiable``) and recompute the forward from the saved inputs,
except the cross-entropy's, which keeps the gradient its forward computed in
the same call.

    import softsortkit.torch as sst
    P = sst.soft_sort(scores, temperature=0.1, power=2)          # (..., n, n)
    loss = sst.cross_entropy(scores, targets, temperature=0.1, power=2)
"""
import math

import torch
from torch.autograd.function import once_differentiable

from . import _arrays
from ._library import check, lib

__all__ = ["soft_sort", "neural_sort", "apply", "cross_entropy", "sorted_values", "ranks"]

_SUFFIX = {torch.float32: "f32", torch.float64: "f64"}


def _tensor(tensor, argument):
    """A contiguous CPU float tensor (the only copy: a non-contiguous input)."""
    if not isinstance(tensor, torch.Tensor):
        raise TypeError(f"softsortkit: {argument} must be a torch.Tensor, got {type(tensor).__name__}")
    if tensor.device.type != "cpu":
        raise ValueError(f"softsortkit: {argument} must be on the CPU, got {tensor.device}")
    if tensor.dtype not in _SUFFIX:
        raise TypeError(f"softsortkit: {argument} must be float32 or float64, got {tensor.dtype}")
    return tensor if tensor.is_contiguous() else tensor.contiguous()


def _scores(scores):
    """``(tensor, batch, n, suffix)`` for scores of shape ``(..., n)``."""
    s = _tensor(scores, "scores")
    if s.dim() < 1:
        raise ValueError("softsortkit: scores must have at least one dimension (the last is n), got a scalar")
    return s, math.prod(s.shape[:-1]), s.shape[-1], _SUFFIX[s.dtype]


def _like(tensor, argument, reference, shape):
    """A contiguous tensor of ``reference``'s dtype and the given shape (no conversion)."""
    t = _tensor(tensor, argument)
    if t.dtype != reference.dtype:
        raise TypeError(f"softsortkit: {argument} must have the scores' dtype {reference.dtype}, got {t.dtype}")
    if tuple(t.shape) != tuple(shape):
        raise ValueError(f"softsortkit: {argument} must have shape {tuple(shape)}, got {tuple(t.shape)}")
    return t


def _values(values, s):
    """Values ``(..., n, d)``, or ``(..., n)`` for ``d = 1``: ``(tensor, d)``."""
    v = _tensor(values, "values")
    if v.shape == s.shape:
        return _like(v, "values", s, s.shape), 1
    if v.dim() != s.dim() + 1 or v.shape[:-1] != s.shape:
        raise ValueError(
            f"softsortkit: values must have shape {tuple(s.shape)} + (d,) or {tuple(s.shape)}, got {tuple(v.shape)}")
    return _like(v, "values", s, v.shape), v.shape[-1]


class _Matrices(torch.autograd.Function):
    """SoftSort (power given) or NeuralSort (power None) matrices."""

    @staticmethod
    def forward(ctx, scores, temperature, power, descending):
        s, batch, n, t = _scores(scores)
        ctx.save_for_backward(s)
        ctx.settings = (temperature, power, descending)
        out = torch.empty(tuple(s.shape) + (n,), dtype=s.dtype)
        if power is None:
            check(getattr(lib, "neuralsort_forward_" + t)(
                s.data_ptr(), batch, n, temperature, _arrays.direction(descending), out.data_ptr(), None))
        else:
            check(getattr(lib, "softsort_forward_" + t)(
                s.data_ptr(), batch, n, temperature, power, _arrays.direction(descending), out.data_ptr(), None))
        return out

    @staticmethod
    @once_differentiable
    def backward(ctx, grad):
        (s,) = ctx.saved_tensors
        temperature, power, descending = ctx.settings
        _, batch, n, t = _scores(s)
        g = _like(grad, "grad", s, tuple(s.shape) + (n,))
        out = torch.empty_like(s)
        if power is None:
            check(getattr(lib, "neuralsort_backward_" + t)(
                s.data_ptr(), batch, n, temperature, _arrays.direction(descending), g.data_ptr(), out.data_ptr()))
        else:
            check(getattr(lib, "softsort_backward_" + t)(
                s.data_ptr(), batch, n, temperature, power, _arrays.direction(descending), g.data_ptr(),
                out.data_ptr()))
        return out, None, None, None


class _Apply(torch.autograd.Function):
    @staticmethod
    def forward(ctx, values, scores, temperature, power, descending):
        s, batch, n, t = _scores(scores)
        v, d = _values(values, s)
        ctx.save_for_backward(v, s)
        ctx.settings = (temperature, power, descending)
        out = torch.empty_like(v)
        check(getattr(lib, "softsort_apply_" + t)(
            v.data_ptr(), s.data_ptr(), batch, n, d, temperature, power, _arrays.direction(descending),
            out.data_ptr()))
        return out

    @staticmethod
    @once_differentiable
    def backward(ctx, grad):
        v, s = ctx.saved_tensors
        temperature, power, descending = ctx.settings
        _, batch, n, t = _scores(s)
        _, d = _values(v, s)
        g = _like(grad, "grad", s, v.shape)
        grad_scores, grad_values = torch.empty_like(s), torch.empty_like(v)
        check(getattr(lib, "softsort_apply_backward_" + t)(
            v.data_ptr(), s.data_ptr(), batch, n, d, temperature, power, _arrays.direction(descending),
            g.data_ptr(), grad_scores.data_ptr(), grad_values.data_ptr()))
        return grad_values, grad_scores, None, None, None


class _CrossEntropy(torch.autograd.Function):
    @staticmethod
    def forward(ctx, scores, targets, temperature, power, descending, path):
        s, batch, n, t = _scores(scores)
        if not isinstance(targets, torch.Tensor):
            targets = torch.as_tensor(targets)
        if targets.device.type != "cpu":
            raise ValueError(f"softsortkit: targets must be on the CPU, got {targets.device}")
        if targets.dtype.is_floating_point or targets.dtype.is_complex or targets.dtype == torch.bool:
            raise TypeError(f"softsortkit: targets must be integers, got {targets.dtype}")
        if targets.shape != s.shape:
            raise ValueError(
                f"softsortkit: targets must have the scores' shape {tuple(s.shape)}, got {tuple(targets.shape)}")
        columns = targets.to(torch.int64).contiguous()  # no copy when already contiguous int64
        loss = torch.empty((), dtype=s.dtype)
        gradient = torch.empty_like(s) if ctx.needs_input_grad[0] else None
        check(getattr(lib, "softsort_cross_entropy_" + t)(
            s.data_ptr(), columns.data_ptr(), batch, n, temperature, power, _arrays.direction(descending),
            _arrays.path(path), loss.data_ptr(), gradient.data_ptr() if gradient is not None else None, None))
        if gradient is not None:
            ctx.save_for_backward(gradient)
        return loss

    @staticmethod
    @once_differentiable
    def backward(ctx, grad):
        (gradient,) = ctx.saved_tensors
        return gradient * grad, None, None, None, None, None


class _ScoresToRow(torch.autograd.Function):
    """The relaxed sorted values (``name`` "sorted_values") or ranks ("ranks")."""

    @staticmethod
    def forward(ctx, scores, temperature, power, descending, name):
        s, batch, n, t = _scores(scores)
        ctx.save_for_backward(s)
        ctx.settings = (temperature, power, descending, name)
        out = torch.empty_like(s)
        check(getattr(lib, f"softsort_{name}_{t}")(
            s.data_ptr(), batch, n, temperature, power, _arrays.direction(descending), out.data_ptr()))
        return out

    @staticmethod
    @once_differentiable
    def backward(ctx, grad):
        (s,) = ctx.saved_tensors
        temperature, power, descending, name = ctx.settings
        _, batch, n, t = _scores(s)
        g = _like(grad, "grad", s, s.shape)
        out = torch.empty_like(s)
        check(getattr(lib, f"softsort_{name}_backward_{t}")(
            s.data_ptr(), batch, n, temperature, power, _arrays.direction(descending), g.data_ptr(),
            out.data_ptr()))
        return out, None, None, None, None


def soft_sort(scores, temperature=1.0, power=1.0, descending=True):
    """SoftSort's relaxed permutation matrices ``P`` of shape ``(..., n, n)``, differentiable in ``scores``.

    ``P[..., i, j] = softmax_j(-|sort(s)_i - s_j|^p / tau)``, row 0 the largest score when ``descending``.
    """
    return _Matrices.apply(scores, float(temperature), float(power), bool(descending))


def neural_sort(scores, temperature=1.0, descending=True):
    """NeuralSort's matrices ``P`` of shape ``(..., n, n)``, differentiable in ``scores``."""
    return _Matrices.apply(scores, float(temperature), None, bool(descending))


def apply(values, scores, temperature=1.0, power=1.0, descending=True):
    """``Y = P V`` without forming ``P`` (values ``(..., n, d)`` or ``(..., n)``), differentiable in both."""
    return _Apply.apply(values, scores, float(temperature), float(power), bool(descending))


def cross_entropy(scores, targets, temperature=1.0, power=1.0, descending=True, path="automatic"):
    """The paper's loss ``sum -log P[..., i, targets[..., i]]`` (a SUM over all rows), a 0-d tensor
    differentiable in ``scores``. ``targets``: integers of the scores' shape in ``0 ..< n``;
    ``path``: ``"automatic"``, ``"dense"``, ``"fused"``, ``"exact"`` or ``"gauss"``."""
    return _CrossEntropy.apply(scores, targets, float(temperature), float(power), bool(descending), path)


def sorted_values(scores, temperature=1.0, power=1.0, descending=True):
    """The relaxed sorted values ``P s``, shape ``(..., n)``, differentiable."""
    return _ScoresToRow.apply(scores, float(temperature), float(power), bool(descending), "sorted_values")


def ranks(scores, temperature=1.0, power=1.0, descending=True):
    """The relaxed ranks ``P^T (1, ..., n)`` (1 = largest), shape ``(..., n)``, differentiable."""
    return _ScoresToRow.apply(scores, float(temperature), float(power), bool(descending), "ranks")
