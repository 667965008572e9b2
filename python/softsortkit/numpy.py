"""SoftSortKit on NumPy arrays: every output of the C ABI, each with an
explicit backward.

Scores have any shape ``(..., n)``: the leading dimensions are a batch, the
last is the row that is sorted. float32 and float64 run in that type; every
other float argument must have the scores' dtype (``matches`` is converted
to it, ``targets`` to int64, ``levels`` to float64). Inputs are used in place
when C-contiguous (copied once otherwise); outputs are fresh arrays. Every
backward is stateless: it recomputes the forward from the same inputs.

    SoftSort:    P[..., i, j] = softmax_j( -|sort(s)_i - s_j|^p / tau )   (descending: row 0 = largest)
    NeuralSort:  P[..., i, j] = softmax_j( ((n + 1 - 2 (i + 1)) s_j - sum_k |s_j - s_k|) / tau )

Settings every output takes (keyword-only but ``temperature`` and ``power``):

- ``temperature``: ``tau > 0``; ``power``: SoftSort's ``p > 0`` (NeuralSort ignores it).
- ``method``: ``"softsort"`` (default) or ``"neuralsort"``.
- ``descending``: row 0 picks the largest score (default, the paper's order), else the smallest.
- ``path``: ``"automatic"`` (default: the library chooses, for each output, the
  fastest path that computes it exactly), ``"dense"``, ``"fused"``, ``"exact"``
  (``power=1``), ``"gauss"`` (``power=2``), or a window,
  ``softsortkit.window(ranks=w)`` / ``softsortkit.window(tolerance=t)`` (also as
  the strings ``"window(ranks: 3)"``, ``"window(tolerance: 0.001)"``). A path
  that cannot compute an output raises ``softsortkit.UnsupportedPathError``
  naming one that can; the table is in ``softsortkit.h``.
- ``accuracy``: the gauss path's bound (``None``: ``1e-13``).
- ``return_path``: also return the name of the path that ran, as the last
  element of a tuple: ``out, path = sorted_values(s, return_path=True)``,
  ``loss, grad, path = cross_entropy(s, t, return_path=True)``. The name is a
  path as ``path`` takes it (``"exact"``, ``"window(ranks: 3)"``), never
  ``"automatic"``.

A bad input raises ``softsortkit.SoftSortKitError`` (a ValueError) with the
library's message; a wrong dtype raises TypeError.
"""
import ctypes

import numpy as np

from . import _arrays, _options
from ._library import check, lib

_p = _arrays.pointer

__all__ = [
    "matrices", "matrices_backward", "soft_sort", "soft_sort_backward", "neural_sort", "neural_sort_backward",
    "permutation", "apply", "apply_backward", "apply_transposed", "apply_transposed_backward", "top_k",
    "top_k_backward", "quantiles", "quantiles_backward", "sorted_values", "sorted_values_backward", "ranks",
    "ranks_backward", "log_normalizers", "cross_entropy", "nearest_neighbor_loss",
]


def _run(name, t, settings, s, batch, n, *arguments):
    """Calls ``softsortkit_<name>_<t>`` and returns the name of the path that ran."""
    options, window = settings
    used = ctypes.c_int32(-1)
    check(getattr(lib, f"{name}_{t}")(ctypes.byref(options), _p(s), batch, n, *arguments, ctypes.byref(used)))
    return _options.name(used.value, window)


def _result(result, path, return_path):
    if not return_path:
        return result
    return result + (path,) if isinstance(result, tuple) else (result, path)


# ---- the matrices and the hard permutation --------------------------------

def matrices(scores, temperature=1.0, power=1.0, *, method="softsort", descending=True, path="automatic",
             accuracy=None, return_path=False):
    """The relaxed permutation matrices ``P``, shape ``(..., n, n)`` (dense or window paths;
    ``"automatic"`` runs dense; a window keeps its entries and zeros elsewhere)."""
    settings = _options.make(temperature, power, method, descending, path, accuracy)
    s, batch, n, t = _arrays.scores(scores)
    out = np.empty(s.shape + (n,), s.dtype)
    return _result(out, _run("matrices", t, settings, s, batch, n, _p(out)), return_path)


def matrices_backward(scores, grad_matrices, temperature=1.0, power=1.0, *, method="softsort", descending=True,
                      path="automatic", accuracy=None, return_path=False):
    """``dL/ds`` of shape ``(..., n)`` given ``dL/dP`` of shape ``(..., n, n)``."""
    settings = _options.make(temperature, power, method, descending, path, accuracy)
    s, batch, n, t = _arrays.scores(scores)
    g = _arrays.like(grad_matrices, "grad_matrices", s, s.shape + (n,))
    out = np.empty_like(s)
    return _result(out, _run("matrices_backward", t, settings, s, batch, n, _p(g), _p(out)), return_path)


def permutation(scores, *, descending=True):
    """The hard permutations, int64 of the scores' shape: ``permutation[..., i]`` is the column of
    the i-th largest score (smallest when not ``descending``), ties by index. The same on every path."""
    options, _ = _options.make(1.0, 1.0, "softsort", descending, "automatic", None)
    s, batch, n, t = _arrays.scores(scores)
    out = np.empty(s.shape, np.int64)
    check(getattr(lib, "permutation_" + t)(ctypes.byref(options), _p(s), batch, n, _p(out)))
    return out


def soft_sort(scores, temperature=1.0, power=1.0, *, descending=True, path="automatic", return_permutation=False,
              return_path=False):
    """SoftSort's ``P`` (``matrices`` with ``method="softsort"``); with ``return_permutation``,
    ``(P, permutation)`` where ``permutation[..., i]`` (int64) is the column of the i-th largest score."""
    P, used = matrices(scores, temperature, power, descending=descending, path=path, return_path=True)
    result = (P, permutation(scores, descending=descending)) if return_permutation else P
    return _result(result, used, return_path)


def soft_sort_backward(scores, grad_matrices, temperature=1.0, power=1.0, *, descending=True, path="automatic"):
    """SoftSort's ``dL/ds`` given ``dL/dP``."""
    return matrices_backward(scores, grad_matrices, temperature, power, descending=descending, path=path)


def neural_sort(scores, temperature=1.0, *, descending=True, return_permutation=False, return_path=False):
    """NeuralSort's ``P`` of shape ``(..., n, n)`` (and the permutations when asked)."""
    P, used = matrices(scores, temperature, method="neuralsort", descending=descending, return_path=True)
    result = (P, permutation(scores, descending=descending)) if return_permutation else P
    return _result(result, used, return_path)


def neural_sort_backward(scores, grad_matrices, temperature=1.0, *, descending=True):
    """NeuralSort's ``dL/ds`` given ``dL/dP``."""
    return matrices_backward(scores, grad_matrices, temperature, method="neuralsort", descending=descending)


# ---- the products ----------------------------------------------------------

def _product(name, extra, rows, values, scores, settings, return_path):
    s, batch, n, t = _arrays.scores(scores)
    v, d, squeezed = _arrays.values(values, s)
    rows = n if rows is None else max(rows, 0)
    out = np.empty(s.shape[:-1] + (rows, d), s.dtype)
    used = _run(name, t, settings, s, batch, n, *extra, _p(v), d, _p(out))
    return _result(out.reshape(out.shape[:-1]) if squeezed else out, used, return_path)


def _product_backward(name, extra, rows, values, scores, grad_output, settings, return_path):
    s, batch, n, t = _arrays.scores(scores)
    v, d, squeezed = _arrays.values(values, s)
    rows = n if rows is None else max(rows, 0)
    g = _arrays.like(grad_output, "grad_output", s, s.shape[:-1] + (rows,) + (() if squeezed else (d,)))
    grad_scores, grad_values = np.empty_like(s), np.empty_like(v)
    used = _run(name + "_backward", t, settings, s, batch, n, *extra, _p(v), d, _p(g), _p(grad_scores),
                _p(grad_values))
    return _result((grad_scores, grad_values), used, return_path)


def apply(values, scores, temperature=1.0, power=1.0, *, method="softsort", descending=True, path="automatic",
          accuracy=None, return_path=False):
    """``Y = P V``: values ``(..., n, d)`` (or ``(..., n)``, ``d = 1``) in the scores' column order ->
    ``Y`` of the same shape, rows in sorted order."""
    settings = _options.make(temperature, power, method, descending, path, accuracy)
    return _product("apply", (), None, values, scores, settings, return_path)


def apply_backward(values, scores, grad_output, temperature=1.0, power=1.0, *, method="softsort", descending=True,
                   path="automatic", accuracy=None, return_path=False):
    """``(dL/ds, dL/dV)`` given ``dL/dY``."""
    settings = _options.make(temperature, power, method, descending, path, accuracy)
    return _product_backward("apply", (), None, values, scores, grad_output, settings, return_path)


def apply_transposed(values, scores, temperature=1.0, power=1.0, *, method="softsort", descending=True,
                     path="automatic", accuracy=None, return_path=False):
    """``Y = P^T U``: values ``U`` ``(..., n, d)`` (or ``(..., n)``) in sorted row order -> ``Y`` of
    the same shape in the scores' column order."""
    settings = _options.make(temperature, power, method, descending, path, accuracy)
    return _product("apply_transposed", (), None, values, scores, settings, return_path)


def apply_transposed_backward(values, scores, grad_output, temperature=1.0, power=1.0, *, method="softsort",
                              descending=True, path="automatic", accuracy=None, return_path=False):
    """``(dL/ds, dL/dU)`` given ``dL/dY``."""
    settings = _options.make(temperature, power, method, descending, path, accuracy)
    return _product_backward("apply_transposed", (), None, values, scores, grad_output, settings, return_path)


def top_k(values, scores, k, temperature=1.0, power=1.0, *, method="softsort", descending=True, path="automatic",
          accuracy=None, return_path=False):
    """The first ``k`` rows of ``P V`` (``0 <= k <= n``): ``(..., k, d)`` (``(..., k)`` for values ``(..., n)``)."""
    settings = _options.make(temperature, power, method, descending, path, accuracy)
    return _product("top_k", (int(k),), int(k), values, scores, settings, return_path)


def top_k_backward(values, scores, k, grad_output, temperature=1.0, power=1.0, *, method="softsort",
                   descending=True, path="automatic", accuracy=None, return_path=False):
    """``(dL/ds, dL/dV)`` given the gradient of ``top_k``."""
    settings = _options.make(temperature, power, method, descending, path, accuracy)
    return _product_backward("top_k", (int(k),), int(k), values, scores, grad_output, settings, return_path)


def quantiles(values, scores, levels, temperature=1.0, power=1.0, *, method="softsort", descending=True,
              path="automatic", accuracy=None, return_path=False):
    """Rows of ``P V`` at quantile levels ``q`` in ``[0, 1]`` (row ``round(q (n - 1))``, ``q = 0`` the
    largest score's row when descending): ``(..., len(levels), d)`` (or ``(..., len(levels))``)."""
    settings = _options.make(temperature, power, method, descending, path, accuracy)
    q = _arrays.levels(levels)
    return _product("quantiles", (_p(q), q.size), q.size, values, scores, settings, return_path)


def quantiles_backward(values, scores, levels, grad_output, temperature=1.0, power=1.0, *, method="softsort",
                       descending=True, path="automatic", accuracy=None, return_path=False):
    """``(dL/ds, dL/dV)`` given the gradient of ``quantiles``."""
    settings = _options.make(temperature, power, method, descending, path, accuracy)
    q = _arrays.levels(levels)
    return _product_backward("quantiles", (_p(q), q.size), q.size, values, scores, grad_output, settings,
                             return_path)


# ---- sorted values, ranks, normalizers -------------------------------------

def _row(name, scores, settings, return_path):
    s, batch, n, t = _arrays.scores(scores)
    out = np.empty_like(s)
    return _result(out, _run(name, t, settings, s, batch, n, _p(out)), return_path)


def _row_backward(name, scores, grad_output, settings, return_path):
    s, batch, n, t = _arrays.scores(scores)
    g = _arrays.like(grad_output, "grad_output", s, s.shape)
    out = np.empty_like(s)
    return _result(out, _run(name + "_backward", t, settings, s, batch, n, _p(g), _p(out)), return_path)


def sorted_values(scores, temperature=1.0, power=1.0, *, method="softsort", descending=True, path="automatic",
                  accuracy=None, return_path=False):
    """The relaxed sorted values ``P s`` (``(..., n)``): entry i is close to the i-th largest score."""
    settings = _options.make(temperature, power, method, descending, path, accuracy)
    return _row("sorted_values", scores, settings, return_path)


def sorted_values_backward(scores, grad_output, temperature=1.0, power=1.0, *, method="softsort", descending=True,
                           path="automatic", accuracy=None, return_path=False):
    """``dL/ds`` given ``dL/d(P s)``, through both ``P`` and ``s``."""
    settings = _options.make(temperature, power, method, descending, path, accuracy)
    return _row_backward("sorted_values", scores, grad_output, settings, return_path)


def ranks(scores, temperature=1.0, power=1.0, *, method="softsort", descending=True, path="automatic",
          accuracy=None, return_path=False):
    """The relaxed ranks ``P^T (1, ..., n)``: entry j is close to the rank of score j (1 = largest)."""
    settings = _options.make(temperature, power, method, descending, path, accuracy)
    return _row("ranks", scores, settings, return_path)


def ranks_backward(scores, grad_output, temperature=1.0, power=1.0, *, method="softsort", descending=True,
                   path="automatic", accuracy=None, return_path=False):
    """``dL/ds`` given ``dL/d ranks``."""
    settings = _options.make(temperature, power, method, descending, path, accuracy)
    return _row_backward("ranks", scores, grad_output, settings, return_path)


def log_normalizers(scores, temperature=1.0, power=1.0, *, method="softsort", descending=True, path="automatic",
                    accuracy=None, return_path=False):
    """``log Z_i = log sum_j exp(-|x_i - s_j|^p / tau)`` for every row of every ``P`` (``(..., n)``, rows
    sorted): ``log P[i, j] = -|x_i - s_j|^p / tau - log Z_i``. Exact (``p = 1``) and gauss (``p = 2``)
    paths only; no backward."""
    settings = _options.make(temperature, power, method, descending, path, accuracy)
    return _row("log_normalizers", scores, settings, return_path)


# ---- the losses ------------------------------------------------------------

def _loss(name, s, batch, n, t, settings, inputs, gradient, return_path):
    loss = np.empty(1, s.dtype)
    grad = np.empty_like(s) if gradient else None
    used = _run(name, t, settings, s, batch, n, *inputs, _p(loss), _p(grad))
    return _result((loss[0], grad) if gradient else loss[0], used, return_path)


def cross_entropy(scores, targets, temperature=1.0, power=1.0, *, method="softsort", descending=True,
                  path="automatic", accuracy=None, gradient=True, return_path=False):
    """The paper's loss ``L = sum -log P[..., i, targets[..., i]]`` (a SUM over all rows) and ``dL/ds``.

    Args:
        scores: ``(..., n)``.
        targets: integers of the scores' shape, each in ``0 ..< n`` (``arange(n)`` is the paper's task).
        gradient: also compute ``dL/ds`` (same call, nothing recomputed).

    Returns:
        ``(loss, dL/ds)`` (loss a scalar of the scores' dtype), or ``loss`` when not
        ``gradient``; with ``return_path`` the path's name is appended.
    """
    settings = _options.make(temperature, power, method, descending, path, accuracy)
    s, batch, n, t = _arrays.scores(scores)
    columns = _arrays.indices(targets, s.shape)
    return _loss("cross_entropy", s, batch, n, t, settings, (_p(columns),), gradient, return_path)


def nearest_neighbor_loss(scores, matches, k, temperature=1.0, power=1.0, *, method="softsort", descending=True,
                          path="automatic", accuracy=None, gradient=True, return_path=False):
    """The paper's differentiable kNN loss ``L = -(1 / (B k)) sum_b sum_(i < k) (P y)[b, i]`` (a MEAN
    over the ``B k`` rows, ``B`` the product of the leading dimensions) and ``dL/ds``.

    Args:
        scores: ``(..., n)``, negative distances from a query to ``n`` candidates.
        matches: ``y`` of the scores' shape, 1 where the candidate's class matches (converted to the
            scores' dtype; not differentiated).
        k: the number of neighbours, ``1 <= k <= n``.

    Returns:
        as ``cross_entropy``.
    """
    settings = _options.make(temperature, power, method, descending, path, accuracy)
    s, batch, n, t = _arrays.scores(scores)
    y = _arrays.like(np.asarray(matches, dtype=s.dtype), "matches", s, s.shape)
    return _loss("nearest_neighbor_loss", s, batch, n, t, settings, (_p(y), int(k)), gradient, return_path)
