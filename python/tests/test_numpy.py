"""softsortkit.numpy against NumPy float64 references and finite differences."""
import subprocess
import sys

import numpy as np
import pytest

import softsortkit
import softsortkit.numpy as sn
from conftest import central_difference, distinct_scores, reference_neuralsort, reference_softsort

POWERS = [1.0, 2.0, 1.5]


@pytest.mark.parametrize("power", POWERS)
@pytest.mark.parametrize("shape", [(7,), (3, 9), (2, 3, 8), (1, 33)])
def test_soft_sort_matches_reference(power, shape):
    s = distinct_scores(shape)
    P, permutation = sn.soft_sort(s, 0.3, power, return_permutation=True)
    assert P.shape == shape + (shape[-1],) and P.dtype == np.float64
    np.testing.assert_allclose(P, reference_softsort(s, 0.3, power), rtol=0, atol=1e-12)
    np.testing.assert_array_equal(permutation, np.argsort(-s, axis=-1, kind="stable"))


def test_soft_sort_float32_and_ascending():
    s = distinct_scores((4, 10))
    P = sn.soft_sort(s.astype(np.float32), 0.5, 2.0)
    assert P.dtype == np.float32
    np.testing.assert_allclose(P, reference_softsort(s.astype(np.float32), 0.5, 2.0), rtol=0, atol=1e-6)
    np.testing.assert_allclose(
        sn.soft_sort(s, 0.5, 2.0, descending=False), reference_softsort(s, 0.5, 2.0, descending=False),
        rtol=0, atol=1e-12)


def test_non_contiguous_input_is_read_correctly():
    s = distinct_scores((6, 8))
    strided = s[::2, ::-1]
    assert not strided.flags.c_contiguous
    np.testing.assert_allclose(sn.soft_sort(strided, 0.2, 1.0), reference_softsort(strided, 0.2, 1.0), atol=1e-12)


def test_neural_sort_matches_reference():
    s = distinct_scores((3, 7))
    np.testing.assert_allclose(sn.neural_sort(s, 0.7), reference_neuralsort(s, 0.7), rtol=0, atol=1e-12)


@pytest.mark.parametrize("power", POWERS)
def test_soft_sort_backward_finite_differences(power):
    s = distinct_scores((2, 6), seed=1)
    g = np.random.default_rng(2).standard_normal((2, 6, 6))
    expected = central_difference(lambda x: float((sn.soft_sort(x, 0.4, power) * g).sum()), s)
    np.testing.assert_allclose(sn.soft_sort_backward(s, g, 0.4, power), expected, rtol=1e-6, atol=1e-7)


def test_neural_sort_backward_finite_differences():
    s = distinct_scores((2, 6), seed=3)
    g = np.random.default_rng(4).standard_normal((2, 6, 6))
    expected = central_difference(lambda x: float((sn.neural_sort(x, 0.9) * g).sum()), s)
    np.testing.assert_allclose(sn.neural_sort_backward(s, g, 0.9), expected, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("power", [1.0, 2.0])
def test_apply_and_backward(power):
    s = distinct_scores((3, 8), seed=5)
    rng = np.random.default_rng(6)
    v = rng.standard_normal((3, 8, 4))
    g = rng.standard_normal((3, 8, 4))
    y = sn.apply(v, s, 0.3, power)
    np.testing.assert_allclose(y, reference_softsort(s, 0.3, power) @ v, rtol=0, atol=1e-12)
    grad_s, grad_v = sn.apply_backward(v, s, g, 0.3, power)
    np.testing.assert_allclose(
        grad_s, central_difference(lambda x: float((sn.apply(v, x, 0.3, power) * g).sum()), s), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(
        grad_v, central_difference(lambda x: float((sn.apply(x, s, 0.3, power) * g).sum()), v), rtol=1e-6, atol=1e-7)
    # values of the scores' shape are d = 1
    np.testing.assert_allclose(sn.apply(s, s, 0.3, power), sn.sorted_values(s, 0.3, power), atol=1e-12)


@pytest.mark.parametrize("power,path,expected", [
    (1.0, "automatic", "exact"), (1.0, "exact", "exact"), (1.0, "dense", "dense"), (2.0, "dense", "dense"),
    (2.0, "automatic", "gauss"), (2.0, "gauss", "gauss"), (2.0, "fused", "fused"), (1.5, "automatic", "fused"), (1.0, "fused", "fused")])
def test_cross_entropy_value_gradient_and_path(power, path, expected):
    s = distinct_scores((3, 7), seed=7)
    targets = np.stack([np.random.default_rng(r).permutation(7) for r in range(3)])
    loss, grad, used = sn.cross_entropy(s, targets, 0.5, power, path=path, return_path=True)
    P = reference_softsort(s, 0.5, power)
    reference = -np.log(np.take_along_axis(P, targets[..., None], axis=-1)).sum()
    assert abs(loss - reference) <= 1e-10 * (1 + abs(reference))
    assert used == expected
    numeric = central_difference(lambda x: float(sn.cross_entropy(x, targets, 0.5, power, path=path)[0]), s)
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-6)
    assert sn.cross_entropy(s, targets, 0.5, power, path=path, gradient=False) == loss


@pytest.mark.parametrize("power", [1.0, 2.0])
@pytest.mark.parametrize("which", ["sorted_values", "ranks"])
def test_sorted_values_and_ranks(power, which):
    s = distinct_scores((2, 9), seed=8)
    P = reference_softsort(s, 0.2, power)
    if which == "sorted_values":
        forward, backward = sn.sorted_values, sn.sorted_values_backward
        expected = (P @ s[..., None])[..., 0]
    else:
        forward, backward = sn.ranks, sn.ranks_backward
        expected = (np.swapaxes(P, -1, -2) @ np.arange(1.0, 10.0))
    np.testing.assert_allclose(forward(s, 0.2, power), expected, rtol=0, atol=1e-12)
    g = np.random.default_rng(9).standard_normal(s.shape)
    numeric = central_difference(lambda x: float((forward(x, 0.2, power) * g).sum()), s)
    np.testing.assert_allclose(backward(s, g, 0.2, power), numeric, rtol=1e-6, atol=1e-6)


def test_results_identical_for_every_thread_count():
    s = distinct_scores((8, 50), seed=10)
    softsortkit.set_threads(1)
    one = sn.soft_sort(s, 0.1, 2.0)
    softsortkit.set_threads(3)
    assert softsortkit.threads() == 3
    np.testing.assert_array_equal(sn.soft_sort(s, 0.1, 2.0), one)


def test_backends_can_be_chosen():
    s = distinct_scores((2, 12)).astype(np.float32)
    for name in ("scalar", "simd", "avx2"):
        if not softsortkit.backend_available(name):
            continue
        softsortkit.set_backend(name)
        assert softsortkit.backend() == name
        np.testing.assert_allclose(sn.soft_sort(s, 0.5, 2.0), reference_softsort(s, 0.5, 2.0), atol=2e-6)


@pytest.mark.parametrize("call,kind,fragment", [
    (lambda s: sn.soft_sort(s, 0.0), "invalid temperature", "temperature must be finite and > 0, got 0.0"),
    (lambda s: sn.soft_sort(s, 1.0, -1.0), "invalid power", "power p must be finite and > 0, got -1.0"),
    (lambda s: sn.soft_sort(np.where(np.arange(s.size).reshape(s.shape) == 4, np.nan, s)), "non-finite input",
     "score at row 0, column 4 is not finite"),
    (lambda s: sn.cross_entropy(s, np.full(s.shape, 7), 1.0), "index out of range", "targets[0] = 7 is outside 0 ..< 7"),
    (lambda s: sn.cross_entropy(s, np.zeros(s.shape, int), 1.0, 2.0, path="exact"), "unsupported", "loss path 'exact' cannot run here"),
    (lambda s: sn.apply(np.full(s.shape, np.inf), s), "non-finite input", "values at row 0, column 0 is not finite"),
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
    with pytest.raises(softsortkit.SoftSortKitError, match="threads must be at least 1, got -2"):
        softsortkit.set_threads(-2)
    with pytest.raises(ValueError, match="backend must be one of"):
        softsortkit.set_backend("gpu")


def test_package_imports_without_torch():
    code = ("import sys; sys.modules['torch'] = None\n"
            "import numpy as np, softsortkit, softsortkit.numpy as sn\n"
            "print(sn.soft_sort(np.array([0.3, 2.0, -1.0]), 0.1, 2).shape)\n"
            "try:\n    import softsortkit.torch\nexcept ImportError:\n    print('no torch')\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["(3,", "3)", "no", "torch"]
