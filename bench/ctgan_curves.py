"""Whether ctgan trains as the reference does, epoch by epoch: our `ctgan` and ctgan 0.12's CTGAN
(the model inside SDV's CTGANSynthesizer) fitted on the same adult.csv split with the same
settings, each epoch's mean losses recorded, then summarized over windows of epochs, with each
window's gap between each reference's runs and ours in standard errors of the difference.

    python3 bench/ctgan_curves.py [--epochs 100] [--seeds 1,2] [--reference-seeds 1,2] [--reference-mixture-seed]
                                  [--results FILE.jsonl] [--summarize FILE ...]

Per epoch and run, the mean over its steps of:
- `loss_d`, mean D(fake) − mean D(real), the critic's estimate of the Wasserstein distance (negated);
- `penalty`, the WGAN-GP gradient penalty (λ = 10);
- `cond`, the generator's cross-entropy on the conditioned column;
- `loss_g`, −mean D(fake) + cond. Its level includes the critic's offset, which the WGAN loss leaves
  free (D and D + c have the same loss_d), so it drifts from run to run: compare it loosely.

ctgan 0.12 keeps only the last step's losses of each epoch, so the reference is recorded by
wrapping three of its functions (the conditional loss, the gradient penalty and the critic's
forward pass); the training itself is unchanged. Ours prints the means in its progress messages
(`synthlab synth -v`). Each run also samples as many rows as it trained on, the way ctgan 0.12
samples (ours with `sample_by_frequency=false`, `sample_batch_statistics=true`), for the F1 and the
share of incomes over 50K. Needs: pip install ctgan scikit-learn (SDV 2.0 brings ctgan 0.12), and a
release build.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import time
import warnings
from collections import Counter

import numpy as np

from common import (DATA_FOLDER, SPLIT_SEED, SYNTHLAB, adult_split, append_jsonl, load, mean_sd, pinned_build, positive_share, read_jsonl,
                    seed_list, utility_f1)

warnings.filterwarnings("ignore")
QUANTITIES = ("loss_d", "penalty", "cond", "loss_g")
WINDOWS = [(1, 1), (2, 5), (6, 10), (11, 20), (21, 40), (41, 60), (61, 80), (81, 100), (101, 150), (151, 200), (201, 300)]
PROGRESS = re.compile(r"epoch (\d+)/\d+ loss_g=(\S+) loss_d=(\S+) penalty=(\S+) cond=(\S+)")


def reference_worker(train_path, out_path, epochs, seed, mixture_seed=None):
    """Fits ctgan 0.12's CTGAN on the training CSV with one thread and prints each epoch's mean losses
    as JSON, then samples `len(train)` rows into `out_path`. With `mixture_seed`, RDT's Gaussian
    mixtures start from that seed instead of its fixed one (42)."""
    import torch
    from ctgan import CTGAN
    from ctgan.synthesizers import ctgan as reference

    torch.set_num_threads(1)
    if mixture_seed is not None:
        from rdt.transformers.numerical import ClusterBasedNormalizer
        ClusterBasedNormalizer._get_current_random_seed = lambda self: mixture_seed
    np.random.seed(seed)
    torch.manual_seed(seed)
    train = load(train_path)
    recorded = {"cond": [], "penalty": [], "critic": []}

    def wrap(owner, name, record):
        original = getattr(owner, name)

        def wrapped(*args, **kwargs):
            value = original(*args, **kwargs)
            record(value)
            return value
        setattr(owner, name, wrapped)

    wrap(reference.CTGAN, "_cond_loss", lambda v: recorded["cond"].append(v.item()))
    wrap(reference.Discriminator, "calc_gradient_penalty", lambda v: recorded["penalty"].append(v.item()))
    wrap(reference.Discriminator, "forward", lambda v: recorded["critic"].append(v.mean().item()))
    discrete = [c for c in train.columns if train[c].dtype == object]
    model = CTGAN(epochs=epochs)
    model.fit(train, discrete)
    steps = max(len(train) // model._batch_size, 1)
    critic = np.array(recorded["critic"]).reshape(epochs, steps, 4)   # per step: D(fake), D(real), D(interpolates), then the generator's D(fake)
    cond = np.array(recorded["cond"]).reshape(epochs, steps)
    penalty = np.array(recorded["penalty"]).reshape(epochs, steps)
    for epoch in range(epochs):
        print(json.dumps({"epoch": epoch + 1, "loss_d": float((critic[epoch, :, 0] - critic[epoch, :, 1]).mean()),
                          "penalty": float(penalty[epoch].mean()), "cond": float(cond[epoch].mean()),
                          "loss_g": float((cond[epoch] - critic[epoch, :, 3]).mean())}))
    model.sample(len(train)).to_csv(out_path, index=False)


def run_reference(train_path, out, epochs, seed, mixture_seed=None):
    env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    result = subprocess.run([sys.executable, os.path.abspath(__file__), "--reference-worker", train_path, out, str(epochs), str(seed)]
                            + ([str(mixture_seed)] if mixture_seed is not None else []), capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise RuntimeError(f"ctgan 0.12 run failed ({result.returncode}): {result.stderr[-2000:]}")
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


def run_ours(synthlab, train_path, out, epochs, seed, rows):
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    result = subprocess.run([synthlab, "synth", "--generator", "ctgan", "--data", train_path, "--rows", str(rows), "--seed", str(seed),
                             "--out", out, "-v", "--param", f"epochs={epochs}", "--param", "sample_by_frequency=false",
                             "--param", "sample_batch_statistics=true"], capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise RuntimeError(f"synthlab synth failed ({result.returncode}): {result.stderr[-2000:]}")
    epochs_seen = []
    for line in (result.stdout + result.stderr).splitlines():
        match = PROGRESS.search(line)
        if match:
            epoch, loss_g, loss_d, penalty, cond = match.groups()
            epochs_seen.append({"epoch": int(epoch), "loss_d": float(loss_d), "penalty": float(penalty), "cond": float(cond),
                                "loss_g": float(loss_g)})
    if len(epochs_seen) != epochs:
        raise RuntimeError(f"synthlab printed {len(epochs_seen)} epochs' losses, expected {epochs}")
    return epochs_seen


def summarize(runs):
    """Each window of epochs: per tool, the mean ± sd over runs of each run's mean in the window; each
    other tool's gap to ours in each window, in standard errors of the difference; then, per tool
    and length of run, each run's F1 and their share of incomes over 50K."""
    counts = Counter(r["tool"] for r in runs)
    tools = sorted(counts)
    epochs = min(len(r["curve"]) for r in runs)
    windows = [(low, high) for low, high in WINDOWS if high <= epochs]
    # (window, quantity, tool) → mean, sd and count over the tool's runs of each run's mean in the window.
    stats = {}
    for low, high in windows:
        for quantity in QUANTITIES:
            for tool in tools:
                values = [np.mean([e[quantity] for e in r["curve"][low - 1:high]]) for r in runs if r["tool"] == tool]
                stats[(low, high), quantity, tool] = (*mean_sd(values), len(values))
    listed = ", ".join(f"{t}: {counts[t]} runs" for t in tools)
    print(f"mean ± sd over runs of each run's mean in the window ({listed}); per quantity, " + " | ".join(tools))
    print(f"{'epochs':>9}  " + "  ".join(f"{q:^33}" for q in QUANTITIES))
    for window in windows:
        cells = [" | ".join(f"{stats[window, q, t][0]:7.4f}±{stats[window, q, t][1]:.4f}" for t in tools) for q in QUANTITIES]
        print(f"{window[0]:4d}-{window[1]:<4d}  " + "  ".join(f"{c:>33}" for c in cells))
    # Each other tool against ours: (mean₂ − mean₁) / √(sd₁²/n₁ + sd₂²/n₂), ours second, the gap
    # measured in standard errors of the difference. Without runs of ours, the last tool stands in.
    ours = "synthlab" if "synthlab" in tools else tools[-1]
    for other in [t for t in tools if t != ours]:
        if min(counts[other], counts[ours]) < 2:
            continue
        print(f"\ngap {ours} − {other} in standard errors of the difference (loss_g left out: its level is free)")
        print(f"{'epochs':>9}  " + "  ".join(f"{q:>8}" for q in QUANTITIES[:3]))
        for window in windows:
            gaps = []
            for quantity in QUANTITIES[:3]:
                (mean1, sd1, n1), (mean2, sd2, n2) = (stats[window, quantity, t] for t in (other, ours))
                error = np.sqrt(sd1 ** 2 / n1 + sd2 ** 2 / n2)
                gaps.append((mean2 - mean1) / error if error > 0 else float("nan"))
            print(f"{window[0]:4d}-{window[1]:<4d}  " + "  ".join(f"{g:8.1f}" for g in gaps))
    print()
    # F1 is of the model after its last epoch, so runs of different lengths are reported apart.
    for tool, length in sorted({(r["tool"], r["epochs"]) for r in runs}):
        mine = [r for r in runs if r["tool"] == tool and r["epochs"] == length]
        f1 = [r["f1"] for r in mine]
        mean, sd = mean_sd(f1)
        print(f"{tool}, {length} epochs: F1 {mean:.3f} ± {sd:.3f} over {len(f1)} runs "
              f"({', '.join(f'{v:.3f}' for v in f1)}); >50K share {np.mean([r['positive_share'] for r in mine]):.3f}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=DATA_FOLDER)
    parser.add_argument("--synthlab", default=SYNTHLAB)
    parser.add_argument("--split-seed", type=int, default=SPLIT_SEED)
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--seeds", default="1,2", help="comma-separated seeds of our runs")
    parser.add_argument("--reference-seeds", default="1,2", help="comma-separated seeds of ctgan 0.12's runs (numpy's and torch's)")
    parser.add_argument("--results", help="append each finished run to this JSON-lines file")
    parser.add_argument("--summarize", nargs="+", metavar="FILE", help="summarize the runs stored in these files and exit")
    parser.add_argument("--reference-mixture-seed", action="store_true",
                        help="start ctgan 0.12's Gaussian mixtures from each run's seed instead of RDT's fixed 42 (as ours do)")
    parser.add_argument("--reference-worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.reference_worker:
        train_path, out, epochs, seed = args.reference_worker[:4]
        mixture = int(args.reference_worker[4]) if len(args.reference_worker) > 4 else None
        reference_worker(train_path, out, int(epochs), int(seed), mixture)
        return
    if args.summarize:
        summarize(read_jsonl(args.summarize))
        return
    seeds = seed_list(parser, "--seeds", args.seeds)
    reference_seeds = seed_list(parser, "--reference-seeds", args.reference_seeds)
    if seeds:
        args.synthlab = pinned_build(args.synthlab)
    train, holdout, train_path = adult_split(args.data, args.split_seed, "synthlab-curves-")
    folder = os.path.dirname(train_path)
    reference = "ctgan 0.12, own mixture seeds" if args.reference_mixture_seed else "ctgan 0.12"
    jobs = [("synthlab", s) for s in seeds] + [(reference, s) for s in reference_seeds]
    runs = []
    for tool, seed in jobs:
        out = os.path.join(folder, f"{tool.split()[0]}-{seed}.csv")
        if tool == "synthlab":
            curve = run_ours(args.synthlab, train_path, out, args.epochs, seed, len(train))
        else:
            curve = run_reference(train_path, out, args.epochs, seed, seed if args.reference_mixture_seed else None)
        synthetic = load(out)
        run = {"tool": tool, "seed": seed, "epochs": args.epochs, "f1": utility_f1(synthetic, holdout),
               "positive_share": positive_share(synthetic), "curve": curve, "date": time.strftime("%Y-%m-%d %H:%M")}
        runs.append(run)
        print(f"{tool} seed {seed}: F1 {run['f1']:.3f}, >50K share {run['positive_share']:.3f}", flush=True)
        if args.results:
            append_jsonl(args.results, run)
    summarize(runs)


if __name__ == "__main__":
    main()
