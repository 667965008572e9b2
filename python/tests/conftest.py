"""Shared references and inputs for the softsortkit tests."""
import pathlib

import numpy as np
import pytest

REPOSITORY = pathlib.Path(__file__).resolve().parents[2]


def distinct_scores(shape, dtype=np.float64, seed=0, gap=0.02):
    """Scores whose rows have no two values closer than ``gap`` (no tie within a finite-difference step)."""
    rng = np.random.default_rng(seed)
    n = shape[-1]
    rows = int(np.prod(shape[:-1], dtype=np.int64))
    out = np.empty((rows, n))
    for r in range(rows):
        out[r] = rng.permutation(n) * gap * 3 + rng.uniform(0, gap, n) - n * gap
    return out.reshape(shape).astype(dtype)


def reference_softsort(s, tau, p, descending=True):
    """P in NumPy float64: softmax_j(-|sort(s)_i - s_j|^p / tau), max-subtracted."""
    s = np.asarray(s, np.float64)
    x = -np.sort(-s, axis=-1) if descending else np.sort(s, axis=-1)
    logits = -np.abs(x[..., :, None] - s[..., None, :]) ** p / tau
    logits -= logits.max(axis=-1, keepdims=True)
    e = np.exp(logits)
    return e / e.sum(axis=-1, keepdims=True)


def reference_neuralsort(s, tau):
    s = np.asarray(s, np.float64)
    n = s.shape[-1]
    c = np.abs(s[..., :, None] - s[..., None, :]).sum(axis=-1)
    scaling = n + 1 - 2 * (np.arange(n) + 1)
    logits = (scaling[:, None] * s[..., None, :] - c[..., None, :]) / tau
    logits -= logits.max(axis=-1, keepdims=True)
    e = np.exp(logits)
    return e / e.sum(axis=-1, keepdims=True)


def central_difference(function, x, h=1e-6):
    """d function(x) / dx for a scalar function of a float64 array."""
    x = np.array(x, np.float64)
    out = np.empty_like(x)
    flat, grad = x.reshape(-1), out.reshape(-1)
    for k in range(flat.size):
        keep = flat[k]
        flat[k] = keep + h
        up = function(x)
        flat[k] = keep - h
        down = function(x)
        flat[k] = keep
        grad[k] = (up - down) / (2 * h)
    return out


@pytest.fixture(autouse=True)
def default_settings():
    """Every test starts and ends on the library's default threads and backend."""
    import softsortkit
    softsortkit.set_threads(0)
    softsortkit.set_backend("default")
    yield
    softsortkit.set_threads(0)
    softsortkit.set_backend("default")
