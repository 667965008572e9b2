"""softsortkit.torch: gradcheck in float64, agreement with a plain PyTorch SoftSort, bad inputs."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")  # python/ci.sh installs torch and checks it imports first

import softsortkit  # noqa: E402
import softsortkit.torch as st  # noqa: E402
from conftest import distinct_scores  # noqa: E402


def plain_softsort(s, tau, p, descending=True):
    """SoftSort in plain PyTorch, as the paper's code writes it."""
    s_sorted = s.sort(dim=-1, descending=descending).values
    distances = (s.unsqueeze(-2) - s_sorted.unsqueeze(-1)).abs().pow(p).neg() / tau
    return distances.softmax(-1)


def scores(shape, dtype=torch.float64, seed=0):
    return torch.from_numpy(distinct_scores(shape, seed=seed)).to(dtype).requires_grad_()


def gradcheck(function, *inputs):
    assert torch.autograd.gradcheck(function, inputs, eps=1e-6, atol=1e-6, rtol=1e-5)


@pytest.mark.parametrize("power", [1.0, 2.0, 1.5])
def test_gradcheck_soft_sort(power):
    gradcheck(lambda s: st.soft_sort(s, 0.4, power), scores((2, 6)))


def test_gradcheck_soft_sort_batch_shape_and_ascending():
    gradcheck(lambda s: st.soft_sort(s, 0.3, 2.0, descending=False), scores((2, 2, 5), seed=1))


def test_gradcheck_neural_sort():
    gradcheck(lambda s: st.neural_sort(s, 0.8), scores((2, 6), seed=2))


@pytest.mark.parametrize("power", [1.0, 2.0])
def test_gradcheck_apply(power):
    values = torch.randn(2, 6, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(3)).requires_grad_()
    gradcheck(lambda v, s: st.apply(v, s, 0.3, power), values, scores((2, 6), seed=4))


@pytest.mark.parametrize("power,path", [(1.0, "automatic"), (1.0, "dense"), (2.0, "automatic"), (2.0, "dense"),
                                        (2.0, "fused"), (2.0, "gauss"), (1.5, "automatic")])
def test_gradcheck_cross_entropy(power, path):
    targets = torch.stack([torch.randperm(7, generator=torch.Generator().manual_seed(r)) for r in range(3)])
    gradcheck(lambda s: st.cross_entropy(s, targets, 0.5, power, path=path), scores((3, 7), seed=5))


@pytest.mark.parametrize("power", [1.0, 2.0])
def test_gradcheck_sorted_values_and_ranks(power):
    gradcheck(lambda s: st.sorted_values(s, 0.3, power), scores((2, 7), seed=6))
    gradcheck(lambda s: st.ranks(s, 0.3, power), scores((2, 7), seed=7))


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


def test_cross_entropy_scales_with_the_upstream_gradient():
    s = scores((2, 5), seed=11)
    targets = torch.arange(5).expand(2, 5)
    (3 * st.cross_entropy(s, targets, 0.5, 2.0)).backward()
    gradient = s.grad.clone()
    s.grad = None
    st.cross_entropy(s, targets, 0.5, 2.0).backward()
    torch.testing.assert_close(gradient, 3 * s.grad)


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
    with pytest.raises(TypeError, match="float32 or float64"):
        st.soft_sort(torch.ones(2, 3, dtype=torch.float16))
    with pytest.raises(TypeError, match="torch.Tensor"):
        st.soft_sort([1.0, 2.0])
    with pytest.raises(ValueError, match="targets must have the scores' shape"):
        st.cross_entropy(s, torch.zeros(5, dtype=torch.long), 1.0)
