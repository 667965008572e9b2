#!/usr/bin/env python3
"""The PyTorch peer of `simd-bench train`: the same speed experiment, on the CPU.

B = 20 rows of n parameters, U(-1, 1) from a fixed seed; every step min-max
normalises each row to [0, 1] (min and max detached), computes P, takes
L = mean_{b,i} -log P[b, i, i], runs autograd's backward and an SGD step with
momentum (lr 10, momentum 0.5, weight decay 0.01). 1 warm-up step, then the
timed ones; the median time per step is reported. Same operators, temperatures,
step schedule and JSON shape as `simd-bench train`, so perf/plot.py draws both.

Run it through perf/peer_pytorch.sh (which owns the venv and the malloc tuning).

--binding runs the same task a second time through the Python binding
(softsortkit.torch.cross_entropy: `pip install ./python` first) in the same
process, with the same threads (torch's and the library's), seed and steps,
and prints both with their ratio. --overhead times the binding's calls at
n = 100, B = 1 (a no-op ctypes call, the raw ABI call, the NumPy and torch
layers) and exits.

--grid times the paper's loss alone (forward + backward of
L = mean_{b,i} -log P[b, i, i] on fixed scores U(0, 1)), B = 4096 and
n = 8 ... 256 by default, p = 1 and 2, in one process: plain PyTorch eager,
JAX jit (peer_jax.py's SoftSort; `jax.value_and_grad` jitted, compiled before
timing), the binding's softsortkit.torch.cross_entropy (a custom_op with
autograd) on every path and on "automatic", and softsortkit.numpy's
cross_entropy on "automatic" (loss and gradient from one call, no autograd).
--operators softsort-p1 / softsort-p2 picks the powers. --threads sets torch's threads, XLA's intra-op threads, the
library's threads and the cores the process may use, all the same. Run it
through peer_pytorch.sh --tuned (the eager peer then reuses its freed
B x n x n temporaries); PyTorch is skipped, and says so, where its estimated
peak memory is above --grid-memory-gib.
"""
import argparse
import ctypes
import datetime
import json
import os
import platform
import resource
import socket
import sys
import time

import torch

OPERATORS = ["softsort-p2", "softsort-p1", "neuralsort"]
BINDING_OPERATORS = {"softsort-p2": 2.0, "softsort-p1": 1.0}  # operator -> power p


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


def plain_loss(op, temperatures):
    """L = mean -log P[b, i, i] through plain PyTorch's P."""
    return lambda x: -torch.log(relaxed(op, x, temperatures).diagonal(dim1=1, dim2=2)).mean()


def binding_loss(op, temperatures, batch, n, path="automatic"):
    """The same L through the binding: its cross-entropy is a sum over the B n rows."""
    import softsortkit.torch as sst
    targets = torch.arange(n).repeat(batch, 1)  # contiguous int64: passed without a copy
    power, tau = BINDING_OPERATORS[op], temperatures[op]
    return lambda x: sst.cross_entropy(x, targets, tau, power, descending=True, reduction="sum", path=path) / (
        batch * n)


def run(op, n, steps, args, temperatures, loss_of=None):
    loss_of = loss_of or plain_loss(op, temperatures)
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
        loss = loss_of(x)
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


def binding_comparison(sizes, operators, args, temperatures):
    """Each operator the binding has, plain PyTorch then the binding, same process, threads, seed, steps."""
    import softsortkit
    softsortkit.set_threads(args.threads)
    print(f"binding: softsortkit {softsortkit.library_version()} loss path {args.binding_path}, "
          f"backend {softsortkit.backend()}, "
          f"library threads {softsortkit.threads()}, torch threads {torch.get_num_threads()}")
    print(f"{'operator':<14} {'n':>6} {'steps':>6} {'PyTorch ms':>11} {'binding ms':>11} {'speedup':>8} "
          f"{'loss (PyTorch)':>15} {'loss (binding)':>15} {'rho min binding':>16}")
    results = []
    for n in sizes:
        for op in [o for o in operators if o in BINDING_OPERATORS]:
            steps = step_count(n, args.steps)
            plain = run(op, n, steps, args, temperatures)
            bound = run(op, n, steps, args, temperatures,
                        binding_loss(op, temperatures, args.batch, n, args.binding_path))
            bound["backend"] = f"softsortkit-binding-{args.binding_path}-{softsortkit.backend()}"
            print(f"\r{op:<14} {n:>6} {steps:>6} {plain['msPerStep']:>11.2f} {bound['msPerStep']:>11.2f} "
                  f"{plain['msPerStep'] / bound['msPerStep']:>7.1f}x {plain['_loss']:>15.6f} "
                  f"{bound['_loss']:>15.6f} {bound['spearman']:>16.7f}")
            sys.stdout.flush()
            results += [plain, bound]
    return results


GRID_SIZES = [8, 16, 32, 64, 128, 256]
GRID_PATHS = ["dense", "fused", "exact", "gauss"]
# Peak bytes of the eager formula's forward + backward, in B n^2 float32 tensors (measured at
# B = 4096, n = 128 with --tuned: ru_maxrss grew by 10 of them over p = 1 and 2).
EAGER_PEAK_TENSORS = 10


def timed(function, budget):
    """One warm-up call (JAX compiles there), then calls until `budget` seconds have passed (3 to 25
    calls): the median milliseconds per call, and how many calls it is the median of."""
    function()
    samples = []
    begin = time.perf_counter()
    while len(samples) < 3 or (len(samples) < 25 and time.perf_counter() - begin < budget):
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1e3)
    samples.sort()
    return samples[len(samples) // 2], len(samples)


def give_back_memory():
    """glibc's malloc_trim(0): return the freed heap (kept by --tuned) to the kernel between implementations,
    so the eager and XLA peaks at n = 256 do not add up (a no-op where there is no glibc)."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def grid(args):
    """The loss forward + backward at B x n, per p: every implementation, the same scores, one process."""
    import numpy as np

    import peer_jax
    import softsortkit
    import softsortkit.numpy as ssn
    import softsortkit.torch as sst
    peer_jax.limit_threads(args.threads)  # before JAX's first computation
    jax, jnp = peer_jax.jax, peer_jax.jnp
    softsortkit.set_threads(args.threads)
    batch, sizes = args.batch or 4096, args.n or GRID_SIZES
    temperatures = {"softsort-p1": args.tau_p1, "softsort-p2": args.tau_p2}
    print(f"grid: B = {batch}, float32, tau = {args.tau_p1} (p = 1), {args.tau_p2} (p = 2), loss mean -log P[b, i, i] forward + backward, "
          f"median of 3-25 calls ({args.grid_budget} s each); torch {torch.__version__} threads "
          f"{torch.get_num_threads()}, jax {jax.__version__} ({os.environ['XLA_FLAGS']}), softsortkit "
          f"{softsortkit.library_version()} backend {softsortkit.backend()} threads {softsortkit.threads()}, "
          f"cores {len(os.sched_getaffinity(0))}, malloc "
          f"{os.environ.get('MALLOC_MMAP_THRESHOLD_', 'glibc defaults')}")
    names = ["PyTorch", "JAX"] + GRID_PATHS + ["automatic", "NumPy"]
    print(f"{'p':>3} {'n':>4} " + " ".join(f"{name:>9}" for name in names)
          + f" {'picks':>7} {'PyT/auto':>9} {'JAX/auto':>9} {'max |loss - PyTorch|':>21} {'peak RSS GiB':>13}")
    results = []
    powers = [power for power, op in ((1.0, "softsort-p1"), (2.0, "softsort-p2")) if op in args.operators]
    for power in powers:
        for n in sizes:
            scores = np.random.default_rng(args.seed).random((batch, n), dtype=np.float32)
            x = torch.from_numpy(scores).requires_grad_()
            operator = "softsort-p1" if power == 1 else "softsort-p2"
            tau = temperatures[operator]
            losses, times = {}, {}

            def eager():
                x.grad = None
                loss = -torch.log(softsort(x, tau, power).diagonal(dim1=1, dim2=2)).mean()
                loss.backward()
                losses["PyTorch"] = loss.item()

            peak = EAGER_PEAK_TENSORS * batch * n * n * 4 / 2**30
            if peak <= args.grid_memory_gib:
                times["PyTorch"] = timed(eager, args.grid_budget)
                give_back_memory()
            else:
                times["PyTorch"] = None
                print(f"  PyTorch eager at n = {n} skipped: about {peak:.0f} GiB > --grid-memory-gib "
                      f"{args.grid_memory_gib}")

            value_and_grad = jax.jit(jax.value_and_grad(
                lambda s: -jnp.log(jnp.diagonal(peer_jax.softsort(s, tau, power), axis1=1, axis2=2)).mean()))
            device_scores = jnp.asarray(scores)

            def jitted():
                loss, gradient = value_and_grad(device_scores)
                gradient.block_until_ready()
                losses["JAX"] = float(loss)

            times["JAX"] = timed(jitted, args.grid_budget)
            del value_and_grad, device_scores
            give_back_memory()
            picked = None
            for path in GRID_PATHS + ["automatic"]:
                loss_of = binding_loss(operator, temperatures, batch, n, path)

                def bound():
                    x.grad = None
                    loss = loss_of(x)
                    loss.backward()
                    losses[path] = loss.item()

                try:
                    times[path] = timed(bound, args.grid_budget)
                except softsortkit.UnsupportedPathError:
                    times[path] = None
            targets = np.tile(np.arange(n, dtype=np.int64), (batch, 1))

            def numpy_call():  # the loss and its gradient in one call, no autograd
                losses["NumPy"] = float(ssn.cross_entropy(scores, targets, tau, power, descending=True)[0]) / n

            times["NumPy"] = timed(numpy_call, args.grid_budget)
            picked = ssn.cross_entropy(scores, targets, tau, power, descending=True, return_path=True)[2]
            auto = times["automatic"][0]
            reference = losses.get("PyTorch", losses["JAX"])
            spread = max(abs(v - reference) for v in losses.values())
            cells = " ".join(f"{times[k][0]:>9.3f}" if times[k] else f"{'-':>9}" for k in names)
            pyt = f"{times['PyTorch'][0] / auto:>8.1f}x" if times["PyTorch"] else f"{'-':>9}"
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
            print(f"{power:>3.0f} {n:>4} {cells} {picked:>7} {pyt} {times['JAX'][0] / auto:>8.1f}x {spread:>21.2e} "
                  f"{rss:>13.1f}")
            sys.stdout.flush()
            results.append({"power": power, "n": n, "batch": batch, "threads": args.threads, "picks": picked,
                            "ms": {k: (v[0] if v else None) for k, v in times.items()},
                            "calls": {k: (v[1] if v else None) for k, v in times.items()}, "losses": losses})
    return results


class _Identity(torch.autograd.Function):
    """The cheapest autograd Function: the baseline of torch's own per-call cost."""

    @staticmethod
    def forward(ctx, x):
        return x.sum()

    @staticmethod
    def backward(ctx, grad):
        return grad.expand(100).reshape(1, 100)


def call_overhead(threads, repeats=3000):
    """Median microseconds per call at n = 100, B = 1 (float32, p = 2, tau 0.1, the identity targets)."""
    import ctypes

    import numpy as np

    import softsortkit
    import softsortkit.numpy as ssn
    import softsortkit.torch as sst
    lib = softsortkit._library.lib
    softsortkit.set_threads(threads)
    n = 100
    s = np.random.default_rng(0).random((1, n)).astype(np.float32)
    targets = np.arange(n, dtype=np.int64)[None]
    loss, grad, used = np.empty(1, np.float32), np.empty_like(s), np.empty(1, np.int32)
    pointers = [p.ctypes.data for p in (s, targets, loss, grad, used)]
    w = torch.from_numpy(s.copy()).requires_grad_()
    t = torch.from_numpy(targets)

    options = softsortkit._library.Options()
    lib.options_init(ctypes.byref(options))
    options.temperature, options.power = 0.1, 2.0

    def raw():
        lib.cross_entropy_f32(ctypes.byref(options), pointers[0], 1, n, pointers[1], pointers[2], pointers[3],
                              pointers[4])

    def torch_step():
        w.grad = None
        sst.cross_entropy(w, t, 0.1, 2.0).backward()

    def null_step():
        w.grad = None
        _Identity.apply(w).backward()

    cases = [("ctypes no-op (softsortkit_abi_version)", lib.abi_version),
             ("baseline: a no-op autograd.Function, forward + backward", null_step),
             ("raw ABI cross-entropy, preallocated buffers", raw),
             ("softsortkit.numpy.cross_entropy (loss + gradient)", lambda: ssn.cross_entropy(s, targets, 0.1, 2.0)),
             ("softsortkit.torch.cross_entropy forward + backward", torch_step),
             ("softsortkit.torch.soft_sort forward (P, 100 x 100)", lambda: sst.soft_sort(w.detach(), 0.1, 2.0))]
    print(f"call overhead: n = {n}, B = 1, float32, p = 2, library threads {softsortkit.threads()}, "
          f"backend {softsortkit.backend()}, median of 5 rounds of {repeats} calls")
    for name, function in cases:
        rounds = []
        for _ in range(5):
            start = time.perf_counter()
            for _ in range(repeats):
                function()
            rounds.append((time.perf_counter() - start) / repeats * 1e6)
        print(f"  {name:<52} {sorted(rounds)[2]:8.2f} us")


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
    parser.add_argument("--n", type=int, nargs="+", help="row lengths (default 100 500 1000 2000 4000; --grid: 8 ... 256)")
    parser.add_argument("--full", action="store_true", help="n = 100, 200, ..., 4000")
    parser.add_argument("--steps", type=int, default=None,
                        help="timed steps (default: simd-bench train's schedule)")
    parser.add_argument("--operators", nargs="+", choices=OPERATORS, default=OPERATORS)
    parser.add_argument("--batch", type=int, help="rows B (default 20; --grid: 4096)")
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
    parser.add_argument("--binding", action="store_true",
                        help="also run the softsort operators through the softsortkit binding, side by side")
    parser.add_argument("--binding-path", default="automatic",
                        choices=["automatic", "dense", "fused", "exact", "gauss"],
                        help="the binding's loss path (default automatic: the library's measured choice)")
    parser.add_argument("--overhead", action="store_true", help="time the binding's calls at n = 100, B = 1 and exit")
    parser.add_argument("--grid", action="store_true",
                        help="the loss alone at B = 4096, n = 8 ... 256 (or --batch, --n): PyTorch, JAX, the binding")
    parser.add_argument("--grid-budget", type=float, default=0.3, help="seconds of timing per grid cell")
    parser.add_argument("--grid-memory-gib", type=float, default=11.0,
                        help="skip PyTorch eager where its estimated peak is above this (GiB)")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    temperatures = {"softsort-p2": args.tau_p2, "softsort-p1": args.tau_p1, "neuralsort": args.tau_neuralsort}
    info = machine()
    if args.grid:
        results = grid(args)
        if args.json:
            with open(args.json, "w") as f:
                json.dump({"machine": info, "grid": results}, f, indent=2, sort_keys=True)
        return
    args.batch = args.batch or 20
    sizes = list(range(100, 4001, 100)) if args.full else (args.n or [100, 500, 1000, 2000, 4000])
    operators = [op for op in OPERATORS if op in args.operators]
    if args.overhead:
        call_overhead(args.threads)
        return
    if args.binding:
        results = binding_comparison(sizes, operators, args, temperatures)
        if args.json:
            with open(args.json, "w") as f:
                json.dump({"machine": info, "results": [{k: v for k, v in r.items() if not k.startswith("_")}
                                                        for r in results]}, f, indent=2, sort_keys=True)
        return
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
