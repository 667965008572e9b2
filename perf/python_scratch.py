"""What a dense call leaves behind, and what repeated dense calls cost, through softsortkit.numpy.

    python3 perf/python_scratch.py rss B n dtype   # RSS above the start: with P, after `del P`, 1.5 s later,
                                                   # after release_scratch (reads /proc/self/statm, Linux)
    python3 perf/python_scratch.py repeat          # median ms of 9 dense calls, B = 20, n = 2000, float32, 2 threads

Run each in a fresh process (RSS is per process). Results: perf/results/2026-12-07-python-wheel.md.
"""
import os
import statistics
import sys
import time

import numpy as np

import softsortkit
import softsortkit.numpy as sn


def rss_mib():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def rss(batch, n, dtype):
    s = np.random.default_rng(0).standard_normal((batch, n)).astype(dtype)
    sn.sorted_values(s, temperature=0.1, path="exact")  # the library loaded and warmed on a small path
    start = rss_mib()
    P = sn.soft_sort(s, temperature=0.1, power=1.0, path="dense")
    with_p = rss_mib()
    del P
    after_del = rss_mib()
    time.sleep(1.5)
    later = rss_mib()
    softsortkit.release_scratch()
    released = rss_mib()
    print(f"B={batch} n={n} {dtype}: P {batch * n * n * dtype.itemsize / 2**20:.0f} MiB; RSS above the start: "
          f"with P {with_p - start:.0f} MiB, after del P {after_del - start:.0f} MiB, 1.5 s later "
          f"{later - start:.0f} MiB, after release_scratch {released - start:.0f} MiB ({softsortkit._library.lib.path})")


def repeat():
    softsortkit.set_threads(2)
    s = np.random.default_rng(0).standard_normal((20, 2000)).astype(np.float32)
    g = np.ones_like(s)
    calls = {
        "soft_sort (P out)": lambda: sn.soft_sort(s, temperature=0.1, power=1.0, path="dense"),
        "ranks dense": lambda: sn.ranks(s, temperature=0.1, power=1.0, path="dense"),
        "ranks_backward dense": lambda: sn.ranks_backward(s, g, temperature=0.1, power=1.0, path="dense"),
    }
    for name, call in calls.items():
        call()
        times = []
        for _ in range(9):
            began = time.perf_counter()
            call()
            times.append((time.perf_counter() - began) * 1e3)
        print(f"{name}: median {statistics.median(times):.1f} ms (n=9, min {min(times):.1f}, max {max(times):.1f})")


if __name__ == "__main__":
    if sys.argv[1:2] == ["rss"]:
        rss(int(sys.argv[2]), int(sys.argv[3]), np.dtype(sys.argv[4]))
    elif sys.argv[1:2] == ["repeat"]:
        repeat()
    else:
        sys.exit(__doc__)
