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
    return reference_matrices(s, tau, p, descending=descending)


def reference_neuralsort(s, tau):
    return reference_matrices(s, tau, 1.0, method="neuralsort")


def reference_logits(s, tau, p, method="softsort", descending=True):
    """The logits of P, float64: SoftSort's -|x_i - s_j|^p / tau, or NeuralSort's."""
    s = np.asarray(s, np.float64)
    n = s.shape[-1]
    if method == "neuralsort":
        sign = 1 if descending else -1
        c = np.abs(s[..., :, None] - s[..., None, :]).sum(axis=-1)
        scaling = n + 1 - 2 * (np.arange(n) + 1)
        return (sign * scaling[:, None] * s[..., None, :] - c[..., None, :]) / tau
    x = -np.sort(-s, axis=-1) if descending else np.sort(s, axis=-1)
    return -np.abs(x[..., :, None] - s[..., None, :]) ** p / tau


def window_mask(s, logits, window, descending=True):
    """The entries a window path keeps: ``window.rule`` "ranks" keeps the columns whose sorted rank is
    within ``window.value`` of the row's, "tolerance" the logits >= log(value)."""
    if window.rule == "tolerance":
        return logits >= np.log(window.value)
    n = s.shape[-1]
    order = np.argsort(-s if descending else s, axis=-1, kind="stable")
    rank = np.argsort(order, axis=-1)  # the sorted rank of each column
    return np.abs(rank[..., None, :] - np.arange(n)[:, None]) <= window.value


def reference_matrices(s, tau, p, method="softsort", descending=True, window=None):
    """P in NumPy float64 (a window: the kept entries renormalized, zeros elsewhere), max-subtracted."""
    s = np.asarray(s, np.float64)
    logits = reference_logits(s, tau, p, method, descending)
    if window is not None:
        logits = np.where(window_mask(s, logits, window, descending), logits, -np.inf)
    logits = logits - logits.max(axis=-1, keepdims=True)
    e = np.exp(logits)
    return e / e.sum(axis=-1, keepdims=True)


def reference_output(output, s, v, tau, p, method="softsort", window=None, descending=True, k=None, levels=None,
                     targets=None, matches=None):
    """Every output of the library from the float64 reference P (``v``: the values, ``(..., n, d)``)."""
    s = np.asarray(s, np.float64)
    n = s.shape[-1]
    P = reference_matrices(s, tau, p, method, descending, window)
    if output == "matrices":
        return P
    if output in ("apply", "top_k", "quantiles"):
        y = P @ np.asarray(v, np.float64)
        if output == "top_k":
            return y[..., :k, :]
        if output == "quantiles":
            return y[..., [int(np.floor(q * (n - 1) + 0.5)) for q in levels], :]
        return y
    if output == "apply_transposed":
        return np.swapaxes(P, -1, -2) @ np.asarray(v, np.float64)
    if output == "sorted_values":
        return (P @ s[..., None])[..., 0]
    if output == "ranks":
        return np.swapaxes(P, -1, -2) @ np.arange(1.0, n + 1)
    if output == "log_normalizers":
        logits = reference_logits(s, tau, p, method, descending)
        return np.log(np.exp(logits).sum(axis=-1))
    if output == "cross_entropy":
        return -np.log(np.take_along_axis(P, np.asarray(targets)[..., None], axis=-1)).sum()
    if output == "nearest_neighbor_loss":
        y = (P @ np.asarray(matches, np.float64)[..., None])[..., 0]
        rows = int(np.prod(s.shape[:-1], dtype=np.int64))
        return -y[..., :k].sum() / (rows * k)
    raise ValueError(output)


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
