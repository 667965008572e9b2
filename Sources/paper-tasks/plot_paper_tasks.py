#!/usr/bin/env python3
"""Tables and figures of `paper-tasks` runs.

    python3 Sources/paper-tasks/plot_paper_tasks.py perf/out/paper-*.json -o perf/out/paper

Each input is the JSON of `paper-tasks sort|quantile|knn --json FILE` (any
seeds; runs of one configuration from several files are pooled by
(task, operator or method, n, seed)). Prints one Markdown table per task: the
test metrics as mean ± standard deviation over the seeds (and their count),
with what validation chose. Draws, with matplotlib (`pip install matplotlib`):

    PREFIX-curves-TASK.png   learning curves: training loss and the validation
                             metric against the Adam step, mean over seeds
    PREFIX-sort.png          Table 1: exact-permutation accuracy against n
    PREFIX-quantile.png      Table 2: test MSE and Spearman's rho against n
    PREFIX-knn.png           Table 3: test accuracy per operator and baseline
"""
import argparse
import collections
import json
import statistics

ORDER = ["softsort", "softsort-stochastic", "neuralsort", "neuralsort-stochastic", "regressor", "pixels", "pca", "classifier"]
COLOURS = {
    "softsort": "tab:blue", "softsort-stochastic": "tab:cyan", "neuralsort": "tab:red",
    "neuralsort-stochastic": "tab:orange", "regressor": "tab:grey", "pixels": "tab:brown", "pca": "tab:olive",
    "classifier": "tab:purple",
}
METRICS = {
    "sort": [("exactAccuracy", "exact permutations", True), ("elementAccuracy", "elements", True)],
    "quantile": [("testMSE", "test MSE (values / 10^4)", False), ("spearman", "Spearman's rho", True)],
    "knn": [("testAccuracy", "test accuracy", True)],
}
VALIDATION = {"sort": "validation exact accuracy", "quantile": "validation MSE", "knn": "validation accuracy"}
CUTURI = {3: 0.928, 5: 0.811, 7: 0.656}  # Cuturi et al. 2019, as the paper's Table 1 quotes them


def name(result):
    return result.get("operator") or result.get("method")


def spread(values):
    mean = statistics.fmean(values)
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return mean, sd


def load(paths):
    runs = {}
    for path in paths:
        with open(path) as handle:
            document = json.load(handle)
        for result in document["results"]:
            runs[(result["task"], name(result), result.get("n"), result["seed"])] = result
    groups = collections.defaultdict(list)
    for (task, model, n, _), result in sorted(runs.items(), key=lambda item: str(item[0])):
        groups[(task, model, n)].append(result)
    return groups


def chosen(results):
    """What validation chose, per seed when it differs."""
    parts = []
    for key, label in [("temperature", "tau"), ("learningRate", "lr"), ("k", "k"), ("components", "PCA"), ("step", "step")]:
        values = sorted({r["selected"].get(key) for r in results if r["selected"].get(key) is not None})
        if values:
            parts.append(f"{label} " + "/".join(f"{v:g}" if isinstance(v, float) else str(v) for v in values))
    return ", ".join(parts)


def tables(groups):
    for task in ["sort", "quantile", "knn"]:
        keys = sorted((k for k in groups if k[0] == task), key=lambda k: (0 if task == "knn" else k[2] or 0, ORDER.index(k[1]) if k[1] in ORDER else 99))
        if not keys:
            continue
        metrics = METRICS[task]
        print(f"\n### {task}\n")
        print("| model | n | seeds | " + " | ".join(label for _, label, _ in metrics) + " | chosen on validation | s / run |")
        print("|---|---|---|" + "---|" * len(metrics) + "---|---|")
        for key in keys:
            results = groups[key]
            cells = []
            for metric, _, _ in metrics:
                mean, sd = spread([r[metric] for r in results])
                cells.append(f"{mean:.4f} ± {sd:.4f}" if task != "sort" else f"{mean:.3f} ± {sd:.3f}")
            seconds = statistics.fmean(r["seconds"] for r in results)
            n = key[2] if key[2] is not None else "-"
            print(f"| {key[1]} | {n} | {len(results)} | " + " | ".join(cells) + f" | {chosen(results)} | {seconds:.0f} |")


def figures(groups, prefix):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written = []
    for task in ["sort", "quantile", "knn"]:
        keys = [k for k in groups if k[0] == task and groups[k][0]["curve"]]
        if not keys:
            continue
        ns = sorted({k[2] for k in keys}, key=lambda n: n or 0)
        figure, axes = plt.subplots(2, len(ns), figsize=(3.4 * len(ns), 6), dpi=110, squeeze=False)
        for column, n in enumerate(ns):
            for key in sorted((k for k in keys if k[2] == n), key=lambda k: ORDER.index(k[1]) if k[1] in ORDER else 99):
                results = groups[key]
                length = min(len(r["curve"]) for r in results)
                steps = [p["step"] for p in results[0]["curve"][:length]]
                loss = [statistics.fmean(r["curve"][i]["trainLoss"] for r in results) for i in range(length)]
                metric = [statistics.fmean(r["curve"][i]["validation"] for r in results) for i in range(length)]
                colour = COLOURS.get(key[1])
                axes[0][column].plot(steps, metric, color=colour, label=key[1])
                axes[1][column].plot(steps, loss, color=colour, label=key[1])
            axes[0][column].set_title(f"{task}" + (f", n = {n}" if n else ""))
            axes[0][column].legend(fontsize=6)
            axes[1][column].set_xlabel("Adam step")
            if task != "knn":  # the kNN loss is negative
                axes[1][column].set_yscale("log")
        axes[0][0].set_ylabel(VALIDATION[task])
        axes[1][0].set_ylabel("training loss")
        figure.tight_layout()
        path = f"{prefix}-curves-{task}.png"
        figure.savefig(path)
        written.append(path)

    sort_keys = [k for k in groups if k[0] == "sort"]
    if sort_keys:
        figure, axis = plt.subplots(figsize=(5.5, 4), dpi=110)
        for model in ORDER:
            points = sorted((k[2], spread([r["exactAccuracy"] for r in groups[k]])) for k in sort_keys if k[1] == model)
            if points:
                axis.errorbar([p[0] for p in points], [p[1][0] for p in points], yerr=[p[1][1] for p in points],
                              color=COLOURS[model], marker="o", capsize=3, label=model)
        axis.plot(list(CUTURI), list(CUTURI.values()), "k:", marker="x", label="Cuturi et al. (quoted)")
        axis.set_xlabel("n")
        axis.set_ylabel("test exact-permutation accuracy")
        axis.set_title("Table 1: sorting large numbers (optdigits)")
        axis.legend(fontsize=7)
        figure.tight_layout()
        figure.savefig(f"{prefix}-sort.png")
        written.append(f"{prefix}-sort.png")

    quantile_keys = [k for k in groups if k[0] == "quantile"]
    if quantile_keys:
        figure, axes = plt.subplots(1, 2, figsize=(9, 3.8), dpi=110)
        for column, (metric, label, _) in enumerate(METRICS["quantile"]):
            for model in ORDER:
                points = sorted((k[2], spread([r[metric] for r in groups[k]])) for k in quantile_keys if k[1] == model)
                if points:
                    axes[column].errorbar([p[0] for p in points], [p[1][0] for p in points], yerr=[p[1][1] for p in points],
                                          color=COLOURS[model], marker="o", capsize=3, label=model)
            axes[column].set_xlabel("n")
            axes[column].set_ylabel(label)
        axes[0].legend(fontsize=7)
        figure.suptitle("Table 2: median of n large numbers (optdigits)")
        figure.tight_layout()
        figure.savefig(f"{prefix}-quantile.png")
        written.append(f"{prefix}-quantile.png")

    knn_keys = sorted((k for k in groups if k[0] == "knn"), key=lambda k: ORDER.index(k[1]) if k[1] in ORDER else 99)
    if knn_keys:
        figure, axis = plt.subplots(figsize=(7, 3.8), dpi=110)
        stats = [spread([r["testAccuracy"] for r in groups[k]]) for k in knn_keys]
        axis.bar(range(len(knn_keys)), [s[0] for s in stats], yerr=[s[1] for s in stats],
                 color=[COLOURS.get(k[1], "grey") for k in knn_keys], capsize=3)
        axis.set_xticks(range(len(knn_keys)), [k[1] for k in knn_keys], rotation=30, ha="right", fontsize=8)
        low = min(s[0] - s[1] for s in stats)
        axis.set_ylim(max(0.0, low - 0.01), 1.0)
        axis.set_ylabel("test accuracy")
        axis.set_title("Table 3: kNN classification of optdigits")
        figure.tight_layout()
        figure.savefig(f"{prefix}-knn.png")
        written.append(f"{prefix}-knn.png")
    for path in written:
        print(f"wrote {path}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("inputs", nargs="+")
    parser.add_argument("-o", "--output", default="perf/out/paper", help="prefix of the figures")
    parser.add_argument("--no-figures", action="store_true", help="print the tables only (no matplotlib needed)")
    args = parser.parse_args()
    groups = load(args.inputs)
    tables(groups)
    if not args.no_figures:
        figures(groups, args.output)


if __name__ == "__main__":
    main()
