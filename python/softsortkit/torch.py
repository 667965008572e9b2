"""SoftSortKit's outputs as differentiable PyTorch operators (CPU tensors).

Every output is a ``torch.library.custom_op`` in the namespace
``softsortkit`` (``torch.ops.softsortkit.ranks``, ...) with
``register_autograd``, ``register_fake`` and ``register_vmap``, so
``torch.compile(fullgraph=True)``, ``torch.vmap``, ``torch.func`` and
``torch.library.opcheck`` see an opaque operator with a known shape and
gradient. The functions below are thin wrappers that move ``dim`` last and
call the operator (in plain eager code, the row outputs and the losses run the
operator's own implementations under a ``torch.autograd.Function``, which
costs less per call; see "the eager path" below).

    import softsortkit.torch as sst
    r = sst.ranks(scores, 0.1)                                     # ascending: rank 1 = smallest
    loss = sst.cross_entropy(scores, targets, 0.1, 2, reduction="sum")   # the paper's loss
    y, path = sst.topk(values, scores, 5, 0.1, 1.0, return_path=True)    # path == "exact" (say)

Arguments every output takes: ``temperature`` (``tau > 0``) and ``power``
(SoftSort's ``p``) positionally, then keyword-only ``dim=-1``,
``descending=False`` (ascending, as ``torch.sort`` and torchsort; the Swift API
keeps the paper's descending default), ``method`` (``"softsort"`` or
``"neuralsort"``), ``path`` (``"automatic"`` by default, see
``softsortkit.numpy``), ``accuracy`` and ``return_path``; the losses take
``reduction="mean" | "sum" | "none"`` (over the lists; see
``softsortkit.numpy``).

The path that ran. Each operator returns, besides its result, a 0-d int64
tensor of the path's ``SOFTSORTKIT_PATH_*`` code (custom operators return
tensors only). ``return_path=True`` turns it into the path's name
(``"exact"``, ``"window(ranks: 3)"``) with ``.item()`` -- a graph break
under ``torch.compile``; ``last_path()`` gives the name of the path the last
forward on this thread ran, read outside the compiled function.

Gradients. Backwards are the library's own vector-Jacobian products; they
recompute the forward from the saved inputs (the losses keep the gradient
their forward computed in the same call; sorted values and ranks reuse the
forward just before them on the same inputs, in the library). Second derivatives are not
implemented: ``create_graph=True`` followed by a second backward raises a
RuntimeError that says so. ``log_normalizers`` and ``permutation`` have no
gradient.

``torch.vmap``: the rows, products and matrices run the whole vmapped batch
in one library call; a loss runs one call per vmapped item (its reduction is
per item). ``torch.func.grad`` over these operators is not supported by
PyTorch's ``custom_op`` autograd; ``torch.autograd`` works, also through vmap. Tensors go to the library through ``Tensor.numpy()`` views (a
non-contiguous tensor is made contiguous once).

Memory: the dense path (``soft_sort``, or ``path="dense"``) keeps a
B x n x n workspace in the library between calls; ``softsortkit.release_scratch()``
frees it.
"""
import math
import operator
import threading

import numpy as np
import torch
from torch.utils import _python_dispatch

from . import _arrays, _constants, _options
from . import numpy as _sn
from ._errors import error as _error

__all__ = ["soft_sort", "neural_sort", "permutation", "apply", "apply_transposed", "topk", "quantile",
           "sorted_values", "ranks", "log_normalizers", "cross_entropy", "knn_loss", "perturb", "last_path",
           "REDUCTIONS"]

REDUCTIONS = _sn.REDUCTIONS
_DTYPES = (torch.float32, torch.float64)
_SETTINGS = "float temperature, float power, bool descending, str method, str path, float accuracy"
_state = threading.local()


def last_path():
    """The name of the path the last SoftSortKit forward on this thread ran (``None`` before any)."""
    return getattr(_state, "path", None)


# ---- the operators ----------------------------------------------------------

def _numpy(tensor):
    return tensor.detach().contiguous().numpy()


def _keywords(descending, method, path, accuracy):
    return dict(descending=descending, method=method, path=path, accuracy=accuracy if accuracy else None)


def _code(name):
    _state.path = name
    return torch.tensor(_options.code(name), dtype=torch.int64)


def _fake_code(scores):
    return scores.new_empty((), dtype=torch.int64)


def _no_second_derivative(name):
    def backward(ctx, *grads):
        raise RuntimeError(
            f"softsortkit: {name} has no second derivative (the library's backward is first-order); "
            "differentiate once, without create_graph=True through a SoftSortKit operator")
    return backward


def _define(name, schema, implementation, fake, vmap=None):
    op = torch.library.custom_op(f"softsortkit::{name}", implementation, mutates_args=(), device_types="cpu",
                                 schema=schema)
    op.register_fake(fake)
    op.register_vmap(vmap or _batched(op))
    return op


def _keep_nothing(ctx, inputs, output):
    pass


def _define_backward(name, schema, implementation, fake):
    op = _define(name, schema, implementation, fake)
    op.register_autograd(_no_second_derivative(name.removesuffix("_backward")), setup_context=_keep_nothing)
    return op


def _batched(op, unbatched_outputs=()):
    """The vmap rule of an operator that treats leading dimensions as a batch: every tensor argument
    gets the vmapped dimension first (expanded where it is not vmapped), one call, outputs batched at 0
    but those in ``unbatched_outputs`` (the path code)."""
    def rule(info, in_dims, *args):
        moved = []
        for arg, dim in zip(args, in_dims):
            if isinstance(arg, torch.Tensor):
                arg = arg.movedim(dim, 0) if dim is not None else arg.expand(info.batch_size, *arg.shape)
            moved.append(arg)
        out = op(*moved)
        if isinstance(out, tuple):
            return out, tuple(None if i in unbatched_outputs else 0 for i in range(len(out)))
        return out, 0
    return rule


def _each(op):
    """The vmap rule of a loss (its reduction is per vmapped item): one call per item, stacked."""
    def rule(info, in_dims, *args):
        results = []
        for item in range(info.batch_size):
            results.append(op(*(arg.select(dim, item) if isinstance(arg, torch.Tensor) and dim is not None else arg
                                for arg, dim in zip(args, in_dims))))
        loss, grad, path = zip(*results)
        return (torch.stack(loss), torch.stack(grad), path[-1]), (0, 0, None)
    return rule


# Rows of the scores alone: sorted_values, ranks.

def _row_operator(name):
    def run(scores, temperature, power, descending, method, path, accuracy):
        """The output and the name of the path that ran."""
        out, used = getattr(_sn, name)(_numpy(scores), temperature, power, return_path=True,
                                       **_keywords(descending, method, path, accuracy))
        return torch.from_numpy(out), used

    def forward(scores, *settings):
        out, used = run(scores, *settings)
        return out, _code(used)

    def backward_(scores, grad, temperature, power, descending, method, path, accuracy):
        return torch.from_numpy(getattr(_sn, name + "_backward")(
            _numpy(scores), _numpy(grad), temperature, power, **_keywords(descending, method, path, accuracy)))

    op = _define(name, f"(Tensor scores, {_SETTINGS}) -> (Tensor, Tensor)", forward,
                 lambda scores, *_: (torch.empty(scores.shape, dtype=scores.dtype), _fake_code(scores)),
                 _batched_rows(name))
    op_backward = _define_backward(f"{name}_backward", f"(Tensor scores, Tensor grad, {_SETTINGS}) -> Tensor",
                                   backward_, lambda scores, *_: torch.empty(scores.shape, dtype=scores.dtype))

    def setup_context(ctx, inputs, output):
        ctx.save_for_backward(inputs[0])
        ctx.settings = inputs[1:]

    def backward(ctx, grad, _path):
        (scores,) = ctx.saved_tensors
        return (op_backward(scores, grad, *ctx.settings),) + (None,) * len(ctx.settings)

    op.register_autograd(backward, setup_context=setup_context)
    op.plain = (run, backward_, op_backward)
    return op


def _batched_rows(name):
    # register_vmap needs the operator; it is looked up when the rule runs.
    return lambda info, in_dims, *args: _batched(getattr(torch.ops.softsortkit, name).default, (1,))(
        info, in_dims, *args)


_sorted_values = _row_operator("sorted_values")
_ranks = _row_operator("ranks")


# The matrices P (and straight-through), the hard permutation, the normalizers.

def _matrices_forward(scores, straight_through, temperature, power, descending, method, path, accuracy):
    keywords = _keywords(descending, method, path, accuracy)
    s = _numpy(scores)
    P, used = _sn.matrices(s, temperature, power, return_path=True, **keywords)
    if straight_through:
        if used != "dense":
            raise _error(f"softsortkit: the path {used!r} cannot run here: straight-through matrices are the "
                         "dense path's; pass path='dense' or 'automatic'", _constants.ERROR_UNSUPPORTED_PATH)
        order = _sn.permutation(s, descending=descending)
        P[...] = 0
        P.reshape(-1, P.shape[-1])[range(order.size), order.reshape(-1)] = 1
    return torch.from_numpy(P), _code(used)


def _matrices_backward(scores, grad, temperature, power, descending, method, path, accuracy):
    return torch.from_numpy(_sn.matrices_backward(
        _numpy(scores), _numpy(grad), temperature, power, **_keywords(descending, method, path, accuracy)))


def _matrices_fake(scores, *_):
    return torch.empty(scores.shape + scores.shape[-1:], dtype=scores.dtype), _fake_code(scores)


_matrices = _define("soft_sort", f"(Tensor scores, bool straight_through, {_SETTINGS}) -> (Tensor, Tensor)",
                    _matrices_forward, _matrices_fake, _batched_rows("soft_sort"))
_matrices_grad = _define_backward("soft_sort_backward", f"(Tensor scores, Tensor grad, {_SETTINGS}) -> Tensor",
                                  _matrices_backward, lambda scores, *_: torch.empty(scores.shape, dtype=scores.dtype))


def _matrices_setup(ctx, inputs, output):
    ctx.save_for_backward(inputs[0])
    ctx.settings = inputs[2:]


def _matrices_autograd(ctx, grad, _path):
    (scores,) = ctx.saved_tensors
    return (_matrices_grad(scores, grad, *ctx.settings),) + (None,) * (len(ctx.settings) + 1)


_matrices.register_autograd(_matrices_autograd, setup_context=_matrices_setup)

_permutation = _define(
    "permutation", "(Tensor scores, bool descending) -> Tensor",
    lambda scores, descending: torch.from_numpy(_sn.permutation(_numpy(scores), descending=descending)),
    lambda scores, descending: torch.empty(scores.shape, dtype=torch.int64))


def _log_normalizers_forward(scores, temperature, power, descending, method, path, accuracy):
    out, used = _sn.log_normalizers(_numpy(scores), temperature, power, return_path=True,
                                    **_keywords(descending, method, path, accuracy))
    return torch.from_numpy(out), _code(used)


_log_normalizers = _define(
    "log_normalizers", f"(Tensor scores, {_SETTINGS}) -> (Tensor, Tensor)", _log_normalizers_forward,
    lambda scores, *_: (torch.empty(scores.shape, dtype=scores.dtype), _fake_code(scores)),
    _batched_rows("log_normalizers"))


# Products: apply, apply_transposed, topk (int k), quantile (float[] levels).

def _product_operator(name, library, extra_schema, rows):
    """``rows(scores, extra)``: the output's row count; ``extra``: the k or levels argument, or none."""
    extra_count = 1 if extra_schema else 0

    def forward(values, scores, *arguments):
        extra, settings = arguments[:extra_count], arguments[extra_count:]
        out, used = getattr(_sn, library)(_numpy(values), _numpy(scores), *extra, *settings[:2], return_path=True,
                                          **_keywords(*settings[2:]))
        return torch.from_numpy(out), _code(used)

    def backward_(values, scores, *arguments):
        extra, grad, settings = arguments[:extra_count], arguments[extra_count], arguments[extra_count + 1:]
        grad_scores, grad_values = getattr(_sn, library + "_backward")(
            _numpy(values), _numpy(scores), *extra, _numpy(grad), *settings[:2], **_keywords(*settings[2:]))
        return torch.from_numpy(grad_values), torch.from_numpy(grad_scores)

    def shape(values, scores, extra):
        tail = values.shape[-1:] if values.dim() == scores.dim() + 1 else ()
        return scores.shape[:-1] + (rows(scores, extra),) + tail

    def fake(values, scores, *arguments):
        return (torch.empty(shape(values, scores, arguments[:extra_count]), dtype=scores.dtype),
                _fake_code(scores))

    def fake_backward(values, scores, *arguments):
        return torch.empty(values.shape, dtype=values.dtype), torch.empty(scores.shape, dtype=scores.dtype)

    extra = extra_schema + ", " if extra_schema else ""
    op = _define(name, f"(Tensor values, Tensor scores, {extra}{_SETTINGS}) -> (Tensor, Tensor)", forward, fake,
                 _batched_rows(name))
    op_backward = _define_backward(
        f"{name}_backward", f"(Tensor values, Tensor scores, {extra}Tensor grad, {_SETTINGS}) -> (Tensor, Tensor)",
        backward_, fake_backward)

    def setup_context(ctx, inputs, output):
        ctx.save_for_backward(inputs[0], inputs[1])
        ctx.arguments = inputs[2:]

    def backward(ctx, grad, _path):
        values, scores = ctx.saved_tensors
        extra, settings = ctx.arguments[:extra_count], ctx.arguments[extra_count:]
        grad_values, grad_scores = op_backward(values, scores, *extra, grad, *settings)
        return (grad_values, grad_scores) + (None,) * len(ctx.arguments)

    op.register_autograd(backward, setup_context=setup_context)
    return op


_apply = _product_operator("apply", "apply", "", lambda scores, extra: scores.shape[-1])
_apply_transposed = _product_operator("apply_transposed", "apply_transposed", "",
                                      lambda scores, extra: scores.shape[-1])
_topk = _product_operator("topk", "topk", "int k", lambda scores, extra: max(extra[0], 0))
_quantile = _product_operator("quantile", "quantile", "float[] levels", lambda scores, extra: len(extra[0]))


# Losses: cross_entropy (targets), knn_loss (matches, k).

def _loss_backward_forward(grad_loss, gradient):
    if grad_loss.dim() == 0:  # "mean" and "sum": broadcasts as it is (a reshape costs more than the product)
        return grad_loss * gradient
    return grad_loss.reshape(grad_loss.shape + (1,) * (gradient.dim() - grad_loss.dim())) * gradient


_loss_backward = _define_backward(
    "loss_backward", "(Tensor grad_loss, Tensor gradient) -> Tensor", _loss_backward_forward,
    lambda grad_loss, gradient: torch.empty(gradient.shape, dtype=gradient.dtype))


def _loss_operator(name, library, data_schema, to_numpy):
    data_count = data_schema.count(",") + 1

    def run(scores, *arguments):
        """The loss, its gradient and the name of the path that ran."""
        data, reduction, settings = arguments[:data_count], arguments[data_count], arguments[data_count + 1:]
        loss, grad, used = getattr(_sn, library)(
            _numpy(scores), *to_numpy(*data), *settings[:2], reduction=reduction, return_path=True,
            **_keywords(*settings[2:]))
        # A fresh array either way: a 0-d one made from the NumPy scalar ("mean", "sum"; a third of the
        # cost of torch.tensor), or the "none" losses, shared.
        return torch.from_numpy(np.asarray(loss)), torch.from_numpy(grad), used

    def forward(scores, *arguments):
        value, grad, used = run(scores, *arguments)
        return value, grad, _code(used)

    def fake(scores, *arguments):
        reduction = arguments[data_count]
        shape = scores.shape[:-1] if reduction == "none" else ()
        return (torch.empty(shape, dtype=scores.dtype), torch.empty(scores.shape, dtype=scores.dtype),
                _fake_code(scores))

    op = _define(name, f"(Tensor scores, {data_schema}, str reduction, {_SETTINGS}) -> (Tensor, Tensor, Tensor)",
                 forward, fake, lambda info, in_dims, *args: _each(getattr(torch.ops.softsortkit, name).default)(
                     info, in_dims, *args))

    def setup_context(ctx, inputs, output):
        ctx.save_for_backward(output[1])
        ctx.count = len(inputs)

    def backward(ctx, grad_loss, _grad, _path):
        (gradient,) = ctx.saved_tensors
        if torch.is_grad_enabled():
            # create_graph=True: through an operator whose own backward raises (no second derivative).
            return (_loss_backward(grad_loss, gradient),) + (None,) * (ctx.count - 1)
        return (_loss_backward_forward(grad_loss, gradient),) + (None,) * (ctx.count - 1)

    op.register_autograd(backward, setup_context=setup_context)
    op.plain = (run,)
    return op


_cross_entropy = _loss_operator("cross_entropy", "cross_entropy", "Tensor targets",
                                lambda targets: (_numpy(targets),))
_knn_loss = _loss_operator("knn_loss", "knn_loss", "Tensor matches, int k",
                           lambda matches, k: (_numpy(matches), k))


# ---- the eager path: the same implementations under a plain autograd.Function ----
#
# A torch.library.custom_op costs about 60 us more per forward + backward than a plain
# autograd.Function doing the same (both no-ops, B = 1, n = 16: 103 against 43 us here), and a row
# output's backward is a second custom_op. In plain eager code the functions below therefore run the
# operators' own forward and backward implementations under an autograd.Function; under
# torch.compile or export, a torch.func transform (vmap, grad), a dispatch mode (FakeTensorMode, ...)
# or with a tensor subclass they call the custom_op, which those need. Results, gradients and errors
# are the same either way: it is the same code. Each Function takes the scores and one tuple of
# everything else, and returns its result alone (the path's name goes to last_path()): autograd's
# cost grows with every argument and output (B = 1, n = 16: 136 against 98 us a loss forward +
# backward before and after this).

_PLAIN_TYPES = (torch.Tensor, torch.nn.Parameter)


def _plain(*tensors):
    """True where the autograd.Function may stand in for the custom_op (see above)."""
    return (all(type(t) in _PLAIN_TYPES for t in tensors) and not torch.compiler.is_compiling()
            and torch._C._functorch.maybe_current_level() is None
            and torch._C._get_dispatch_mode(torch._C._TorchDispatchModeKey.FAKE) is None
            and not torch._C._is_torch_function_mode_enabled()
            and _python_dispatch._get_current_dispatch_mode() is None)


class _PlainRow(torch.autograd.Function):
    """A row output (sorted_values, ranks): ``implementations`` is the operator's ``plain``. Its one
    output is the result; the path's name goes to ``last_path()`` (a code tensor costs a few us)."""

    @staticmethod
    def forward(ctx, implementations, scores, settings):
        out, _state.path = implementations[0](scores, *settings)
        ctx.save_for_backward(scores)
        ctx.implementations, ctx.settings = implementations, settings
        return out

    @staticmethod
    def backward(ctx, grad):
        (scores,) = ctx.saved_tensors
        _, backward_, op_backward = ctx.implementations
        # create_graph=True: through the backward operator, whose own backward raises.
        grad_scores = (op_backward if torch.is_grad_enabled() else backward_)(scores, grad, *ctx.settings)
        return None, grad_scores, None


class _PlainLoss(torch.autograd.Function):
    """A loss (cross_entropy, knn_loss): ``run`` is the operator's implementation. Its one output is
    the loss (the gradient is saved; the path's name goes to ``last_path()``)."""

    @staticmethod
    def forward(ctx, run, scores, arguments):
        loss, gradient, _state.path = run(scores, *arguments)
        ctx.save_for_backward(gradient)
        return loss

    @staticmethod
    def backward(ctx, grad_loss):
        (gradient,) = ctx.saved_tensors
        # create_graph=True: through the loss backward operator, whose own backward raises (no second
        # derivative), as the custom_op's; the saved gradient is made to need one so that it is reached.
        if torch.is_grad_enabled():
            return None, _loss_backward(grad_loss, gradient.detach().requires_grad_()), None
        if grad_loss.dim() == 0:
            # "mean" and "sum": the same product in NumPy, on this thread, into a tensor of torch's. In
            # torch it runs on torch's OpenMP threads from about 32768 elements on, which then spin
            # waiting for work on the cores the library's next call runs on (B = 4096, n = 64, 2 threads:
            # that call took 2x as long); a product NumPy allocated is copied again on its way to .grad.
            product = torch.empty(gradient.shape, dtype=gradient.dtype)
            np.multiply(gradient.numpy(), grad_loss.numpy(), out=product.numpy())
            return None, product, None
        return None, _loss_backward_forward(grad_loss, gradient), None


# ---- the functions ----------------------------------------------------------

def _checked(tensor, argument, floating=True):
    if not isinstance(tensor, torch.Tensor):
        raise TypeError(f"softsortkit: {argument} must be a torch.Tensor, got {type(tensor).__name__}")
    if tensor.device.type != "cpu":
        raise ValueError(f"softsortkit: {argument} must be on the CPU, got {tensor.device}")
    if floating and tensor.dtype not in _DTYPES:
        raise TypeError(f"softsortkit: {argument} must be float32 or float64, got {tensor.dtype}")
    return tensor


def _axis(scores, dim):
    if scores.dim() < 1:
        raise ValueError("softsortkit: scores must have at least one dimension (the sorted one), got a scalar")
    if not -scores.dim() <= dim < scores.dim():
        raise ValueError(f"softsortkit: dim must be in {-scores.dim()} ..< {scores.dim()} for scores of "
                         f"{scores.dim()} dimensions, got {dim}")
    return dim % scores.dim()


def _last(tensor, axis):
    return tensor if axis == tensor.dim() - 1 else tensor.movedim(axis, -1)


def _back(tensor, axis):
    return tensor if axis == tensor.dim() - 1 else tensor.movedim(-1, axis)


def _settings(temperature, power, descending, method, path, accuracy):
    if method not in _options.METHODS:
        raise ValueError(f"softsortkit: method must be one of {', '.join(_options.METHODS)}, got {method!r}")
    path = str(path) if isinstance(path, _options.Window) else path
    _options.parse(path)  # a bad path raises here, before tracing reaches the operator
    return (float(temperature), float(power), bool(descending), method, path,
            0.0 if accuracy is None else float(accuracy))


def _finish(result, code, window_or_path, return_path):
    """``result``, and with ``return_path`` the path's name: ``code`` is the operator's code tensor, or
    the name itself (the eager path)."""
    if not return_path:
        return result
    if isinstance(code, str):
        return result, code
    path = window_or_path if isinstance(window_or_path, _options.Window) else None
    if path is None and isinstance(window_or_path, str) and window_or_path.startswith("window"):
        path = _options.parse(window_or_path)[1]
    return result, _options.name(int(code.item()), path)


def soft_sort(scores, temperature=1.0, power=1.0, *, dim=-1, descending=False, method="softsort",
              path="automatic", accuracy=None, straight_through=False, return_path=False):
    """The relaxed permutation matrices ``P``: ``P[..., i, j] = softmax_j(-|sort(s)_i - s_j|^p / tau)``
    (SoftSort; NeuralSort's with ``method="neuralsort"``), row 0 the smallest score (the largest when
    ``descending``). Shape: the scores' shape less ``dim``, then ``(n, n)``. Differentiable in ``scores``.

    ``straight_through=True`` returns the exact permutation matrices (one-hot rows at the sort's
    columns) and differentiates the soft ``P`` (dense path only), as the Swift API's
    ``.straightThrough``. Dense or window paths (``"automatic"`` runs dense): O(B n^2) time and memory,
    and the library keeps a workspace of that size until ``softsortkit.release_scratch()``."""
    s = _checked(scores, "scores")
    moved = _last(s, _axis(s, dim))
    out, code = _matrices(moved, bool(straight_through), *_settings(temperature, power, descending, method, path,
                                                                    accuracy))
    return _finish(out, code, path, return_path)


def neural_sort(scores, temperature=1.0, *, dim=-1, descending=False, straight_through=False, return_path=False):
    """NeuralSort's matrices ``P`` (``soft_sort`` with ``method="neuralsort"``)."""
    return soft_sort(scores, temperature, 1.0, dim=dim, descending=descending, method="neuralsort",
                     straight_through=straight_through, return_path=return_path)


def permutation(scores, *, dim=-1, descending=False):
    """The hard permutations (int64, the scores' shape): entry ``i`` along ``dim`` is the index of the
    ``i``-th smallest score (largest when ``descending``), ties by index; no gradient."""
    s = _checked(scores, "scores").detach()
    axis = _axis(s, dim)
    return _back(_permutation(_last(s, axis), bool(descending)), axis)


def _row(op, scores, temperature, power, dim, descending, method, path, accuracy, return_path):
    s = _checked(scores, "scores")
    axis = _axis(s, dim)
    moved, settings = _last(s, axis), _settings(temperature, power, descending, method, path, accuracy)
    plain = getattr(op, "plain", None)  # log_normalizers has no gradient: its custom_op alone
    if plain and _plain(s):
        out, code = _PlainRow.apply(plain, moved, settings), _state.path
    else:
        out, code = op(moved, *settings)
    return _finish(_back(out, axis), code, path, return_path)


def sorted_values(scores, temperature=1.0, power=1.0, *, dim=-1, descending=False, method="softsort",
                  path="automatic", accuracy=None, return_path=False):
    """The relaxed sorted values ``P s`` (the scores' shape): entry ``i`` along ``dim`` is close to the
    ``i``-th smallest score (largest when ``descending``); torchsort's ``soft_sort``. Differentiable."""
    return _row(_sorted_values, scores, temperature, power, dim, descending, method, path, accuracy, return_path)


def ranks(scores, temperature=1.0, power=1.0, *, dim=-1, descending=False, method="softsort", path="automatic",
          accuracy=None, return_path=False):
    """The relaxed ranks ``P^T (1, ..., n)`` (the scores' shape): entry ``j`` is close to the rank of
    score ``j``, 1 = smallest (1 = largest when ``descending``); torchsort's ``soft_rank``. Differentiable."""
    return _row(_ranks, scores, temperature, power, dim, descending, method, path, accuracy, return_path)


def log_normalizers(scores, temperature=1.0, power=1.0, *, dim=-1, descending=False, method="softsort",
                    path="automatic", accuracy=None, return_path=False):
    """``log Z`` of every row of every ``P`` (the scores' shape, exact and gauss paths); no gradient."""
    scores = _checked(scores, "scores").detach()
    return _row(_log_normalizers, scores, temperature, power, dim, descending, method, path, accuracy,
                return_path)


def _product(op, extra, values, scores, temperature, power, dim, descending, method, path, accuracy, return_path):
    s, v = _checked(scores, "scores"), _checked(values, "values")
    if v.dtype != s.dtype:
        raise TypeError(f"softsortkit: values must have the scores' dtype {s.dtype}, got {v.dtype}")
    axis = _axis(s, dim)
    with_d = v.dim() == s.dim() + 1
    if v.shape != s.shape and not (with_d and v.shape[:-1] == s.shape):
        raise ValueError(f"softsortkit: values must have shape {tuple(s.shape)} + (d,) or {tuple(s.shape)}, "
                         f"got {tuple(v.shape)}")
    v = v if axis == s.dim() - 1 else v.movedim(axis, -2 if with_d else -1)
    out, code = op(v, _last(s, axis), *extra, *_settings(temperature, power, descending, method, path, accuracy))
    out = out if axis == s.dim() - 1 else out.movedim(-2 if with_d else -1, axis)
    return _finish(out, code, path, return_path)


def apply(values, scores, temperature=1.0, power=1.0, *, dim=-1, descending=False, method="softsort",
          path="automatic", accuracy=None, return_path=False):
    """``Y = P V``: values ``V`` of the scores' shape or that plus ``(d,)``, in the scores' order ->
    ``Y`` of the same shape, rows (along ``dim``) in sorted order. Differentiable in both."""
    return _product(_apply, (), values, scores, temperature, power, dim, descending, method, path, accuracy,
                    return_path)


def apply_transposed(values, scores, temperature=1.0, power=1.0, *, dim=-1, descending=False, method="softsort",
                     path="automatic", accuracy=None, return_path=False):
    """``Y = P^T U``: ``U`` in sorted row order -> ``Y`` in the scores' order. Differentiable in both."""
    return _product(_apply_transposed, (), values, scores, temperature, power, dim, descending, method, path,
                    accuracy, return_path)


def topk(values, scores, k, temperature=1.0, power=1.0, *, dim=-1, descending=False, method="softsort",
         path="automatic", accuracy=None, return_path=False):
    """The first ``k`` rows of ``P V`` along ``dim`` (``0 <= k <= n``): the values of the ``k`` smallest
    scores (largest when ``descending``), relaxed. Differentiable in both."""
    return _product(_topk, (_arrays.int64(k, "k"),), values, scores, temperature, power, dim, descending, method, path,
                    accuracy, return_path)


def quantile(values, scores, levels, temperature=1.0, power=1.0, *, dim=-1, descending=False, method="softsort",
             path="automatic", accuracy=None, return_path=False):
    """Rows of ``P V`` at levels ``q`` in ``[0, 1]`` (row ``round(q (n - 1))``, ``q = 0`` the smallest
    score's row, the largest's when ``descending``), ``len(levels)`` of them along ``dim``.
    ``quantile(s, s, [0.5], tau)`` is a relaxed median. Differentiable in both."""
    return _product(_quantile, ([float(q) for q in levels],), values, scores, temperature, power, dim, descending,
                    method, path, accuracy, return_path)


def _loss(op, data, scores, temperature, power, dim, reduction, descending, method, path, accuracy, return_path):
    s = _checked(scores, "scores")
    axis = _axis(s, dim)
    if reduction not in REDUCTIONS:
        raise ValueError(f"softsortkit: reduction must be one of {', '.join(map(repr, REDUCTIONS))}, "
                         f"got {reduction!r}")
    first = data[0]
    if first.shape != s.shape:
        raise ValueError(f"softsortkit: {'targets' if op is _cross_entropy else 'matches'} must have the scores' "
                         f"shape {tuple(s.shape)}, got {tuple(first.shape)}")
    data = (_last(first, axis),) + data[1:]
    arguments = (_last(s, axis),) + data + (reduction,) + _settings(temperature, power, descending, method, path,
                                                                      accuracy)
    if _plain(s, first):
        loss, code = _PlainLoss.apply(op.plain[0], arguments[0], arguments[1:]), _state.path
    else:
        loss, _, code = op(*arguments)
    return _finish(loss, code, path, return_path)


def cross_entropy(scores, targets, temperature=1.0, power=1.0, *, dim=-1, reduction="mean", descending=False,
                  method="softsort", path="automatic", accuracy=None, return_path=False):
    """The paper's sorting loss (SoftSort, or NeuralSort's with ``method="neuralsort"``): a list's loss
    is ``sum_i -log P[i, targets[i]]`` over its ``n`` rows, computed as ``|x_i - s_t|^p / tau + log Z_i``.
    ``targets``: integers of the scores' shape in ``0 ..< n`` (the column row ``i`` should pick:
    ``argsort`` of the true order; ``arange(n)`` is the paper's task). ``reduction``: ``"mean"``
    over the lists (default), ``"sum"`` (the paper's), ``"none"`` (the scores' shape less ``dim``; one
    library call per list). Differentiable in ``scores``."""
    t = _checked(targets if isinstance(targets, torch.Tensor) else torch.as_tensor(targets), "targets", False)
    if t.dtype.is_floating_point or t.dtype.is_complex or t.dtype == torch.bool:
        raise TypeError(f"softsortkit: targets must be integers, got {t.dtype}")
    return _loss(_cross_entropy, (t if t.dtype == torch.int64 else t.to(torch.int64),), scores, temperature, power, dim, reduction, descending,
                 method, path, accuracy, return_path)


def knn_loss(scores, matches, k, temperature=1.0, power=1.0, *, dim=-1, reduction="mean", descending=False,
             method="softsort", path="automatic", accuracy=None, return_path=False):
    """The paper's differentiable kNN loss: a list's loss is ``-(1 / k) sum_(i < k) (P y)_i`` over the
    first ``k`` rows of its ``P``: the ``k`` smallest scores by default (pass distances), the ``k``
    largest with ``descending=True`` (similarities, as the paper). ``matches`` ``y``: the scores'
    shape, 1 where the candidate's class matches (not differentiated). ``reduction`` as
    ``cross_entropy``'s. Differentiable in ``scores``."""
    s = _checked(scores, "scores")
    y = _checked(matches if isinstance(matches, torch.Tensor) else torch.as_tensor(matches), "matches", False)
    return _loss(_knn_loss, (y.detach().to(s.dtype), _arrays.int64(k, "k")), s, temperature, power, dim, reduction, descending,
                 method, path, accuracy, return_path)


def perturb(scores, samples=1, *, positive=False, generator=None):
    """The stochastic SoftSort's scores (the paper's section 4.3, as the Swift API's
    ``GumbelPerturbation``): each row perturbed ``samples`` times by Gumbel(0, 1) noise ``g``,
    ``scores + g`` (log-scores) or ``log(scores) + g`` (``positive=True``, scores > 0). Returns
    ``(..., samples, n)`` with ``dim`` last (move it there first); any output then runs on every sample,
    and autograd sums the samples' gradients back onto their row (and divides by ``s`` when
    ``positive``), as the Swift backward does. The noise comes from ``torch``'s generator
    (``generator`` or the global one), not the Swift API's counter-based stream, so the samples are
    not the Swift API's for the same seed."""
    s = _checked(scores, "scores")
    samples = operator.index(samples)
    if samples < 1:
        raise ValueError(f"softsortkit: samples must be >= 1, got {samples}")
    shape = s.shape[:-1] + (samples,) + s.shape[-1:]
    if math.prod(shape) >= 2**63:
        raise ValueError(f"softsortkit: samples = {samples} makes {tuple(shape)} elements, more than int64 holds")
    base = torch.log(s) if positive else s
    try:
        uniform = torch.rand(shape, dtype=s.dtype, generator=generator)
    except RuntimeError as failure:
        if "memory" not in str(failure):
            raise
        raise MemoryError(f"softsortkit: the {tuple(shape)} samples do not fit in memory") from failure
    gumbel = -torch.log(-torch.log(uniform.clamp_min(torch.finfo(s.dtype).tiny)))
    return base.unsqueeze(-2) + gumbel
