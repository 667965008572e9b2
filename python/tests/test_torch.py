"""softsortkit.torch: every differentiable output on every path that computes it (gradcheck in
float64, values against the NumPy reference), agreement with a plain PyTorch SoftSort, bad inputs."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")  # python/ci.sh installs torch and checks it imports first

import softsortkit  # noqa: E402
import softsortkit.torch as st  # noqa: E402
from cases import (K, LEVELS, NEURAL_CASES, OUTPUTS, PRODUCTS, SOFTSORT_CASES, TAU,  # noqa: E402
                   computes, inputs, kind)
from conftest import distinct_scores, reference_output  # noqa: E402


def plain_softsort(s, tau, p, descending=True):
    """SoftSort in plain PyTorch, as the paper's code writes it."""
    s_sorted = s.sort(dim=-1, descending=descending).values
    distances = (s.unsqueeze(-2) - s_sorted.unsqueeze(-1)).abs().pow(p).neg() / tau
    return distances.softmax(-1)


def scores(shape, dtype=torch.float64, seed=0):
    return torch.from_numpy(distinct_scores(shape, seed=seed)).to(dtype).requires_grad_()


def gradcheck(function, *inputs):
    assert torch.autograd.gradcheck(function, inputs, eps=1e-6, atol=1e-6, rtol=1e-5)


def call(output, s, v, targets, matches, **settings):
    """The output of the torch front end (differentiable in ``s`` and, for products, ``v``)."""
    if output in PRODUCTS:
        extra = {"top_k": (K,), "quantiles": (LEVELS,)}.get(output, ())
        return getattr(st, output)(v, s, *extra, TAU, **settings)
    if output == "cross_entropy":
        return st.cross_entropy(s, targets, TAU, **settings)
    if output == "nearest_neighbor_loss":
        return st.nearest_neighbor_loss(s, matches, K, TAU, **settings)
    return getattr(st, output)(s, TAU, **settings)


def check_output(output, path, power, method):
    s_np, v_np, targets_np, matches_np = inputs()
    s, v = torch.from_numpy(s_np).requires_grad_(), torch.from_numpy(v_np).requires_grad_()
    targets, matches = torch.from_numpy(targets_np), torch.from_numpy(matches_np)
    settings = dict(power=power, method=method, path=path)
    paths = computes(output, path, power, method)
    if not paths:
        with pytest.raises(softsortkit.UnsupportedPathError, match="cannot run here"):
            call(output, s, v, targets, matches, **settings)
        return
    out, used = call(output, s, v, targets, matches, **settings, return_path=True)
    assert (kind(path) == "window" and used == str(path)) or used in paths
    window = path if kind(path) == "window" else None
    expected = reference_output(output, s_np, v_np, TAU, power, method, window, k=K, levels=LEVELS,
                                targets=targets_np, matches=matches_np)
    tolerance = 1e-9 if used == "gauss" else 1e-11
    np.testing.assert_allclose(out.detach().numpy(), expected, rtol=tolerance, atol=tolerance)
    if output == "log_normalizers":
        assert not out.requires_grad
        return
    if output in PRODUCTS:
        gradcheck(lambda x, w: call(output, x, w, targets, matches, **settings), s, v)
    else:
        gradcheck(lambda x: call(output, x, v, targets, matches, **settings), s)


@pytest.mark.parametrize("path,power", SOFTSORT_CASES, ids=lambda x: str(x))
@pytest.mark.parametrize("output", OUTPUTS)
def test_softsort_output_on_path(output, path, power):
    check_output(output, path, power, "softsort")


@pytest.mark.parametrize("path", NEURAL_CASES)
@pytest.mark.parametrize("output", OUTPUTS)
def test_neuralsort_output_on_path(output, path):
    check_output(output, path, 1.0, "neuralsort")


def test_gradcheck_old_names_batch_shape_and_ascending():
    gradcheck(lambda s: st.soft_sort(s, 0.3, 2.0, descending=False), scores((2, 2, 5), seed=1))
    gradcheck(lambda s: st.neural_sort(s, 0.8), scores((2, 6), seed=2))
    gradcheck(lambda s: st.ranks(s, 0.3, 1.0, False), scores((2, 6), seed=3))
    values = torch.randn(2, 6, dtype=torch.float64, generator=torch.Generator().manual_seed(3)).requires_grad_()
    gradcheck(lambda v, s: st.apply(v, s, 0.3, 2.0), values, scores((2, 6), seed=4))


def test_permutation_and_return_path():
    s = scores((3, 8), seed=5)
    np.testing.assert_array_equal(st.permutation(s).numpy(), np.argsort(-s.detach().numpy(), axis=-1))
    assert st.permutation(s, descending=False).dtype == torch.int64
    # .automatic takes the path the measured cost table picks, one that computes the output exactly.
    for power, allowed in ((1.0, ("exact", "fused", "dense")), (2.0, ("gauss", "fused", "dense"))):
        values, path = st.sorted_values(s, 0.3, power, return_path=True)
        assert path in allowed
        torch.testing.assert_close(values, st.sorted_values(s, 0.3, power, path=path), rtol=0, atol=0)
    P, path = st.soft_sort(s, 0.3, 1.5, path=softsortkit.window(ranks=1), return_path=True)
    assert path == "window(ranks: 1)" and P.shape == (3, 8, 8)


@pytest.mark.parametrize("dtype,tolerance", [(torch.float32, 1e-6), (torch.float64, 1e-12)])
@pytest.mark.parametrize("power", [1.0, 2.0])
def test_agrees_with_plain_pytorch(dtype, tolerance, power):
    # logits within [-10, 0]: float32 rounding of the logit stays below the tolerance
    s = (torch.rand(4, 3, 40, generator=torch.Generator().manual_seed(8), dtype=torch.float64)).to(dtype)
    s.requires_grad_()
    reference = s.detach().clone().requires_grad_()
    P, expected = st.soft_sort(s, 1.0, power), plain_softsort(reference, 1.0, power)
    assert P.shape == (4, 3, 40, 40) and P.dtype == dtype
    torch.testing.assert_close(P, expected, rtol=0, atol=tolerance)
    weights = torch.randn(P.shape, generator=torch.Generator().manual_seed(9), dtype=torch.float64).to(dtype)
    (P * weights).sum().backward()
    (expected * weights).sum().backward()
    torch.testing.assert_close(s.grad, reference.grad, rtol=0, atol=100 * tolerance)


@pytest.mark.parametrize("dtype,tolerance", [(torch.float32, 1e-6), (torch.float64, 1e-12)])
@pytest.mark.parametrize("power", [1.0, 2.0])
def test_cross_entropy_agrees_with_plain_pytorch(dtype, tolerance, power):
    s = torch.rand(5, 30, generator=torch.Generator().manual_seed(10), dtype=torch.float64).to(dtype).requires_grad_()
    reference = s.detach().clone().requires_grad_()
    targets = torch.arange(30).expand(5, 30)
    loss = st.cross_entropy(s, targets, 1.0, power)
    expected = -torch.log(plain_softsort(reference, 1.0, power).diagonal(dim1=-2, dim2=-1)).sum()
    assert loss.dim() == 0 and loss.dtype == dtype
    torch.testing.assert_close(loss, expected, rtol=tolerance, atol=tolerance)
    loss.backward()
    expected.backward()
    torch.testing.assert_close(s.grad, reference.grad, rtol=0, atol=10 * tolerance)


def test_losses_scale_with_the_upstream_gradient():
    s = scores((2, 5), seed=11)
    targets = torch.arange(5).expand(2, 5)
    for loss in (lambda: st.cross_entropy(s, targets, 0.5, 2.0),
                 lambda: st.nearest_neighbor_loss(s, targets < 2, 2, 0.5, 1.0)):
        (3 * loss()).backward()
        gradient = s.grad.clone()
        s.grad = None
        loss().backward()
        torch.testing.assert_close(gradient, 3 * s.grad)
        s.grad = None


def test_bad_inputs_raise_with_the_library_message():
    s = scores((2, 5))
    with pytest.raises(softsortkit.SoftSortKitError, match="temperature must be finite and > 0, got -1.0"):
        st.soft_sort(s, -1.0)
    with pytest.raises(softsortkit.SoftSortKitError, match="score at row 1, column 2 is not finite"):
        bad = s.detach().clone()
        bad[1, 2] = float("nan")
        st.cross_entropy(bad, torch.zeros(2, 5, dtype=torch.long), 1.0)
    with pytest.raises(softsortkit.SoftSortKitError, match=r"targets\[3\] = 5 is outside 0 ..< 5"):
        st.cross_entropy(s, torch.tensor([[0, 1, 2, 5, 4], [0, 1, 2, 3, 4]]), 1.0, 2.0)
    with pytest.raises(softsortkit.UnsupportedPathError, match="the fused rows give P V, not P"):
        st.ranks(s, path="fused")
    with pytest.raises(TypeError, match="float32 or float64"):
        st.soft_sort(torch.ones(2, 3, dtype=torch.float16))
    with pytest.raises(TypeError, match="torch.Tensor"):
        st.soft_sort([1.0, 2.0])
    with pytest.raises(TypeError, match="values must have the scores' dtype"):
        st.apply(torch.ones(2, 5, dtype=torch.float32), s)
    with pytest.raises(ValueError, match="targets must have the scores' shape"):
        st.cross_entropy(s, torch.zeros(5, dtype=torch.long), 1.0)
