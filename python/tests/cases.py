"""The outputs of the C ABI, the paths that compute each, and the inputs the
NumPy and PyTorch tests run them on."""
import numpy as np

import softsortkit
from conftest import distinct_scores

OUTPUTS = ["matrices", "apply", "apply_transposed", "top_k", "quantiles", "sorted_values", "ranks",
           "log_normalizers", "cross_entropy", "nearest_neighbor_loss"]
#: Outputs with values V (or U) besides the scores.
PRODUCTS = {"apply", "apply_transposed", "top_k", "quantiles"}
LOSSES = {"cross_entropy", "nearest_neighbor_loss"}

_ALL = {"dense", "fused", "exact", "gauss", "window"}
#: SoftSort: output -> the paths that compute it (softsortkit.h's table).
COVERS = {
    "matrices": {"dense", "window"},
    "apply": _ALL, "top_k": _ALL, "quantiles": _ALL, "sorted_values": _ALL, "nearest_neighbor_loss": _ALL,
    "apply_transposed": _ALL - {"fused"}, "ranks": _ALL - {"fused"},
    "log_normalizers": {"exact", "gauss"},
    "cross_entropy": _ALL - {"window"},
}
#: NeuralSort: dense for every output but the normalizers, fused for the cross-entropy.
NEURAL_COVERS = {output: ({"dense"} if output != "log_normalizers" else set()) | (
    {"fused"} if output == "cross_entropy" else set()) for output in OUTPUTS}

TAU = 0.7
K = 3
LEVELS = [0.0, 0.4, 1.0]
#: A window that drops entries of the (2, 7) test rows (checked by test_windows_drop_entries).
RANKS_WINDOW = softsortkit.window(ranks=2)
TOLERANCE_WINDOW = softsortkit.window(tolerance=0.05)

#: (path, power) of SoftSort: every path with a power it runs on, windows, and automatic.
SOFTSORT_CASES = [
    ("dense", 1.5), ("dense", 2.0), ("fused", 1.5), ("fused", 1.0), ("exact", 1.0), ("gauss", 2.0),
    (RANKS_WINDOW, 1.5), (TOLERANCE_WINDOW, 2.0), ("automatic", 1.0), ("automatic", 2.0), ("automatic", 1.5),
]
NEURAL_CASES = ["dense", "fused", "automatic", "exact"]


def kind(path):
    """The path's family as COVERS names it."""
    return "window" if isinstance(path, softsortkit.Window) else path


def computes(output, path, power, method="softsort"):
    """The paths that may report computing ``output`` for this request (empty: unsupported)."""
    covers = NEURAL_COVERS[output] if method == "neuralsort" else COVERS[output]
    if method == "softsort":
        if power != 1.0:
            covers = covers - {"exact"}
        if power != 2.0:
            covers = covers - {"gauss"}
    if kind(path) == "automatic":
        return covers - {"window"}
    if method == "neuralsort" and kind(path) not in ("dense", "fused"):
        return set()
    if kind(path) == "exact" and power != 1.0 or kind(path) == "gauss" and power != 2.0:
        return set()
    return covers & {kind(path)}


def inputs(shape=(2, 7), d=3, seed=0):
    """Scores, values, targets, matches and an upstream gradient per output."""
    rng = np.random.default_rng(seed + 100)
    s = distinct_scores(shape, seed=seed, gap=0.15)
    v = rng.standard_normal(shape + (d,))
    targets = np.stack([rng.permutation(shape[-1]) for _ in range(int(np.prod(shape[:-1])))]).reshape(shape)
    matches = (rng.uniform(size=shape) < 0.5).astype(np.float64)
    matches[..., 0] = 1.0
    return s, v, targets, matches


def output_shape(output, shape, d):
    n = shape[-1]
    return {"matrices": shape + (n,), "apply": shape + (d,), "apply_transposed": shape + (d,),
            "top_k": shape[:-1] + (K, d), "quantiles": shape[:-1] + (len(LEVELS), d)}.get(output, shape)
