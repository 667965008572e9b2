"""SoftSortKit's operators on NumPy arrays, each with an explicit backward.

Scores have any shape ``(..., n)``: the leading dimensions are a batch, the
last is the row that is sorted. float32 and float64 run in that type; every
other argument must have the scores' dtype. Inputs are used in place when
C-contiguous (copied once otherwise); outputs are fresh arrays. Every
backward is stateless: it recomputes the forward from the same inputs.

    P[..., i, j] = softmax_j( -|sort(s)_i - s_j|^p / tau )      (descending: row 0 = largest)

A bad input raises ``softsortkit.SoftSortKitError`` (a ValueError) with the
library's message; a wrong dtype raises TypeError.
"""
import numpy as np

from . import _arrays
from ._library import check, lib

_p = _arrays.pointer


def soft_sort(scores, temperature=1.0, power=1.0, *, descending=True, return_permutation=False):
    """SoftSort's relaxed permutation matrices.

    Args:
        scores: ``(..., n)`` float32 or float64.
        temperature: ``tau > 0``.
        power: ``p > 0`` of the distance ``|x|^p``.
        descending: row 0 picks the largest score (the paper's order), else the smallest.
        return_permutation: also return the hard permutations.

    Returns:
        ``P`` of shape ``(..., n, n)``; with ``return_permutation``, ``(P, permutation)``
        where ``permutation[..., i]`` (int64) is the column of the i-th largest score.
    """
    s, batch, n, t = _arrays.scores(scores)
    matrices = np.empty(s.shape + (n,), s.dtype)
    permutation = np.empty(s.shape, np.int64) if return_permutation else None
    check(getattr(lib, "softsort_forward_" + t)(
        _p(s), batch, n, temperature, power, _arrays.direction(descending), _p(matrices),
        _p(permutation) if return_permutation else None))
    return (matrices, permutation) if return_permutation else matrices


def soft_sort_backward(scores, grad_matrices, temperature=1.0, power=1.0, *, descending=True):
    """``dL/ds`` of shape ``(..., n)`` given ``dL/dP`` of shape ``(..., n, n)``."""
    s, batch, n, t = _arrays.scores(scores)
    g = _arrays.like(grad_matrices, "grad_matrices", s, s.shape + (n,))
    out = np.empty_like(s)
    check(getattr(lib, "softsort_backward_" + t)(
        _p(s), batch, n, temperature, power, _arrays.direction(descending), _p(g), _p(out)))
    return out


def neural_sort(scores, temperature=1.0, *, descending=True, return_permutation=False):
    """NeuralSort's matrices ``P`` of shape ``(..., n, n)`` (and the permutations when asked)."""
    s, batch, n, t = _arrays.scores(scores)
    matrices = np.empty(s.shape + (n,), s.dtype)
    permutation = np.empty(s.shape, np.int64) if return_permutation else None
    check(getattr(lib, "neuralsort_forward_" + t)(
        _p(s), batch, n, temperature, _arrays.direction(descending), _p(matrices),
        _p(permutation) if return_permutation else None))
    return (matrices, permutation) if return_permutation else matrices


def neural_sort_backward(scores, grad_matrices, temperature=1.0, *, descending=True):
    """NeuralSort's ``dL/ds`` given ``dL/dP``."""
    s, batch, n, t = _arrays.scores(scores)
    g = _arrays.like(grad_matrices, "grad_matrices", s, s.shape + (n,))
    out = np.empty_like(s)
    check(getattr(lib, "neuralsort_backward_" + t)(
        _p(s), batch, n, temperature, _arrays.direction(descending), _p(g), _p(out)))
    return out


def _values(values, s):
    """Values ``(..., n, d)``, or ``(..., n)`` for ``d = 1``: ``(array, d, squeezed)``."""
    v = np.asarray(values)
    if v.shape == s.shape:
        return _arrays.like(v, "values", s, s.shape), 1, True
    if v.ndim != s.ndim + 1 or v.shape[:-1] != s.shape:
        raise ValueError(f"softsortkit: values must have shape {s.shape} + (d,) or {s.shape}, got {v.shape}")
    return _arrays.like(v, "values", s, v.shape), v.shape[-1], False


def apply(values, scores, temperature=1.0, power=1.0, *, descending=True):
    """``Y = P V`` without forming ``P``: values ``(..., n, d)`` (or ``(..., n)``) -> ``Y`` of the same shape."""
    s, batch, n, t = _arrays.scores(scores)
    v, d, _ = _values(values, s)
    out = np.empty_like(v)
    check(getattr(lib, "softsort_apply_" + t)(
        _p(v), _p(s), batch, n, d, temperature, power, _arrays.direction(descending),
        _p(out)))
    return out


def apply_backward(values, scores, grad_output, temperature=1.0, power=1.0, *, descending=True):
    """``(dL/ds, dL/dV)`` given ``dL/dY``."""
    s, batch, n, t = _arrays.scores(scores)
    v, d, _ = _values(values, s)
    g = _arrays.like(grad_output, "grad_output", s, v.shape)
    grad_scores, grad_values = np.empty_like(s), np.empty_like(v)
    check(getattr(lib, "softsort_apply_backward_" + t)(
        _p(v), _p(s), batch, n, d, temperature, power, _arrays.direction(descending),
        _p(g), _p(grad_scores), _p(grad_values)))
    return grad_scores, grad_values


def cross_entropy(scores, targets, temperature=1.0, power=1.0, *, descending=True, path="automatic",
                  gradient=True, return_path=False):
    """The paper's loss ``L = sum -log P[..., i, targets[..., i]]`` (a SUM over all rows) and ``dL/ds``.

    Args:
        scores: ``(..., n)``.
        targets: integers of the scores' shape, each in ``0 ..< n`` (``arange(n)`` is the paper's task).
        path: ``"automatic"`` (p == 1: the exact scan; p == 2: the Gauss transform; else the fused rows),
            ``"dense"``, ``"fused"``, ``"exact"`` or ``"gauss"``.
        gradient: also compute ``dL/ds`` (same call, nothing recomputed).
        return_path: also return the name of the path that ran.

    Returns:
        ``(loss, dL/ds)`` (loss a scalar of the scores' dtype), or ``loss`` when not
        ``gradient``; with ``return_path`` the path's name is appended.
    """
    s, batch, n, t = _arrays.scores(scores)
    columns = _arrays.indices(targets, s.shape)
    loss = np.empty(1, s.dtype)
    grad = np.empty_like(s) if gradient else None
    used = np.empty(1, np.int32)
    check(getattr(lib, "softsort_cross_entropy_" + t)(
        _p(s), _p(columns), batch, n, temperature, power, _arrays.direction(descending),
        _arrays.path(path), _p(loss), _p(grad) if gradient else None, _p(used)))
    result = (loss[0], grad) if gradient else (loss[0],)
    if return_path:
        result += (_arrays.PATH_NAMES[int(used[0])],)
    return result if len(result) > 1 else result[0]


def _scores_to_row(name, scores, temperature, power, descending):
    s, batch, n, t = _arrays.scores(scores)
    out = np.empty_like(s)
    check(getattr(lib, f"softsort_{name}_{t}")(
        _p(s), batch, n, temperature, power, _arrays.direction(descending), _p(out)))
    return out


def _scores_to_row_backward(name, scores, grad_output, temperature, power, descending):
    s, batch, n, t = _arrays.scores(scores)
    g = _arrays.like(grad_output, "grad_output", s, s.shape)
    out = np.empty_like(s)
    check(getattr(lib, f"softsort_{name}_backward_{t}")(
        _p(s), batch, n, temperature, power, _arrays.direction(descending), _p(g),
        _p(out)))
    return out


def sorted_values(scores, temperature=1.0, power=1.0, *, descending=True):
    """The relaxed sorted values ``P s`` (``(..., n)``): entry i is close to the i-th largest score."""
    return _scores_to_row("sorted_values", scores, temperature, power, descending)


def sorted_values_backward(scores, grad_output, temperature=1.0, power=1.0, *, descending=True):
    """``dL/ds`` given ``dL/d(P s)``, through both ``P`` and ``s``."""
    return _scores_to_row_backward("sorted_values", scores, grad_output, temperature, power, descending)


def ranks(scores, temperature=1.0, power=1.0, *, descending=True):
    """The relaxed ranks ``P^T (1, ..., n)``: entry j is close to the rank of score j (1 = largest)."""
    return _scores_to_row("ranks", scores, temperature, power, descending)


def ranks_backward(scores, grad_output, temperature=1.0, power=1.0, *, descending=True):
    """``dL/ds`` given ``dL/d ranks``."""
    return _scores_to_row_backward("ranks", scores, grad_output, temperature, power, descending)
