#!/usr/bin/env python3
"""Learning curves and the results table of `simd-bench digits`.

    python3 perf/plot_digits.py perf/out/digits-seed*.json -o perf/out/digits-curves.png

Each input is the JSON of `simd-bench digits --json FILE` (one seed each).
Prints a Markdown table of the test accuracies (mean, standard deviation and
min-max over the inputs) and draws, per n, the mean test exact accuracy on the
curve subset and the training loss per row against the step, one colour per
operator (matplotlib; `pip install matplotlib`).
"""
import argparse
import json
import statistics

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

OPERATORS = ["softsort", "softsort-stochastic", "neuralsort"]
COLOURS = {"softsort": "tab:blue", "softsort-stochastic": "tab:green", "neuralsort": "tab:red"}
PAPER = {3: 0.928, 5: 0.811, 7: 0.656}  # Cuturi et al. 2019, as quoted by the paper's Table 1


def spread(values):
    mean = statistics.fmean(values)
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return mean, sd, min(values), max(values)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("inputs", nargs="+")
    parser.add_argument("-o", "--output", default="perf/out/digits-curves.png")
    args = parser.parse_args()
    documents = [json.load(open(path)) for path in args.inputs]
    runs = {}  # (operator, n) -> [result]
    for document in documents:
        for r in document["results"]:
            runs.setdefault((r["operator"], r["n"]), []).append(r)
    ns = sorted({n for _, n in runs})
    seeds = sorted({d["settings"]["seed"] for d in documents})
    print(f"seeds {seeds}; mean ± sd (min-max) over {len(documents)} runs; seconds: mean per run")
    print("| operator | n | exact permutations | elements | seconds |")
    print("|---|---|---|---|---|")
    for n in ns:
        for op in OPERATORS:
            rows = runs.get((op, n))
            if not rows:
                continue
            e = spread([r["exactAccuracy"] for r in rows])
            el = spread([r["elementAccuracy"] for r in rows])
            s = statistics.fmean([r["seconds"] for r in rows])
            print(f"| {op} | {n} | {e[0]:.3f} ± {e[1]:.3f} ({e[2]:.3f}-{e[3]:.3f}) "
                  f"| {el[0]:.3f} ± {el[1]:.3f} ({el[2]:.3f}-{el[3]:.3f}) | {s:.1f} |")
        if n in PAPER:
            print(f"| Cuturi et al. (quoted) | {n} | {PAPER[n]:.3f} | | |")
    totals = [d["totalSeconds"] for d in documents]
    print(f"whole run: {', '.join(f'{t:.0f}' for t in totals)} s")

    figure, axes = plt.subplots(2, len(ns), figsize=(3.2 * len(ns), 6), dpi=110, squeeze=False)
    for column, n in enumerate(ns):
        for op in OPERATORS:
            rows = runs.get((op, n))
            if not rows:
                continue
            steps = [p["step"] for p in rows[0]["curve"]]
            accuracy = [statistics.fmean(r["curve"][k]["testExactAccuracy"] for r in rows) for k in range(len(steps))]
            loss = [statistics.fmean(r["curve"][k]["trainLoss"] for r in rows) for k in range(len(steps))]
            axes[0][column].plot(steps, accuracy, color=COLOURS[op], label=op)
            axes[1][column].plot(steps, loss, color=COLOURS[op], label=op)
        if n in PAPER:
            axes[0][column].axhline(PAPER[n], color="grey", linestyle=":", label="Cuturi et al.")
        axes[0][column].set_title(f"n = {n}")
        axes[1][column].set_xlabel("Adam step")
        axes[1][column].set_yscale("log")
    axes[0][0].set_ylabel("test exact-permutation accuracy")
    axes[1][0].set_ylabel("train loss per row")
    axes[0][0].legend(fontsize=7)
    figure.suptitle(f"simd-bench digits: optdigits large numbers, mean of seeds {seeds}")
    figure.tight_layout()
    figure.savefig(args.output)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
