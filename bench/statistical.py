"""SynthLab's statistical generators against SDV's GaussianCopulaSynthesizer on adult.csv, in one
run: an 80/20 split with a fixed seed, as many rows sampled as the training part has, each output
scored by SDMetrics' QualityReport (the peer's own scorer) and by machine-learning utility (a
gradient-boosted classifier trained on the synthetic rows, tested on the real holdout, binary F1 of
income >50K: scikit-learn's GradientBoostingClassifier, "ML F1", and HistGradientBoostingClassifier,
"hist F1"). Prints a table and the speed ratio.

    python3 bench/statistical.py [--data ../shared/data] [--synthlab .build/release/synthlab] [--seeds 7]

With several --seeds, each synthlab configuration is fitted and sampled once per seed and its row
shows the mean F1 and quality (and the mean times) over them.

Needs: pip install sdv sdmetrics scikit-learn (and a release build: swift build -c release).
"""
import argparse
import json
import os
import subprocess
import tempfile
import time
import warnings

from common import DATA_FOLDER, SPLIT_SEED, SYNTHLAB, adult_split, load, quality, utility_f1s

warnings.filterwarnings("ignore")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=DATA_FOLDER)
    parser.add_argument("--synthlab", default=SYNTHLAB)
    parser.add_argument("--seed", type=int, default=SPLIT_SEED)
    parser.add_argument("--seeds", default="7", help="comma-separated seeds of the synthlab runs (their means are shown)")
    args = parser.parse_args()

    train, holdout, train_path = adult_split(args.data, args.seed, "synthlab-bench-")

    from sdv.metadata import Metadata
    from sdv.single_table import GaussianCopulaSynthesizer

    metadata = Metadata.detect_from_dataframes({"adult": train})
    single = metadata.to_dict()["tables"]["adult"]

    rows = []
    rows.append(("real training rows", None, None, utility_f1s(train, holdout)))

    configurations = [
        ("gaussian_copula", []),
        ("bayesian_network", []),
        ("independent", []),
        # Differential privacy through the statistics capability, epsilon = 1.
        ("independent", ["--privacy", "laplace", "--param", "epsilon=1"]),
        ("gaussian_copula", ["--privacy", "laplace", "--param", "epsilon=1"]),
        ("bayesian_network", ["--privacy", "laplace", "--param", "epsilon=1", "--param", "degree=1"]),
    ]
    seeds = [int(seed) for seed in args.seeds.split(",")]
    mean = lambda values: sum(values) / len(values)
    for index, (generator, extra) in enumerate(configurations):
        measured = []
        for seed in seeds:
            out = os.path.join(os.path.dirname(train_path), f"{index}-{generator}-{seed}.csv")
            start = time.perf_counter()
            result = subprocess.run([args.synthlab, "synth", "--generator", generator, "--data", train_path, "--rows", str(len(train)),
                                     "--seed", str(seed), "--out", out, "--json"] + extra, check=True, capture_output=True, text=True)
            seconds = time.perf_counter() - start
            report = json.loads(result.stdout)
            synthetic = load(out)
            measured.append((seconds, report["fit_seconds"] + report["sample_seconds"], utility_f1s(synthetic, holdout),
                             quality(train, synthetic, single)))
        name = f"synthlab {generator}" + (" + laplace ε=1" if extra else "")
        rows.append((name, mean([m[0] for m in measured]), mean([m[1] for m in measured]),
                     {key: mean([m[2][key] for m in measured]) for key in measured[0][2]}, mean([m[3] for m in measured])))

    start = time.perf_counter()
    synthesizer = GaussianCopulaSynthesizer(metadata)
    synthesizer.fit({"adult": train})
    sdv_synthetic = synthesizer.sample(num_rows=len(train))
    if isinstance(sdv_synthetic, dict):
        sdv_synthetic = sdv_synthetic["adult"]
    sdv_seconds = time.perf_counter() - start
    rows.append(("SDV GaussianCopulaSynthesizer", sdv_seconds, sdv_seconds, utility_f1s(sdv_synthetic, holdout),
                 quality(train, sdv_synthetic, single)))

    print(f"adult.csv: {len(train)} training rows, {len(holdout)} holdout rows (split seed {args.seed})"
          + (f"; synthlab rows: means over seeds {args.seeds}" if len(seeds) > 1 else ""))
    print(f"{'generator':42} {'wall s':>8} {'fit+sample s':>13} {'ML F1':>7} {'hist F1':>7} {'quality':>8}")
    for row in rows:
        name, wall, fit, f1 = row[:4]
        score = row[4] if len(row) > 4 else None
        fmt = lambda v, spec: format(v, spec) if v is not None else "-"
        print(f"{name:42} {fmt(wall, '8.2f'):>8} {fmt(fit, '13.2f'):>13} {f1['f1']:7.3f} {f1['f1_hist']:7.3f} {fmt(score, '8.4f'):>8}")
    ours = rows[1]
    print(f"speed: SDV fit+sample / synthlab gaussian_copula wall time = {sdv_seconds / ours[1]:.1f}x "
          f"(fit+sample alone: {sdv_seconds / ours[2]:.1f}x)")


if __name__ == "__main__":
    main()
