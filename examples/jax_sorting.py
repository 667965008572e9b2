#!/usr/bin/env python3
"""The paper's sorting task (Prillo & Eisenschlos, ICML 2020, section 5.1) as a jitted JAX
training step through softsortkit.jax.

B rows of n free parameters start at U(-1, 1); each step min-max normalises every row
to [0, 1] (min and max not differentiated), takes the paper's loss
L = mean_(b, i) -log P[b, i, i] (P sorts each row descending, so the loss is smallest
when the parameters are already in descending order) and makes an SGD step with
momentum. The loss and its gradient come from one library call inside `jax.jit`.

    python3 examples/jax_sorting.py --n 1000 --batch 20 --steps 200 --power 2

Prints the loss every tenth of the run and, at the end, the smallest Spearman
correlation over the rows between the learnt order and the target (1 = sorted). Exits
with status 1 when the loss did not fall or a row is not sorted at the end
(--min-spearman), so CI can run it on small data.
"""
import argparse
import sys

import jax
import jax.numpy as jnp
import numpy as np

import softsortkit.jax as ssj


def parse():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=20)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--power", type=float, default=2.0, help="SoftSort's p (1 and 2 run in O(n log n))")
    parser.add_argument("--tau", type=float, default=0.1)
    parser.add_argument("--learning-rate", type=float, default=10.0)
    parser.add_argument("--momentum", type=float, default=0.5)
    parser.add_argument("--weight-decay", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--min-spearman", type=float, default=0.99)
    return parser.parse_args()


def make_step(args, n):
    targets = jnp.broadcast_to(jnp.arange(n, dtype=jnp.int32), (args.batch, n))  # row i -> column i

    def loss_of(w):
        low = jax.lax.stop_gradient(w.min(axis=1, keepdims=True))
        high = jax.lax.stop_gradient(w.max(axis=1, keepdims=True))
        x = (w - low) / (high - low)
        # "mean" averages the per-list sums over the B lists; / n makes it the mean over the B n rows.
        return ssj.cross_entropy(x, targets, args.tau, args.power, descending=True, reduction="mean") / n

    @jax.jit
    def step(w, velocity):
        loss, grad = jax.value_and_grad(loss_of)(w)
        grad = grad + args.weight_decay * w
        velocity = args.momentum * velocity + grad
        return w - args.learning_rate * velocity, velocity, loss

    return step


def spearman(w):
    """The smallest Spearman correlation over the rows between descending order and the identity."""
    b, n = w.shape
    order = np.argsort(-w, axis=1, kind="stable").astype(np.float64)
    squares = ((order - np.arange(n)) ** 2).sum(axis=1)
    return float((1 - 6 * squares / (n * (n * n - 1))).min())


def main():
    args = parse()
    w = jax.random.uniform(jax.random.PRNGKey(args.seed), (args.batch, args.n), jnp.float32) * 2 - 1
    velocity = jnp.zeros_like(w)
    step = make_step(args, args.n)
    first = None
    for k in range(args.steps):
        w, velocity, loss = step(w, velocity)
        first = float(loss) if first is None else first
        if (k + 1) % max(args.steps // 10, 1) == 0:
            print(f"step {k + 1:>5}  loss {float(loss):.6f}")
    rho = spearman(np.asarray(w))
    print(f"B = {args.batch}, n = {args.n}, p = {args.power}, tau = {args.tau}: loss {first:.6f} -> "
          f"{float(loss):.6f}, smallest Spearman over the rows {rho:.6f}")
    if not float(loss) < first or rho < args.min_spearman:
        print(f"jax_sorting: the loss did not fall or a row is not sorted (Spearman < {args.min_spearman})")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
