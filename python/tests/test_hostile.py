"""Hostile calls from Python, NumPy and PyTorch, float32 and float64: extreme integers (k, the
levels' count, dim, thread counts, huge shapes with an empty batch), NaN and inf scores, huge
finite scores, wrong dtypes and shapes, and one library used from two Python threads at once.
Each call must raise a typed exception (ValueError and its SoftSortKitError, TypeError,
IndexError, OverflowError, MemoryError) or return finite results; it must never take the process
down. The cases run in a child process, a group per test, so a crash fails the test (naming the
case that was running) instead of killing pytest."""
import subprocess
import sys
import textwrap

import pytest

from conftest import REPOSITORY

#: The exceptions a bad argument may raise.
TYPED = ("SoftSortKitError", "UnsupportedPathError", "ValueError", "TypeError", "IndexError", "AxisError",
         "OverflowError", "MemoryError")

#: Runs every case of CASES (name -> expression) and prints one line per case:
#: "start", then "ok" (finite results), "nonfinite" or "raised", a tab and the case's name
#: ("raised" then a tab and "<ExceptionType>: <message>").
_RUNNER = """
import math, sys, threading
import numpy as np
import softsortkit
import softsortkit.numpy as sn
torch = None
if WITH_TORCH:
    import torch
    import softsortkit.torch as st

def G(f, x, g=None):
    # dL/dx of f at x (a fresh leaf), with the upstream gradient g (ones by default).
    x = x.detach().requires_grad_()
    y = f(x)
    return torch.autograd.grad(y, x, torch.ones_like(y) if g is None else g)

def finite(result):
    if isinstance(result, (tuple, list)):
        return all(finite(r) for r in result if not isinstance(r, str))
    if torch is not None and isinstance(result, torch.Tensor):
        return bool(torch.isfinite(result.detach().double()).all()) if result.is_floating_point() else True
    array = np.asarray(result)
    return bool(np.isfinite(array).all()) if array.dtype.kind == "f" else True

for name, code in CASES:
    print("start\t" + name, flush=True)
    try:
        result = eval(code)
        print(("ok" if finite(result) else "nonfinite") + "\t" + name, flush=True)
    except Exception as error:
        message = str(error).splitlines()[0][:160] if str(error) else ""
        print("raised\t" + name + "\t" + type(error).__name__ + ": " + message, flush=True)
"""


def _run(cases, with_torch=False, timeout=300):
    """Runs ``cases`` in a child process; returns ``{name: (status, detail)}``. A crash fails here."""
    setup = f"CASES = {list(cases.items())!r}\nWITH_TORCH = {with_torch!r}\n"
    result = subprocess.run([sys.executable, "-c", setup + textwrap.dedent(_RUNNER)], capture_output=True,
                            text=True, timeout=timeout, cwd=REPOSITORY)
    lines = [line.split("\t", 2) for line in result.stdout.splitlines() if line]
    started = [line[1] for line in lines if line[0] == "start"]
    assert result.returncode == 0, (f"the process died (code {result.returncode}) in case {started[-1] if started else None!r}:"
                                    f"\n{result.stderr[-3000:]}")
    return {line[1]: (line[0], line[2] if len(line) > 2 else "") for line in lines if line[0] != "start"}


def _check(outcomes, cases, finite_only=()):
    """Every case raised a typed exception or returned finite results (``finite_only``: must return)."""
    assert set(outcomes) == set(cases)
    bad = {}
    for name, (status, detail) in outcomes.items():
        if status == "ok":
            continue
        if status == "raised" and detail.split(":")[0] in TYPED and name not in finite_only:
            continue
        bad[name] = (status, detail)
    assert not bad, bad


def _numpy_cases(dtype):
    s = f"np.array([[0.3, -1.0, 2.0, 0.5]], np.{dtype})"
    v = f"np.ones((1, 4, 2), np.{dtype})"
    top = f"np.finfo(np.{dtype}).max"
    cases = {
        # Extreme integers.
        "topk k huge": f"sn.topk({v}, {s}, 2**62)",
        "topk k too big for int64": f"sn.topk({v}, {s}, 2**70)",
        "topk k negative": f"sn.topk({v}, {s}, -1)",
        "topk k Int.min": f"sn.topk({v}, {s}, -2**63)",
        "knn k huge": f"sn.knn_loss({s}, np.ones((1, 4), np.{dtype}), 2**63 - 1)",
        "knn k negative": f"sn.knn_loss({s}, np.ones((1, 4), np.{dtype}), -5)",
        "knn k too big for int64": f"sn.knn_loss({s}, np.ones((1, 4), np.{dtype}), 2**64)",
        "dim huge": f"sn.sorted_values({s}, dim=2**62)",
        "dim negative huge": f"sn.sorted_values({s}, dim=-2**62)",
        "quantile levels NaN": f"sn.quantile({v}, {s}, [float('nan')])",
        "quantile levels inf": f"sn.quantile({v}, {s}, [float('inf')])",
        "quantile many levels": f"sn.quantile({v}, {s}, np.linspace(0, 1, 100000))",
        "quantile no levels": f"sn.quantile({v}, {s}, [])",
        "set_threads huge": "softsortkit.set_threads(2**63)",
        "set_threads too big for int64": "softsortkit.set_threads(2**70)",
        "set_threads negative": "softsortkit.set_threads(-2**63)",
        # Huge shapes with an empty batch: no allocation of the absurd size.
        "empty batch n = 2^32": f"sn.sorted_values(np.empty((0, 2**32), np.{dtype}))",
        "empty batch n = 2^32 - 1": f"sn.sorted_values(np.empty((0, 2**32 - 1), np.{dtype}))",
        "empty batch n = 2^40 loss": f"sn.cross_entropy(np.empty((0, 2**40), np.{dtype}), np.empty((0, 2**40), np.int64))",
        "empty batch matrices": f"sn.soft_sort(np.empty((0, 2**31), np.{dtype}))",
        "empty batch apply d huge": f"sn.apply(np.empty((0, 5, 2**40), np.{dtype}), np.empty((0, 5), np.{dtype}))",
        "empty rows": f"sn.sorted_values(np.empty((3, 0), np.{dtype}))",
        "scalar scores": f"sn.sorted_values(np.{dtype}(1.0))",
        # Non-finite scores, and huge finite ones (finite results).
        "NaN scores": f"sn.sorted_values(np.array([[0.0, float('nan')]], np.{dtype}))",
        "inf scores": f"sn.ranks(np.array([[0.0, float('inf')]], np.{dtype}))",
        "-inf scores loss": f"sn.cross_entropy(np.array([[0.0, -float('inf')]], np.{dtype}), np.array([[0, 1]]))",
        "NaN values": f"sn.apply(np.array([[[float('nan')], [1.0]]], np.{dtype}), np.array([[0.0, 1.0]], np.{dtype}))",
        "NaN temperature": f"sn.sorted_values({s}, float('nan'))",
        "zero temperature": f"sn.sorted_values({s}, 0.0)",
        "huge temperature": f"sn.sorted_values({s}, 1e308)",
        "NaN power": f"sn.sorted_values({s}, 1.0, float('nan'))",
        "huge scores exact": f"sn.sorted_values(np.array([[{top}, -{top}, 0.0, 1.0]]), path='exact')",
        "huge scores ranks": f"sn.ranks(np.array([[{top}, -{top}, 0.0, 1.0]], np.{dtype}))",
        "huge scores apply backward": (f"sn.apply_backward({v}, np.array([[{top}, -{top}, 0.0, 1.0]], np.{dtype}), "
                                       f"np.ones((1, 4, 2), np.{dtype}))"),
        # Targets: each row picks its own column (ascending: -max, 0, 1, max), a finite loss.
        "huge scores loss": f"sn.cross_entropy(np.array([[{top}, -{top}, 0.0, 1.0]], np.{dtype}), np.array([[1, 2, 3, 0]]))",
        # Wrong dtypes and shapes.
        "float16 scores": "sn.sorted_values(np.ones((2, 3), np.float16))",
        "int scores": "sn.sorted_values(np.ones((2, 3), np.int64))",
        "complex scores": "sn.sorted_values(np.ones((2, 3), np.complex128))",
        "object scores": "sn.sorted_values(np.array([[object(), object()]]))",
        "mixed dtypes": f"sn.apply(np.ones((1, 4), np.float32 if '{dtype}' == 'float64' else np.float64), {s})",
        "values wrong shape": f"sn.apply(np.ones((1, 3, 2), np.{dtype}), {s})",
        "targets wrong shape": f"sn.cross_entropy({s}, np.array([[0, 1]]))",
        "targets out of range": f"sn.cross_entropy({s}, np.array([[0, 1, 2, 2**62]]))",
        "targets float": f"sn.cross_entropy({s}, np.array([[0.0, 1, 2, 3]]))",
        "gradient wrong shape": f"sn.sorted_values_backward({s}, np.ones((1, 3), np.{dtype}))",
        "non-contiguous scores": f"sn.sorted_values(np.ones((4, 6), np.{dtype})[:, ::2])",
        "unknown path": f"sn.sorted_values({s}, path='fastest')",
        "window ranks huge": f"sn.sorted_values({s}, path=softsortkit.window(ranks=2**62))",
        "window ranks negative": f"sn.sorted_values({s}, path=softsortkit.window(ranks=-2**62))",
        "accuracy NaN": f"sn.sorted_values({s}, power=2, path='gauss', accuracy=float('nan'))",
        "reduction unknown": f"sn.cross_entropy({s}, np.array([[0, 1, 2, 3]]), reduction='max')",
    }
    return cases


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_numpy_hostile_calls_raise_typed_errors_or_give_finite_results(dtype):
    cases = _numpy_cases(dtype)
    outcomes = _run(cases)
    _check(outcomes, cases, finite_only=("huge scores ranks", "huge scores apply backward", "huge scores loss"))
    # Calls that must raise (ctypes would wrap k = 2^64 to 0 silently).
    for name in ("topk k huge", "topk k negative", "topk k too big for int64", "knn k negative",
                 "knn k too big for int64", "NaN scores", "inf scores", "float16 scores"):
        assert outcomes[name][0] == "raised", (name, outcomes[name])


def _torch_cases(dtype):
    s = f"torch.tensor([[0.3, -1.0, 2.0, 0.5]], dtype=torch.{dtype}, requires_grad=True)"
    v = f"torch.ones((1, 4, 2), dtype=torch.{dtype}, requires_grad=True)"
    top = f"torch.finfo(torch.{dtype}).max"
    huge = f"torch.tensor([[{top}, -{top}, 0.0, 1.0]], dtype=torch.{dtype}, requires_grad=True)"
    return {
        "topk k huge": f"st.topk({v}, {s}, 2**62)",
        "topk k too big for int64": f"st.topk({v}, {s}, 2**70)",
        "topk k negative": f"st.topk({v}, {s}, -1)",
        "knn k huge": f"st.knn_loss({s}, torch.ones((1, 4), dtype=torch.{dtype}), 2**63 - 1)",
        "knn k too big for int64": f"st.knn_loss({s}, torch.ones((1, 4), dtype=torch.{dtype}), 2**64)",
        "dim huge": f"st.sorted_values({s}, dim=2**62)",
        "quantile levels NaN": f"st.quantile({v}, {s}, [float('nan')])",
        "quantile many levels": f"st.quantile({v}, {s}, torch.linspace(0, 1, 100000, dtype=torch.float64))",
        "empty batch n = 2^32": f"st.sorted_values(torch.empty((0, 2**32), dtype=torch.{dtype}))",
        "empty batch n = 2^40 loss": (f"st.cross_entropy(torch.empty((0, 2**40), dtype=torch.{dtype}), "
                                      "torch.empty((0, 2**40), dtype=torch.int64))"),
        "empty batch matrices": f"st.soft_sort(torch.empty((0, 2**31), dtype=torch.{dtype}))",
        "NaN scores": f"st.sorted_values(torch.tensor([[0.0, float('nan')]], dtype=torch.{dtype}))",
        "inf scores": f"st.ranks(torch.tensor([[0.0, float('inf')]], dtype=torch.{dtype}))",
        "NaN temperature": f"st.sorted_values({s}, float('nan'))",
        "huge scores sorted values": f"st.sorted_values({huge}, path='exact')",
        "huge scores apply backward": f"G(lambda x: st.apply({v}, x).sum(), {huge})",
        "huge scores loss backward": f"G(lambda x: st.cross_entropy(x, torch.tensor([[1, 2, 3, 0]])), {huge})",
        "NaN upstream gradient": (f"G(lambda x: st.sorted_values(x), {s}, "
                                  f"torch.tensor([[float('nan'), 0.0, 0.0, 0.0]], dtype=torch.{dtype}))"),
        "float16 scores": "st.sorted_values(torch.ones((2, 3), dtype=torch.float16))",
        "int scores": "st.sorted_values(torch.ones((2, 3), dtype=torch.int64))",
        "bfloat16 scores": "st.sorted_values(torch.ones((2, 3), dtype=torch.bfloat16))",
        "mixed dtypes": f"st.apply(torch.ones((1, 4), dtype=torch.float16), {s})",
        "values wrong shape": f"st.apply(torch.ones((1, 3, 2), dtype=torch.{dtype}), {s})",
        "targets out of range": f"st.cross_entropy({s}, torch.tensor([[0, 1, 2, 2**62]]))",
        "targets float": f"st.cross_entropy({s}, torch.tensor([[0.0, 1, 2, 3]]))",
        "non-contiguous scores": f"st.sorted_values(torch.ones((4, 6), dtype=torch.{dtype})[:, ::2])",
        "window ranks huge": f"st.sorted_values({s}, path=softsortkit.window(ranks=2**62))",
        "perturb samples huge": f"st.perturb({s}, 2**62)",
        "perturb samples negative": f"st.perturb({s}, -1)",
    }


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_torch_hostile_calls_raise_typed_errors_or_give_finite_results(dtype):
    pytest.importorskip("torch")
    cases = _torch_cases(dtype)
    outcomes = _run(cases, with_torch=True)
    _check(outcomes, cases, finite_only=("huge scores sorted values", "huge scores apply backward",
                                         "huge scores loss backward"))
    for name in ("topk k too big for int64", "knn k too big for int64", "perturb samples huge", "NaN scores"):
        assert outcomes[name][0] == "raised", (name, outcomes[name])


def test_two_python_threads_share_the_library():
    """The library's kept workspaces and scratch under two Python threads at once, every output
    (ctypes releases the GIL during each call): the same results as one thread, no crash."""
    code = textwrap.dedent("""
        import threading
        import numpy as np
        import softsortkit.numpy as sn
        rng = np.random.default_rng(0)
        s = rng.standard_normal((64, 300))
        v = rng.standard_normal((64, 300, 3))
        t = np.argsort(-s, axis=-1)
        calls = [lambda: sn.soft_sort(s[:8, :60], path="dense"), lambda: sn.apply(v, s, path="fused"),
                 lambda: sn.apply(v, s, path="exact"), lambda: sn.sorted_values(s, power=2, path="gauss"),
                 lambda: sn.cross_entropy(s, t, path="fused")[0], lambda: sn.ranks(s, path="exact")]
        reference = [call() for call in calls]
        failures = []
        def work(seed):
            order = np.random.default_rng(seed).permutation(len(calls) * 20) % len(calls)
            for i in order:
                if not np.array_equal(calls[i](), reference[i]):
                    failures.append(i)
        threads = [threading.Thread(target=work, args=(k,)) for k in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        print("failures", failures)
        """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600, cwd=REPOSITORY)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "failures []" in result.stdout, result.stdout
