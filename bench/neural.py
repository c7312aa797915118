"""SynthLab's neural generators (ctgan, tvae) against SDV 2.0's CTGANSynthesizer and
TVAESynthesizer on adult.csv, side by side with the same number of epochs.

The protocol is statistical.py's: an 80/20 split of adult.csv with a fixed seed, as many rows
sampled as the training part has, each output scored by SDMetrics' QualityReport and by
machine-learning utility (a gradient-boosted classifier trained on the synthetic rows, tested on
the real holdout, binary F1 of income >50K): scikit-learn's GradientBoostingClassifier ("f1", as
every stored run has it) and HistGradientBoostingClassifier ("f1_hist", the classifier whose F1 on
the real rows is the issue's 0.70 to 0.72; runs from 2026-12-01 on), and the CTGAN paper's measure
("f1_paper", runs from 2026-12-02 10:40 on: the mean F1 of a decision tree, AdaBoost, logistic
regression and a small MLP over the features of the paper's benchmark; common.paper_utility_f1s).
Every fit runs in its own child process, so its peak resident memory (GNU time's %M) is measured the
same way for both tools.

    python3 bench/neural.py [--epochs 300] [--generators ctgan,tvae] [--which both|ours|sdv]
                            [--seeds 7,8,9] [--sdv-runs N] [--sdv-threads N] [--results FILE.jsonl]
                            [--ctgan-reference-sampling] [--sdv-paper-sampling]

With --ctgan-reference-sampling, each of our ctgan fits is saved, and its model is also sampled as
ctgan 0.12 samples (sample_by_frequency false, sample_batch_statistics true: log-frequency
conditions, batch statistics); that run is recorded with "sampling": "reference" beside the default
one ("sampling": "paper"), so the two ways of sampling are compared on the same trained weights.
--sdv-paper-sampling does the converse for SDV's CTGAN: each fitted model is also sampled the
paper's way (conditions drawn with each category's frequency, the generator in eval mode), recorded
with "sampling": "paper".

Each finished run is appended to the results file (one JSON object per line) as it finishes, so a
long run that is interrupted keeps what it measured; the table at the end is printed from the
runs of this invocation. Needs: pip install sdv sdmetrics scikit-learn, and a release build
(swift build -c release) and GNU time (apt install time).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np
import pandas as pd

from common import (DATA_FOLDER, ROOT, SPLIT_SEED, SYNTHLAB, adult_split, append_jsonl, load, mean_sd, pinned_build, positive_share, quality,
                    paper_utility_f1s, read_jsonl, sample_saved_model, seed_list, table_metadata, utility_f1s)

warnings.filterwarnings("ignore")


def run_measured(command, env=None):
    """Runs a child to completion under GNU time; returns its stdout and its peak resident memory
    in MiB. (wait4's ru_maxrss would not do: Linux carries the forking Python process's own peak
    over into the child.)"""
    with tempfile.TemporaryDirectory() as folder:
        peak_file = os.path.join(folder, "peak")
        result = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", peak_file] + command, capture_output=True, text=True, env=env)
        if result.returncode != 0:
            raise RuntimeError(f"{command[0]} failed ({result.returncode}): {result.stderr[-2000:]}")
        with open(peak_file) as handle:
            peak_kib = int(handle.read().split()[-1])
        return result.stdout, peak_kib / 1024.0


def sdv_worker(kind, train_path, out_path, epochs, paper_out=None):
    """Runs in the child: fits SDV's synthesizer, samples, writes CSV, prints timings as JSON; with
    `paper_out`, a CTGAN model is also sampled the paper's way into that CSV."""
    from sdv.metadata import Metadata
    from sdv.single_table import CTGANSynthesizer, TVAESynthesizer

    train = load(train_path)
    metadata = Metadata.detect_from_dataframes({"adult": train})
    cls = CTGANSynthesizer if kind == "ctgan" else TVAESynthesizer
    synthesizer = cls(metadata, epochs=epochs, enable_gpu=False)
    start = time.perf_counter()
    synthesizer.fit({"adult": train})
    fit_seconds = time.perf_counter() - start
    start = time.perf_counter()
    synthetic = synthesizer.sample(num_rows=len(train))
    if isinstance(synthetic, dict):
        synthetic = synthetic["adult"]
    sample_seconds = time.perf_counter() - start
    synthetic.to_csv(out_path, index=False)
    report = {"fit_seconds": fit_seconds, "sample_seconds": sample_seconds}
    if kind == "ctgan" and paper_out:
        # The same model sampled the paper's way: each condition's category drawn with its
        # frequency (the count of its training rows), and the generator's batch norm in eval mode.
        model = synthesizer._model
        sampler = model._data_sampler
        frequencies = np.zeros_like(sampler._discrete_column_category_prob)
        for column, rows in enumerate(sampler._rid_by_cat_cols):
            counts = np.array([len(r) for r in rows], dtype=float)
            frequencies[column, :len(counts)] = counts / counts.sum()
        sampler._discrete_column_category_prob = frequencies
        model._generator.eval()
        paper = synthesizer.sample(num_rows=len(train))
        (paper["adult"] if isinstance(paper, dict) else paper).to_csv(paper_out, index=False)
        report["paper_sampling"] = paper_out
    print(json.dumps(report))


def sample_as_reference(synthlab, model, rows, seed, out, env):
    """The rows a saved ctgan model makes when sampled as ctgan 0.12 samples: sample_by_frequency
    false and sample_batch_statistics true."""
    return load(sample_saved_model(synthlab, model, {"sample_by_frequency": "false", "sample_batch_statistics": "true"},
                                   rows, seed, out, env))


def print_paired(runs, before, after):
    """Each score of revision `after` minus that of `before` on the seeds both ran (same generator,
    epochs and sampling): the mean difference ± its standard error."""
    ours = [r for r in runs if r["tool"] == "synthlab"]
    for key in sorted({(r["generator"], r["epochs"], r.get("sampling") or "") for r in ours}):
        def by_seed(revision):
            return {r["seed"]: r for r in ours if (r["generator"], r["epochs"], r.get("sampling") or "") == key
                    and r.get("revision") == revision}
        old, new = by_seed(before), by_seed(after)
        seeds = sorted(set(old) & set(new))
        if len(seeds) < 2:
            continue
        parts = []
        for score in ("f1", "quality"):
            mean, sd = mean_sd([new[s][score] - old[s][score] for s in seeds])
            parts.append(f"{score} {mean:+.4f} ± {sd / len(seeds) ** 0.5:.4f}")
        sampling = f" {key[2]} sampling" if key[2] else ""
        print(f"{key[0]}, {key[1]} epochs{sampling}: {after} − {before} on the same {len(seeds)} seeds: {', '.join(parts)} (standard error)")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=DATA_FOLDER)
    parser.add_argument("--synthlab", default=SYNTHLAB)
    parser.add_argument("--seed", type=int, default=SPLIT_SEED)
    parser.add_argument("--epochs", type=int, default=300)
    parser.add_argument("--generators", default="ctgan,tvae")
    parser.add_argument("--which", choices=["both", "ours", "sdv"], default="both")
    parser.add_argument("--seeds", default="7", help="comma-separated seeds of our runs (one run each)")
    parser.add_argument("--sdv-runs", type=int, default=1, help="how many times SDV's synthesizer is fitted (it takes no seed)")
    parser.add_argument("--sdv-threads", type=int, default=None, help="PyTorch threads of the SDV runs (default: every core)")
    parser.add_argument("--results", default=None, help="append each finished run to this JSON-lines file")
    parser.add_argument("--ctgan-reference-sampling", action="store_true",
                        help="also sample each of our ctgan models as ctgan 0.12 does, recorded as a run of its own")
    parser.add_argument("--summarize", nargs="+", metavar="FILE", help="print the runs stored in these results files, with each tool's mean and sd, and exit")
    parser.add_argument("--same-code", action="append", metavar="REV,REV", help="with --summarize: revisions whose code "
                        "trains and samples alike (later commits that only refactored), summarized as one; may be repeated")
    parser.add_argument("--sdv-paper-sampling", action="store_true",
                        help="also sample each SDV CTGAN model the paper's way (frequency conditions, batch norm in eval mode), recorded as a run of its own")
    parser.add_argument("--paired", nargs=2, metavar=("BEFORE", "AFTER"), help="with --summarize: each score of revision AFTER "
                        "minus that of revision BEFORE (as --same-code names them) on the seeds both ran, by generator and sampling")
    parser.add_argument("--since", metavar="'YYYY-MM-DD HH:MM'", help="with --summarize: only the runs finished at or after this time")
    parser.add_argument("--until", metavar="'YYYY-MM-DD HH:MM'", help="with --summarize: only the runs finished before this time")
    parser.add_argument("--sdv-worker", nargs="+", metavar="ARG", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.sdv_worker:
        sdv_worker(args.sdv_worker[0], args.sdv_worker[1], args.sdv_worker[2], args.epochs, *args.sdv_worker[3:4])
        return

    if args.summarize:
        runs = [r for r in read_jsonl(args.summarize)
                if (not args.since or r["date"] >= args.since) and (not args.until or r["date"] < args.until)]
        for group in args.same_code or []:
            # Revisions whose code trains and samples alike are summarized as one.
            revisions = group.split(",")
            for r in runs:
                if r.get("revision") in revisions:
                    r["revision"] = "+".join(revisions)
        print_table(merge_reruns(runs), sorted({(r["generator"], r["epochs"]) for r in runs}), measured=runs)
        if args.paired:
            print_paired(merge_reruns(runs), *args.paired)
        return

    if args.which != "sdv":
        args.synthlab = pinned_build(args.synthlab)
    train, holdout, train_path = adult_split(args.data, args.seed, "synthlab-neural-")

    single = table_metadata(train)
    real = pd.concat([train, holdout])   # the whole table: the numeric ranges of the paper's features

    def scores(synthetic):
        """A synthetic table's ML utility under every classifier, and its share of incomes over 50K."""
        return {**utility_f1s(synthetic, holdout), **paper_utility_f1s(synthetic, holdout, real),
                "positive_share": positive_share(synthetic)}
    print(f"adult.csv: {len(train)} training rows, {len(holdout)} holdout rows (split seed {args.seed}), "
          f"{args.epochs} epochs", flush=True)

    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    # The last commit that changed our code ("+" when the code has uncommitted changes), so that
    # stored runs of different code are told apart and runs of the same code are not.
    code = ["Package.swift", "Sources", "Plugins"]
    status = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no", "--"] + code, capture_output=True, text=True)
    head = subprocess.run(["git", "-C", ROOT, "log", "-1", "--format=%h", "--"] + code, capture_output=True, text=True)
    revision = head.stdout.strip() + ("+" if status.stdout.strip() else "") if head.returncode == 0 else None
    seeds = seed_list(parser, "--seeds", args.seeds)
    results = []
    for generator in args.generators.split(","):
        runs = ([("synthlab", seed) for seed in seeds] if args.which != "sdv" else []) + ([("sdv", run) for run in range(1, args.sdv_runs + 1)] if args.which != "ours" else [])
        for tool, seed in runs:
            out = os.path.join(os.path.dirname(train_path), f"{tool}-{generator}-{seed}.csv")
            start = time.perf_counter()
            model = out.replace(".csv", ".model") if tool == "synthlab" and generator == "ctgan" and args.ctgan_reference_sampling else None
            if tool == "synthlab":
                stdout, peak = run_measured([args.synthlab, "synth", "--generator", generator, "--data", train_path,
                                             "--rows", str(len(train)), "--seed", str(seed), "--out", out, "--json",
                                             "--param", f"epochs={args.epochs}"] + (["--save-model", model] if model else []), env=env)
            else:
                sdv_env = dict(os.environ)
                if args.sdv_threads:
                    sdv_env.update(OMP_NUM_THREADS=str(args.sdv_threads), MKL_NUM_THREADS=str(args.sdv_threads))
                stdout, peak = run_measured([sys.executable, os.path.abspath(__file__), "--epochs", str(args.epochs),
                                             "--sdv-worker", generator, train_path, out]
                                            + ([out.replace(".csv", "-paper.csv")] if generator == "ctgan" and args.sdv_paper_sampling else []),
                                            env=sdv_env)
            wall = time.perf_counter() - start
            report = json.loads(stdout)
            synthetic = load(out)
            row = {"tool": tool, "generator": generator, "seed": seed if tool == "synthlab" else None,
                   "run": seed if tool == "sdv" else None, "epochs": args.epochs, "wall_seconds": wall,
                   "fit_seconds": report["fit_seconds"], "sample_seconds": report["sample_seconds"],
                   "peak_mib": peak, **scores(synthetic),
                   "quality": quality(train, synthetic, single),
                   "date": time.strftime("%Y-%m-%d %H:%M")}
            if tool == "synthlab":
                row["revision"] = revision
                if generator == "ctgan":
                    row["sampling"] = "paper"
            rows = [row]

            def sampled_again(sampling, synthetic):
                """The same fit's run for its model sampled the other way."""
                return dict(row, sampling=sampling, sample_seconds=None, **scores(synthetic),
                            quality=quality(train, synthetic, single))

            if "paper_sampling" in report:
                row["sampling"] = "reference"
                rows.append(sampled_again("paper", load(report["paper_sampling"])))
            if model:
                rows.append(sampled_again("reference", sample_as_reference(args.synthlab, model, len(train), seed,
                                                                           out.replace(".csv", "-reference.csv"), env)))
            for row in rows:
                results.append(row)
                print(json.dumps(row), flush=True)
                if args.results:
                    append_jsonl(args.results, row)

    print_table(results, [(generator, args.epochs) for generator in args.generators.split(",")])


F1_TARGET = 0.60   # the train-on-synthetic, test-on-real F1 on income


def merge_reruns(runs):
    """A seed of ours run again with the same code (after --same-code) is one model, counted once:
    where the rerun reproduced the stored ML F1 and quality exactly, the two rows become one, the
    first with the fields only the rerun recorded (f1_hist, f1_paper, positive_share). A rerun that
    did not reproduce its run is reported and kept beside it (other arithmetic, another draw)."""
    merged, first = [], {}
    reproduced, differed = [], []
    for r in runs:
        if r["tool"] != "synthlab":   # SDV takes no seed: each of its runs is a model of its own
            merged.append(r)
            continue
        key = (r["generator"], r["epochs"], r.get("revision"), r["seed"], r.get("sampling"))
        earlier = first.get(key)
        if earlier is None:
            first[key] = dict(r)
            merged.append(first[key])
        elif earlier["f1"] == r["f1"] and earlier["quality"] == r["quality"]:
            for field, value in r.items():
                if earlier.get(field) is None:
                    earlier[field] = value
            reproduced.append(r)
        else:
            differed.append(r)
            merged.append(r)
    if reproduced:
        print(f"{len(reproduced)} reruns reproduced their stored run's ML F1 and quality exactly, each counted once: "
              + ", ".join(f"{r['generator']} seed {r['seed']}" + (f" ({r['sampling']})" if r.get("sampling") else "") for r in reproduced))
    for r in differed:
        print(f"{r['generator']} seed {r['seed']} ({r.get('revision')}) run again gave ML F1 {r['f1']:.4f} and quality "
              f"{r['quality']:.4f}, not its stored run's; both are kept")
    return merged


def t_quantile(p, df):
    """Student's t quantile (scipy's), or the normal one where scipy is missing."""
    try:
        from scipy.stats import t
        return float(t.ppf(p, df))
    except ImportError:
        from statistics import NormalDist
        return NormalDist().inv_cdf(p)


# The record keys of common.CLASSIFIERS and of the paper's four classifiers (common.paper_utility_f1s),
# as printed.
F1_KEYS = [("f1", "ML F1"), ("f1_hist", "ML F1 (hist GB)"), ("f1_paper", "ML F1 (paper's classifiers)")]


def runs_of(runs, tool, generator, epochs):
    """The runs of one tool's generator at one number of epochs."""
    return [r for r in runs if r["tool"] == tool and r["generator"] == generator and r["epochs"] == epochs]


def print_table(results, groups, measured=None):
    """The runs (`measured`, every stored run with its own times, reruns included; `results` when
    not given), then per (generator, epochs) each tool's mean ± sd over its runs and how many fall
    below the F1 target; each group of ours against SDV's mean F1, in standard errors of the
    difference; each other score minus GB's F1 on the same tables (and, where only some runs
    recorded it, that score's mean estimated over all of them); how sampling our models the paper's
    way changes them against the reference's way; and the fit-time and peak-memory ratios of each
    tool's i-th runs (measured side by side when one invocation made both). Each F1 is summarized
    for every classifier, the others over the runs that recorded them. The statistics count each
    model of `results` once; the ratios pair the runs as measured, so a rerun of ours keeps its
    place beside the SDV run fitted with it."""
    measured = results if measured is None else measured
    print(f"\n{'tool':9} {'generator':6} {'seed':>6} {'epochs':>6} {'fit s':>9} {'s/epoch':>8} {'sample s':>9} {'peak MiB':>9} "
          f"{'ML F1':>6} {'hist':>6} {'paper':>6} {'quality':>8}")
    for r in measured:
        seed = f"run {r['run']}" if r["seed"] is None else str(r["seed"])
        hist, paper = (f"{r[key]:6.3f}" if r.get(key) is not None else f"{'-':>6}" for key in ("f1_hist", "f1_paper"))
        print(f"{r['tool']:9} {r['generator']:6} {seed:>6} {r['epochs']:6d} {r['fit_seconds']:9.1f} "
              f"{r['fit_seconds'] / r['epochs']:8.2f} {r['sample_seconds'] or 0:9.2f} {r['peak_mib']:9.0f} "
              f"{r['f1']:6.3f} {hist} {paper} {r['quality']:8.4f}" + (f"  {r['sampling']} sampling" if r.get("sampling") else ""))
    for generator, epochs in groups:
        ours, peer = runs_of(results, "synthlab", generator, epochs), runs_of(results, "sdv", generator, epochs)
        # Our runs of different code (their revision), and of the two ways of sampling a ctgan model,
        # are summarized apart; SDV's all together, apart from its models sampled the paper's way.
        kinds = sorted({(r.get("revision") or "", r.get("sampling") or "") for r in ours})
        all_groups = [(" ".join(["synthlab"] + ([rev or "(earlier)"] if len(kinds) > 1 else []) + ([f"{sampling} sampling"] if sampling else [])),
                       [r for r in ours if (r.get("revision") or "", r.get("sampling") or "") == (rev, sampling)])
                      for rev, sampling in kinds]
        all_groups += [("sdv", [r for r in peer if r.get("sampling") != "paper"]),
                       ("sdv paper sampling", [r for r in peer if r.get("sampling") == "paper"])]
        for key, label in F1_KEYS:
            groups_of_runs = [(tool, [r for r in runs if r.get(key) is not None]) for tool, runs in all_groups]
            for tool, runs in groups_of_runs:
                if len(runs) > 1:
                    f1 = np.array([r[key] for r in runs])
                    scores = np.array([r["quality"] for r in runs])
                    shares = [r["positive_share"] for r in runs if r.get("positive_share") is not None]
                    print(f"{generator}, {epochs} epochs, {tool}, {len(runs)} runs: {label} {f1.mean():.3f} ± {f1.std(ddof=1):.3f} "
                          f"(lowest {f1.min():.3f}, {np.sum(f1 < F1_TARGET)} below {F1_TARGET:.2f}), "
                          f"quality {scores.mean():.4f} ± {scores.std(ddof=1):.4f}"
                          + (f", >50K share {np.mean(shares):.3f} ({min(shares):.3f} to {max(shares):.3f})" if len(shares) == len(runs) else ""))
            # Where each group's mean F1 lies, against the target: mean ± t(0.975, n − 1) · sd / √n.
            for tool, runs in groups_of_runs:
                if len(runs) > 2:
                    f1 = np.array([r[key] for r in runs])
                    half = t_quantile(0.975, len(f1) - 1) * f1.std(ddof=1) / np.sqrt(len(f1))
                    print(f"{generator}, {epochs} epochs, {tool}: mean {label} {f1.mean():.3f}, 95 % interval "
                          f"{f1.mean() - half:.3f} to {f1.mean() + half:.3f} ({len(f1)} runs)")
            # The share of incomes over 50K a run makes, where it was recorded, and how F1 follows it.
            for tool, runs in groups_of_runs:
                shared = [r for r in runs if r.get("positive_share") is not None]
                if 2 < len(shared) < len(runs):
                    share = np.array([r["positive_share"] for r in shared])
                    f1 = np.array([r[key] for r in shared])
                    print(f"{generator}, {epochs} epochs, {tool}: the {len(shared)} runs that recorded it make {share.mean():.3f} ± "
                          f"{share.std(ddof=1) / np.sqrt(len(share)):.3f} (standard error) incomes over 50K; {label} {f1.mean():.3f}, "
                          f"correlation of F1 and share {np.corrcoef(share, f1)[0, 1]:.2f}")
            # SDV's mean F1 minus each group's: (mean₂ − mean₁) / √(sd₁²/n₁ + sd₂²/n₂).
            sdv_f1 = np.array([r[key] for r in groups_of_runs[-2][1]])
            for tool, runs in groups_of_runs[:-2]:
                if len(runs) > 1 and len(sdv_f1) > 1:
                    f1 = np.array([r[key] for r in runs])
                    error = np.sqrt(f1.var(ddof=1) / len(f1) + sdv_f1.var(ddof=1) / len(sdv_f1))
                    gap = sdv_f1.mean() - f1.mean()
                    print(f"{generator}, {epochs} epochs: sdv − {tool}: {label} {gap:+.3f}, {gap / error:+.1f} standard errors "
                          f"of the difference ({error:.3f})")
        # Each other score on the same synthetic tables minus GB's F1, with its standard error.
        for key, label in F1_KEYS[1:]:
            for tool, runs in all_groups:
                both = [r for r in runs if r.get(key) is not None]
                if len(both) > 1:
                    gap = np.array([r[key] - r["f1"] for r in both])
                    print(f"{generator}, {epochs} epochs, {tool}: {label} − ML F1 on the same {len(both)} tables "
                          f"{gap.mean():+.3f} ± {gap.std(ddof=1) / np.sqrt(len(gap)):.3f} (standard error; from {gap.min():+.3f} to {gap.max():+.3f})")
                    # Where the score's mean over every run of the group would be, if the runs that
                    # recorded it are a draw of them not chosen by score: the mean GB F1 of all plus
                    # the mean gap, with the standard error of the sum (the two taken as independent).
                    if len(both) < len(runs):
                        f1 = np.array([r["f1"] for r in runs])
                        error = np.sqrt(f1.var(ddof=1) / len(f1) + gap.var(ddof=1) / len(gap))
                        print(f"{generator}, {epochs} epochs, {tool}: ML F1 of all {len(runs)} runs {f1.mean():.3f} "
                              f"{gap.mean():+.3f} on the same tables = {label} {f1.mean() + gap.mean():.3f} ± {error:.3f} "
                              f"(standard error) estimated over all of them")
        # The same models sampled both ways: the paper's way against the reference's.
        by_model = {}
        for r in ours:
            by_model.setdefault((r.get("revision"), r["seed"]), {})[r.get("sampling")] = r
        both = [m for m in by_model.values() if "paper" in m and "reference" in m]
        if both:
            higher = sum(m["paper"]["quality"] > m["reference"]["quality"] for m in both)
            lower = sum(m["paper"]["f1"] < m["reference"]["f1"] for m in both)
            print(f"{generator}, {epochs} epochs: the paper's sampling against the reference's on the same {len(both)} models: "
                  f"quality higher on {higher}, ML F1 lower on {lower}")
        fits = [r for r in runs_of(measured, "synthlab", generator, epochs) if r.get("sampling") != "reference"]   # one row per fit
        peer_fits = [r for r in runs_of(measured, "sdv", generator, epochs) if r.get("sampling") != "paper"]
        pairs = list(zip(fits, peer_fits))   # the i-th run of each tool, as they were measured side by side
        if pairs:
            times = ", ".join(f"{a['fit_seconds'] / b['fit_seconds']:.3f}" for a, b in pairs)
            memory = ", ".join(f"{a['peak_mib'] / b['peak_mib']:.3f}" for a, b in pairs)
            print(f"{generator}: fit time ours/SDV = {times}, peak memory ours/SDV = {memory}")


if __name__ == "__main__":
    main()
