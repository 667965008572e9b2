"""softsortkit.torch: every differentiable output on every path that computes it (gradcheck in
float64, values against the NumPy reference), agreement with a plain PyTorch SoftSort, bad inputs,
and the operators under torch.library.opcheck, torch.compile(fullgraph=True) and torch.vmap."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")  # python/ci.sh installs torch and checks it imports first

import softsortkit  # noqa: E402
import softsortkit.torch as st  # noqa: E402
from cases import (K, LEVELS, NEURAL_CASES, OUTPUTS, PRODUCTS, SOFTSORT_CASES, TAU,  # noqa: E402
                   computes, inputs, kind)
from conftest import distinct_scores, reference_output  # noqa: E402

#: The torch function of each output of cases.OUTPUTS (the C ABI's names).
FUNCTIONS = {"matrices": "soft_sort", "top_k": "topk", "quantiles": "quantile",
             "nearest_neighbor_loss": "knn_loss"}


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
    """The output of the torch front end in the paper's (descending) order, as the reference computes
    it (differentiable in ``s`` and, for products, ``v``); the losses as the C ABI reduces them."""
    function = getattr(st, FUNCTIONS.get(output, output))
    settings = dict(descending=True, **settings)
    if output in PRODUCTS:
        extra = {"top_k": (K,), "quantiles": (LEVELS,)}.get(output, ())
        return function(v, s, *extra, TAU, **settings)
    if output == "cross_entropy":
        return function(s, targets, TAU, reduction="sum", **settings)
    if output == "nearest_neighbor_loss":
        return function(s, matches, K, TAU, reduction="mean", **settings)
    return function(s, TAU, **settings)


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



def test_default_order_is_ascending_as_torch_sort():
    s = torch.tensor([[1.0, 2.0, 3.0]], dtype=torch.float64)
    torch.testing.assert_close(st.ranks(s, 0.01), torch.tensor([[1.0, 2.0, 3.0]], dtype=torch.float64))
    torch.testing.assert_close(st.ranks(s, 0.01, descending=True), torch.tensor([[3.0, 2.0, 1.0]], dtype=torch.float64))
    x = scores((3, 9), seed=21).detach()
    torch.testing.assert_close(st.sorted_values(x, 1e-3), x.sort(dim=-1).values, rtol=0, atol=1e-9)
    np.testing.assert_array_equal(st.permutation(x).numpy(), x.argsort(dim=-1).numpy())
    torch.testing.assert_close(st.soft_sort(x, 0.3, 2.0), plain_softsort(x, 0.3, 2.0, descending=False))


@pytest.mark.parametrize("dim", [0, 1, -3])
def test_dim_equals_moving_the_axis_last(dim):
    s = scores((4, 6, 5), seed=22)
    v = torch.randn(4, 6, 5, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    last = s.movedim(dim, -1)
    torch.testing.assert_close(st.ranks(s, 0.4, dim=dim), st.ranks(last, 0.4).movedim(-1, dim))
    torch.testing.assert_close(st.sorted_values(s, 0.4, 2.0, dim=dim),
                               st.sorted_values(last, 0.4, 2.0).movedim(-1, dim))
    axis = dim % 3
    torch.testing.assert_close(st.apply(v, s, 0.4, dim=dim), st.apply(v.movedim(axis, -2), last, 0.4).movedim(-2, axis))
    torch.testing.assert_close(st.topk(s, s, 2, 0.4, dim=dim), st.topk(last, last, 2, 0.4).movedim(-1, dim))
    torch.testing.assert_close(st.soft_sort(s, 0.4, dim=dim), st.soft_sort(last, 0.4))
    targets = st.permutation(s, dim=dim)
    torch.testing.assert_close(st.cross_entropy(s, targets, 0.4, dim=dim, reduction="none"),
                               st.cross_entropy(last, targets.movedim(dim, -1), 0.4, reduction="none"))
    gradcheck(lambda x: st.quantile(x, x, [0.5], 0.4, dim=dim), s)


@pytest.mark.parametrize("loss", ["cross_entropy", "knn_loss"])
def test_reductions_are_the_sum_and_mean_of_the_per_list_losses(loss):
    s = scores((3, 2, 7), seed=23)
    data = (st.permutation(s.detach()),) if loss == "cross_entropy" else (
        (torch.rand(3, 2, 7, generator=torch.Generator().manual_seed(2)) < 0.5).double(), 3)
    function = lambda x, reduction: getattr(st, loss)(x, *data, 0.5, 2.0, reduction=reduction)  # noqa: E731
    none = function(s, "none")
    assert none.shape == (3, 2)
    torch.testing.assert_close(function(s, "sum"), none.sum())
    torch.testing.assert_close(function(s, "mean"), none.mean())
    for reduction in ("none", "sum", "mean"):
        gradcheck(lambda x: function(x, reduction), s)
    with pytest.raises(ValueError, match="reduction must be one of"):
        function(s, "batchmean")


def test_straight_through_is_the_permutation_forward_and_the_soft_backward():
    s = scores((2, 6), seed=24)
    hard = st.soft_sort(s, 0.5, 2.0, straight_through=True)
    expected = torch.nn.functional.one_hot(s.detach().argsort(dim=-1), 6).double()
    torch.testing.assert_close(hard, expected, rtol=0, atol=0)
    weights = torch.randn(2, 6, 6, dtype=torch.float64, generator=torch.Generator().manual_seed(3))
    (grad_hard,) = torch.autograd.grad((hard * weights).sum(), s)
    (grad_soft,) = torch.autograd.grad((st.soft_sort(s, 0.5, 2.0) * weights).sum(), s)
    torch.testing.assert_close(grad_hard, grad_soft, rtol=0, atol=0)
    with pytest.raises(softsortkit.UnsupportedPathError, match="straight-through"):
        st.soft_sort(s, 0.5, 2.0, path=softsortkit.window(ranks=1), straight_through=True)


def test_gumbel_perturbation_sums_the_samples_gradients_onto_their_row():
    s = scores((2, 5), seed=25)
    noisy = st.perturb(s, 4, generator=torch.Generator().manual_seed(0))
    assert noisy.shape == (2, 4, 5)
    assert not torch.equal(noisy[:, 0], noisy[:, 1])
    (grad,) = torch.autograd.grad(st.sorted_values(noisy, 0.5).sum(), s)
    detached = noisy.detach().requires_grad_()
    (per_sample,) = torch.autograd.grad(st.sorted_values(detached, 0.5).sum(), detached)
    torch.testing.assert_close(grad, per_sample.sum(dim=-2))
    positive = st.perturb(s.detach().exp(), 2, positive=True, generator=torch.Generator().manual_seed(0))
    torch.testing.assert_close(positive, st.perturb(s.detach(), 2, generator=torch.Generator().manual_seed(0)))


def test_return_path_and_last_path():
    s = scores((3, 8), seed=5)
    # .automatic takes the path the measured cost table picks, one that computes the output exactly.
    for power, allowed in ((1.0, ("exact", "fused", "dense")), (2.0, ("gauss", "fused", "dense"))):
        values, path = st.sorted_values(s, 0.3, power, return_path=True)
        assert path in allowed and st.last_path() == path
        torch.testing.assert_close(values, st.sorted_values(s, 0.3, power, path=path), rtol=0, atol=0)
    P, path = st.soft_sort(s, 0.3, 1.5, path=softsortkit.window(ranks=1), return_path=True)
    assert path == "window(ranks: 1)" and P.shape == (3, 8, 8) and st.last_path() == path
    loss, path = st.cross_entropy(s, st.permutation(s.detach()), 0.3, 1.0, path="dense", return_path=True)
    assert path == "dense"


@pytest.mark.parametrize("dtype,tolerance", [(torch.float32, 1e-6), (torch.float64, 1e-12)])
@pytest.mark.parametrize("power", [1.0, 2.0])
def test_agrees_with_plain_pytorch(dtype, tolerance, power):
    # logits within [-10, 0]: float32 rounding of the logit stays below the tolerance
    s = (torch.rand(4, 3, 40, generator=torch.Generator().manual_seed(8), dtype=torch.float64)).to(dtype)
    s.requires_grad_()
    reference = s.detach().clone().requires_grad_()
    P, expected = st.soft_sort(s, 1.0, power, descending=True), plain_softsort(reference, 1.0, power)
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
    loss = st.cross_entropy(s, targets, 1.0, power, descending=True, reduction="sum")
    expected = -torch.log(plain_softsort(reference, 1.0, power).diagonal(dim1=-2, dim2=-1)).sum()
    assert loss.dim() == 0 and loss.dtype == dtype
    torch.testing.assert_close(loss, expected, rtol=tolerance, atol=tolerance)
    loss.backward()
    expected.backward()
    torch.testing.assert_close(s.grad, reference.grad, rtol=0, atol=10 * tolerance)


def test_losses_scale_with_the_upstream_gradient():
    s = scores((2, 5), seed=11)
    targets = torch.arange(5).expand(2, 5)
    for loss in (lambda: st.cross_entropy(s, targets, 0.5, 2.0), lambda: st.knn_loss(s, targets < 2, 2, 0.5, 1.0)):
        (3 * loss()).backward()
        gradient = s.grad.clone()
        s.grad = None
        loss().backward()
        torch.testing.assert_close(gradient, 3 * s.grad)
        s.grad = None


# ---- torch.library: opcheck, torch.compile, torch.vmap, double backward ---------------------

def _operator_samples():
    """(operator, args) of every softsortkit operator, float64, inputs requiring grad."""
    s = scores((2, 6), seed=30)
    v = torch.randn(2, 6, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(4)).requires_grad_()
    settings = (0.5, 2.0, False, "softsort", "automatic", 0.0)
    ops = torch.ops.softsortkit
    targets = st.permutation(s.detach())
    matches = (targets < 3).double()
    return [
        (ops.soft_sort, (s, False) + settings), (ops.soft_sort, (s, True) + settings[:4] + ("dense", 0.0)),
        (ops.sorted_values, (s,) + settings), (ops.ranks, (s,) + settings),
        (ops.log_normalizers, (s.detach(),) + settings), (ops.permutation, (s.detach(), True)),
        (ops.apply, (v, s) + settings), (ops.apply_transposed, (v, s) + settings),
        (ops.topk, (v, s, 2) + settings), (ops.quantile, (v, s, [0.0, 0.5]) + settings),
        (ops.cross_entropy, (s, targets, "mean") + settings), (ops.cross_entropy, (s, targets, "none") + settings),
        (ops.knn_loss, (s, matches, 2, "sum") + settings[:1] + (1.0,) + settings[2:]),
    ]


@pytest.mark.parametrize("index", range(13))
def test_opcheck(index):
    op, args = _operator_samples()[index]
    torch.library.opcheck(op, args)


def test_opcheck_backward_operators():
    s = scores((2, 6), seed=31).detach()
    v = torch.randn(2, 6, 3, dtype=torch.float64)
    settings = (0.5, 1.0, True, "softsort", "automatic", 0.0)
    ops = torch.ops.softsortkit
    torch.library.opcheck(ops.ranks_backward, (s, torch.ones(2, 6, dtype=torch.float64)) + settings)
    torch.library.opcheck(ops.soft_sort_backward, (s, torch.ones(2, 6, 6, dtype=torch.float64)) + settings)
    torch.library.opcheck(ops.sorted_values_backward, (s, torch.ones(2, 6, dtype=torch.float64)) + settings)
    torch.library.opcheck(ops.topk_backward, (v, s, 2, torch.ones(2, 2, 3, dtype=torch.float64)) + settings)
    torch.library.opcheck(ops.apply_backward, (v, s, torch.ones(2, 6, 3, dtype=torch.float64)) + settings)
    torch.library.opcheck(ops.apply_transposed_backward, (v, s, torch.ones(2, 6, 3, dtype=torch.float64)) + settings)
    torch.library.opcheck(ops.quantile_backward, (v, s, [0.5], torch.ones(2, 1, 3, dtype=torch.float64)) + settings)
    torch.library.opcheck(ops.loss_backward, (torch.tensor(2.0, dtype=torch.float64), torch.ones(2, 6, dtype=torch.float64)))


def test_compile_fullgraph_training_step():
    # The model and the losses in one graph (fullgraph: no break around the operators); AOTAutograd
    # compiles the backward graph that loss.backward() runs.
    torch._dynamo.reset()
    scorer = torch.nn.Linear(4, 1).double()
    features = torch.randn(8, 10, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(5))
    targets = features[..., 0].argsort(dim=-1)

    def objective(x, t):
        s = scorer(x).squeeze(-1)
        return (st.cross_entropy(s, t, 0.5, 2.0) + st.ranks(s, 0.5).mean() + st.sorted_values(s, 0.5, 1.0).sum()
                + st.topk(s, s, 3, 0.5).sum() + st.knn_loss(s, (t < 3).double(), 2, 0.5))

    def step(function):
        scorer.zero_grad()
        loss = function(features, targets)
        loss.backward()
        return loss.detach(), [p.grad.clone() for p in scorer.parameters()]

    loss, grads = step(objective)
    for backend in ("aot_eager", "inductor"):
        compiled_loss, compiled_grads = step(torch.compile(objective, fullgraph=True, backend=backend))
        torch.testing.assert_close(compiled_loss, loss)
        for got, expected in zip(compiled_grads, grads):
            torch.testing.assert_close(got, expected)


def test_compile_fullgraph_inductor_forward_and_backward():
    torch._dynamo.reset()
    s = scores((3, 12), seed=32)
    v = torch.randn(3, 12, 2, dtype=torch.float64, requires_grad=True)

    def f(x, w):
        return (st.apply(w, x, 0.3, 2.0).pow(2).sum() + st.soft_sort(x, 0.3).diagonal(dim1=-2, dim2=-1).sum()
                + st.quantile(x, x, [0.5], 0.3, dim=-1).sum())

    compiled = torch.compile(f, fullgraph=True)
    expected = torch.autograd.grad(f(s, v), (s, v))
    got = torch.autograd.grad(compiled(s, v), (s, v))
    for a, b in zip(got, expected):
        torch.testing.assert_close(a, b)


def test_vmap_and_autograd_through_vmap():
    s = scores((5, 3, 8), seed=33).detach()
    v = torch.randn(5, 3, 8, dtype=torch.float64)
    torch.testing.assert_close(torch.vmap(lambda x: st.ranks(x, 0.4))(s), st.ranks(s, 0.4))
    torch.testing.assert_close(torch.vmap(lambda x: st.soft_sort(x, 0.4), in_dims=1)(s),
                               st.soft_sort(s.movedim(1, 0), 0.4))
    torch.testing.assert_close(torch.vmap(lambda w: st.apply(w, s[0], 0.4))(v), st.apply(v, s[0].expand(5, 3, 8), 0.4))
    targets = st.permutation(s)
    # A loss under vmap reduces per vmapped item.
    per_item = torch.vmap(lambda x, t: st.cross_entropy(x, t, 0.4, 2.0))(s, targets)
    expected = torch.stack([st.cross_entropy(x, t, 0.4, 2.0) for x, t in zip(s, targets)])
    torch.testing.assert_close(per_item, expected)
    # Autograd through the vmapped operators (torch.func.grad over a custom_op is PyTorch's limit).
    x = s.clone().requires_grad_()
    torch.vmap(lambda y: st.sorted_values(y, 0.4, 2.0))(x).pow(2).sum().backward()
    y = s.clone().requires_grad_()
    st.sorted_values(y, 0.4, 2.0).pow(2).sum().backward()
    torch.testing.assert_close(x.grad, y.grad)
    x.grad = None
    torch.vmap(lambda y, t: st.cross_entropy(y, t, 0.4, 2.0))(x, targets).sum().backward()
    y.grad = None
    sum(st.cross_entropy(row, t, 0.4, 2.0) for row, t in zip(y, targets)).backward()
    torch.testing.assert_close(x.grad, y.grad)


@pytest.mark.parametrize("function", [
    lambda s: st.ranks(s, 0.5).pow(2).sum(), lambda s: st.cross_entropy(s, torch.arange(6).expand(2, 6), 0.5),
    lambda s: st.apply(s, s, 0.5).pow(2).sum(), lambda s: st.soft_sort(s, 0.5).pow(2).sum()])
def test_double_backward_raises_a_clear_error(function):
    s = scores((2, 6), seed=34)
    (grad,) = torch.autograd.grad(function(s), s, create_graph=True)
    with pytest.raises(RuntimeError, match="has no second derivative"):
        grad.sum().backward()


@pytest.mark.parametrize("power", [1.0, 2.0])
@pytest.mark.parametrize("output", ["sorted_values", "ranks", "cross_entropy", "knn_loss"])
def test_eager_path_equals_the_custom_op(output, power):
    # Plain eager calls run the operators' implementations under an autograd.Function; the custom_op
    # must give the same bits, forward and backward, and the eager call must not have gone through it.
    s = scores((3, 9), dtype=torch.float32, seed=35)
    upstream = torch.from_numpy(distinct_scores((3, 9), seed=36)).float()
    settings = (0.3, power, True, "softsort", "automatic", 0.0)
    data = {"cross_entropy": (st.permutation(s.detach()),), "knn_loss": ((s.detach() > 0.5).float(), 3)}
    ops = torch.ops.softsortkit
    if output in data:
        eager = getattr(st, output)(s, *data[output], 0.3, power, descending=True, reduction="sum")
        through_op = getattr(ops, output)(s, *data[output], "sum", *settings)[0]
    else:
        eager = getattr(st, output)(s, 0.3, power, descending=True) * upstream
        through_op = getattr(ops, output)(s, *settings)[0] * upstream
    assert "Plain" in type(eager.grad_fn.next_functions[0][0] if output not in data else eager.grad_fn).__name__
    (eager_grad,) = torch.autograd.grad(eager.sum(), s)
    (op_grad,) = torch.autograd.grad(through_op.sum(), s)
    assert torch.equal(eager.detach(), through_op.detach())
    assert torch.equal(eager_grad, op_grad)


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
    with pytest.raises(ValueError, match="dim must be in -2 ..< 2"):
        st.ranks(s, dim=2)
    with pytest.raises(ValueError, match="path must be one of"):
        st.ranks(s, path="fast")


def test_a_dense_call_that_does_not_fit_names_the_python_argument():
    s = torch.zeros(1, 1_000_000, dtype=torch.float32)
    s[0] = torch.arange(1_000_000, dtype=torch.float32)
    with pytest.raises(softsortkit.SoftSortKitError, match="path='automatic'") as error:
        st.sorted_values(s, 0.1, 2.0, path="dense")
    assert error.value.kind == "out of memory"
    with pytest.raises(softsortkit.SoftSortKitError, match="`scores`") as error:
        st.soft_sort(s, 0.1)
    assert error.value.kind == "out of memory"
