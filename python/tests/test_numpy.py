"""softsortkit.numpy: every output on every path that computes it against the float64 NumPy
reference (conftest.py) and finite differences of it; unsupported paths; settings; bad inputs."""
import subprocess
import sys

import numpy as np
import pytest

import softsortkit
import softsortkit.numpy as sn
from cases import (K, LEVELS, LOSSES, NEURAL_CASES, OUTPUTS, PRODUCTS, RANKS_WINDOW, SOFTSORT_CASES, TAU,
                   TOLERANCE_WINDOW, computes, inputs, kind, output_shape)
from conftest import central_difference, distinct_scores, reference_matrices, reference_output, reference_softsort


def forward(output, s, v, targets, matches, **settings):
    """``(output, path)`` of the library (a loss: ``((loss, dL/ds), path)``)."""
    if output in PRODUCTS:
        extra = {"top_k": (K,), "quantiles": (LEVELS,)}.get(output, ())
        return getattr(sn, output)(v, s, *extra, **settings, return_path=True)
    if output == "cross_entropy":
        loss, grad, path = sn.cross_entropy(s, targets, **settings, reduction="sum", return_path=True)
        return (loss, grad), path
    if output == "nearest_neighbor_loss":
        loss, grad, path = sn.nearest_neighbor_loss(s, matches, K, **settings, reduction="mean", return_path=True)
        return (loss, grad), path
    return getattr(sn, output)(s, **settings, return_path=True)


def backward(output, s, v, g, **settings):
    """``((dL/ds, dL/dV or None), path)`` of ``<g, output>``."""
    if output in PRODUCTS:
        extra = {"top_k": (K,), "quantiles": (LEVELS,)}.get(output, ())
        grad_s, grad_v, path = getattr(sn, output + "_backward")(v, s, *extra, g, **settings, return_path=True)
        return (grad_s, grad_v), path
    grad_s, path = getattr(sn, output + "_backward")(s, g, **settings, return_path=True)
    return (grad_s, None), path


def reference(output, s, v, targets, matches, power, method, path):
    window = path if kind(path) == "window" else None
    return reference_output(output, s, v, TAU, power, method, window, k=K, levels=LEVELS, targets=targets,
                            matches=matches)


def check_output(output, path, power, method):
    s, v, targets, matches = inputs()
    # The paper's order, which the reference computes by default (the library's default is ascending).
    settings = dict(temperature=TAU, power=power, method=method, path=path, descending=True)
    paths = computes(output, path, power, method)
    if not paths:
        with pytest.raises(softsortkit.UnsupportedPathError) as error:
            forward(output, s, v, targets, matches, **settings)
        assert error.value.kind == "unsupported path" and error.value.code == 10
        assert "cannot run here" in str(error.value)
        return
    result, used = forward(output, s, v, targets, matches, **settings)
    assert kind(used if used in ("dense", "fused", "exact", "gauss") else softsortkit.Window("ranks", 0)) in paths
    if kind(path) == "window":
        assert used == str(path)
    elif kind(path) != "automatic":
        assert used == path
    tolerance = 1e-9 if used == "gauss" else 1e-11
    expected = reference(output, s, v, targets, matches, power, method, path)
    objective = (lambda x, w: reference(output, x, w, targets, matches, power, method, path))
    if output in LOSSES:
        loss, grad = result
        assert abs(loss - expected) <= tolerance * (1 + abs(expected))
        numeric = central_difference(lambda x: objective(x, v), s)
        np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-6)
        return
    np.testing.assert_allclose(result, expected, rtol=tolerance, atol=tolerance)
    if output == "log_normalizers":
        return
    g = np.random.default_rng(1).standard_normal(result.shape)
    (grad_s, grad_v), used_back = backward(output, s, v, g, **settings)
    assert used_back == used
    numeric = central_difference(lambda x: float((objective(x, v) * g).sum()), s)
    np.testing.assert_allclose(grad_s, numeric, rtol=1e-6, atol=1e-6)
    if output in PRODUCTS:
        numeric = central_difference(lambda w: float((objective(s, w) * g).sum()), v)
        np.testing.assert_allclose(grad_v, numeric, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("path,power", SOFTSORT_CASES, ids=lambda x: str(x))
@pytest.mark.parametrize("output", OUTPUTS)
def test_softsort_output_on_path(output, path, power):
    check_output(output, path, power, "softsort")


@pytest.mark.parametrize("path", NEURAL_CASES)
@pytest.mark.parametrize("output", OUTPUTS)
def test_neuralsort_output_on_path(output, path):
    check_output(output, path, 1.0, "neuralsort")


def test_windows_drop_entries():
    """The test windows are not the dense P (or the window tests would test nothing of their own)."""
    s, *_ = inputs()
    for window, power in ((RANKS_WINDOW, 1.5), (TOLERANCE_WINDOW, 2.0)):
        dense, kept = reference_matrices(s, TAU, power), reference_matrices(s, TAU, power, window=window)
        assert np.abs(dense - kept).max() > 1e-3
        assert (kept == 0).sum() >= 4


@pytest.mark.parametrize("output", OUTPUTS)
def test_float32_and_ascending(output):
    s, v, targets, matches = inputs(seed=3)
    power = 1.0
    settings = dict(temperature=TAU, power=power, descending=False)
    single = forward(output, s.astype(np.float32), v.astype(np.float32), targets, matches, **settings)[0]
    double = forward(output, s, v, targets, matches, **settings)[0]
    expected = reference_output(output, s, v, TAU, power, descending=False, k=K, levels=LEVELS, targets=targets,
                                matches=matches)
    if output in LOSSES:
        assert single[0].dtype == np.float32 and single[1].dtype == np.float32
        assert abs(single[0] - expected) <= 1e-5 * (1 + abs(expected))
        assert abs(double[0] - expected) <= 1e-11 * (1 + abs(expected))
    else:
        assert single.dtype == np.float32 and single.shape == output_shape(output, s.shape, v.shape[-1])
        np.testing.assert_allclose(single, expected, rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(double, expected, rtol=1e-11, atol=1e-11)


@pytest.mark.parametrize("shape", [(7,), (3, 9), (2, 3, 8), (1, 33)])
def test_soft_sort_and_permutation(shape):
    s = distinct_scores(shape)
    P, permutation, path = sn.soft_sort(s, 0.3, 1.5, return_permutation=True, return_path=True)
    assert P.shape == shape + (shape[-1],) and P.dtype == np.float64 and path == "dense"
    np.testing.assert_allclose(P, reference_softsort(s, 0.3, 1.5, descending=False), rtol=0, atol=1e-12)
    np.testing.assert_array_equal(permutation, np.argsort(s, axis=-1, kind="stable"))
    P, permutation = sn.soft_sort(s, 0.3, 1.5, descending=True, return_permutation=True)
    np.testing.assert_allclose(P, reference_softsort(s, 0.3, 1.5), rtol=0, atol=1e-12)
    np.testing.assert_array_equal(permutation, np.argsort(-s, axis=-1, kind="stable"))


def test_matrices_backward_aliases():
    s = distinct_scores((2, 6), seed=1)
    g = np.random.default_rng(2).standard_normal((2, 6, 6))
    np.testing.assert_array_equal(sn.soft_sort_backward(s, g, 0.4, 2.0), sn.matrices_backward(s, g, 0.4, 2.0))
    np.testing.assert_array_equal(sn.neural_sort(s, 0.9), sn.matrices(s, 0.9, method="neuralsort"))
    np.testing.assert_array_equal(
        sn.neural_sort_backward(s, g, 0.9), sn.matrices_backward(s, g, 0.9, method="neuralsort"))


def test_values_of_the_scores_shape_are_one_column():
    s, v, *_ = inputs()
    column = v[..., 0]
    np.testing.assert_array_equal(sn.apply(column, s, TAU, 2.0), sn.apply(v[..., :1], s, TAU, 2.0)[..., 0])
    np.testing.assert_allclose(sn.apply(s, s, TAU, 2.0), sn.sorted_values(s, TAU, 2.0), atol=1e-12)
    assert sn.top_k(column, s, 2).shape == (2, 2) and sn.quantiles(column, s, [0.5]).shape == (2, 1)
    grad_s, grad_v = sn.top_k_backward(column, s, 2, np.ones((2, 2)))
    assert grad_s.shape == s.shape and grad_v.shape == column.shape


def test_non_contiguous_input_is_read_correctly():
    s = distinct_scores((6, 8))
    strided = s[::2, ::-1]
    assert not strided.flags.c_contiguous
    np.testing.assert_allclose(sn.soft_sort(strided, 0.2, 1.0), reference_softsort(strided, 0.2, 1.0, False),
                               atol=1e-12)


def test_path_names_round_trip():
    s, v, *_ = inputs()
    for path in ("window(ranks: 2)", "window(tolerance: 0.05)", softsortkit.window(ranks=2)):
        out, used = sn.apply(v, s, TAU, 1.5, path=path, return_path=True)
        assert used == str(path)
        np.testing.assert_array_equal(sn.apply(v, s, TAU, 1.5, path=used), out)
    assert str(softsortkit.window(tolerance=0.001)) == "window(tolerance: 0.001)"


def test_loss_alone():
    s, v, targets, matches = inputs()
    loss, grad = sn.cross_entropy(s, targets, TAU, 2.0)
    assert sn.cross_entropy(s, targets, TAU, 2.0, gradient=False) == loss
    # .automatic takes the path the measured cost table picks: one that computes the loss exactly.
    value, path = sn.cross_entropy(s, targets, TAU, 2.0, gradient=False, return_path=True)
    assert value == loss and path in ("gauss", "fused", "dense")
    assert sn.cross_entropy(s, targets, TAU, 2.0, gradient=False, path=path) == loss
    loss, grad = sn.nearest_neighbor_loss(s, matches > 0, K, TAU, 1.0)
    assert sn.nearest_neighbor_loss(s, matches, K, TAU, 1.0, gradient=False) == loss


def test_gauss_accuracy_is_passed():
    s, v, *_ = inputs()
    loose = sn.sorted_values(s, TAU, 2.0, path="gauss", accuracy=1e-3)
    tight = sn.sorted_values(s, TAU, 2.0, path="gauss")
    expected = reference_output("sorted_values", s, v, TAU, 2.0, descending=False)
    assert np.abs(tight - expected).max() < 1e-12
    assert np.abs(loose - expected).max() < 1e-3 * np.abs(s).sum(axis=-1).max()
    with pytest.raises(softsortkit.SoftSortKitError, match="accuracy = 0.5 is out of range"):
        sn.sorted_values(s, TAU, 2.0, path="gauss", accuracy=0.5)


def test_results_identical_for_every_thread_count():
    s = distinct_scores((8, 50), seed=10)
    softsortkit.set_threads(1)
    one = [sn.soft_sort(s, 0.1, 2.0), sn.ranks(s, 0.1, 2.0), sn.sorted_values(s, 0.1, 1.0)]
    softsortkit.set_threads(3)
    assert softsortkit.threads() == 3
    for a, b in zip(one, [sn.soft_sort(s, 0.1, 2.0), sn.ranks(s, 0.1, 2.0), sn.sorted_values(s, 0.1, 1.0)]):
        np.testing.assert_array_equal(a, b)


def test_backends_can_be_chosen():
    s = distinct_scores((2, 12)).astype(np.float32)
    for name in ("scalar", "simd", "avx2"):
        if not softsortkit.backend_available(name):
            continue
        softsortkit.set_backend(name)
        assert softsortkit.backend() == name
        np.testing.assert_allclose(sn.soft_sort(s, 0.5, 2.0), reference_softsort(s, 0.5, 2.0, False), atol=2e-6)


@pytest.mark.parametrize("call,kind,fragment", [
    (lambda s: sn.soft_sort(s, 0.0), "invalid temperature", "temperature must be finite and > 0, got 0.0"),
    (lambda s: sn.soft_sort(s, 1.0, -1.0), "invalid power", "power p must be finite and > 0, got -1.0"),
    (lambda s: sn.soft_sort(np.where(np.arange(s.size).reshape(s.shape) == 4, np.nan, s)), "non-finite input",
     "score at row 0, column 4 is not finite"),
    (lambda s: sn.cross_entropy(s, np.full(s.shape, 7), 1.0), "index out of range", "targets[0] = 7 is outside 0 ..< 7"),
    (lambda s: sn.cross_entropy(s, np.zeros(s.shape, int), 1.0, 2.0, path="exact"), "unsupported path",
     "'exact' cannot run here"),
    (lambda s: sn.apply(np.full(s.shape, np.inf), s), "non-finite input", "values at row 0, column 0 is not finite"),
    (lambda s: sn.top_k(s, s, 8), "invalid argument", "k = 8 rows is out of range"),
    (lambda s: sn.quantiles(s, s, [0.5, 1.5]), "invalid argument", "q = 1.5 is out of range"),
    (lambda s: sn.nearest_neighbor_loss(s, s > 0, 0), "invalid argument", "k = 0 rows is out of range"),
    (lambda s: sn.matrices(s, path=softsortkit.window(ranks=-1)), "invalid argument", "window width must be >= 0"),
    (lambda s: sn.matrices(s, path=softsortkit.window(tolerance=1.0)), "invalid argument", "tolerance = 1.0"),
])
def test_bad_input_raises_the_library_message(call, kind, fragment):
    s = distinct_scores((2, 7))
    with pytest.raises(softsortkit.SoftSortKitError) as error:
        call(s)
    assert error.value.kind == kind
    assert fragment in str(error.value)


def test_bad_types_and_shapes_raise_before_the_call():
    s = distinct_scores((2, 5))
    with pytest.raises(TypeError, match="float32 or float64"):
        sn.soft_sort(s.astype(np.int64))
    with pytest.raises(TypeError, match="dtype"):
        sn.soft_sort_backward(s, np.zeros((2, 5, 5), np.float32))
    with pytest.raises(ValueError, match="shape"):
        sn.soft_sort_backward(s, np.zeros((2, 5, 4)))
    with pytest.raises(ValueError, match="at least one dimension"):
        sn.soft_sort(np.float64(1.0))
    with pytest.raises(ValueError, match="path must be one of"):
        sn.cross_entropy(s, np.zeros((2, 5), int), path="fast")
    with pytest.raises(ValueError, match="path must be one of"):
        sn.ranks(s, path="window(width: 3)")
    with pytest.raises(ValueError, match="exactly one of"):
        softsortkit.window(ranks=2, tolerance=0.1)
    with pytest.raises(ValueError, match="method must be one of"):
        sn.ranks(s, method="sinkhorn")
    with pytest.raises(ValueError, match="backend must be one of"):
        softsortkit.set_backend("gpu")


def test_package_imports_without_torch():
    code = ("import sys; sys.modules['torch'] = None\n"
            "import numpy as np, softsortkit, softsortkit.numpy as sn\n"
            "print(sn.soft_sort(np.array([0.3, 2.0, -1.0]), 0.1, 2).shape)\n"
            "try:\n    import softsortkit.torch\nexcept ImportError:\n    print('no torch')\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["(3,", "3)", "no", "torch"]


def test_default_order_is_ascending_as_np_sort():
    s = distinct_scores((3, 9), seed=40)
    np.testing.assert_allclose(sn.sorted_values(s, 1e-3), np.sort(s, axis=-1), atol=1e-9)
    np.testing.assert_allclose(sn.ranks(s, 1e-3), np.argsort(np.argsort(s, axis=-1), axis=-1) + 1.0, atol=1e-9)
    np.testing.assert_allclose(sn.sorted_values(s, 1e-3, descending=True), -np.sort(-s, axis=-1), atol=1e-9)
    np.testing.assert_array_equal(sn.topk(s, s, 2, 1e-3).round(9), np.sort(s, axis=-1)[:, :2].round(9))


@pytest.mark.parametrize("dim", [0, 1, -3])
def test_dim_equals_moving_the_axis_last(dim):
    s = distinct_scores((4, 6, 5), seed=41).reshape(5, 6, 4).transpose(2, 1, 0).copy()
    v = np.random.default_rng(3).standard_normal((4, 6, 5, 2))
    axis = dim % 3
    last = np.moveaxis(s, dim, -1)
    np.testing.assert_array_equal(sn.ranks(s, 0.4, dim=dim), np.moveaxis(sn.ranks(last, 0.4), -1, dim))
    np.testing.assert_array_equal(sn.apply(v, s, 0.4, 2.0, dim=dim),
                                  np.moveaxis(sn.apply(np.moveaxis(v, axis, -2), last, 0.4, 2.0), -2, axis))
    np.testing.assert_array_equal(sn.quantile(s, s, [0.5], 0.4, dim=dim),
                                  np.moveaxis(sn.quantile(last, last, [0.5], 0.4), -1, dim))
    np.testing.assert_array_equal(sn.soft_sort(s, 0.4, dim=dim), sn.soft_sort(last, 0.4))
    g = np.random.default_rng(4).standard_normal(s.shape)
    np.testing.assert_array_equal(sn.sorted_values_backward(s, g, 0.4, dim=dim),
                                  np.moveaxis(sn.sorted_values_backward(last, np.moveaxis(g, dim, -1), 0.4), -1, dim))
    targets = sn.permutation(s, dim=dim)
    loss, grad = sn.cross_entropy(s, targets, 0.4, dim=dim, reduction="none")
    expected_loss, expected_grad = sn.cross_entropy(last, np.moveaxis(targets, dim, -1), 0.4, reduction="none")
    np.testing.assert_array_equal(loss, expected_loss)
    np.testing.assert_array_equal(grad, np.moveaxis(expected_grad, -1, dim))
    with pytest.raises(ValueError, match="dim must be an integer in -3 ..< 3"):
        sn.ranks(s, dim=3)


@pytest.mark.parametrize("loss", ["cross_entropy", "knn_loss"])
def test_reductions_are_the_sum_and_mean_of_the_per_list_losses(loss):
    s = distinct_scores((3, 2, 7), seed=42)
    data = (sn.permutation(s),) if loss == "cross_entropy" else (
        (np.random.default_rng(5).uniform(size=s.shape) < 0.5).astype(np.float64), 3)
    none, grad_none = getattr(sn, loss)(s, *data, 0.5, 2.0, reduction="none")
    assert none.shape == (3, 2) and grad_none.shape == s.shape
    total, grad_sum = getattr(sn, loss)(s, *data, 0.5, 2.0, reduction="sum")
    mean, grad_mean = getattr(sn, loss)(s, *data, 0.5, 2.0, reduction="mean")
    np.testing.assert_allclose(total, none.sum(), rtol=1e-13)
    np.testing.assert_allclose(mean, none.mean(), rtol=1e-13)
    # Each list's gradient is that of its own loss: the sum's gradient, and the mean's times the list count.
    np.testing.assert_allclose(grad_none, grad_sum, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(grad_mean * 6, grad_sum, rtol=1e-12, atol=1e-15)
    with pytest.raises(ValueError, match="reduction must be one of"):
        getattr(sn, loss)(s, *data, reduction="batchmean")


def test_a_dense_call_that_does_not_fit_names_the_python_argument():
    s = np.arange(1_000_000, dtype=np.float32)[None]
    with pytest.raises(softsortkit.SoftSortKitError, match="path='automatic'") as error:
        sn.ranks(s, 0.1, 2.0, path="dense")
    assert error.value.kind == "out of memory"
    with pytest.raises(softsortkit.SoftSortKitError, match="`scores`") as error:
        sn.soft_sort(s, 0.1)
    assert error.value.kind == "out of memory"
