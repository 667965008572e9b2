"""softsortkit.jax: every output against a plain JAX SoftSort and NeuralSort written from the
formulas, gradients by jax.test_util.check_grads in float64, jit / grad / value_and_grad / vmap
composition, the losses' reductions, and bad input as Python errors."""
import json
import subprocess
import sys

import numpy as np
import pytest

jax = pytest.importorskip("jax")  # python/ci.sh installs jax and jaxlib (CPU) from PyPI

import jax.numpy as jnp  # noqa: E402
from jax.test_util import check_grads  # noqa: E402

import softsortkit  # noqa: E402
import softsortkit.jax as ssj  # noqa: E402

jax.config.update("jax_enable_x64", True)

TAU = 0.6
K = 3
LEVELS = (0.0, 0.5, 1.0)
TOLERANCE = {np.float32: 1e-6, np.float64: 1e-12}


# ---- the plain JAX reference ---------------------------------------------------

def plain_matrices(s, tau, p, descending=False, method="softsort"):
    """P in plain JAX from the formulas (SoftSort: softmax_j(-|sort(s)_i - s_j|^p / tau); NeuralSort:
    softmax_j(((n + 1 - 2 i) s_j - sum_k |s_j - s_k|) / tau), i = 1 ... n, reversed when ascending)."""
    n = s.shape[-1]
    if method == "neuralsort":
        scaling = (n + 1 - 2 * jnp.arange(1, n + 1)).astype(s.dtype) * (1 if descending else -1)
        column_sums = jnp.abs(s[..., :, None] - s[..., None, :]).sum(-1)
        logits = (scaling[:, None] * s[..., None, :] - column_sums[..., None, :]) / tau
    else:
        x = jnp.sort(s, axis=-1)
        x = x[..., ::-1] if descending else x
        logits = -jnp.abs(x[..., :, None] - s[..., None, :]) ** p / tau
    return jax.nn.softmax(logits, axis=-1)


def plain(output, s, v, data, tau, p, descending=False, method="softsort"):
    """Every output of softsortkit.jax from ``plain_matrices`` (losses with reduction "none")."""
    P = plain_matrices(s, tau, p, descending, method)
    n = s.shape[-1]
    if output == "soft_sort":
        return P
    if output == "sorted_values":
        return (P @ s[..., None])[..., 0]
    if output == "ranks":
        return jnp.swapaxes(P, -1, -2) @ jnp.arange(1, n + 1, dtype=s.dtype)
    if output == "apply":
        return P @ v
    if output == "apply_transposed":
        return jnp.swapaxes(P, -1, -2) @ v
    if output == "topk":
        return (P @ v)[..., :K, :]
    if output == "quantile":
        return (P @ v)[..., [int(np.floor(q * (n - 1) + 0.5)) for q in LEVELS], :]
    if output == "cross_entropy":
        logits = jnp.log(P)
        return -jnp.take_along_axis(logits, data[..., None], axis=-1)[..., 0].sum(-1)
    if output == "knn_loss":
        return -(P @ data[..., None])[..., :K, 0].sum(-1) / K
    raise ValueError(output)


def call(output, s, v, data, tau, p, **settings):
    if output in ("apply", "apply_transposed"):
        return getattr(ssj, output)(v, s, tau, p, **settings)
    if output == "topk":
        return ssj.topk(v, s, K, tau, p, **settings)
    if output == "quantile":
        return ssj.quantile(v, s, LEVELS, tau, p, **settings)
    if output == "cross_entropy":
        return ssj.cross_entropy(s, data, tau, p, reduction="none", **settings)
    if output == "knn_loss":
        return ssj.knn_loss(s, data, K, tau, p, reduction="none", **settings)
    return getattr(ssj, output)(s, tau, p, **settings)


OUTPUTS = ["soft_sort", "sorted_values", "ranks", "apply", "apply_transposed", "topk", "quantile", "cross_entropy",
           "knn_loss"]
PRODUCTS = {"apply", "apply_transposed", "topk", "quantile"}


def distinct(shape, dtype=np.float64, seed=0, gap=0.05):
    """Scores with no two in a row closer than ``gap`` (away from ties, where P is not smooth)."""
    rng = np.random.default_rng(seed)
    rows = [rng.permutation(shape[-1]) * gap * 2 + rng.uniform(0, gap / 2, shape[-1])
            for _ in range(int(np.prod(shape[:-1], dtype=np.int64)))]
    return np.asarray(rows).reshape(shape).astype(dtype)


def inputs(output, shape=(2, 3, 9), dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed + 1)
    s = jnp.asarray(distinct(shape, dtype, seed))
    v = jnp.asarray(rng.normal(size=shape + (2,)).astype(dtype))
    if output == "cross_entropy":
        data = jnp.asarray(np.stack([rng.permutation(shape[-1]) for _ in range(int(np.prod(shape[:-1])))]
                                    ).reshape(shape))
    else:
        data = jnp.asarray((rng.uniform(size=shape) < 0.5).astype(dtype))
    return s, v, data


# ---- values --------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("power", [1.0, 2.0, 1.5])
@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("output", OUTPUTS)
def test_agrees_with_plain_jax_softsort(output, power, descending, dtype):
    s, v, data = inputs(output, dtype=dtype)
    expected = plain(output, s.astype(np.float64), v.astype(np.float64), data, TAU, power, descending)
    out = call(output, s, v, data, TAU, power, descending=descending)
    assert out.dtype == dtype and out.shape == expected.shape
    tolerance = TOLERANCE[dtype]
    np.testing.assert_allclose(np.asarray(out, np.float64), expected, rtol=tolerance, atol=tolerance)


@pytest.mark.parametrize("output", OUTPUTS)
def test_agrees_with_plain_jax_neuralsort(output):
    s, v, data = inputs(output)
    expected = plain(output, s, v, data, TAU, 1.0, method="neuralsort")
    out = call(output, s, v, data, TAU, 1.0, method="neuralsort")
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("path,power", [("dense", 1.5), ("fused", 1.5), ("exact", 1.0), ("gauss", 2.0)])
def test_every_exact_path_agrees(path, power):
    s, v, data = inputs("apply")
    out = ssj.apply(v, s, TAU, power, path=path)
    tolerance = 1e-10 if path == "gauss" else 1e-12
    np.testing.assert_allclose(out, plain("apply", s, v, data, TAU, power), rtol=tolerance, atol=tolerance)


def test_a_window_path_runs():
    s, _, _ = inputs("ranks", shape=(2, 40))
    out = ssj.ranks(s, 0.01, 1.0, path=softsortkit.window(ranks=3))
    np.testing.assert_allclose(out, plain("ranks", s, None, None, 0.01, 1.0), atol=1e-9)


# ---- gradients -----------------------------------------------------------------

@pytest.mark.parametrize("power", [1.0, 2.0, 1.5])
@pytest.mark.parametrize("output", OUTPUTS)
def test_check_grads_float64(output, power):
    s, v, data = inputs(output, shape=(2, 7))
    if output in PRODUCTS:
        check_grads(lambda s, v: call(output, s, v, data, TAU, power), (s, v), order=1, modes=["rev"])
    else:
        check_grads(lambda s: call(output, s, v, data, TAU, power), (s,), order=1, modes=["rev"])


@pytest.mark.parametrize("output", OUTPUTS)
def test_gradients_agree_with_plain_jax(output):
    s, v, data = inputs(output, shape=(3, 8))
    weights = jnp.asarray(np.random.default_rng(5).normal(size=plain(output, s, v, data, TAU, 2.0).shape))

    def ours(s, v):
        return (call(output, s, v, data, TAU, 2.0) * weights).sum()

    def reference(s, v):
        return (plain(output, s, v, data, TAU, 2.0) * weights).sum()

    for got, expected in zip(jax.grad(ours, argnums=(0, 1))(s, v), jax.grad(reference, argnums=(0, 1))(s, v)):
        np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-10)


def test_second_derivatives_raise():
    s, _, _ = inputs("ranks", shape=(4,))
    with pytest.raises(ValueError, match="cannot be differentiated"):
        jax.grad(lambda s: jax.grad(lambda s: ssj.ranks(s, TAU).sum() ** 2)(s).sum())(s)


# ---- jit, grad, vmap -----------------------------------------------------------

def test_jit_value_and_grad_match_eager():
    s, _, targets = inputs("cross_entropy", shape=(4, 10))

    def loss(s):
        return ssj.cross_entropy(s, targets, TAU, 2.0, reduction="sum")

    value, grad = jax.jit(jax.value_and_grad(loss))(s)
    np.testing.assert_allclose(value, loss(s), rtol=1e-14)
    np.testing.assert_allclose(grad, jax.grad(loss)(s), rtol=1e-14)
    np.testing.assert_allclose(value, plain("cross_entropy", s, None, targets, TAU, 2.0).sum(), rtol=1e-12)


@pytest.mark.parametrize("output", OUTPUTS)
def test_vmap_is_one_batched_call(output):
    """vmap over a leading axis equals the outputs one by one, and its jaxpr holds one ffi_call."""
    s, v, data = inputs(output, shape=(5, 2, 8))

    def f(s, v, data):
        out = call(output, s, v, data, TAU, 1.0)
        return out.sum() if output in ("cross_entropy", "knn_loss") else out

    batched = jax.vmap(f)(s, v, data)
    for b in range(s.shape[0]):
        np.testing.assert_allclose(batched[b], f(s[b], v[b], data[b]), rtol=1e-13, atol=1e-13)
    assert str(jax.make_jaxpr(jax.vmap(f))(s, v, data)).count("ffi_call") == 1


@pytest.mark.parametrize("reduction", ["sum", "mean", "none"])
def test_jit_vmap_grad_compose(reduction):
    s, _, targets = inputs("cross_entropy", shape=(3, 4, 6))

    def loss(s, t):
        return ssj.cross_entropy(s, t, TAU, 1.0, reduction=reduction).sum()

    step = jax.jit(jax.vmap(jax.value_and_grad(loss), in_axes=(0, None)))
    values, grads = step(s, targets[0])
    for b in range(s.shape[0]):
        value, grad = jax.value_and_grad(loss)(s[b], targets[0])
        np.testing.assert_allclose(values[b], value, rtol=1e-13)
        np.testing.assert_allclose(grads[b], grad, rtol=1e-12, atol=1e-13)


def test_vmap_of_a_product_with_shared_values():
    s, v, _ = inputs("apply", shape=(4, 7))
    out = jax.vmap(lambda s: ssj.apply(v[0], s, TAU, 2.0))(s)
    for b in range(4):
        np.testing.assert_allclose(out[b], ssj.apply(v[0], s[b], TAU, 2.0), rtol=1e-13, atol=1e-13)


def test_axis_moves_the_sorted_axis():
    s, v, _ = inputs("apply", shape=(6, 3))
    np.testing.assert_allclose(ssj.ranks(s, TAU, axis=0), ssj.ranks(s.T, TAU).T, rtol=1e-14)
    values = jnp.swapaxes(v, 0, 1)  # (3, 6, 2): the scores' sorted axis 0 is the values' axis 1
    np.testing.assert_allclose(ssj.apply(v, s, TAU, axis=0),
                               jnp.swapaxes(ssj.apply(values, s.T, TAU), 0, 1), rtol=1e-14)
    np.testing.assert_allclose(ssj.sorted_values(s[:, 0], TAU, axis=0), ssj.sorted_values(s[:, 0], TAU), rtol=0)


def test_values_of_the_scores_shape_give_that_shape():
    s, v, _ = inputs("apply", shape=(2, 5))
    np.testing.assert_allclose(ssj.apply(v[..., 0], s, TAU), ssj.apply(v[..., :1], s, TAU)[..., 0], rtol=0)
    assert ssj.topk(v[..., 0], s, 2, TAU).shape == (2, 2)


def test_empty_batches_and_rows():
    assert ssj.ranks(jnp.zeros((0, 5)), TAU).shape == (0, 5)
    assert ssj.ranks(jnp.zeros((3, 0)), TAU).shape == (3, 0)
    assert jax.grad(lambda s: ssj.sorted_values(s, TAU).sum())(jnp.zeros((0, 4))).shape == (0, 4)
    assert ssj.cross_entropy(jnp.zeros((0, 5)), jnp.zeros((0, 5), jnp.int32), TAU) == 0
    assert ssj.cross_entropy(jnp.zeros((0, 5)), jnp.zeros((0, 5), jnp.int32), TAU, reduction="none").shape == (0,)


# ---- the losses' reductions ----------------------------------------------------

@pytest.mark.parametrize("loss", ["cross_entropy", "knn_loss"])
def test_reductions(loss):
    s, _, data = inputs(loss, shape=(2, 3, 7))
    extra = (K,) if loss == "knn_loss" else ()

    def f(s, reduction):
        return getattr(ssj, loss)(s, data, *extra, TAU, 2.0, reduction=reduction)

    per_list = f(s, "none")
    assert per_list.shape == (2, 3)
    np.testing.assert_allclose(f(s, "sum"), per_list.sum(), rtol=1e-13)
    np.testing.assert_allclose(f(s, "mean"), per_list.mean(), rtol=1e-13)
    np.testing.assert_allclose(jax.grad(lambda s: f(s, "mean"))(s), jax.grad(lambda s: f(s, "none").mean())(s),
                               rtol=1e-12, atol=1e-14)


def test_int32_and_int64_targets_agree():
    s, _, targets = inputs("cross_entropy", shape=(3, 6))
    np.testing.assert_allclose(ssj.cross_entropy(s, targets.astype(jnp.int32), TAU),
                               ssj.cross_entropy(s, targets.astype(jnp.int64), TAU), rtol=0)


# ---- bad input -------------------------------------------------------------------

def test_bad_input_raises_at_trace_time():
    s, v, targets = inputs("cross_entropy", shape=(2, 5))
    with pytest.raises(TypeError, match="float32 or float64"):
        ssj.ranks(jnp.arange(5), TAU)
    with pytest.raises(ValueError, match="at least one dimension"):
        ssj.ranks(jnp.float64(1.0), TAU)
    with pytest.raises(ValueError, match="temperature"):
        jax.jit(lambda s: ssj.ranks(s, 0.0))(s)
    with pytest.raises(ValueError, match="power"):
        ssj.ranks(s, TAU, float("nan"))
    with pytest.raises(ValueError, match="path"):
        ssj.ranks(s, TAU, path="fast")
    with pytest.raises(ValueError, match="k must be"):
        ssj.topk(v, s, 6, TAU)
    with pytest.raises(ValueError, match="levels"):
        ssj.quantile(v, s, [0.5, 1.5], TAU)
    with pytest.raises(TypeError, match="dtype"):
        ssj.apply(v.astype(jnp.float32), s, TAU)
    with pytest.raises(ValueError, match="shape"):
        ssj.apply(v[:, :4], s, TAU)
    with pytest.raises(TypeError, match="integers"):
        ssj.cross_entropy(s, targets.astype(s.dtype), TAU)
    with pytest.raises(ValueError, match="reduction"):
        ssj.cross_entropy(s, targets, TAU, reduction="average")
    with pytest.raises(ValueError, match="axis"):
        ssj.ranks(s, TAU, axis=2)


def test_what_only_the_library_checks_raises_at_call_time():
    s, _, targets = inputs("cross_entropy", shape=(2, 5))
    with pytest.raises(jax.errors.JaxRuntimeError, match="exact"):
        ssj.ranks(s, TAU, 2.0, path="exact")  # exact needs p = 1; the message names a path that can
    with pytest.raises(jax.errors.JaxRuntimeError, match="finite"):
        jax.jit(lambda s: ssj.sorted_values(s, TAU))(s.at[0, 1].set(jnp.nan)).block_until_ready()
    with pytest.raises(jax.errors.JaxRuntimeError, match="target|index|range"):
        ssj.cross_entropy(s, targets.at[1, 2].set(5), TAU).block_until_ready()
    # the library still runs after an error
    np.testing.assert_allclose(ssj.ranks(s, TAU), plain("ranks", s, None, None, TAU, 1.0), rtol=1e-12)


def test_float32_without_x64():
    """Without jax_enable_x64 (JAX's default): float32, int32 targets, the integer attributes."""
    code = """if True:
        import json, sys
        import jax, jax.numpy as jnp, numpy as np
        import softsortkit.jax as ssj
        assert not jax.config.jax_enable_x64
        s, v, t, y = (np.asarray(a) for a in json.loads(sys.argv[1]))
        s, v, y = s.astype(np.float32), v.astype(np.float32), y.astype(np.float32)
        outs = [ssj.topk(v, s, 3, 0.6), ssj.quantile(v, s, (0.0, 0.5, 1.0), 0.6),
                ssj.cross_entropy(s, t, 0.6, reduction="none"), ssj.knn_loss(s, y, 3, 0.6, reduction="none")]
        assert all(out.dtype == jnp.float32 for out in outs)
        print(json.dumps([np.asarray(out, np.float64).tolist() for out in outs]))
    """
    s, v, targets = inputs("cross_entropy", shape=(2, 6))
    matches = inputs("knn_loss", shape=(2, 6))[2]
    s, v = s.astype(np.float32).astype(np.float64), v.astype(np.float32).astype(np.float64)
    argument = json.dumps([np.asarray(a).tolist() for a in (s, v, targets, matches)])
    result = subprocess.run([sys.executable, "-c", code, argument], capture_output=True, text=True, cwd="/")
    assert result.returncode == 0, result.stderr
    outs = json.loads(result.stdout)
    for out, output, data in zip(outs, ["topk", "quantile", "cross_entropy", "knn_loss"],
                                 [None, None, targets, matches]):
        np.testing.assert_allclose(out, plain(output, s, v, data, TAU, 1.0), rtol=1e-6, atol=1e-6)


def test_the_package_imports_without_jax():
    code = ("import sys; sys.modules['jax'] = None; import softsortkit, softsortkit.numpy; "
            "print(softsortkit.numpy.sorted_values([[1.0, 2.0]], 1.0).shape)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd="/")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "(1, 2)"


# ---- the handlers' frame checks, with a call frame made by hand ----------------

class _Frame:
    """A call frame of XLA's C API (c_api.h's layout on 64-bit) built with ctypes, and an API
    whose XLA_FFI_Error_Create records the message: what the handlers do with a frame XLA
    would not send (too small, a metadata query, the wrong stage), without XLA."""

    def __init__(self, struct_size=168, stage=3, metadata=None):
        import ctypes
        self.messages = []
        create_type = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p)

        def create(arguments):
            message = ctypes.cast(ctypes.c_void_p.from_address(arguments + 16).value, ctypes.c_char_p).value
            self.messages.append(message.decode())
            return 0xE0  # an opaque error pointer

        self.create = create_type(create)
        self.api = (ctypes.c_uint64 * 8)()
        self.api[0] = 56  # struct_size up to XLA_FFI_Error_Create
        self.api[6] = ctypes.cast(self.create, ctypes.c_void_p).value
        self.frame = (ctypes.c_uint64 * 22)()
        self.frame[0] = struct_size
        self.frame[2] = ctypes.addressof(self.api)
        self.frame[4] = stage
        for list_offset in (5, 10, 15):  # args, rets, attrs: struct_size only, no entries
            self.frame[list_offset] = 48
        if metadata is not None:
            self.extension = (ctypes.c_uint64 * 4)(32, 1, 0, ctypes.addressof(metadata))
            self.frame[1] = ctypes.addressof(self.extension)

    def call(self, handler="ranks"):
        import ctypes
        function = getattr(softsortkit._library.lib, "xla_" + handler)
        return function(ctypes.addressof(self.frame))


def test_a_frame_too_small_is_an_error_not_a_read():
    frame = _Frame(struct_size=100)
    assert frame.call() == 0xE0
    assert "XLA_FFI_CallFrame is smaller" in frame.messages[0]


def test_a_frame_at_another_stage_is_an_error():
    frame = _Frame(stage=0)
    assert frame.call() == 0xE0 and "execute stage" in frame.messages[0]


def test_a_frame_without_arguments_is_an_error():
    frame = _Frame()
    assert frame.call("cross_entropy") == 0xE0 and "scores" in frame.messages[0]


def test_the_metadata_query_gets_the_api_version():
    import ctypes
    metadata = (ctypes.c_uint64 * 6)(48, 0, 0, 0, 0, 0)  # XLA_FFI_Metadata, zeroed past struct_size
    frame = _Frame(metadata=metadata)
    assert frame.call("apply") is None and frame.messages == []
    version = ctypes.cast(ctypes.addressof(metadata) + 8, ctypes.POINTER(ctypes.c_int32 * 6)).contents
    assert metadata[1] == 24 and (version[4], version[5]) == (0, 1)  # struct_size, major 0, minor 1
