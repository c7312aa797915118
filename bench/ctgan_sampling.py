"""How the way a trained ctgan model samples changes what its rows are worth: saved ctgan models of
adult.csv, each sampled under the four settings of its two sampling parameters, scored as
neural.py scores them (binary F1 of income >50K on the real holdout for scikit-learn's
GradientBoostingClassifier trained on the synthetic rows; optionally SDMetrics' quality), with the
share of synthetic incomes over 50K (the real training rows: 24.2 %).

    python3 bench/ctgan_sampling.py MODEL [MODEL ...] [--sample-seeds 1,2] [--quality]
                                    [--split-seed 2026] [--results FILE.jsonl] [--summarize FILE ...]

The settings are `sample_by_frequency` (conditions drawn with each category's frequency, as the
paper mixes the conditional generator back, or with the training's log frequency, as ctgan 0.12
does) and `sample_batch_statistics` (batch norm on each generated batch's statistics, as ctgan 0.12
does, or on the running statistics from training). The models must have been trained on the split
that --split-seed makes (neural.py's default split; `neural.py --ctgan-reference-sampling` keeps
each model beside its synthetic table). Each sample's F1 varies with the sampling seed alone, so
more than one seed per setting separates the settings from that noise. Needs: a release build and
pip install scikit-learn (and sdmetrics sdv for --quality).
"""
import argparse
import itertools
import json
import os
import warnings
from collections import defaultdict

import numpy as np

from common import (DATA_FOLDER, SPLIT_SEED, SYNTHLAB, adult_split, append_jsonl, load, mean_sd, pinned_build, positive_share, quality,
                    read_jsonl, sample_saved_model, seed_list, table_metadata, utility_f1)

warnings.filterwarnings("ignore")
SETTINGS = list(itertools.product(("true", "false"), ("false", "true")))   # (sample_by_frequency, sample_batch_statistics)


def name(by_frequency, batch):
    """A setting's label, marking ctgan's default and ctgan 0.12's way."""
    conditions = "frequency" if by_frequency == "true" else "log frequency"
    norm = "batch statistics" if batch == "true" else "running statistics"
    mark = {("true", "false"): " (default)", ("false", "true"): " (ctgan 0.12)"}.get((by_frequency, batch), "")
    return f"{conditions}, {norm}{mark}"


def summarize(rows):
    """Each setting's mean F1, income share and quality over its samples, and its F1 minus the
    default's on the same model and sampling seed."""
    by_setting = defaultdict(list)
    for row in rows:
        by_setting[(row["sample_by_frequency"], row["sample_batch_statistics"])].append(row)
    default = {(r["model"], r["sample_seed"]): r["f1"] for r in by_setting.get(("true", "false"), [])}
    print(f"\n{'setting':45} {'samples':>7} {'models':>6} {'ML F1':>13} {'>50K share':>10} {'quality (n)':>13} {'F1 − default':>16}")
    for setting in SETTINGS:
        runs = by_setting.get(setting)
        if not runs:
            continue
        f1, f1_sd = mean_sd([r["f1"] for r in runs])
        share = np.mean([r["positive_share"] for r in runs])
        scores = [r["quality"] for r in runs if r.get("quality") is not None]
        paired = [r["f1"] - default[(r["model"], r["sample_seed"])] for r in runs if (r["model"], r["sample_seed"]) in default]
        paired_mean, paired_sd = mean_sd(paired)
        models = len({r["model"] for r in runs})
        print(f"{name(*setting):45} {len(runs):7d} {models:6d} {f1:6.3f} ± {f1_sd:.3f} "
              f"{share:10.3f} {np.mean(scores) if scores else float('nan'):8.4f} ({len(scores):2d}) "
              f"{paired_mean:+7.3f} ± {paired_sd / np.sqrt(len(paired)) if paired else 0:.3f}")
    print("(F1 − default: mean over the same models and sampling seeds ± its standard error)")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("models", nargs="*", metavar="MODEL")
    parser.add_argument("--data", default=DATA_FOLDER)
    parser.add_argument("--synthlab", default=SYNTHLAB)
    parser.add_argument("--split-seed", type=int, default=SPLIT_SEED, help="the seed of the split the models were trained on")
    parser.add_argument("--sample-seeds", default="1,2", help="comma-separated sampling seeds, each setting sampled with each")
    parser.add_argument("--quality", action="store_true", help="also score each sample with SDMetrics' QualityReport")
    parser.add_argument("--results", help="append each sample's row to this JSON-lines file")
    parser.add_argument("--summarize", nargs="+", metavar="FILE", help="print the summary of these results files and exit")
    args = parser.parse_args()
    if args.summarize:
        summarize(read_jsonl(args.summarize))
        return
    if not args.models:
        parser.error("give at least one saved ctgan model")
    for model in args.models:
        if not os.path.isfile(model):
            parser.error(f"no model file {model}")
    seeds = seed_list(parser, "--sample-seeds", args.sample_seeds)
    args.synthlab = pinned_build(args.synthlab)
    train, holdout, train_path = adult_split(args.data, args.split_seed, "synthlab-ctgan-sampling-")
    folder = os.path.dirname(train_path)   # the samples go beside the split's training CSV
    metadata = table_metadata(train) if args.quality else None
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    rows = []
    for model in args.models:
        stem = os.path.splitext(os.path.basename(model))[0]
        for (by_frequency, batch), seed in itertools.product(SETTINGS, seeds):
            out = os.path.join(folder, f"{stem}-{by_frequency}-{batch}-{seed}.csv")
            synthetic = load(sample_saved_model(args.synthlab, model, {"sample_by_frequency": by_frequency,
                                                                      "sample_batch_statistics": batch},
                                                len(train), seed, out, env))
            row = {"model": os.path.basename(model), "sample_by_frequency": by_frequency, "sample_batch_statistics": batch,
                   "sample_seed": seed, "f1": utility_f1(synthetic, holdout),
                   "positive_share": positive_share(synthetic),
                   "quality": quality(train, synthetic, metadata) if args.quality else None}
            rows.append(row)
            print(json.dumps(row), flush=True)
            if args.results:
                append_jsonl(args.results, row)
    summarize(rows)


if __name__ == "__main__":
    main()
