"""Checks and layouts shared by the NumPy and PyTorch front ends: inputs are
made C-contiguous (the only copy, and only when they are not already), and
the leading dimensions are flattened into the library's batch."""
import ctypes
import math
import operator

import numpy as np

_SUFFIX = {np.dtype(np.float32): "f32", np.dtype(np.float64): "f64"}


def suffix(array, argument):
    """``"f32"`` or ``"f64"`` for the array's dtype; TypeError for any other."""
    try:
        return _SUFFIX[array.dtype]
    except KeyError:
        raise TypeError(f"softsortkit: {argument} must be float32 or float64, got {array.dtype}") from None


def scores(values):
    """``(array, batch, n, suffix)`` for scores of shape ``(..., n)``."""
    array = np.asarray(values)
    if array.ndim < 1:
        raise ValueError("softsortkit: scores must have at least one dimension (the last is n), got a scalar")
    array = np.ascontiguousarray(array)
    return array, math.prod(array.shape[:-1]), array.shape[-1], suffix(array, "scores")


def like(values, argument, reference, shape):
    """``values`` as a contiguous array of ``reference``'s dtype and the given shape (no conversion)."""
    array = np.ascontiguousarray(values)
    if array.dtype != reference.dtype:
        raise TypeError(f"softsortkit: {argument} must have the scores' dtype {reference.dtype}, got {array.dtype}")
    if array.shape != tuple(shape):
        raise ValueError(f"softsortkit: {argument} must have shape {tuple(shape)}, got {array.shape}")
    return array


def values(values, s):
    """Values ``(..., n, d)``, or ``(..., n)`` for ``d = 1``: ``(array, d, squeezed)``."""
    v = np.asarray(values)
    if v.shape == s.shape:
        return like(v, "values", s, s.shape), 1, True
    if v.ndim != s.ndim + 1 or v.shape[:-1] != s.shape:
        raise ValueError(f"softsortkit: values must have shape {s.shape} + (d,) or {s.shape}, got {v.shape}")
    return like(v, "values", s, v.shape), v.shape[-1], False


def indices(values, shape):
    """Target columns as contiguous int64 of ``shape``."""
    array = np.asarray(values)
    if array.dtype.kind not in "iu":
        raise TypeError(f"softsortkit: targets must be integers, got {array.dtype}")
    if array.shape != tuple(shape):
        raise ValueError(f"softsortkit: targets must have the scores' shape {tuple(shape)}, got {array.shape}")
    return np.ascontiguousarray(array, dtype=np.int64)


def levels(values):
    """Quantile levels as a contiguous 1-D float64 array."""
    array = np.ascontiguousarray(values, dtype=np.float64)
    if array.ndim != 1:
        raise ValueError(f"softsortkit: levels must be one-dimensional, got shape {array.shape}")
    return array


def int64(value, argument):
    """``value`` as an int in int64's range (ctypes would wrap a larger one silently)."""
    value = operator.index(value)
    if not -2**63 <= value < 2**63:
        raise ValueError(f"softsortkit: {argument} must be an int64, got {value}")
    return value


def pointer(array):
    """The address of a contiguous array's first element (``from_buffer`` is about 3x cheaper
    than ``ndarray.ctypes.data``; read-only and empty arrays take the latter). ``None`` is NULL."""
    if array is None:
        return None
    try:
        return ctypes.addressof(ctypes.c_char.from_buffer(array))
    except (TypeError, ValueError, BufferError):
        return array.ctypes.data
