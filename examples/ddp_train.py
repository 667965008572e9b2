#!/usr/bin/env python3
"""A small scorer trained with a SoftSortKit loss under DistributedDataParallel:
gloo backend, 2 processes on localhost, each on its half of every batch.

Every step each rank scores its B / world lists of n items and computes the
listwise cross-entropy (``reduction="mean"`` over its lists); DDP averages the
ranks' gradients, so with equal halves the update equals one process's on the
whole batch. ``--check`` runs one step both ways and prints the largest
difference of the gradients (python/tests/test_examples.py asserts it).

Threads: each process runs its own library and torch thread pools; give each
``cores // world`` threads (``softsortkit.set_threads`` and
``torch.set_num_threads``) so that the processes together use the machine's
cores once, not ``world`` times over.

    python examples/ddp_train.py                 # 2 processes, 50 steps
    python examples/ddp_train.py --check         # one step: DDP gradients vs one process
"""
import argparse
import os
import socket
import tempfile

import torch
import torch.distributed as dist
import torch.multiprocessing as mp

import softsortkit
import softsortkit.torch as sst

BATCH, N, FEATURES = 64, 16, 8


def model(seed=0):
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(FEATURES, 16), torch.nn.Tanh(), torch.nn.Linear(16, 1)).double()


def batch(step, seed=1):
    """The step's whole batch (the same on every rank): features and the target order of each list."""
    generator = torch.Generator().manual_seed(seed * 100_003 + step)
    x = torch.randn(BATCH, N, FEATURES, generator=generator, dtype=torch.float64)
    relevance = x[..., 0] - 0.5 * x[..., 1] + 0.1 * torch.randn(BATCH, N, generator=generator, dtype=torch.float64)
    return x, relevance.argsort(dim=-1)


def loss_of(scorer, x, targets):
    return sst.cross_entropy(scorer(x).squeeze(-1), targets, 0.5, 2.0, reduction="mean")


def threads_per_process(world):
    return max(1, (os.cpu_count() or 1) // world)


def worker(rank, world, port, steps, out):
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    dist.init_process_group("gloo", rank=rank, world_size=world)
    threads = threads_per_process(world)
    torch.set_num_threads(threads)
    softsortkit.set_threads(threads)
    scorer = torch.nn.parallel.DistributedDataParallel(model())
    optimiser = torch.optim.Adam(scorer.parameters(), lr=1e-2)
    share = BATCH // world
    for step in range(steps):
        x, targets = batch(step)
        mine = slice(rank * share, (rank + 1) * share)
        optimiser.zero_grad(set_to_none=True)
        loss = loss_of(scorer, x[mine], targets[mine])
        loss.backward()                                  # DDP all-reduces (averages) the gradients here
        if out is not None and rank == 0 and step == 0:
            torch.save([p.grad.clone() for p in scorer.parameters()], out)
        optimiser.step()
        if rank == 0 and (step + 1) % 10 == 0:
            print(f"step {step + 1}: rank 0 loss {loss.item():.4f}", flush=True)
    dist.barrier()  # no rank tears gloo down while another still talks to it
    dist.destroy_process_group()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(world=2, steps=50, out=None):
    mp.spawn(worker, args=(world, free_port(), steps, out), nprocs=world, join=True)


def single_process_gradients():
    """One process, the whole batch of step 0: the gradients DDP's first step should equal."""
    scorer = model()
    x, targets = batch(0)
    loss_of(scorer, x, targets).backward()
    return [p.grad.clone() for p in scorer.parameters()]


def compare(world=2):
    """(largest absolute difference, largest gradient magnitude) of DDP's step-0 gradients vs one process."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "gradients.pt")
        run(world, steps=1, out=path)
        distributed = torch.load(path)
    single = single_process_gradients()
    difference = max((a - b).abs().max().item() for a, b in zip(distributed, single))
    return difference, max(g.abs().max().item() for g in single)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--world", type=int, default=2)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    if args.check:
        difference, scale = compare(args.world)
        print(f"DDP ({args.world} processes, gloo) vs one process, step 0 gradients (float64): "
              f"max |difference| {difference:.3e}, max |gradient| {scale:.3e}")
    else:
        run(args.world, args.steps)


if __name__ == "__main__":
    main()
