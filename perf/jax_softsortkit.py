#!/usr/bin/env python3
"""softsortkit.jax against JAX's own SoftSort, and its per-call overhead, in one process.

1. The paper's step (peer_jax.py's task: B rows of n parameters U(-1, 1), min-max
   normalised, L = mean_(b, i) -log P[b, i, i] with P sorting descending, SGD with
   momentum) as one `jax.jit` function, once through `softsortkit.jax.cross_entropy`
   (the library's `.automatic` path: gauss at p = 2, exact at p = 1) and once through
   SoftSort written in JAX (peer_jax.py's `softsort`, its B x n x n P formed by XLA).
   float32; each step compiled and run once, then the median of the timed steps. Then
   the step's library call alone (loss and gradient at B x n) through the NumPy binding
   and through softsortkit.jax under jit, interleaved: what JAX adds at that size.
2. The call overhead at B = 1, n = 16 (float32, p = 2): the NumPy binding's call
   against the same output through `softsortkit.jax` under `jax.jit`, forward
   (`sorted_values`) and loss with gradient (`cross_entropy`; NumPy returns both from
   one call, JAX runs `jax.value_and_grad`), and a jitted `s + 1` (JAX's own dispatch
   floor). Median over repeats of the mean of many calls.

    python3 perf/jax_softsortkit.py --n 4000 --batch 20 --threads 2

Threads: XLA's CPU client is limited to --threads (XLA_FLAGS) and the process pinned
to that many cores; the library runs on the same count (softsortkit.set_threads) unless
--library-threads says otherwise. --peer-steps 0 skips JAX's own SoftSort.
"""
import argparse
import os
import statistics
import sys
import time


def parse():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=4000)
    parser.add_argument("--batch", type=int, default=20)
    parser.add_argument("--powers", type=float, nargs="+", default=[2.0, 1.0])
    parser.add_argument("--tau", type=float, default=0.1)
    parser.add_argument("--steps", type=int, default=50, help="timed steps through softsortkit.jax")
    parser.add_argument("--peer-steps", type=int, default=3, help="timed steps of JAX's own SoftSort")
    parser.add_argument("--threads", type=int, default=2, help="XLA's threads and cores (and the library's)")
    parser.add_argument("--library-threads", type=int, help="the library's threads (default: --threads)")
    parser.add_argument("--calls", type=int, default=2000, help="calls per overhead sample")
    parser.add_argument("--repeats", type=int, default=7)
    return parser.parse_args()


args = parse()
os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") + " --xla_cpu_multi_thread_eigen=true"
                           f" intra_op_parallelism_threads={args.threads}").strip()
if hasattr(os, "sched_setaffinity"):
    os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[:args.threads])

import jax  # noqa: E402  (after XLA_FLAGS)
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

import softsortkit  # noqa: E402
import softsortkit.jax as ssj  # noqa: E402
import softsortkit.numpy as ssn  # noqa: E402


def plain_softsort(s, tau, power):
    """peer_jax.py's SoftSort: P[b, i, j] = softmax_j(-|sorted[b, i] - s[b, j]|^p / tau)."""
    s_sorted = -jnp.sort(-s, axis=1)
    distances = -jnp.abs(s[:, None, :] - s_sorted[:, :, None]) ** power / tau
    return jax.nn.softmax(distances, axis=-1)


def make_step(loss_of):
    def step(w, velocity):
        loss, grad = jax.value_and_grad(loss_of)(w)
        grad = grad + 0.01 * w
        velocity = 0.5 * velocity + grad
        return w - 10.0 * velocity, velocity, loss

    return jax.jit(step)


def normalised(w):
    low = jax.lax.stop_gradient(w.min(axis=1, keepdims=True))
    high = jax.lax.stop_gradient(w.max(axis=1, keepdims=True))
    return (w - low) / (high - low)


def timed_steps(step, steps):
    w = jax.random.uniform(jax.random.PRNGKey(2020), (args.batch, args.n), jnp.float32) * 2 - 1
    velocity = jnp.zeros_like(w)
    w, velocity, loss = step(w, velocity)  # compile and warm up
    first = float(loss)  # the loss at the common start: the two losses agree
    samples = []
    for _ in range(steps):
        start = time.perf_counter()
        w, velocity, loss = step(w, velocity)
        loss.block_until_ready()
        samples.append((time.perf_counter() - start) * 1e3)
    return statistics.median(samples), first


def paper_step(power):
    targets = jnp.broadcast_to(jnp.arange(args.n, dtype=jnp.int32), (args.batch, args.n))

    def ours(w):
        x = normalised(w)
        return ssj.cross_entropy(x, targets, args.tau, power, descending=True, reduction="sum") / (args.batch * args.n)

    def peer(w):
        p = plain_softsort(normalised(w), args.tau, power)
        return -jnp.log(jnp.diagonal(p, axis1=1, axis2=2)).mean()

    ours_ms, ours_loss = timed_steps(make_step(ours), args.steps)
    peer_ms, peer_loss = timed_steps(make_step(peer), args.peer_steps) if args.peer_steps else (float("nan"),) * 2
    return ours_ms, ours_loss, peer_ms, peer_loss


def per_call(functions, calls=None):
    """Microseconds per call of each ``function()``: the mean over ``--calls`` calls, taken
    ``--repeats`` times with the functions interleaved (so that a change of the machine's
    load falls on all of them), median and smallest of those means."""
    for function in functions:
        function()
    samples = [[] for _ in functions]
    for _ in range(args.repeats):
        for function, times in zip(functions, samples):
            start = time.perf_counter()
            for _ in range(calls or args.calls):
                function()
            times.append((time.perf_counter() - start) / (calls or args.calls) * 1e6)
    return [(statistics.median(times), min(times)) for times in samples]


def overhead():
    x = np.asarray(np.random.default_rng(0).uniform(size=(1, 16)), np.float32)
    t = np.arange(16, dtype=np.int64)[None, :]
    xj, tj = jnp.asarray(x), jnp.asarray(t, jnp.int32)
    forward = jax.jit(lambda s: ssj.sorted_values(s, args.tau, 2.0))
    loss_grad = jax.jit(jax.value_and_grad(lambda s: ssj.cross_entropy(s, tj, args.tau, 2.0)))
    no_op = jax.jit(lambda s: s + 1)
    names = ["NumPy sorted_values", "JAX jit sorted_values", "NumPy cross_entropy (loss and gradient)",
             "JAX jit value_and_grad cross_entropy", "JAX jit s + 1 (no library call)"]
    functions = [lambda: ssn.sorted_values(x, args.tau, 2.0, descending=False),
                 lambda: forward(xj).block_until_ready(),
                 lambda: ssn.cross_entropy(x, t, args.tau, 2.0, descending=False),
                 lambda: jax.block_until_ready(loss_grad(xj)),
                 lambda: no_op(xj).block_until_ready()]
    return list(zip(names, per_call(functions)))


def same_call(power):
    """The loss and its gradient at B x n through the NumPy binding and through softsortkit.jax
    under jit, interleaved: what JAX adds to the library's call at the paper's size."""
    x = np.asarray(np.random.default_rng(0).uniform(size=(args.batch, args.n)), np.float32)
    t = np.broadcast_to(np.arange(args.n), x.shape).copy()
    xj, tj = jnp.asarray(x), jnp.asarray(t, jnp.int32)
    loss_grad = jax.jit(jax.value_and_grad(
        lambda s: ssj.cross_entropy(s, tj, args.tau, power, descending=True)))
    return per_call([lambda: ssn.cross_entropy(x, t, args.tau, power, descending=True),
                     lambda: jax.block_until_ready(loss_grad(xj))], calls=10)


def main():
    softsortkit.set_threads(args.threads if args.library_threads is None else args.library_threads)
    print(f"jax {jax.__version__} (CPU, {args.threads} threads, pinned), softsortkit {softsortkit.__version__} "
          f"({softsortkit.threads()} threads, backend {softsortkit.backend()}), float32, tau = {args.tau}")
    print(f"\nThe paper's step, B = {args.batch}, n = {args.n}: median ms per step "
          f"(softsortkit.jax {args.steps} steps, JAX SoftSort {args.peer_steps} steps)")
    print(f"{'p':>4} {'softsortkit.jax':>16} {'JAX SoftSort':>14} {'ratio':>9}   loss at the start (both)")
    for power in args.powers:
        ours_ms, ours_loss, peer_ms, peer_loss = paper_step(power)
        print(f"{power:>4g} {ours_ms:>16.3f} {peer_ms:>14.1f} {peer_ms / ours_ms:>8.0f}x   "
              f"{ours_loss:.4f} / {peer_loss:.4f}")
        sys.stdout.flush()
    print(f"\nThe loss and gradient alone at B = {args.batch}, n = {args.n}, ms: median and smallest of "
          f"{args.repeats} means over 10 calls, interleaved")
    for power in args.powers:
        (numpy_ms, numpy_min), (jax_ms, jax_min) = same_call(power)
        print(f"  p = {power:g}: NumPy {numpy_ms / 1e3:.3f} ({numpy_min / 1e3:.3f}), softsortkit.jax jit "
              f"{jax_ms / 1e3:.3f} ({jax_min / 1e3:.3f}), ratio {jax_ms / numpy_ms:.2f}x")
    print(f"\nPer call at B = 1, n = 16, p = 2, us: median and smallest of {args.repeats} means over "
          f"{args.calls} calls, interleaved")
    rows = overhead()
    for name, (median, smallest) in rows:
        print(f"  {name:<42} {median:>8.2f} {smallest:>8.2f}")
    print(f"  JAX jit / NumPy (medians): forward {rows[1][1][0] / rows[0][1][0]:.2f}x, loss and gradient "
          f"{rows[3][1][0] / rows[2][1][0]:.2f}x")


if __name__ == "__main__":
    main()
