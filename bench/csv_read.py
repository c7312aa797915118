"""Reading a large CSV file: SynthLab's reader against pandas', in one run.

The table is the 1,000,000 x 20 mixed table of validators.py (12 numeric columns, two of them
integers, 8 categorical with 2 to 40 levels, 2 % missing cells in three columns), written once to
a temporary CSV file. Ours: `synthlab -c 't = load(FILE)'` with `.timer on`, which prints the
statement's wall time (reading, kind inference and conversion to typed columns). Peer:
pandas.read_csv of the same file, in this process. The two alternate, `--repeats` times each;
`--before PATH` adds another synthlab executable (an earlier build) to the alternation.

    python3 bench/csv_read.py [--rows 1000000] [--repeats 3] [--before PATH]

Needs: a release build (swift build -c release), pandas.
"""
import argparse
import os
import re
import statistics
import subprocess
import tempfile
import time

import pandas as pd

from common import SYNTHLAB
from validators import mixed_table


def synthlab_seconds(executable, path):
    output = subprocess.run([executable, "-c", f'.timer on; t = load("{path}")'], capture_output=True, text=True,
                            env=dict(os.environ, OPENBLAS_NUM_THREADS="1"))
    match = re.search(r"Run Time: real ([0-9.]+) s, peak memory ([0-9.]+) MiB", output.stderr)
    if output.returncode != 0 or not match:
        raise SystemExit(f"{executable} failed: {output.stderr[-2000:]}")
    return float(match.group(1)), float(match.group(2))


def pandas_seconds(path):
    start = time.perf_counter()
    pd.read_csv(path)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--synthlab", default=SYNTHLAB)
    parser.add_argument("--before", help="an earlier synthlab executable to time beside the current one")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="synthlab-csv-") as folder:
        path = os.path.join(folder, "mixed.csv")
        mixed_table(args.rows, 1).to_csv(path, index=False)
        size = os.path.getsize(path) / 2**20
        print(f"{path}: {args.rows} rows x 20 columns, {size:.0f} MiB")
        tools = [("synthlab", args.synthlab)] + ([("synthlab before", args.before)] if args.before else [])
        seconds = {name: [] for name, _ in tools} | {"pandas": []}
        peaks = {name: [] for name, _ in tools}
        for _ in range(args.repeats):
            for name, executable in tools:
                wall, peak = synthlab_seconds(executable, path)
                seconds[name].append(wall)
                peaks[name].append(peak)
            seconds["pandas"].append(pandas_seconds(path))
        for name, values in seconds.items():
            peak = f", peak memory {max(peaks[name]):.0f} MiB (whole process)" if name in peaks else ""
            print(f"{name:16} median {statistics.median(values):6.2f} s  ({', '.join(f'{v:.2f}' for v in values)}){peak}")
        pandas = statistics.median(seconds["pandas"])
        for name, _ in tools:
            print(f"{name}/pandas = {statistics.median(seconds[name]) / pandas:.2f}")
        if args.before:
            print(f"synthlab/synthlab before = {statistics.median(seconds['synthlab']) / statistics.median(seconds['synthlab before']):.2f}")


if __name__ == "__main__":
    main()
