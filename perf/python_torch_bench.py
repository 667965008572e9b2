#!/usr/bin/env python3
"""Timings of the Python front ends (softsortkit.numpy, softsortkit.torch); results in
perf/results/2026-12-07-python-torch.md. Run it on an idle machine.

    python perf/python_torch_bench.py scaling     # B = 1, n = 1e5 and 1e6: ranks, sorted_values, apply,
                                                  # cross_entropy at p = 1 and 2, forward + backward, path,
                                                  # peak RSS growth (each case in a fresh process)
    python perf/python_torch_bench.py overhead    # B = 1, n = 16: the NumPy call, and torch forward +
                                                  # backward against a no-op custom_op of the same signature

The paper's step (B = 20, n = 4000, p = 2) is perf/peer_pytorch.py --binding against
`simd-bench train`; see the results file for the commands.
"""
import argparse
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
    noop = medians["no-op custom_op, same signature, forward + backward"]
    print(f"  ratio torch.ops call / no-op: {medians['torch.ops.softsortkit.cross_entropy forward + backward'] / noop:.2f}x;"
          f" softsortkit.torch function / no-op: "
          f"{medians['softsortkit.torch.cross_entropy forward + backward'] / noop:.2f}x")


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "one":
        output, n, power, repeats = sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
        print(json.dumps(one_case(output, n, power, repeats)))
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["scaling", "overhead"])
    parser.add_argument("--repeats", type=int, default=None)
    args = parser.parse_args()
    if args.what == "scaling":
        args.repeats = args.repeats or 5
        scaling(args)
    else:
        args.repeats = args.repeats or 2000
        overhead(args)


if __name__ == "__main__":
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    main()
