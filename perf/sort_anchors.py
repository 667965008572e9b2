#!/usr/bin/env python3
"""NumPy's and PyTorch's sorts, the anchors beside `simd-bench scan --sections sort`.

One row of n U(0, 1) float32 scores (n = 10^3 ... 10^7), one thread, medians:

- numpy-argsort-stable: np.argsort(x, kind="stable") (indices, stable)
- numpy-sort:           np.sort(x)                   (values only, vectorised)
- torch-sort-indices:   torch.sort(t, stable=True)   (values and indices)

Run it right after `simd-bench scan --sections sort` (the library's introsort
and radix argsorts and `[Float].sort()`) on the same machine, e.g.

    python3 perf/sort_anchors.py --repetitions 5
"""
import argparse
import json
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402


def median_ms(fn, repetitions):
    fn()  # warm-up
    times = []
    for _ in range(repetitions):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1e3)
    times.sort()
    return times[len(times) // 2]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--sizes", default="1000,10000,100000,1000000,10000000")
    parser.add_argument("--json", help="write the results to this file")
    args = parser.parse_args()
    torch.set_num_threads(1)
    rng = np.random.default_rng(0x5CA7)
    print(f"sort anchors, one row, U(0, 1) float32, 1 thread (numpy {np.__version__}, torch {torch.__version__}), "
          f"medians of {args.repetitions}")
    print(f"{'case':<24} {'n':>9} {'ms':>10}")
    results = []
    for n in map(int, args.sizes.split(",")):
        x = rng.random(n, dtype=np.float32)
        t = torch.from_numpy(x.copy())
        reps = max(1, args.repetitions // 2) if n >= 10_000_000 else args.repetitions
        cases = {
            "numpy-argsort-stable": lambda: np.argsort(x, kind="stable"),
            "numpy-sort": lambda: np.sort(x),
            "torch-sort-indices": lambda: torch.sort(t, stable=True),
        }
        for name, fn in cases.items():
            ms = median_ms(fn, reps)
            print(f"{name:<24} {n:>9} {ms:>10.3f}")
            results.append({"case": name, "n": n, "ms": ms})
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"results": results}, f, indent=2)


if __name__ == "__main__":
    main()
