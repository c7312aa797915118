"""SynthLab's validators against SDMetrics on large tables, in one run.

1. Fidelity: a 1,000,000 × 20 mixed table (12 numeric columns, two of them integers, 8
   categorical with 2 to 40 levels, 2 % missing cells in three columns) and a synthetic one of
   the same size from a perturbed copy of the same process. Ours: `synthlab validate` with the
   `quality` validator (SDMetrics' QualityReport, every row) and the `fidelity` validator (KS test,
   Wasserstein, Jensen-Shannon, TV, chi-squared per column; Pearson, Spearman and contingency
   similarity per pair). Peer: sdmetrics' QualityReport on the same data (it subsamples the
   contingency tables to 50,000 rows). Seconds from each tool's own clock, reading excluded;
   peak memory of each process by GNU time.
2. Distance to closest record: 100,000 synthetic rows against 100,000 training rows of the same
   process. Ours: bench/SynthMetricsBench (the privacy_risk search: one record space, blocked
   single-precision BLAS products, exact double-precision distances for the winners). Peer:
   sdmetrics.single_table.privacy.dcr_utils.calculate_dcr (a Gower-like mean of per-column
   distances, chunked pandas cross joins). The two define the distance differently; the times
   are for the same job, one nearest record per synthetic row over the same data.
   `--sdmetrics-dcr-rows N` times sdmetrics on the first N synthetic rows only, and the total is
   then extrapolated (its cost is linear in the synthetic rows: one pass over the training rows
   each); the printed line says which.

    python3 bench/validators.py [--rows 1000000] [--dcr-rows 100000] [--sdmetrics-dcr-rows N]

Needs: pip install sdmetrics, a release build (swift build -c release), GNU time.
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

warnings.filterwarnings("ignore")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def mixed_table(rows, seed, shift=0.0):
    """12 numeric and 8 categorical columns driven by three shared latent factors."""
    rng = np.random.default_rng(seed)
    latent = rng.normal(size=(rows, 3))
    data = {}
    for i in range(12):
        weights = rng.normal(size=3) if seed < 100 else np.random.default_rng(i).normal(size=3)
        value = latent @ weights + rng.normal(scale=1.0, size=rows) + shift
        if i % 4 == 1:
            value = np.exp(value / 3)
        if i in (10, 11):
            value = np.round(value * 10)
        data[f"n{i}"] = value
    for i in range(8):
        levels = [2, 3, 5, 8, 12, 20, 30, 40][i]
        driver = latent[:, i % 3] + rng.normal(scale=0.8, size=rows)
        cuts = np.quantile(driver, np.linspace(0, 1, levels + 1)[1:-1])
        data[f"c{i}"] = np.array([f"L{k}" for k in range(levels)])[np.searchsorted(cuts, driver)]
    frame = pd.DataFrame(data)
    for column in ["n3", "n7", "c5"]:
        frame.loc[rng.random(rows) < 0.02, column] = np.nan
    return frame


def metadata_of(frame):
    return {"columns": {c: {"sdtype": "numerical" if frame[c].dtype.kind == "f" else "categorical"} for c in frame.columns}}


def run_measured(command):
    """Runs a child under GNU time; returns stdout and peak resident memory in MiB."""
    with tempfile.TemporaryDirectory() as folder:
        peak_file = os.path.join(folder, "peak")
        env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
        result = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", peak_file] + command, capture_output=True, text=True, env=env)
        if result.returncode != 0:
            raise RuntimeError(f"{command[0]} failed ({result.returncode}): {result.stderr[-2000:]}")
        with open(peak_file) as handle:
            return result.stdout, int(handle.read().split()[-1]) / 1024.0


def sdmetrics_quality(real_path, synthetic_path):
    """In the child: reads both tables with pandas, times sdmetrics' QualityReport."""
    from sdmetrics.reports.single_table import QualityReport
    start = time.perf_counter()
    real, synthetic = pd.read_csv(real_path), pd.read_csv(synthetic_path)
    read = time.perf_counter() - start
    start = time.perf_counter()
    report = QualityReport()
    report.generate(real, synthetic, metadata_of(real), verbose=False)
    print(json.dumps({"read": read, "quality_seconds": time.perf_counter() - start, "quality": report.get_score()}))


def sdmetrics_dcr(train_path, synthetic_path, rows):
    """In the child: times sdmetrics' calculate_dcr for the first `rows` synthetic rows."""
    from sdmetrics.single_table.privacy.dcr_utils import calculate_dcr
    train, synthetic = pd.read_csv(train_path), pd.read_csv(synthetic_path)
    synthetic = synthetic.iloc[:rows]
    start = time.perf_counter()
    distances = calculate_dcr(synthetic, train, metadata_of(train))
    print(json.dumps({"seconds": time.perf_counter() - start, "rows": len(synthetic), "median": float(distances.median())}))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--dcr-rows", type=int, default=100_000)
    parser.add_argument("--sdmetrics-dcr-rows", type=int, default=None)
    parser.add_argument("--synthlab", default=os.path.join(ROOT, ".build", "release", "synthlab"))
    parser.add_argument("--bench", default=os.path.join(ROOT, ".build", "release", "synthmetrics-bench"))
    parser.add_argument("--skip", choices=["fidelity", "dcr"], action="append", default=[])
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        return sdmetrics_quality(*rest) if kind == "quality" else sdmetrics_dcr(rest[0], rest[1], int(rest[2]))

    folder = tempfile.mkdtemp(prefix="synthlab-validators-")
    me = [sys.executable, os.path.abspath(__file__), "--child"]
    if "fidelity" not in args.skip:
        real_path, synthetic_path = os.path.join(folder, "real.csv"), os.path.join(folder, "synthetic.csv")
        mixed_table(args.rows, 1).to_csv(real_path, index=False)
        mixed_table(args.rows, 2, shift=0.05).to_csv(synthetic_path, index=False)
        out, ours_peak = run_measured([args.synthlab, "validate", "--real", real_path, "--synthetic", synthetic_path,
                                       "--validator", "quality", "--validator", "fidelity", "--json"])
        ours = json.loads(out)
        quality = next(m["value"] for m in ours["metrics"] if m["validator"] == "quality" and m["metric"] == "quality")
        out, peer_peak = run_measured(me + ["quality", real_path, synthetic_path])
        peer = json.loads(out)
        s = ours["seconds"]
        print(f"fidelity, {args.rows:,} × 20 rows (each table), reading excluded:")
        print(f"  synthlab quality   {s['quality']:8.1f} s   quality {quality:.4f}   peak {ours_peak:7.0f} MiB (whole run)")
        print(f"  synthlab fidelity  {s['fidelity']:8.1f} s   (every column test and every pair)")
        print(f"  sdmetrics quality  {peer['quality_seconds']:8.1f} s   quality {peer['quality']:.4f}   peak {peer_peak:7.0f} MiB")
        print(f"  ratio quality (ours / sdmetrics) {s['quality'] / peer['quality_seconds']:.3f}; "
              f"fidelity + quality {(s['quality'] + s['fidelity']) / peer['quality_seconds']:.3f}")
        print(f"  reading the two CSV files: synthlab {s['read']:.1f} s, pandas {peer['read']:.1f} s")
    if "dcr" not in args.skip:
        train_path, synthetic_path = os.path.join(folder, "dcr_train.csv"), os.path.join(folder, "dcr_synthetic.csv")
        mixed_table(args.dcr_rows, 3).to_csv(train_path, index=False)
        mixed_table(args.dcr_rows, 4, shift=0.05).to_csv(synthetic_path, index=False)
        out, ours_peak = run_measured([args.bench, train_path, synthetic_path])
        ours = json.loads(out)
        rows = args.sdmetrics_dcr_rows or args.dcr_rows
        out, peer_peak = run_measured(me + ["dcr", train_path, synthetic_path, str(rows)])
        peer = json.loads(out)
        total = peer["seconds"] * args.dcr_rows / peer["rows"]
        how = "measured" if peer["rows"] == args.dcr_rows else f"extrapolated from {peer['rows']:,} synthetic rows"
        ours_total = ours["encode_seconds"] + ours["search_seconds"]
        print(f"distance to closest record, {args.dcr_rows:,} synthetic × {args.dcr_rows:,} training rows, width {ours['width']}:")
        print(f"  synthlab   {ours_total:8.1f} s (encode {ours['encode_seconds']:.1f} s, search {ours['search_seconds']:.1f} s)"
              f"   median DCR {ours['dcr_median']:.4f}   peak {ours_peak:7.0f} MiB")
        print(f"  sdmetrics  {total:8.1f} s ({how})   median DCR {peer['median']:.4f} (its own distance)   peak {peer_peak:7.0f} MiB")
        print(f"  ratio (ours / sdmetrics) {ours_total / total:.4f}")


if __name__ == "__main__":
    main()
