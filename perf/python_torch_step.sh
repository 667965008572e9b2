#!/usr/bin/env bash
# The paper's step (B = 20, p = 2, tau = 0.1) through softsortkit.torch against `simd-bench train`'s
# same path and plain PyTorch eager, one process each, 2 threads (library and torch), alternated so
# that both see the same machine. Needs `swift build -c release --product simd-bench` and the
# softsortkit package importable. Results: perf/results/2026-12-07-python-torch.md.
#
# OMP_WAIT_POLICY=PASSIVE: torch's OpenMP threads otherwise spin after each torch op and take the
# cores the library's threads need (see python/TORCHSORT.md, "Threads and processes").
set -euo pipefail
cd "$(dirname "$0")/.."
export OMP_WAIT_POLICY=PASSIVE
bench=.build/release/simd-bench
for round in 1 2; do
    echo "== round $round: B = 20, n = 4000"
    python3 perf/peer_pytorch.py --binding --operators softsort-p2 --threads 2 --n 4000 --steps 3 --binding-path automatic
    for path in automatic gauss; do
        python3 - "$path" <<'PY'
import argparse, sys
sys.path.insert(0, "perf")
import peer_pytorch as peer, softsortkit, torch
softsortkit.set_threads(2); torch.set_num_threads(2)
args = argparse.Namespace(batch=20, seed=2020, learning_rate=10.0, momentum=0.5, weight_decay=0.01)
t = {"softsort-p2": 0.1}
r = peer.run("softsort-p2", 4000, 50, args, t, loss_of=peer.binding_loss("softsort-p2", t, 20, 4000, sys.argv[1]))
print(f"softsortkit.torch step, path {sys.argv[1]} (ran {softsortkit.torch.last_path()}): "
      f"{r['msPerStep']:.3f} ms/step (median of 50), loss {r['_loss']:.4f}")
PY
    done
    "$bench" train --operators softsort-p2-gauss softsort-p2-fused --n 4000 --batch 20 --threads 2 --steps 50 \
        | grep -E '^(operator|softsort)'
done
echo "== plain PyTorch eager vs softsortkit.torch at the speed experiment's n (the binding's path: automatic)"
python3 perf/peer_pytorch.py --binding --operators softsort-p2 --threads 2 --n 100 500 1000 2000
