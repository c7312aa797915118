"""`ctgan` and `tvae` against SDV 2.0's CTGANSynthesizer and TVAESynthesizer on the small shared
tables (german_credit.csv, 1,000 rows; insurance.csv, 1,338 rows), in one run: each tool fits the
whole table with the default 300 epochs and samples as many rows, once per seed, and SDMetrics'
QualityReport (the peer's own scorer, with the metadata SDV detects) scores every output against
the table. SDV's runs take one thread each, in a process of their own.

    python3 bench/small_tables.py [--seeds 1,2,3] [--tables german_credit.csv,insurance.csv]
                                  [--before PATH] [--results FILE] [--summarize FILE...]

`--before` also runs another build's `synthlab` (an older checkout's release build) on the same
seeds, as "synthlab before". Each run is appended to `--results` (JSON lines) as it finishes;
`--summarize` prints the summary of stored runs without running anything.

Needs: pip install sdv sdmetrics (and a release build: swift build -c release).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings

from common import DATA_FOLDER, SYNTHLAB, append_jsonl, mean_sd, pinned_build, quality, read_jsonl, seed_list, table_metadata

warnings.filterwarnings("ignore")


def sdv_child(kind, data_path, out_path, seed):
    """Runs in the child: SDV's synthesizer fitted on the whole table with torch and numpy seeded,
    `len(table)` rows sampled to `out_path`; prints the fit seconds."""
    import numpy as np
    import pandas as pd
    import torch
    from sdv.metadata import Metadata
    from sdv.single_table import CTGANSynthesizer, TVAESynthesizer

    torch.set_num_threads(1)
    torch.manual_seed(seed)
    np.random.seed(seed)
    table = pd.read_csv(data_path)
    metadata = Metadata.detect_from_dataframes({"table": table})
    cls = CTGANSynthesizer if kind == "ctgan" else TVAESynthesizer
    synthesizer = cls(metadata, epochs=300, enable_gpu=False)
    start = time.perf_counter()
    synthesizer.fit({"table": table})
    seconds = time.perf_counter() - start
    synthetic = synthesizer.sample(num_rows=len(table))
    if isinstance(synthetic, dict):
        synthetic = synthetic["table"]
    synthetic.to_csv(out_path, index=False)
    print(json.dumps({"fit_seconds": seconds}))


def run_sdv(kind, data_path, out_path, seed):
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    result = subprocess.run([sys.executable, os.path.abspath(__file__), "--sdv-child", kind, data_path, out_path, str(seed)],
                            capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise SystemExit(f"SDV {kind} failed:\n{result.stderr[-2000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])["fit_seconds"]


def run_synthlab(synthlab, kind, data_path, out_path, seed, rows):
    """`synthlab synth` with the generator's defaults; the fit seconds the process reports."""
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    result = subprocess.run([synthlab, "synth", "--generator", kind, "--data", data_path, "--rows", str(rows), "--seed", str(seed),
                             "--out", out_path, "--json"], capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise SystemExit(f"synthlab {kind} failed:\n{result.stderr[-2000:]}")
    return json.loads(result.stdout)["fit_seconds"]


def summarize(records):
    groups = {}
    for record in records:
        groups.setdefault((record["table"], record["generator"], record["tool"]), []).append(record)
    print(f"{'table':<18} {'generator':<6} {'tool':<16} {'runs':>4}  {'quality':>15}  {'fit s':>7}")
    for (table, generator, tool), runs in sorted(groups.items()):
        q, sd = mean_sd([r["quality"] for r in runs])
        fit, _ = mean_sd([r["fit_seconds"] for r in runs])
        print(f"{table:<18} {generator:<6} {tool:<16} {len(runs):>4}  {q:.4f} ± {sd:.4f}  {fit:7.1f}")
    # Paired by table, generator and seed: synthlab against SDV and against the build before.
    for table, generator in sorted({(t, g) for t, g, _ in groups}):
        ours = {r["seed"]: r for r in groups.get((table, generator, "synthlab"), [])}
        for other in ("sdv", "synthlab before"):
            peer = {r["seed"]: r for r in groups.get((table, generator, other), [])}
            seeds = sorted(set(ours) & set(peer))
            if not seeds:
                continue
            mean, sd = mean_sd([ours[s]["quality"] - peer[s]["quality"] for s in seeds])
            error = sd / len(seeds) ** 0.5
            ratio = sum(ours[s]["fit_seconds"] for s in seeds) / sum(peer[s]["fit_seconds"] for s in seeds)
            print(f"{table} {generator}: synthlab − {other} quality {mean:+.4f} ± {error:.4f} (standard error, "
                  f"{len(seeds)} seeds); fit time synthlab / {other} = {ratio:.3f}")


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--sdv-child":
        kind, data_path, out_path, seed = sys.argv[2:6]
        sdv_child(kind, data_path, out_path, int(seed))
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=DATA_FOLDER)
    parser.add_argument("--synthlab", default=SYNTHLAB)
    parser.add_argument("--before", help="another build's synthlab executable, run beside this one")
    parser.add_argument("--tables", default="german_credit.csv,insurance.csv")
    parser.add_argument("--generators", default="ctgan,tvae")
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--no-sdv", action="store_true", help="run only the synthlab builds")
    parser.add_argument("--results", default=os.path.join(tempfile.gettempdir(), "synthlab-small-tables.jsonl"))
    parser.add_argument("--summarize", nargs="+", metavar="FILE")
    args = parser.parse_args()
    if args.summarize:
        summarize(read_jsonl(args.summarize))
        return

    import pandas as pd

    tools = [("synthlab", pinned_build(args.synthlab))]
    if args.before:
        tools.append(("synthlab before", pinned_build(args.before)))
    folder = tempfile.mkdtemp(prefix="synthlab-small-")
    records = []
    for name in args.tables.split(","):
        path = os.path.join(args.data, name)
        real = pd.read_csv(path)
        metadata = table_metadata(real)
        for seed in seed_list(parser, "--seeds", args.seeds):
            for kind in args.generators.split(","):
                runs = [(tool, lambda out, s=build: run_synthlab(s, kind, path, out, seed, len(real))) for tool, build in tools]
                if not args.no_sdv:
                    runs.append(("sdv", lambda out: run_sdv(kind, path, out, seed)))
                for tool, fit in runs:
                    out = os.path.join(folder, f"{tool.replace(' ', '-')}-{kind}-{name}-{seed}.csv")
                    seconds = fit(out)
                    score = quality(real, pd.read_csv(out), metadata)
                    record = {"table": name, "generator": kind, "tool": tool, "seed": seed, "epochs": 300,
                              "fit_seconds": round(seconds, 2), "quality": round(score, 4)}
                    print(json.dumps(record), flush=True)
                    append_jsonl(args.results, record)
                    records.append(record)
    summarize(records)


if __name__ == "__main__":
    main()
