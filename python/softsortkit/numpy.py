"""SoftSortKit on NumPy arrays: every output of the C ABI, each with an
explicit backward.

Scores have any shape; the axis ``dim`` (default ``-1``, the last) is the row
that is sorted and every other axis is a batch. float32 and float64 run in
that type; every other float argument must have the scores' dtype
(``matches`` is converted to it, ``targets`` to int64, ``levels`` to
float64). Inputs are used in place when C-contiguous with ``dim`` last
(copied once otherwise); outputs are fresh arrays. Every backward
recomputes the forward from the same inputs, but ``sorted_values_backward``
and ``ranks_backward`` right after their forward on the same inputs and
settings (compared bit for bit) reuse its result (``release_scratch``).

    SoftSort:    P[..., i, j] = softmax_j( -|sort(s)_i - s_j|^p / tau )
    NeuralSort:  P[..., i, j] = softmax_j( ((n + 1 - 2 (i + 1)) s_j - sum_k |s_j - s_k|) / tau )

Row 0 of ``P`` picks the smallest score by default (ascending, as
``np.sort``, ``torch.sort`` and torchsort); ``descending=True`` gives the
paper's order, which the Swift API keeps as its default.

Settings every output takes (keyword-only but ``temperature`` and ``power``):

- ``temperature``: ``tau > 0``; ``power``: SoftSort's ``p > 0`` (NeuralSort ignores it).
- ``dim``: the axis of the scores that is sorted (default ``-1``). Values
  ``V`` of shape ``scores.shape + (d,)`` keep ``d`` last; outputs put their
  rows (``n``, ``k`` or the levels) back at ``dim``. ``soft_sort`` and
  ``matrices`` return ``P`` with its two ``n`` axes last.
- ``descending``: ``False`` (default) ascending, ``True`` the paper's order.
- ``method``: ``"softsort"`` (default) or ``"neuralsort"``.
- ``path``: ``"automatic"`` (default: the library chooses, for each output, the
  fastest path that computes it exactly), ``"dense"``, ``"fused"``, ``"exact"``
  (``power=1``), ``"gauss"`` (``power=2``), or a window,
  ``softsortkit.window(ranks=w)`` / ``softsortkit.window(tolerance=t)`` (also as
  the strings ``"window(ranks: 3)"``, ``"window(tolerance: 0.001)"``). A path
  that cannot compute an output raises ``softsortkit.UnsupportedPathError``
  naming one that can; the table is in ``softsortkit.h``.
- ``accuracy``: the gauss path's bound (``None``: ``1e-13``).
- ``reduction`` (the losses): ``"mean"`` (default) over the lists,
  ``"sum"``, or ``"none"`` (one loss per list, the scores' shape less
  ``dim``). A list's loss is the paper's: the cross-entropy sums
  ``-log P[i, t_i]`` over its ``n`` rows, the kNN loss averages ``-(P y)_i``
  over its first ``k`` rows.
- ``return_path``: also return the name of the path that ran, as the last
  element of a tuple: ``out, path = sorted_values(s, return_path=True)``,
  ``loss, grad, path = cross_entropy(s, t, return_path=True)``. The name is a
  path as ``path`` takes it (``"exact"``, ``"window(ranks: 3)"``), never
  ``"automatic"``.

A bad input raises ``softsortkit.SoftSortKitError`` (a ValueError) with the
library's message; a wrong dtype raises TypeError. A call whose B x n x n
matrices do not fit raises ``SoftSortKitError`` (kind ``"out of memory"``)
naming the Python argument to change.

The library keeps up to two workspaces per element type between calls (a
dense call's hold its B x n x n matrices); ``softsortkit.release_scratch()``
frees them.
"""
import ctypes

import numpy as np

from . import _arrays, _constants, _options
from ._errors import SoftSortKitError
from ._library import check, lib

_p = _arrays.pointer

__all__ = [
    "matrices", "matrices_backward", "soft_sort", "soft_sort_backward", "neural_sort", "neural_sort_backward",
    "permutation", "apply", "apply_backward", "apply_transposed", "apply_transposed_backward", "topk",
    "topk_backward", "top_k", "top_k_backward", "quantile", "quantile_backward", "quantiles",
    "quantiles_backward", "sorted_values", "sorted_values_backward", "ranks", "ranks_backward",
    "log_normalizers", "cross_entropy", "knn_loss", "nearest_neighbor_loss", "REDUCTIONS",
]

#: The losses' reductions.
REDUCTIONS = ("mean", "sum", "none")

_MEMORY_ADVICE = (
    " From Python: this is the O(n^2) memory of path={path!r}; pass path='automatic' (it picks a path "
    "without the B x n x n matrices where one computes this output), or fewer rows in `scores`.")


def _run(name, t, settings, s, batch, n, *arguments):
    """Calls ``softsortkit_<name>_<t>`` and returns the name of the path that ran."""
    options, window = settings
    used = ctypes.c_int32(-1)
    status = getattr(lib, f"{name}_{t}")(ctypes.byref(options), _p(s), batch, n, *arguments, ctypes.byref(used))
    if status:
        try:
            check(status)
        except SoftSortKitError as error:
            if error.code != _constants.ERROR_OUT_OF_MEMORY:
                raise
            path = str(window) if window is not None else _options.name(options.path, None)
            raise SoftSortKitError(str(error) + _MEMORY_ADVICE.format(path=path), error.code) from None
    return _options.name(used.value, window)


def _result(result, path, return_path):
    if not return_path:
        return result
    return result + (path,) if isinstance(result, tuple) else (result, path)


def _last(array, dim):
    """``(array with axis dim last, dim as a non-negative axis)``."""
    array = np.asarray(array)
    if array.ndim < 1:
        raise ValueError("softsortkit: scores must have at least one dimension (the sorted one), got a scalar")
    axis = _axis(dim, array.ndim)
    return (array if axis == array.ndim - 1 else np.moveaxis(array, axis, -1)), axis


def _axis(dim, ndim):
    if type(dim) is int and -ndim <= dim < ndim:
        return dim % ndim
    if not isinstance(dim, (int, np.integer)) or not -ndim <= dim < ndim:
        raise ValueError(f"softsortkit: dim must be an integer in {-ndim} ..< {ndim} for scores of {ndim} "
                         f"dimensions, got {dim!r}")
    return int(dim) % ndim


def _back(array, axis):
    """Puts the last axis back at ``axis``."""
    return array if axis == array.ndim - 1 else np.moveaxis(array, -1, axis)


def _values_last(values, ndim, axis):
    """Values of the scores' shape (``dim`` moved last) or ``scores.shape + (d,)`` (``dim`` moved next to last)."""
    v = np.asarray(values)
    if v.ndim == ndim:
        return v if axis == ndim - 1 else np.moveaxis(v, axis, -1)
    if v.ndim == ndim + 1:
        return v if axis == ndim - 1 else np.moveaxis(v, axis, -2)
    return v  # the shape check of _arrays.values names the shapes it takes


def _values_back(out, ndim, axis):
    """An output of ``_product`` with its rows put back at ``axis`` (``d`` stays last)."""
    if axis == ndim - 1:
        return out
    return np.moveaxis(out, -1 if out.ndim == ndim else -2, axis)


def _settings(temperature, power, method, descending, path, accuracy):
    return _options.make(temperature, power, method, descending, path, accuracy)


# ---- the matrices and the hard permutation --------------------------------

def _matrices_output(s, n):
    size = s.size * n
    try:
        return np.empty(s.shape + (n,), s.dtype)
    except MemoryError:
        raise SoftSortKitError(
            f"softsortkit: the matrices P ({s.shape + (n,)}, {size * s.itemsize} bytes) do not fit in memory. "
            "From Python: P is O(n^2) per row of `scores`; for the outputs that need no P (sorted_values, ranks, "
            "apply, topk, quantile, cross_entropy, knn_loss) call them instead of forming P, or pass fewer rows "
            "or a shorter `dim` in `scores`.", _constants.ERROR_OUT_OF_MEMORY) from None


def matrices(scores, temperature=1.0, power=1.0, *, dim=-1, method="softsort", descending=False, path="automatic",
             accuracy=None, return_path=False):
    """The relaxed permutation matrices ``P``, shape ``(..., n, n)`` (``dim`` removed from the scores'
    shape, then the two ``n`` axes; dense or window paths; ``"automatic"`` runs dense; a window keeps its
    entries and zeros elsewhere). Memory: O(B n^2) for the result, and the library keeps a workspace of
    the same size until ``softsortkit.release_scratch()``."""
    settings = _settings(temperature, power, method, descending, path, accuracy)
    s, batch, n, t = _arrays.scores(_last(scores, dim)[0])
    out = _matrices_output(s, n)
    return _result(out, _run("matrices", t, settings, s, batch, n, _p(out)), return_path)


def matrices_backward(scores, grad_matrices, temperature=1.0, power=1.0, *, dim=-1, method="softsort",
                      descending=False, path="automatic", accuracy=None, return_path=False):
    """``dL/ds`` of the scores' shape given ``dL/dP`` of ``matrices``' shape."""
    settings = _settings(temperature, power, method, descending, path, accuracy)
    moved, axis = _last(scores, dim)
    s, batch, n, t = _arrays.scores(moved)
    g = _arrays.like(grad_matrices, "grad_matrices", s, s.shape + (n,))
    out = np.empty_like(s)
    used = _run("matrices_backward", t, settings, s, batch, n, _p(g), _p(out))
    return _result(_back(out, axis), used, return_path)


def permutation(scores, *, dim=-1, descending=False):
    """The hard permutations, int64 of the scores' shape: ``permutation[..., i]`` (along ``dim``) is the
    column of the i-th smallest score (largest when ``descending``), ties by index. The same on every path."""
    options, _ = _settings(1.0, 1.0, "softsort", descending, "automatic", None)
    moved, axis = _last(scores, dim)
    s, batch, n, t = _arrays.scores(moved)
    out = np.empty(s.shape, np.int64)
    check(getattr(lib, "permutation_" + t)(ctypes.byref(options), _p(s), batch, n, _p(out)))
    return _back(out, axis)


def soft_sort(scores, temperature=1.0, power=1.0, *, dim=-1, descending=False, path="automatic",
              return_permutation=False, return_path=False):
    """SoftSort's ``P`` (``matrices`` with ``method="softsort"``); with ``return_permutation``,
    ``(P, permutation)`` where ``permutation[..., i]`` (int64) is the column of P's row i's score."""
    P, used = matrices(scores, temperature, power, dim=dim, descending=descending, path=path, return_path=True)
    order = permutation(_last(scores, dim)[0], descending=descending) if return_permutation else None
    return _result((P, order) if return_permutation else P, used, return_path)


def soft_sort_backward(scores, grad_matrices, temperature=1.0, power=1.0, *, dim=-1, descending=False,
                       path="automatic"):
    """SoftSort's ``dL/ds`` given ``dL/dP``."""
    return matrices_backward(scores, grad_matrices, temperature, power, dim=dim, descending=descending, path=path)


def neural_sort(scores, temperature=1.0, *, dim=-1, descending=False, return_permutation=False, return_path=False):
    """NeuralSort's ``P`` of shape ``(..., n, n)`` (and the permutations when asked)."""
    P, used = matrices(scores, temperature, dim=dim, method="neuralsort", descending=descending, return_path=True)
    order = permutation(_last(scores, dim)[0], descending=descending) if return_permutation else None
    return _result((P, order) if return_permutation else P, used, return_path)


def neural_sort_backward(scores, grad_matrices, temperature=1.0, *, dim=-1, descending=False):
    """NeuralSort's ``dL/ds`` given ``dL/dP``."""
    return matrices_backward(scores, grad_matrices, temperature, dim=dim, method="neuralsort",
                             descending=descending)


# ---- the products ----------------------------------------------------------

def _product(name, extra, rows, values, scores, dim, settings, return_path):
    moved, axis = _last(scores, dim)
    s, batch, n, t = _arrays.scores(moved)
    v, d, squeezed = _arrays.values(_values_last(values, s.ndim, axis), s)
    rows = n if rows is None else max(rows, 0)
    if name == "top_k":
        # k > n is the library's error to raise (naming k); no k-row buffer is allocated first.
        rows = min(rows, n)
    out = np.empty(s.shape[:-1] + (rows, d), s.dtype)
    used = _run(name, t, settings, s, batch, n, *extra, _p(v), d, _p(out))
    out = out.reshape(out.shape[:-1]) if squeezed else out
    return _result(_values_back(out, s.ndim, axis), used, return_path)


def _product_backward(name, extra, rows, values, scores, grad_output, dim, settings, return_path):
    moved, axis = _last(scores, dim)
    s, batch, n, t = _arrays.scores(moved)
    v, d, squeezed = _arrays.values(_values_last(values, s.ndim, axis), s)
    rows = n if rows is None else max(rows, 0)
    g = _arrays.like(_values_last(grad_output, s.ndim, axis), "grad_output", s,
                     s.shape[:-1] + (rows,) + (() if squeezed else (d,)))
    grad_scores, grad_values = np.empty_like(s), np.empty_like(v)
    used = _run(name + "_backward", t, settings, s, batch, n, *extra, _p(v), d, _p(g), _p(grad_scores),
                _p(grad_values))
    return _result((_back(grad_scores, axis), _values_back(grad_values, s.ndim, axis)), used, return_path)


def apply(values, scores, temperature=1.0, power=1.0, *, dim=-1, method="softsort", descending=False,
          path="automatic", accuracy=None, return_path=False):
    """``Y = P V``: values ``(..., n, d)`` (or ``(..., n)``, ``d = 1``) in the scores' column order ->
    ``Y`` of the same shape, rows in sorted order."""
    settings = _settings(temperature, power, method, descending, path, accuracy)
    return _product("apply", (), None, values, scores, dim, settings, return_path)


def apply_backward(values, scores, grad_output, temperature=1.0, power=1.0, *, dim=-1, method="softsort",
                   descending=False, path="automatic", accuracy=None, return_path=False):
    """``(dL/ds, dL/dV)`` given ``dL/dY``."""
    settings = _settings(temperature, power, method, descending, path, accuracy)
    return _product_backward("apply", (), None, values, scores, grad_output, dim, settings, return_path)


def apply_transposed(values, scores, temperature=1.0, power=1.0, *, dim=-1, method="softsort", descending=False,
                     path="automatic", accuracy=None, return_path=False):
    """``Y = P^T U``: values ``U`` ``(..., n, d)`` (or ``(..., n)``) in sorted row order -> ``Y`` of
    the same shape in the scores' column order."""
    settings = _settings(temperature, power, method, descending, path, accuracy)
    return _product("apply_transposed", (), None, values, scores, dim, settings, return_path)


def apply_transposed_backward(values, scores, grad_output, temperature=1.0, power=1.0, *, dim=-1,
                              method="softsort", descending=False, path="automatic", accuracy=None,
                              return_path=False):
    """``(dL/ds, dL/dU)`` given ``dL/dY``."""
    settings = _settings(temperature, power, method, descending, path, accuracy)
    return _product_backward("apply_transposed", (), None, values, scores, grad_output, dim, settings, return_path)


def topk(values, scores, k, temperature=1.0, power=1.0, *, dim=-1, method="softsort", descending=False,
         path="automatic", accuracy=None, return_path=False):
    """The first ``k`` rows of ``P V`` (``0 <= k <= n``): ``(..., k, d)`` (``(..., k)`` for values
    ``(..., n)``): the values of the ``k`` smallest scores (largest when ``descending``), relaxed."""
    settings = _settings(temperature, power, method, descending, path, accuracy)
    k = _arrays.int64(k, "k")
    return _product("top_k", (k,), k, values, scores, dim, settings, return_path)


def topk_backward(values, scores, k, grad_output, temperature=1.0, power=1.0, *, dim=-1, method="softsort",
                  descending=False, path="automatic", accuracy=None, return_path=False):
    """``(dL/ds, dL/dV)`` given the gradient of ``topk``."""
    settings = _settings(temperature, power, method, descending, path, accuracy)
    k = _arrays.int64(k, "k")
    return _product_backward("top_k", (k,), k, values, scores, grad_output, dim, settings, return_path)


def quantile(values, scores, levels, temperature=1.0, power=1.0, *, dim=-1, method="softsort", descending=False,
             path="automatic", accuracy=None, return_path=False):
    """Rows of ``P V`` at quantile levels ``q`` in ``[0, 1]`` (row ``round(q (n - 1))``; ``q = 0`` is the
    smallest score's row, the largest's when ``descending``): ``(..., len(levels), d)`` (or
    ``(..., len(levels))``)."""
    settings = _settings(temperature, power, method, descending, path, accuracy)
    q = _arrays.levels(levels)
    return _product("quantiles", (_p(q), q.size), q.size, values, scores, dim, settings, return_path)


def quantile_backward(values, scores, levels, grad_output, temperature=1.0, power=1.0, *, dim=-1,
                      method="softsort", descending=False, path="automatic", accuracy=None, return_path=False):
    """``(dL/ds, dL/dV)`` given the gradient of ``quantile``."""
    settings = _settings(temperature, power, method, descending, path, accuracy)
    q = _arrays.levels(levels)
    return _product_backward("quantiles", (_p(q), q.size), q.size, values, scores, grad_output, dim, settings,
                             return_path)


# The C ABI's names.
top_k, top_k_backward, quantiles, quantiles_backward = topk, topk_backward, quantile, quantile_backward


# ---- sorted values, ranks, normalizers -------------------------------------

def _row(name, scores, dim, settings, return_path):
    moved, axis = _last(scores, dim)
    s, batch, n, t = _arrays.scores(moved)
    out = np.empty_like(s)
    return _result(_back(out, axis), _run(name, t, settings, s, batch, n, _p(out)), return_path)


def _row_backward(name, scores, grad_output, dim, settings, return_path):
    moved, axis = _last(scores, dim)
    s, batch, n, t = _arrays.scores(moved)
    g = _arrays.like(_last(grad_output, axis)[0], "grad_output", s, s.shape)
    out = np.empty_like(s)
    return _result(_back(out, axis), _run(name + "_backward", t, settings, s, batch, n, _p(g), _p(out)),
                   return_path)


def sorted_values(scores, temperature=1.0, power=1.0, *, dim=-1, method="softsort", descending=False,
                  path="automatic", accuracy=None, return_path=False):
    """The relaxed sorted values ``P s`` (the scores' shape): entry i is close to the i-th smallest
    score (largest when ``descending``)."""
    settings = _settings(temperature, power, method, descending, path, accuracy)
    return _row("sorted_values", scores, dim, settings, return_path)


def sorted_values_backward(scores, grad_output, temperature=1.0, power=1.0, *, dim=-1, method="softsort",
                           descending=False, path="automatic", accuracy=None, return_path=False):
    """``dL/ds`` given ``dL/d(P s)``, through both ``P`` and ``s``."""
    settings = _settings(temperature, power, method, descending, path, accuracy)
    return _row_backward("sorted_values", scores, grad_output, dim, settings, return_path)


def ranks(scores, temperature=1.0, power=1.0, *, dim=-1, method="softsort", descending=False, path="automatic",
          accuracy=None, return_path=False):
    """The relaxed ranks ``P^T (1, ..., n)``: entry j is close to the rank of score j (1 = smallest,
    1 = largest when ``descending``), as torchsort's ``soft_rank``."""
    settings = _settings(temperature, power, method, descending, path, accuracy)
    return _row("ranks", scores, dim, settings, return_path)


def ranks_backward(scores, grad_output, temperature=1.0, power=1.0, *, dim=-1, method="softsort",
                   descending=False, path="automatic", accuracy=None, return_path=False):
    """``dL/ds`` given ``dL/d ranks``."""
    settings = _settings(temperature, power, method, descending, path, accuracy)
    return _row_backward("ranks", scores, grad_output, dim, settings, return_path)


def log_normalizers(scores, temperature=1.0, power=1.0, *, dim=-1, method="softsort", descending=False,
                    path="automatic", accuracy=None, return_path=False):
    """``log Z_i = log sum_j exp(-|x_i - s_j|^p / tau)`` for every row of every ``P`` (the scores' shape,
    rows sorted along ``dim``): ``log P[i, j] = -|x_i - s_j|^p / tau - log Z_i``. Exact (``p = 1``) and
    gauss (``p = 2``) paths only; no backward."""
    settings = _settings(temperature, power, method, descending, path, accuracy)
    return _row("log_normalizers", scores, dim, settings, return_path)


# ---- the losses ------------------------------------------------------------

_SCALARS = {"f32": ctypes.c_float, "f64": ctypes.c_double}


def _reduction(reduction):
    if reduction not in REDUCTIONS:
        raise ValueError(f"softsortkit: reduction must be one of {', '.join(map(repr, REDUCTIONS))}, "
                         f"got {reduction!r}")
    return reduction


def _loss(name, s, batch, n, t, axis, settings, inputs, gradient, reduction, return_path, library):
    """The loss in one library call (``"sum"``, ``"mean"``) or one call per list (``"none"``);
    ``library``: what the library's value is over the lists, ``"sum"`` or ``"mean"``."""
    def call(rows, count, arguments, grad):
        loss = _SCALARS[t]()  # written by the library, read as a NumPy scalar of the scores' dtype
        used = _run(name, t, settings, rows, count, n, *arguments, ctypes.byref(loss), _p(grad))
        return s.dtype.type(loss.value), used

    if reduction != "none":
        grad = np.empty_like(s) if gradient else None
        value, used = call(s, batch, [_p(x) if isinstance(x, np.ndarray) else x for x in inputs], grad)
        # The library's loss is the sum over the lists (cross-entropy) or their mean (kNN).
        if library == reduction:
            factor = 1
        elif reduction == "mean":
            factor = 1 / batch if batch else 1
        else:
            factor = batch
        if factor != 1:
            value = value * s.dtype.type(factor)
            if gradient:
                grad *= s.dtype.type(factor)
    else:
        # The library returns one loss per call: one call per list of n.
        rows = s.reshape(batch, n)
        value, grad, used = np.empty(batch, s.dtype), (np.empty_like(rows) if gradient else None), None
        flat = [x.reshape(batch, n) if isinstance(x, np.ndarray) else x for x in inputs]
        for b in range(batch):
            arguments = [_p(x[b]) if isinstance(x, np.ndarray) else x for x in flat]
            value[b], used = call(rows[b], 1, arguments, grad[b] if gradient else None)
        value, grad = value.reshape(s.shape[:-1]), (grad.reshape(s.shape) if gradient else None)
        if used is None:  # no list: the call that checks the settings
            used = call(s, 0, [_p(x) if isinstance(x, np.ndarray) else x for x in inputs], None)[1]
    result = (value, _back(grad, axis)) if gradient else value
    return _result(result, used, return_path)


def cross_entropy(scores, targets, temperature=1.0, power=1.0, *, dim=-1, reduction="mean", method="softsort",
                  descending=False, path="automatic", accuracy=None, gradient=True, return_path=False):
    """The paper's sorting loss and ``dL/ds``: a list's loss is ``sum_i -log P[i, targets[i]]`` over its
    ``n`` rows (computed as ``|x_i - s_t|^p / tau + log Z_i``, never the log of an underflowed entry).

    Args:
        scores: any shape, sorted along ``dim``.
        targets: integers of the scores' shape, each in ``0 ..< n``: the column row ``i`` should pick
            (``argsort(s)`` of the true scores; ``arange(n)`` is the paper's task).
        reduction: ``"mean"`` over the lists (default), ``"sum"``, or ``"none"`` (one loss per list,
            one library call per list).
        gradient: also compute ``dL/ds`` (same call, nothing recomputed).

    Returns:
        ``(loss, dL/ds)`` (loss of the scores' dtype: a scalar, or the scores' shape less ``dim`` for
        ``"none"``, whose ``dL/ds`` holds each list's gradient of its own loss), or ``loss`` when not
        ``gradient``; with ``return_path`` the path's name is appended.
    """
    settings = _settings(temperature, power, method, descending, path, accuracy)
    reduction = _reduction(reduction)
    moved, axis = _last(scores, dim)
    s, batch, n, t = _arrays.scores(moved)
    targets = np.asarray(targets)
    moved_targets = targets.ndim == s.ndim and axis != s.ndim - 1
    columns = _arrays.indices(np.moveaxis(targets, axis, -1) if moved_targets else targets, s.shape)
    return _loss("cross_entropy", s, batch, n, t, axis, settings, (columns,), gradient, reduction, return_path,
                 "sum")


def knn_loss(scores, matches, k, temperature=1.0, power=1.0, *, dim=-1, reduction="mean", method="softsort",
             descending=False, path="automatic", accuracy=None, gradient=True, return_path=False):
    """The paper's differentiable kNN loss and ``dL/ds``: a list's loss is ``-(1 / k) sum_(i < k) (P y)_i``
    over the first ``k`` rows of its ``P`` -- the ``k`` smallest scores (pass distances), or the ``k``
    largest with ``descending=True`` (pass similarities or negative distances, as the paper).

    Args:
        scores: any shape, one list of ``n`` candidates along ``dim``.
        matches: ``y`` of the scores' shape, 1 where the candidate's class matches (converted to the
            scores' dtype; not differentiated).
        k: the number of neighbours, ``1 <= k <= n``.
        reduction: as ``cross_entropy``'s.

    Returns:
        as ``cross_entropy``.
    """
    settings = _settings(temperature, power, method, descending, path, accuracy)
    reduction = _reduction(reduction)
    moved, axis = _last(scores, dim)
    s, batch, n, t = _arrays.scores(moved)
    y = np.asarray(matches, dtype=s.dtype)
    y = _arrays.like(_last(y, axis)[0] if y.ndim == s.ndim else y, "matches", s, s.shape)
    return _loss("nearest_neighbor_loss", s, batch, n, t, axis, settings, (y, _arrays.int64(k, "k")), gradient, reduction,
                 return_path, "mean")


# The C ABI's name.
nearest_neighbor_loss = knn_loss
