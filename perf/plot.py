#!/usr/bin/env python3
"""Time per training step against n, one line per operator and input file,
like the paper's Figure 6.

    perf/plot.sh perf/out/train.json [perf/out/pytorch.json ...] -o perf/out/figure6.png

Each input is the JSON of `simd-bench train --json FILE` or of
`perf/peer_pytorch.py --json FILE`: {"machine": {...}, "results": [{"operator",
"n", "batch", "threads", "backend", "msPerStep", "spearman"}]}. Every operator
has its own colour and its own marker (over all the files); lines of the same
file share a line style.
"""
import argparse
import json
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

COLOURS = {"softsort-p2": "tab:blue", "softsort-p1": "tab:green",
           "softsort-p1-exact": "tab:olive", "neuralsort": "tab:red"}
# Distinct from the named colours above, for operators without a named colour.
PALETTE = ["tab:orange", "tab:purple", "tab:brown", "tab:pink", "tab:gray", "tab:cyan",
           "navy", "darkgoldenrod", "teal", "crimson", "indigo", "lime"]
MARKERS = ["o", "s", "^", "D", "v", "x", "P", "*", "<", ">", "h", "+", "1", "p", "d", "X"]
STYLES = ["-", "--", ":", "-."]


def label_of(path, document):
    tool = document.get("machine", {}).get("tool", "")
    if tool.startswith("pytorch"):
        return "PyTorch" + (" (malloc tuned)" if "MALLOC_" in tool or "LD_PRELOAD" in tool else "")
    return "SoftSortKit" if "simd-bench" in tool else os.path.basename(path)


def operator_styles(operators):
    """A colour and a marker per operator, no two operators alike (up to 16):
    the named colour where it has one, else the first unused palette colour;
    markers in order."""
    styles, used = {}, set()
    for index, op in enumerate(operators):
        free = [c for c in [COLOURS.get(op)] + PALETTE if c and c not in used]
        colour = free[0] if free else PALETTE[index % len(PALETTE)]
        used.add(colour)
        styles[op] = (colour, MARKERS[index % len(MARKERS)])
    return styles


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("inputs", nargs="+", help="JSON files from simd-bench train or peer_pytorch.py")
    parser.add_argument("-o", "--output", default="perf/out/figure6.png")
    parser.add_argument("--linear", action="store_true", help="linear y axis (default: log)")
    parser.add_argument("--title", default=None)
    args = parser.parse_args()

    figure, axes = plt.subplots(figsize=(8, 5.5), dpi=120)
    machine = None
    documents = []
    for path in args.inputs:
        with open(path) as f:
            documents.append(json.load(f))
    operators = []
    for document in documents:
        for r in document["results"]:
            if r["operator"] not in operators:
                operators.append(r["operator"])
    styles = operator_styles(operators)
    for index, (path, document) in enumerate(zip(args.inputs, documents)):
        machine = machine or document.get("machine", {})
        source = label_of(path, document)
        by_operator = {}
        for r in document["results"]:
            by_operator.setdefault(r["operator"], []).append(r)
        for op, rows in by_operator.items():
            rows.sort(key=lambda r: r["n"])
            threads = sorted({r["threads"] for r in rows})
            backend = rows[0]["backend"]
            axes.plot([r["n"] for r in rows], [r["msPerStep"] for r in rows],
                      color=styles[op][0], marker=styles[op][1],
                      linestyle=STYLES[index % len(STYLES)], markersize=4,
                      label=f"{op}, {source} ({backend}, {'/'.join(map(str, threads))} thr)")
    if not args.linear:
        axes.set_yscale("log")
    axes.set_xlabel("n (row length); batch B = 20")
    axes.set_ylabel("median time per training step (ms)")
    cpu = (machine or {}).get("cpu", "")
    axes.set_title(args.title or f"Speed experiment (paper Fig. 6): time per step\n{cpu}", fontsize=10)
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize=7)
    figure.tight_layout()
    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    figure.savefig(args.output)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
