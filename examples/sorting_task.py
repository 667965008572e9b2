#!/usr/bin/env python3
"""The paper's sorting task (Prillo & Eisenschlos, ICML 2020, section 5.1) in PyTorch.

B rows of n free parameters w, U(-1, 1); every step min-max normalises each row
to [0, 1] and minimises the cross-entropy between the relaxed permutation of the
row and the identity, -sum_i log P[i, i], in the paper's descending order: the
parameters learn to be sorted, largest first. Prints the loss and the fraction of
rows sorted exactly.

    python examples/sorting_task.py                 # B = 20, n = 100, p = 2
    python examples/sorting_task.py --n 4000 --steps 200
"""
import argparse

import torch

import softsortkit
import softsortkit.torch as sst


def train(batch=20, n=100, steps=100, power=2.0, temperature=0.1, seed=2020, threads=0):
    softsortkit.set_threads(threads)
    generator = torch.Generator().manual_seed(seed)
    w = (torch.rand(batch, n, generator=generator) * 2 - 1).requires_grad_()
    optimiser = torch.optim.SGD([w], lr=10.0, momentum=0.5, weight_decay=0.01)
    identity = torch.arange(n).expand(batch, n)
    for step in range(steps):
        optimiser.zero_grad(set_to_none=True)
        low = w.min(dim=1, keepdim=True).values.detach()
        high = w.max(dim=1, keepdim=True).values.detach()
        x = (w - low) / (high - low)
        # The paper's loss is a mean over the B n rows: the sum over the lists, divided by B n.
        loss = sst.cross_entropy(x, identity, temperature, power, descending=True, reduction="sum") / (batch * n)
        loss.backward()
        optimiser.step()
    sorted_rows = (w.detach().argsort(dim=1, descending=True) == identity).all(dim=1).float().mean().item()
    return loss.item(), sorted_rows, sst.last_path()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch", type=int, default=20)
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--power", type=float, default=2.0)
    parser.add_argument("--temperature", type=float, default=0.1)
    args = parser.parse_args()
    loss, sorted_rows, path = train(args.batch, args.n, args.steps, args.power, args.temperature)
    print(f"sorting task: B = {args.batch}, n = {args.n}, p = {args.power}, {args.steps} steps, path {path}: "
          f"loss {loss:.4f}, rows sorted {sorted_rows:.0%}")


if __name__ == "__main__":
    main()
