#!/usr/bin/env python3
"""The JAX peer of `simd-bench train`: the same speed experiment, jitted, on the CPU.

The task is peer_pytorch.py's (and `simd-bench train`'s): B = 20 rows of n
parameters, U(-1, 1) from a fixed seed; every step min-max normalises each row
to [0, 1] (min and max detached), computes P, takes L = mean_{b,i} -log P[b, i, i]
and its gradient, and makes an SGD step with momentum (lr 10, momentum 0.5,
weight decay 0.01). The whole step (forward, backward and update) is one
`jax.jit` function; it is compiled and run once before the timed steps, and the
median time per step is reported (with `block_until_ready`). Same operators,
temperatures and JSON shape as peer_pytorch.py.

    python3 perf/peer_jax.py --n 4000 --operators softsort-p2 softsort-p1 --steps 10

Threads: XLA's CPU client uses every core it sees; `--threads N` sets
`--xla_cpu_multi_thread_eigen=true intra_op_parallelism_threads=N` (XLA_FLAGS)
before JAX's first computation (`limit_threads`) and pins the process to N
cores (sched_setaffinity), so a 2-thread figure is comparable with
`simd-bench train --threads 2`. peer_pytorch.py --grid imports `softsort` and
`limit_threads` from here.
"""
import argparse
import datetime
import json
import os
import platform
import socket
import sys
import time

import jax
import jax.numpy as jnp

OPERATORS = ["softsort-p2", "softsort-p1", "neuralsort"]


def parse():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[1000, 4000])
    parser.add_argument("--steps", type=int, default=10, help="timed steps")
    parser.add_argument("--operators", nargs="+", choices=OPERATORS, default=OPERATORS)
    parser.add_argument("--batch", type=int, default=20)
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--tau-p2", type=float, default=0.1)
    parser.add_argument("--tau-p1", type=float, default=0.1)
    parser.add_argument("--tau-neuralsort", type=float, default=100.0)
    parser.add_argument("--learning-rate", type=float, default=10.0)
    parser.add_argument("--momentum", type=float, default=0.5)
    parser.add_argument("--weight-decay", type=float, default=0.01)
    parser.add_argument("--json", help="write the results as JSON to this file")
    return parser.parse_args()


def limit_threads(threads):
    """XLA's intra-op threads (XLA_FLAGS) and the process's cores, both `threads`. Call it before JAX's
    first computation: XLA reads XLA_FLAGS when its CPU client starts, not when jax is imported."""
    os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") + " --xla_cpu_multi_thread_eigen=true"
                               f" intra_op_parallelism_threads={threads}").strip()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[:threads])


def softsort(s, tau, power):
    """P[b, i, j] = softmax_j(-|sorted[b, i] - s[b, j]|^p / tau), as in the paper's code."""
    s_sorted = -jnp.sort(-s, axis=1)
    distances = -jnp.abs(s[:, None, :] - s_sorted[:, :, None]) ** power / tau
    return jax.nn.softmax(distances, axis=-1)


def neuralsort(s, tau):
    n = s.shape[1]
    pairwise = jnp.abs(s[:, :, None] - s[:, None, :])
    column_sums = pairwise.sum(axis=2)
    scaling = n + 1 - 2 * (jnp.arange(n, dtype=s.dtype) + 1)
    logits = (scaling[None, :, None] * s[:, None, :] - column_sums[:, None, :]) / tau
    return jax.nn.softmax(logits, axis=-1)


def make_step(op, tau, args):
    def loss_of(w):
        low = jax.lax.stop_gradient(w.min(axis=1, keepdims=True))
        high = jax.lax.stop_gradient(w.max(axis=1, keepdims=True))
        x = (w - low) / (high - low)
        if op == "neuralsort":
            p = neuralsort(x, tau)
        else:
            p = softsort(x, tau, 2.0 if op == "softsort-p2" else 1.0)
        return -jnp.log(jnp.diagonal(p, axis1=1, axis2=2)).mean()

    def step(w, velocity):
        loss, grad = jax.value_and_grad(loss_of)(w)
        grad = grad + args.weight_decay * w
        velocity = args.momentum * velocity + grad
        return w - args.learning_rate * velocity, velocity, loss

    return jax.jit(step)


def spearman(w):
    import numpy as np
    b, n = w.shape
    order = np.argsort(-w, axis=1, kind="stable").astype(np.float64)
    squares = ((order - np.arange(n)) ** 2).sum(axis=1)
    return (1 - 6 * squares / (n * (n * n - 1))).tolist()


def run(op, n, tau, args):
    key = jax.random.PRNGKey(args.seed)
    w = jax.random.uniform(key, (args.batch, n), dtype=jnp.float32) * 2 - 1
    velocity = jnp.zeros_like(w)
    step = make_step(op, tau, args)
    w, velocity, loss = step(w, velocity)  # compile + warm-up
    loss.block_until_ready()
    samples = []
    for _ in range(args.steps):
        start = time.perf_counter()
        w, velocity, loss = step(w, velocity)
        loss.block_until_ready()
        samples.append((time.perf_counter() - start) * 1e3)
    samples.sort()
    import numpy as np
    return {"operator": op, "n": n, "batch": args.batch, "threads": args.threads,
            "backend": f"jax-{jax.__version__}-cpu-jit", "msPerStep": samples[len(samples) // 2],
            "spearman": min(spearman(np.asarray(w))), "_loss": float(loss), "_steps": args.steps}


def main():
    args = parse()
    limit_threads(args.threads)
    temperatures = {"softsort-p2": args.tau_p2, "softsort-p1": args.tau_p1, "neuralsort": args.tau_neuralsort}
    print(f"peer_jax: jax {jax.__version__} on {jax.devices()[0].platform}, B = {args.batch}, "
          f"threads {args.threads} (XLA_FLAGS={os.environ['XLA_FLAGS']!r}), {args.steps} timed steps, median")
    print(f"{'operator':<14} {'n':>6} {'ms/step':>10} {'final loss':>11} {'Spearman min':>13}")
    results = []
    for n in args.n:
        for op in [o for o in OPERATORS if o in args.operators]:
            try:
                r = run(op, n, temperatures[op], args)
            except Exception as error:  # out of memory: say so and go on
                print(f"{op:<14} {n:>6}  failed: {str(error).splitlines()[0][:160]}")
                continue
            results.append(r)
            print(f"{op:<14} {n:>6} {r['msPerStep']:>10.2f} {r['_loss']:>11.4f} {r['spearman']:>13.7f}")
            sys.stdout.flush()
    if args.json:
        info = {"host": socket.gethostname(), "os": platform.platform(), "cores": os.cpu_count(),
                "tool": f"jax {jax.__version__} (peer_jax.py, float32, jit)",
                "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")}
        with open(args.json, "w") as f:
            json.dump({"machine": info, "results": [{k: v for k, v in r.items() if not k.startswith("_")}
                                                    for r in results]}, f, indent=2, sort_keys=True)
        print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
