"""SynthLab's own `utility` validator beside scikit-learn's classifiers, on synthetic tables of
adult.csv: each table's binary F1 of income >50K on the real holdout of the 80/20 split, from
`synthlab validate --validator utility` (its `boosting` model, histogram gradient-boosted trees, and
its `logistic` one; docs/metrics.md) and from scikit-learn's GradientBoostingClassifier and
HistGradientBoostingClassifier (common.utility_f1s, the "f1" and "f1_hist" of neural.py's runs).
The real training rows come first, then each table, then each group's mean and the paired
differences of the validator's F1 minus GB's on the same tables.

    python3 bench/own_utility.py CSV... [--synthlab PATH] [--seed 2026] [--data FOLDER]

The tables are those neural.py leaves in its temporary folder (it prints the folder's name): a
table is grouped by its name there, `synthlab-ctgan-SEED.csv` sampled the paper's way,
`synthlab-ctgan-SEED-reference.csv` ctgan 0.12's way, `sdv-ctgan-RUN.csv` SDV's own way and
`sdv-ctgan-RUN-paper.csv` the paper's. Needs: pip install scikit-learn pandas, and a release build.
"""
import argparse
import json
import os
import re
import subprocess
from concurrent.futures import ProcessPoolExecutor
from statistics import mean, stdev

from common import DATA_FOLDER, SPLIT_SEED, SYNTHLAB, adult_split, load, utility_f1s

KEYS = [("f1", "GB"), ("f1_hist", "hist GB"), ("own_boosting", "boosting"), ("own_logistic", "logistic")]


def group_of(path):
    """The tool, generator and way of sampling that neural.py's file name says."""
    match = re.fullmatch(r"(synthlab|sdv)-(\w+)-\d+(-reference|-paper)?\.csv", os.path.basename(path))
    if not match:
        return "other tables"
    tool, generator, suffix = match.groups()
    if generator != "ctgan":
        return f"{tool} {generator}"
    sampling = {"-reference": "the reference's", "-paper": "the paper's"}.get(suffix, "the paper's" if tool == "synthlab" else "its own")
    return f"{tool} ctgan, {sampling} sampling"


def score(job):
    """One table's four F1s: the validator's (a `synthlab validate` process) and scikit-learn's."""
    synthlab, train_path, holdout_path, path = job
    environment = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    done = subprocess.run([synthlab, "validate", "--real", train_path, "--synthetic", path, "--holdout", holdout_path,
                           "--validator", "utility", "--target", "income", "--seed", "0", "--json"],
                          capture_output=True, text=True, env=environment)
    if done.returncode != 0:
        raise SystemExit(f"synthlab validate failed on {path}: {done.stderr.strip()}")
    metrics = {m["metric"]: m["value"] for m in json.loads(done.stdout)["metrics"]}
    return {**utility_f1s(load(path), load(holdout_path)),
            "own_boosting": metrics["boosting_f1"], "own_logistic": metrics["logistic_f1"]}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("tables", nargs="+", metavar="CSV")
    parser.add_argument("--synthlab", default=SYNTHLAB)
    parser.add_argument("--seed", type=int, default=SPLIT_SEED, help="the split seed the tables were made with")
    parser.add_argument("--data", default=DATA_FOLDER)
    args = parser.parse_args()
    if not os.path.isfile(args.synthlab):
        raise SystemExit(f"no synthlab executable at {args.synthlab}: build it first (swift build -c release)")
    _, holdout, train_path = adult_split(args.data, args.seed, "synthlab-own-utility-")
    holdout_path = os.path.join(os.path.dirname(train_path), "holdout.csv")
    holdout.to_csv(holdout_path, index=False)
    paths = [train_path] + args.tables
    with ProcessPoolExecutor(2) as pool:
        scores = list(pool.map(score, [(args.synthlab, train_path, holdout_path, p) for p in paths]))
    # A table is named with its folder: neural.py names SDV's runs 1, 2, ... in each invocation's.
    print(f"{'table':60} " + " ".join(f"{label:>8}" for _, label in KEYS))
    for path, s in zip(paths, scores):
        name = "real training rows" if path == train_path else os.path.join(*path.split(os.sep)[-2:])
        print(f"{name:60} " + " ".join(f"{s[key]:8.3f}" for key, _ in KEYS))
    groups = {}
    for path, s in zip(args.tables, scores[1:]):
        groups.setdefault(group_of(path), []).append(s)
    print(f"\n{'group':44} {'tables':>6} " + " ".join(f"{label:>8}" for _, label in KEYS)
          + f" {'boosting − GB':>16} {'logistic − GB':>16}")
    for group, members in groups.items():
        def difference(key):
            values = [s[key] - s["f1"] for s in members]
            error = stdev(values) / len(values) ** 0.5 if len(values) > 1 else float("nan")
            return f"{mean(values):+.3f} ± {error:.3f}"
        print(f"{group:44} {len(members):6d} " + " ".join(f"{mean(s[key] for s in members):8.3f}" for key, _ in KEYS)
              + f" {difference('own_boosting'):>16} {difference('own_logistic'):>16}")
    print("(± is the standard error of the mean difference)")


if __name__ == "__main__":
    main()
