#!/usr/bin/env python3
"""Timings of the Python front ends (softsortkit.numpy, softsortkit.torch); results in
perf/results/2026-12-07-python-torch.md. Run it on an idle machine.

    python perf/python_torch_bench.py scaling     # B = 1, n = 1e5 and 1e6: ranks, sorted_values, apply,
                                                  # cross_entropy at p = 1 and 2, forward + backward, path,
                                                  # peak RSS growth (each case in a fresh process)
    python perf/python_torch_bench.py overhead    # B = 1, n = 16: the NumPy call, and torch forward +
                                                  # backward against a no-op custom_op of the same signature
    python perf/python_torch_bench.py torchsort   # B = 1, n = 1e3 ... 1e6: sorted values and ranks forward +
                                                  # backward, p = 1 and 2 against torchsort's soft_sort and
                                                  # soft_rank (pip install torchsort), and a no-op custom_op
                                                  # pair of sorted_values' signature at n = 1e3; one process

The paper's step (B = 20, n = 4000, p = 2) is perf/peer_pytorch.py --binding against
`simd-bench train`; see the results file for the commands.
"""
import argparse
import importlib.metadata
import json
import os
import resource
import statistics
import subprocess
import sys
import time

OUTPUTS = ["ranks", "sorted_values", "apply", "cross_entropy"]


def one_case(output, n, power, repeats):
    """Forward + backward of one output at B = 1 (float32, tau = 0.1), in this (fresh) process."""
    import torch

    import softsortkit.torch as sst
    generator = torch.Generator().manual_seed(0)
    s = torch.randperm(n, generator=generator).float().div_(n).unsqueeze(0).requires_grad_()
    values = torch.rand(1, n, generator=generator)
    targets = torch.arange(n).unsqueeze(0)
    calls = {
        "ranks": lambda: sst.ranks(s, 0.1, power, return_path=True),
        "sorted_values": lambda: sst.sorted_values(s, 0.1, power, return_path=True),
        "apply": lambda: sst.apply(values, s, 0.1, power, return_path=True),
        "cross_entropy": lambda: sst.cross_entropy(s, targets, 0.1, power, return_path=True),
    }
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    samples, path = [], None
    for _ in range(repeats + 1):
        start = time.perf_counter()
        out, path = calls[output]()
        out.sum().backward()
        samples.append(time.perf_counter() - start)
        s.grad = None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"output": output, "n": n, "power": power, "path": path, "ms": 1e3 * statistics.median(samples[1:]),
            "repeats": repeats, "peak_rss_growth_mb": (peak - before) / 1024}


def scaling(args):
    import softsortkit
    print(f"scaling: B = 1, float32, tau = 0.1, forward + backward through softsortkit.torch, path 'automatic', "
          f"library threads {softsortkit.threads()}, backend {softsortkit.backend()}; median of {args.repeats}")
    print(f"{'output':<14} {'p':>3} {'n':>9} {'path':>7} {'ms':>9} {'peak RSS +MB':>13}")
    rows = []
    for output in OUTPUTS:
        for power in (1.0, 2.0):
            for n in (100_000, 1_000_000):
                result = subprocess.run([sys.executable, __file__, "one", output, str(n), str(power),
                                         str(args.repeats)], capture_output=True, text=True, check=True)
                row = json.loads(result.stdout)
                rows.append(row)
                print(f"{output:<14} {power:>3.0f} {n:>9} {row['path']:>7} {row['ms']:>9.2f} "
                      f"{row['peak_rss_growth_mb']:>13.1f}")
                sys.stdout.flush()
    for output in OUTPUTS:
        for power in (1.0, 2.0):
            small, large = [r["ms"] for r in rows if r["output"] == output and r["power"] == power]
            print(f"{output:<14} p = {power:.0f}: time(1e6) / time(1e5) = {large / small:.1f} "
                  f"(n log n: 12.0, n^2: 100)")


def numpy_stages(s, targets, repeats):
    """Where softsortkit.numpy.cross_entropy's time goes: the call's steps (as numpy.py runs them) timed
    cumulatively, each prefix in its own loop; a stage's cost is the difference of two prefixes."""
    import numpy as np

    import softsortkit.numpy as ssn
    from softsortkit import _arrays

    def prefix(stages):
        def call():
            settings = ssn._settings(0.1, 2.0, "softsort", False, "automatic", None)
            reduction = ssn._reduction("mean")
            if stages == 1:
                return
            moved, axis = ssn._last(s, -1)
            scores, batch, n, t = _arrays.scores(moved)
            columns = _arrays.indices(targets, scores.shape)
            if stages == 2:
                return
            grad, loss = np.empty_like(scores), np.empty(1, scores.dtype)
            if stages == 3:
                return
            ssn._run("cross_entropy", t, settings, scores, batch, n, ssn._p(columns), ssn._p(loss), ssn._p(grad))
            return reduction, axis
        return call

    names = ["argument checks (settings, reduction)", "+ array conversion (moved, contiguous, dtype, targets)",
             "+ output allocation (loss, grad)", "+ the ctypes call (pointers, byref, call, status, path name)",
             "the whole call (+ mean scaling, result)"]
    functions = [prefix(1), prefix(2), prefix(3), prefix(4), lambda: ssn.cross_entropy(s, targets, 0.1, 2.0)]
    medians = []
    for function in functions:
        for _ in range(200):
            function()
        rounds = []
        for _ in range(5):
            start = time.perf_counter()
            for _ in range(repeats):
                function()
            rounds.append((time.perf_counter() - start) / repeats * 1e6)
        medians.append(statistics.median(rounds))
    print("  softsortkit.numpy.cross_entropy by stage (cumulative, us; the stage's own cost in brackets):")
    previous = 0.0
    for name, median in zip(names, medians):
        print(f"    {name:<62} {median:6.2f}  [{median - previous:+5.2f}]")
        previous = median


def overhead(args):
    import numpy as np
    import torch

    import softsortkit
    import softsortkit.numpy as ssn
    import softsortkit.torch as sst

    settings = "float temperature, float power, bool descending, str method, str path, float accuracy"

    @torch.library.custom_op("softsortkit_bench::noop_loss", mutates_args=(), device_types="cpu",
                             schema=f"(Tensor scores, Tensor targets, str reduction, {settings}) "
                                    "-> (Tensor, Tensor, Tensor)")
    def noop_loss(scores, targets, reduction, temperature, power, descending, method, path, accuracy):
        return scores.new_zeros(()), scores.new_zeros(scores.shape), torch.zeros((), dtype=torch.int64)

    @noop_loss.register_fake
    def _(scores, *args):
        return scores.new_empty(()), scores.new_empty(scores.shape), scores.new_empty((), dtype=torch.int64)

    def setup(ctx, inputs, output):
        ctx.save_for_backward(output[1])

    def backward(ctx, grad, _g, _p):
        (gradient,) = ctx.saved_tensors
        return (grad * gradient,) + (None,) * 9

    noop_loss.register_autograd(backward, setup_context=setup)

    n = 16
    s = np.random.default_rng(0).random((1, n)).astype(np.float32)
    targets = np.arange(n, dtype=np.int64)[None]
    w = torch.from_numpy(s.copy()).requires_grad_()
    t = torch.from_numpy(targets)

    def torch_step():
        w.grad = None
        sst.cross_entropy(w, t, 0.1, 2.0).backward()

    def op_step():
        w.grad = None
        torch.ops.softsortkit.cross_entropy(w, t, "mean", 0.1, 2.0, False, "softsort", "automatic", 0.0)[0].backward()

    def noop_step():
        w.grad = None
        noop_loss(w, t, "mean", 0.1, 2.0, False, "softsort", "automatic", 0.0)[0].backward()

    import ctypes
    lib = softsortkit._library.lib
    options = softsortkit._library.Options()
    lib.options_init(ctypes.byref(options))
    options.temperature, options.power = 0.1, 2.0
    loss, grad, used = np.empty(1, np.float32), np.empty_like(s), ctypes.c_int32()
    pointers = [p.ctypes.data for p in (s, targets, loss, grad)]

    def raw():
        lib.cross_entropy_f32(ctypes.byref(options), pointers[0], 1, n, pointers[1], pointers[2], pointers[3],
                              ctypes.byref(used))

    cases = [("ctypes no-op (softsortkit_abi_version)", softsortkit._library.lib.abi_version),
             ("raw ABI cross_entropy_f32, preallocated buffers", raw),
             ("softsortkit.numpy.cross_entropy (loss + gradient)", lambda: ssn.cross_entropy(s, targets, 0.1, 2.0)),
             ("softsortkit.numpy.sorted_values", lambda: ssn.sorted_values(s, 0.1, 2.0)),
             ("no-op custom_op, same signature, forward + backward", noop_step),
             ("torch.ops.softsortkit.cross_entropy forward + backward", op_step),
             ("softsortkit.torch.cross_entropy forward + backward", torch_step)]
    print(f"call overhead: n = {n}, B = 1, float32, p = 2, library threads {softsortkit.threads()}, "
          f"backend {softsortkit.backend()}, torch {torch.__version__}, median of 5 rounds of {args.repeats} calls")
    medians = {}
    for name, function in cases:
        for _ in range(200):
            function()
        rounds = []
        for _ in range(5):
            start = time.perf_counter()
            for _ in range(args.repeats):
                function()
            rounds.append((time.perf_counter() - start) / args.repeats * 1e6)
        medians[name] = statistics.median(rounds)
        print(f"  {name:<56} {medians[name]:8.2f} us")
    numpy_stages(s, targets, args.repeats)
    noop = medians["no-op custom_op, same signature, forward + backward"]
    print(f"  ratio torch.ops call / no-op: {medians['torch.ops.softsortkit.cross_entropy forward + backward'] / noop:.2f}x;"
          f" softsortkit.torch function / no-op: "
          f"{medians['softsortkit.torch.cross_entropy forward + backward'] / noop:.2f}x")


def noop_rows():
    """A no-op ``custom_op`` pair of the row operators' signatures (softsortkit::sorted_values and its
    backward operator, called from its autograd formula): what torch itself costs a forward + backward."""
    import torch

    settings = "float temperature, float power, bool descending, str method, str path, float accuracy"

    @torch.library.custom_op("softsortkit_bench::noop_rows_backward", mutates_args=(), device_types="cpu",
                             schema=f"(Tensor scores, Tensor grad, {settings}) -> Tensor")
    def noop_backward(scores, grad, *settings):
        return torch.empty_like(grad)

    @torch.library.custom_op("softsortkit_bench::noop_rows", mutates_args=(), device_types="cpu",
                             schema=f"(Tensor scores, {settings}) -> (Tensor, Tensor)")
    def noop(scores, *settings):
        return torch.empty_like(scores), torch.zeros((), dtype=torch.int64)

    def setup(ctx, inputs, output):
        ctx.save_for_backward(inputs[0])
        ctx.settings = inputs[1:]

    def backward(ctx, grad, _path):
        (scores,) = ctx.saved_tensors
        return (noop_backward(scores, grad, *ctx.settings),) + (None,) * len(ctx.settings)

    noop.register_autograd(backward, setup_context=setup)
    return lambda s: noop(s, 0.1, 1.0, False, "softsort", "automatic", 0.0)[0]


def torchsort_table(args):
    """Sorted values and ranks, forward + backward (a fixed random upstream gradient), B = 1, float32:
    softsortkit.torch on "automatic" at p = 1 and 2 (tau = 0.1) against torchsort (its defaults, l2,
    strength 1), interleaved rounds in this process, one thread everywhere."""
    import torch
    import torchsort

    import softsortkit
    import softsortkit.torch as sst
    torch.set_num_threads(1)
    softsortkit.set_threads(1)
    noop = noop_rows()
    print(f"torchsort: B = 1, float32, forward + backward; torch {torch.__version__} threads "
          f"{torch.get_num_threads()}, torchsort {importlib.metadata.version('torchsort')} (OMP_NUM_THREADS="
          f"{os.environ.get('OMP_NUM_THREADS')}), softsortkit {softsortkit.library_version()} backend "
          f"{softsortkit.backend()} threads {softsortkit.threads()}, tau = 0.1, path automatic; median over "
          f"{args.repeats} interleaved rounds of the mean of k calls")
    print(f"{'output':<14} {'n':>8} {'k':>4} {'p = 1 ms':>10} {'path':>6} {'p = 2 ms':>10} {'path':>6} "
          f"{'torchsort ms':>13} {'ts / p1':>8} {'ts / p2':>8} {'no-op ms':>9} {'p1 / no-op':>10} {'p2 / no-op':>10}")
    for n in args.sizes:
        generator = torch.Generator().manual_seed(0)
        s = torch.randperm(n, generator=generator).float().div_(n).unsqueeze(0).requires_grad_()
        upstream = torch.rand(1, n, generator=generator)
        calls = max(1, min(200, round(2e5 / n)))
        for output, peer in (("sorted_values", torchsort.soft_sort), ("ranks", torchsort.soft_rank)):
            ours = getattr(sst, output)
            cases = {"p1": lambda: ours(s, 0.1, 1.0), "p2": lambda: ours(s, 0.1, 2.0), "torchsort": lambda: peer(s)}
            if n <= 1000:
                cases["noop"] = lambda: noop(s)
            rounds, paths = {name: [] for name in cases}, {}
            for _ in range(args.repeats + 1):
                for name, call in cases.items():
                    start = time.perf_counter()
                    for _ in range(calls):
                        (call() * upstream).sum().backward()
                        s.grad = None
                    rounds[name].append((time.perf_counter() - start) / calls * 1e3)
                    if name in ("p1", "p2"):
                        paths[name] = sst.last_path()
            ms = {name: statistics.median(r[1:]) for name, r in rounds.items()}
            noop_cells = (f"{ms['noop']:>9.4f} {ms['p1'] / ms['noop']:>9.2f}x {ms['p2'] / ms['noop']:>9.2f}x"
                          if "noop" in ms else f"{'-':>9} {'-':>10} {'-':>10}")
            print(f"{output:<14} {n:>8} {calls:>4} {ms['p1']:>10.4f} {paths['p1']:>6} {ms['p2']:>10.4f} "
                  f"{paths['p2']:>6} {ms['torchsort']:>13.4f} {ms['torchsort'] / ms['p1']:>7.2f}x "
                  f"{ms['torchsort'] / ms['p2']:>7.2f}x {noop_cells}")
            sys.stdout.flush()


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "one":
        output, n, power, repeats = sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
        print(json.dumps(one_case(output, n, power, repeats)))
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["scaling", "overhead", "torchsort"])
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000, 1_000_000],
                        help="torchsort: row lengths n")
    args = parser.parse_args()
    if args.what == "scaling":
        args.repeats = args.repeats or 5
        scaling(args)
    elif args.what == "torchsort":
        args.repeats = args.repeats or 7
        torchsort_table(args)
    else:
        args.repeats = args.repeats or 2000
        overhead(args)


if __name__ == "__main__":
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    main()
