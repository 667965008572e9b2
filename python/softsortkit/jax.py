"""SoftSortKit in JAX: every output as a differentiable function that runs
under ``jax.jit``, ``jax.grad`` / ``jax.value_and_grad`` and ``jax.vmap``.

Each function is a ``jax.custom_vjp`` whose forward and backward are
``jax.ffi.ffi_call`` s of the library's XLA FFI handlers (``softsortkit_xla_*``
in ``softsortkit.h``, registered for the CPU platform when this module is
imported): XLA hands the library its buffers, typed, and no host callback or
Python runs per call. ``vmap`` adds a leading batch dimension to the same one
call (``vmap_method="broadcast_all"``); a loss's handler then makes one library
call per vmapped item (per list for ``reduction="none"``), in C. Needs ``jax`` and ``jaxlib`` (CPU);
the rest of the package imports without them.

    import softsortkit.jax as ssj
    loss = ssj.cross_entropy(scores, targets, 0.1, 2.0)       # scores (..., n) float32 or float64
    step = jax.jit(jax.value_and_grad(lambda s: ssj.cross_entropy(s, t, 0.1, 2.0)))

Arguments, the same as ``softsortkit.torch`` (``axis`` for ``dim``):

- ``scores``: ``(..., n)``, float32 or float64 (float64 needs ``jax_enable_x64``);
  ``axis`` (default ``-1``) names the sorted axis, the others are a batch.
- ``temperature`` ``tau > 0`` and SoftSort's ``power`` ``p > 0``, then keyword-only:
  ``descending=False`` (row 0 of ``P`` picks the smallest score; ``True`` is the
  paper's order, the Swift API's default), ``method`` ``"softsort"`` or
  ``"neuralsort"``, ``path`` (``"automatic"``, ``"dense"``, ``"fused"``,
  ``"exact"``, ``"gauss"``, ``softsortkit.window(...)``; see ``softsortkit.numpy``),
  ``accuracy`` (the gauss path's bound).
- Losses take ``reduction``: ``"mean"`` (default) the mean of the lists' losses,
  ``"sum"`` their sum, ``"none"`` one loss per list (the scores' shape less
  ``axis``; one library call per list). As in ``softsortkit.numpy`` and ``.torch``.

Errors: a wrong dtype raises TypeError and a wrong shape or option ValueError
when the function is traced; what only the library can check (a path that
cannot compute the output, a non-finite score, a target out of range) raises
``jax.errors.JaxRuntimeError`` with the library's message when the call runs.
Backward passes recompute the forward (sorted values and ranks reuse the C
ABI's forward just before on the same inputs); the losses return their
gradient from the forward call. Second derivatives
are not defined (``jax.grad`` of a gradient raises ValueError).
"""
import functools
import math

import jax
import jax.numpy as jnp
import numpy as np

from . import _options
from ._library import XLA_HANDLERS, lib

__all__ = ["soft_sort", "apply", "apply_transposed", "sorted_values", "ranks", "topk", "quantile",
           "cross_entropy", "knn_loss"]

_TARGET = "softsortkit_"

for _name in XLA_HANDLERS:
    jax.ffi.register_ffi_target(_TARGET + _name, jax.ffi.pycapsule(getattr(lib, "xla_" + _name)), platform="cpu")


def _settings(temperature, power, method, descending, path, accuracy):
    """The options as a hashable tuple of ``(attribute, value)``, checked where Python can."""
    for name, value in (("temperature", temperature), ("power", power)):
        if not isinstance(value, (int, float, np.integer, np.floating)) or not math.isfinite(value) or value <= 0:
            raise ValueError(f"softsortkit: {name} must be a finite number > 0, got {value!r}")
    options, _ = _options.make(temperature, power, method, descending, path, accuracy)
    return tuple((name, getattr(options, name)) for name, _ in options._fields_)


def _attributes(settings, extra=()):
    attributes = {name: np.int32(value) if isinstance(value, int) else np.float64(value) for name, value in settings}
    for name, value in extra:
        attributes[name] = np.asarray(value, np.float64) if isinstance(value, tuple) else np.int64(value)
    return attributes


def _call(name, results, settings, extra, *arguments):
    call = jax.ffi.ffi_call(_TARGET + name, results, vmap_method="broadcast_all")
    return call(*arguments, **_attributes(settings, extra))


def _like(shape, array):
    return jax.ShapeDtypeStruct(shape, array.dtype)


# ---- the outputs of the scores alone: P, P s, P^T r ------------------------

@functools.partial(jax.custom_vjp, nondiff_argnums=(0, 1))
def _rows(name, settings, s):
    shape = s.shape + (s.shape[-1],) if name == "matrices" else s.shape
    return _call(name, _like(shape, s), settings, (), s)


def _rows_forward(name, settings, s):
    return _rows(name, settings, s), s


def _rows_backward(name, settings, s, g):
    return (_call(name + "_backward", _like(s.shape, s), settings, (), s, g),)


_rows.defvjp(_rows_forward, _rows_backward)


# ---- the products: P V, P^T U, top-k rows, quantile rows --------------------

@functools.partial(jax.custom_vjp, nondiff_argnums=(0, 1, 2, 3))
def _product(name, settings, extra, rows, s, v):
    return _call(name, _like(v.shape[:-2] + (rows, v.shape[-1]), v), settings, extra, s, v)


def _product_forward(name, settings, extra, rows, s, v):
    return _product(name, settings, extra, rows, s, v), (s, v)


def _product_backward(name, settings, extra, rows, residuals, g):
    s, v = residuals
    return tuple(_call(name + "_backward", (_like(s.shape, s), _like(v.shape, v)), settings, extra, s, v, g))


_product.defvjp(_product_forward, _product_backward)


# ---- the losses: one call gives the loss and its gradient -------------------

@functools.partial(jax.custom_vjp, nondiff_argnums=(0, 1, 2, 3))
def _loss(name, settings, extra, per_list, s, data):
    return _call(name, _like(s.shape[:-1] if per_list else (), s), settings, extra, s, data)


def _loss_forward(name, settings, extra, per_list, s, data):
    shape = s.shape[:-1] if per_list else ()
    loss, grad = _call(name, (_like(shape, s), _like(s.shape, s)), settings, extra, s, data)
    return loss, grad


def _loss_backward(name, settings, extra, per_list, grad, g):
    return grad * jnp.expand_dims(g, -1), None


_loss.defvjp(_loss_forward, _loss_backward)


# ---- arguments ---------------------------------------------------------------

def _scores(scores, axis):
    s = jnp.asarray(scores)
    if s.dtype not in (jnp.float32, jnp.float64):
        raise TypeError(f"softsortkit: scores must be float32 or float64, got {s.dtype}")
    if s.ndim < 1:
        raise ValueError("softsortkit: scores must have at least one dimension (the sorted axis), got a scalar")
    if not -s.ndim <= axis < s.ndim:
        raise ValueError(f"softsortkit: axis {axis} is out of range for scores of shape {s.shape}")
    axis %= s.ndim
    return jnp.moveaxis(s, axis, -1), axis


def _values(values, s, scores_ndim, axis):
    """Values ``(..., n, d)`` or the scores' shape (``d = 1``), the sorted axis moved next to last."""
    v = jnp.asarray(values)
    if v.dtype != s.dtype:
        raise TypeError(f"softsortkit: values must have the scores' dtype {s.dtype}, got {v.dtype}")
    squeezed = v.ndim == scores_ndim
    if squeezed:
        v = v[..., None]
    if v.ndim != scores_ndim + 1:
        raise ValueError(f"softsortkit: values must have the scores' shape, or it and a last axis d, got {v.shape}")
    v = jnp.moveaxis(v, axis, -2)
    if v.shape[:-1] != s.shape:
        raise ValueError(f"softsortkit: values' shape {v.shape} does not match the scores' {s.shape}")
    return v, squeezed


def _product_output(out, squeezed, axis):
    return jnp.moveaxis(out[..., 0] if squeezed else out, -1 if squeezed else -2, axis)


# ---- the public functions ----------------------------------------------------

def soft_sort(scores, temperature=1.0, power=1.0, *, axis=-1, descending=False, method="softsort", path="automatic",
              accuracy=None):
    """The relaxed permutation matrices ``P``, shape ``(..., n, n)`` (the sorted axis's ``n``
    twice, last): row ``i`` is the soft one-hot of the ``i``-th smallest score (largest when
    ``descending``). Dense or window paths (``"automatic"`` runs dense); O(n^2) memory per list."""
    s, _ = _scores(scores, axis)
    return _rows("matrices", _settings(temperature, power, method, descending, path, accuracy), s)


def sorted_values(scores, temperature=1.0, power=1.0, *, axis=-1, descending=False, method="softsort",
                  path="automatic", accuracy=None):
    """The relaxed sorted values ``P s``: entry ``i`` is close to the ``i``-th smallest score
    (largest when ``descending``). The scores' shape."""
    s, axis = _scores(scores, axis)
    out = _rows("sorted_values", _settings(temperature, power, method, descending, path, accuracy), s)
    return jnp.moveaxis(out, -1, axis)


def ranks(scores, temperature=1.0, power=1.0, *, axis=-1, descending=False, method="softsort", path="automatic",
          accuracy=None):
    """The relaxed ranks ``P^T (1, ..., n)``: entry ``j`` is close to the rank of score ``j``
    (1 = the smallest; the largest when ``descending``). The scores' shape."""
    s, axis = _scores(scores, axis)
    out = _rows("ranks", _settings(temperature, power, method, descending, path, accuracy), s)
    return jnp.moveaxis(out, -1, axis)


def _products(name, values, scores, temperature, power, axis, descending, method, path, accuracy, extra=(),
              rows=None):
    s, moved = _scores(scores, axis)
    v, squeezed = _values(values, s, s.ndim, moved)
    settings = _settings(temperature, power, method, descending, path, accuracy)
    out = _product(name, settings, extra, s.shape[-1] if rows is None else rows, s, v)
    return _product_output(out, squeezed, moved)


def apply(values, scores, temperature=1.0, power=1.0, *, axis=-1, descending=False, method="softsort",
          path="automatic", accuracy=None):
    """``Y = P V``: values ``(..., n, d)`` (or the scores' shape, ``d = 1``) in the scores' order,
    ``Y`` of the same shape with its rows in sorted order."""
    return _products("apply", values, scores, temperature, power, axis, descending, method, path, accuracy)


def apply_transposed(values, scores, temperature=1.0, power=1.0, *, axis=-1, descending=False, method="softsort",
                     path="automatic", accuracy=None):
    """``Y = P^T U``: values ``U`` in sorted row order, ``Y`` of the same shape in the scores' order."""
    return _products("apply_transposed", values, scores, temperature, power, axis, descending, method, path,
                     accuracy)


def topk(values, scores, k, temperature=1.0, power=1.0, *, axis=-1, descending=False, method="softsort",
         path="automatic", accuracy=None):
    """The first ``k`` rows of ``P V`` (``0 <= k <= n``, a Python int): the relaxed values of the
    ``k`` smallest scores (largest when ``descending``), ``k`` in place of ``n``."""
    n = jnp.shape(scores)[axis] if jnp.ndim(scores) else 0
    if not isinstance(k, (int, np.integer)) or not 0 <= k <= n:
        raise ValueError(f"softsortkit: k must be an int in 0 ... n = {n}, got {k!r}")
    return _products("top_k", values, scores, temperature, power, axis, descending, method, path, accuracy,
                     (("k", int(k)),), int(k))


def quantile(values, scores, levels, temperature=1.0, power=1.0, *, axis=-1, descending=False, method="softsort",
             path="automatic", accuracy=None):
    """Rows of ``P V`` at quantile levels ``q`` in ``[0, 1]`` (concrete numbers, a sequence):
    row ``round(q (n - 1))``, ``q = 0`` the smallest score's (largest when ``descending``),
    ``len(levels)`` in place of ``n``."""
    q = tuple(float(level) for level in np.asarray(levels, np.float64).reshape(-1))
    if np.ndim(levels) != 1 or not all(0.0 <= level <= 1.0 for level in q):
        raise ValueError(f"softsortkit: levels must be a sequence of numbers in [0, 1], got {levels!r}")
    return _products("quantiles", values, scores, temperature, power, axis, descending, method, path, accuracy,
                     (("levels", q),), len(q))


def _loss_call(name, s, data, settings, extra, reduction):
    if reduction not in ("none", "sum", "mean"):
        raise ValueError(f"softsortkit: reduction must be 'none', 'sum' or 'mean', got {reduction!r}")
    return _loss(name, settings, extra, reduction == "none", s, data)


def cross_entropy(scores, targets, temperature=1.0, power=1.0, *, axis=-1, descending=False, method="softsort",
                  path="automatic", accuracy=None, reduction="mean"):
    """The paper's loss: for each list, ``sum_i -log P[i, targets[i]]`` (``targets`` integers of
    the scores' shape, each in ``0 ... n - 1``; ``arange(n)`` is the paper's task with
    ``descending=True``). ``reduction``: ``"mean"`` over the lists (default), ``"sum"`` (the
    paper's, the C ABI's loss), or ``"none"``. Not differentiable in ``targets``."""
    s, moved = _scores(scores, axis)
    t = jnp.asarray(targets)
    if not jnp.issubdtype(t.dtype, jnp.integer):
        raise TypeError(f"softsortkit: targets must be integers, got {t.dtype}")
    t = jnp.moveaxis(t, moved, -1) if t.ndim == s.ndim else t
    if t.shape != s.shape:
        raise ValueError(f"softsortkit: targets must have the scores' shape {jnp.shape(scores)}, got {t.shape}")
    t = t if t.dtype in (jnp.int32, jnp.int64) else t.astype(jnp.int32)
    settings = _settings(temperature, power, method, descending, path, accuracy)
    loss = _loss_call("cross_entropy", s, t, settings, (), reduction)
    return loss / max(math.prod(s.shape[:-1]), 1) if reduction == "mean" else loss


def knn_loss(scores, matches, k, temperature=1.0, power=1.0, *, axis=-1, descending=False, method="softsort",
             path="automatic", accuracy=None, reduction="mean"):
    """The paper's differentiable kNN loss: for each list, ``-(1 / k) sum_(i < k) (P y)[i]`` with
    ``y = matches`` (1 where the candidate's class matches; not differentiated), ``1 <= k <= n``.
    Scores are distances from a query to ``n`` candidates (the ``k`` smallest are the nearest);
    with ``descending=True``, similarities (the paper's negative distances). ``reduction``: ``"mean"`` (default, the
    C ABI's loss) over the lists, ``"sum"``, or ``"none"``. A list's loss averages over its ``k``
    rows, so ``"mean"`` is the mean over all lists' ``k`` rows."""
    s, moved = _scores(scores, axis)
    y = jnp.asarray(matches, s.dtype)
    y = jnp.moveaxis(y, moved, -1) if y.ndim == s.ndim else y
    if y.shape != s.shape:
        raise ValueError(f"softsortkit: matches must have the scores' shape {jnp.shape(scores)}, got {y.shape}")
    if not isinstance(k, (int, np.integer)) or not 1 <= k <= s.shape[-1]:
        raise ValueError(f"softsortkit: k must be an int in 1 ... n = {s.shape[-1]}, got {k!r}")
    settings = _settings(temperature, power, method, descending, path, accuracy)
    loss = _loss_call("nearest_neighbor_loss", s, y, settings, (("k", int(k)),), reduction)
    return loss * math.prod(s.shape[:-1]) if reduction == "sum" else loss
