#!/usr/bin/env python3
"""The PyTorch peer of `simd-bench train`: the same speed experiment, on the CPU.

B = 20 rows of n parameters, U(-1, 1) from a fixed seed; every step min-max
normalises each row to [0, 1] (min and max detached), computes P, takes
L = mean_{b,i} -log P[b, i, i], runs autograd's backward and an SGD step with
momentum (lr 10, momentum 0.5, weight decay 0.01). 1 warm-up step, then the
timed ones; the median time per step is reported. Same operators, temperatures,
step schedule and JSON shape as `simd-bench train`, so perf/plot.py draws both.

Run it through perf/peer_pytorch.sh (which owns the venv and the malloc tuning).
"""
import argparse
import datetime
import json
import os
import platform
import socket
import sys
import time

import torch

OPERATORS = ["softsort-p2", "softsort-p1", "neuralsort"]


def softsort(s, tau, power):
    """P[b, i, j] = softmax_j(-|sorted[b, i] - s[b, j]|^p / tau), as in the paper's code."""
    s_sorted = s.sort(dim=1, descending=True).values
    distances = (s.unsqueeze(1) - s_sorted.unsqueeze(2)).abs().pow(power).neg() / tau
    return distances.softmax(-1)


def neuralsort(s, tau):
    """NeuralSort with the O(n^2) association (A 1) 1^T."""
    n = s.shape[1]
    pairwise = (s.unsqueeze(2) - s.unsqueeze(1)).abs()           # B x n x n
    column_sums = pairwise.sum(dim=2)                            # A 1: B x n
    scaling = (n + 1 - 2 * (torch.arange(n, dtype=s.dtype) + 1))  # n
    logits = (scaling.view(1, n, 1) * s.unsqueeze(1) - column_sums.unsqueeze(1)) / tau
    return logits.softmax(-1)


def relaxed(op, x, temperatures):
    if op == "softsort-p2":
        return softsort(x, temperatures[op], 2)
    if op == "softsort-p1":
        return softsort(x, temperatures[op], 1)
    return neuralsort(x, temperatures[op])


def spearman_against_descending(w):
    """Rho of each row's descending ranking against the identity order."""
    b, n = w.shape
    if n < 2:
        return [1.0] * b
    order = torch.argsort(w, dim=1, descending=True, stable=True).double()
    target = torch.arange(n, dtype=torch.float64)
    squares = ((order - target) ** 2).sum(dim=1)
    return (1 - 6 * squares / (n * (n * n - 1))).tolist()


def run(op, n, steps, args, temperatures):
    generator = torch.Generator().manual_seed(args.seed)
    w = (torch.rand(args.batch, n, generator=generator, dtype=torch.float32) * 2 - 1).requires_grad_()
    optimiser = torch.optim.SGD(
        [w], lr=args.learning_rate, momentum=args.momentum, weight_decay=args.weight_decay)
    samples = []
    loss_value = float("nan")
    for step in range(steps + 1):
        start = time.perf_counter()
        optimiser.zero_grad(set_to_none=True)
        low = w.min(dim=1, keepdim=True).values.detach()
        high = w.max(dim=1, keepdim=True).values.detach()
        x = (w - low) / (high - low)
        p = relaxed(op, x, temperatures)
        loss = -torch.log(p.diagonal(dim1=1, dim2=2)).mean()
        loss.backward()
        optimiser.step()
        loss_value = loss.item()
        if step > 0:
            samples.append((time.perf_counter() - start) * 1e3)
        if sys.stderr.isatty():
            print(f"\r\x1b[K[peer] {op} n = {n}: step {step + 1}/{steps + 1}", end="", file=sys.stderr)
    samples.sort()
    with torch.no_grad():
        rho = spearman_against_descending(w.detach())
    return {
        "operator": op, "n": n, "batch": args.batch, "threads": torch.get_num_threads(),
        "backend": "pytorch-cpu", "msPerStep": samples[len(samples) // 2],
        "spearman": min(rho), "_steps": steps, "_loss": loss_value,
        "_rowsSorted": sum(1 for r in rho if r == 1.0),
    }


def step_count(n, steps):
    if steps is not None:
        return steps
    return 100 if n <= 1000 else max(10, round(100 * 1000 / n))


def machine():
    model = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        memory = 0
    malloc = {k: os.environ[k] for k in ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "LD_PRELOAD")
              if k in os.environ}
    return {
        "host": socket.gethostname(), "cpu": model, "cores": os.cpu_count(),
        "memoryGiB": round(memory, 1), "os": platform.platform(),
        "tool": f"pytorch {torch.__version__} (peer_pytorch.py, float32)"
                + (f", malloc {malloc}" if malloc else ", glibc malloc defaults"),
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[100, 500, 1000, 2000, 4000])
    parser.add_argument("--full", action="store_true", help="n = 100, 200, ..., 4000")
    parser.add_argument("--steps", type=int, default=None,
                        help="timed steps (default: simd-bench train's schedule)")
    parser.add_argument("--operators", nargs="+", choices=OPERATORS, default=OPERATORS)
    parser.add_argument("--batch", type=int, default=20)
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--threads", type=int, default=1,
                        help="torch intra-op threads (default 1, as simd-bench train today)")
    parser.add_argument("--tau-p2", type=float, default=0.1)
    parser.add_argument("--tau-p1", type=float, default=0.1)
    parser.add_argument("--tau-neuralsort", type=float, default=100.0)
    parser.add_argument("--learning-rate", type=float, default=10.0)
    parser.add_argument("--momentum", type=float, default=0.5)
    parser.add_argument("--weight-decay", type=float, default=0.01)
    parser.add_argument("--json", help="write the results as JSON to this file")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    temperatures = {"softsort-p2": args.tau_p2, "softsort-p1": args.tau_p1, "neuralsort": args.tau_neuralsort}
    sizes = list(range(100, 4001, 100)) if args.full else args.n
    operators = [op for op in OPERATORS if op in args.operators]
    info = machine()
    print(f"peer_pytorch: {info['tool']}, B = {args.batch}, threads {torch.get_num_threads()}")
    print(f"{'operator':<14} {'n':>6} {'steps':>6} {'ms/step':>10} {'vs NeuralSort':>14} "
          f"{'final loss':>11} {'Spearman min':>13} {'rows at 1.0':>12}")
    results = []
    for n in sizes:
        for op in operators:
            try:
                results.append(run(op, n, step_count(n, args.steps), args, temperatures))
            except (RuntimeError, MemoryError) as error:  # out of memory: say so and go on
                message = str(error).splitlines()[0][:160]
                print(f"\r{op:<14} {n:>6}  failed: {message}")
                sys.stdout.flush()
        neural = next((r["msPerStep"] for r in results if r["n"] == n and r["operator"] == "neuralsort"), None)
        for r in results:
            if r["n"] != n:
                continue
            ratio = f"{neural / r['msPerStep']:.2f}x" if neural else "-"
            print(f"\r{r['operator']:<14} {n:>6} {r['_steps']:>6} {r['msPerStep']:>10.2f} {ratio:>14} "
                  f"{r['_loss']:>11.4f} {r['spearman']:>13.7f} {r['_rowsSorted']:>9}/{r['batch']}")
            sys.stdout.flush()
    if sys.stderr.isatty():
        print(file=sys.stderr)
    if args.json:
        document = {"machine": info,
                    "results": [{k: v for k, v in r.items() if not k.startswith("_")} for r in results]}
        with open(args.json, "w") as f:
            json.dump(document, f, indent=2, sort_keys=True)
        print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
