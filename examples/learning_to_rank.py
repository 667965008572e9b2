#!/usr/bin/env python3
"""A learning-to-rank loss on batches of short lists: B = 4096 lists of n = 16 items.

Each item has d features; its true relevance is a hidden linear function of them
plus noise. A small scorer (an MLP) scores every item; the loss is SoftSort's
listwise cross-entropy: row i of each list's relaxed permutation should pick the
item of true rank i (``targets = argsort(relevance)``, ascending like the scores).
One call covers the whole batch (B lists of n, ``reduction="mean"`` over the
lists). Prints the held-out Spearman correlation before and after training.

    python examples/learning_to_rank.py                  # B = 4096, n = 16
    python examples/learning_to_rank.py --steps 5 --batch 256   # what CI runs
"""
import argparse

import torch

import softsortkit.torch as sst


def make_lists(batch, n, features, generator, hidden):
    x = torch.randn(batch, n, features, generator=generator)
    relevance = x @ hidden + 0.1 * torch.randn(batch, n, generator=generator)
    return x, relevance


def spearman(scores, relevance):
    """Mean over the lists of Spearman's rho between the scores and the true relevance (no ties)."""
    a = scores.argsort(dim=-1).argsort(dim=-1).float()
    b = relevance.argsort(dim=-1).argsort(dim=-1).float()
    a, b = a - a.mean(-1, keepdim=True), b - b.mean(-1, keepdim=True)
    return ((a * b).sum(-1) / (a.norm(dim=-1) * b.norm(dim=-1))).mean().item()


def train(batch=4096, n=16, features=8, steps=100, temperature=0.1, power=2.0, seed=0):
    generator = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    hidden = torch.randn(features, generator=generator)
    scorer = torch.nn.Sequential(torch.nn.Linear(features, 32), torch.nn.ReLU(), torch.nn.Linear(32, 1))
    optimiser = torch.optim.Adam(scorer.parameters(), lr=1e-2)
    test_x, test_relevance = make_lists(1024, n, features, generator, hidden)
    with torch.no_grad():
        before = spearman(scorer(test_x).squeeze(-1), test_relevance)
    for step in range(steps):
        x, relevance = make_lists(batch, n, features, generator, hidden)
        scores = scorer(x).squeeze(-1)                       # (B, n)
        loss = sst.cross_entropy(scores, relevance.argsort(dim=-1), temperature, power)
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        optimiser.step()
    with torch.no_grad():
        after = spearman(scorer(test_x).squeeze(-1), test_relevance)
    return loss.item(), before, after


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch", type=int, default=4096)
    parser.add_argument("--n", type=int, default=16)
    parser.add_argument("--steps", type=int, default=100)
    args = parser.parse_args()
    loss, before, after = train(args.batch, args.n, steps=args.steps)
    print(f"learning to rank: B = {args.batch}, n = {args.n}, {args.steps} steps: loss {loss:.4f}, "
          f"held-out Spearman {before:.3f} -> {after:.3f}")


if __name__ == "__main__":
    main()
