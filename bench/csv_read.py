"""Reading and writing a large CSV file: SynthLab's reader and writer against pandas', in one run.

The table is the 1,000,000 x 20 mixed table of validators.py (12 numeric columns, two of them
integers, 8 categorical with 2 to 40 levels, 2 % missing cells in three columns), written once to
a temporary CSV file. Ours: `synthlab -c 't = load(FILE)'` with `.timer on`, which prints the
statement's wall time (reading, kind inference and conversion to typed columns). Peer:
pandas.read_csv of the same file, timed in a Python process of its own. The two alternate,
`--repeats` times each; `--before PATH` adds another synthlab executable (an earlier build) to the
alternation.

Writing: ours, `save(t, OUT)` after the load, timed by `.timer` (the peak memory it prints is the
process's after the write, so a write that holds more than the load shows there); pandas,
`DataFrame.to_csv(OUT, index=False)` after `read_csv`. SynthLab's file must hold the values of the
file it read (both read by pandas give the same frame; SynthLab writes a negative zero as 0.0).
pandas' own round trip is not checked: its default float parser is not exact to the last digit.

Each measured process is started by a small shell, not by this process: Linux keeps a process's
peak resident memory across exec, so a child started straight from this Python process (which made
the 1,000,000-row table) would report this process's peak as its own.

    python3 bench/csv_read.py [--rows 1000000] [--repeats 3] [--before PATH]

Needs: a release build (swift build -c release), pandas.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile

from common import SYNTHLAB
from validators import mixed_table


# The shell forks the command (it is not the last thing it runs), so the command's peak memory
# starts from the shell's, not from this process's.
FRESH = ["sh", "-c", '"$0" "$@"; exit $?']

PANDAS = """
import resource, sys, time
import pandas as pd
start = time.perf_counter()
pd.read_csv(sys.argv[1])
print(time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


PANDAS_WRITE = """
import resource, sys, time
import pandas as pd
frame = pd.read_csv(sys.argv[1])
start = time.perf_counter()
frame.to_csv(sys.argv[2], index=False)
print(time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def synthlab_seconds(executable, path, out=None):
    """The load's (or, with `out`, the save's) wall time and the process's peak memory in MiB, as
    `.timer` prints them."""
    statements = f'.timer on; t = load("{path}")' + (f'; save(t, "{out}")' if out else "")
    output = subprocess.run(FRESH + [executable, "-c", statements], capture_output=True, text=True,
                            env=dict(os.environ, OPENBLAS_NUM_THREADS="1"))
    matches = re.findall(r"Run Time: real ([0-9.]+) s, peak memory ([0-9.]+) MiB", output.stderr)
    if output.returncode != 0 or len(matches) != (2 if out else 1):
        raise SystemExit(f"{executable} failed: {output.stderr[-2000:]}")
    return float(matches[-1][0]), float(matches[-1][1])


def pandas_seconds(path, out=None):
    """pandas.read_csv's (or, with `out`, to_csv's) wall time and its Python process's peak memory in MiB."""
    arguments = [sys.executable, "-c", PANDAS_WRITE, path, out] if out else [sys.executable, "-c", PANDAS, path]
    output = subprocess.run(FRESH + arguments, capture_output=True, text=True)
    if output.returncode != 0:
        raise SystemExit(f"pandas failed: {output.stderr[-2000:]}")
    wall, peak = output.stdout.split()
    return float(wall), float(peak)


def same_values(a, b):
    import pandas as pd
    return pd.read_csv(a).equals(pd.read_csv(b))


def report(title, seconds, peaks, tools, before):
    print(title)
    for name, values in seconds.items():
        print(f"  {name:16} median {statistics.median(values):6.2f} s  ({', '.join(f'{v:.2f}' for v in values)}), "
              f"peak memory {max(peaks[name]):.0f} MiB (whole process)")
    pandas = statistics.median(seconds["pandas"])
    for name, _ in tools:
        print(f"  {name}/pandas = {statistics.median(seconds[name]) / pandas:.2f}")
    if before:
        print(f"  synthlab/synthlab before = {statistics.median(seconds['synthlab']) / statistics.median(seconds['synthlab before']):.2f}")


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
        out = os.path.join(folder, "written.csv")
        for title, writing in [("reading", False), ("writing", True)]:
            seconds = {name: [] for name, _ in tools} | {"pandas": []}
            peaks = {name: [] for name, _ in tools} | {"pandas": []}
            for _ in range(args.repeats):
                for name, executable in tools:
                    wall, peak = synthlab_seconds(executable, path, out if writing else None)
                    if writing and not same_values(path, out):
                        raise SystemExit(f"{name} wrote other values than it read")
                    seconds[name].append(wall)
                    peaks[name].append(peak)
                wall, peak = pandas_seconds(path, out if writing else None)
                seconds["pandas"].append(wall)
                peaks["pandas"].append(peak)
            report(title, seconds, peaks, tools, args.before)


if __name__ == "__main__":
    main()
