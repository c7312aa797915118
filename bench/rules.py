"""Rules on NYC taxi trips: how long the trips of a generator last when it learns the rules, when
the rows that break them are left out, and without rules; then how long find_rules takes on a wide
table, beside loading it alone.

    python3 bench/rules.py [--data ../shared/data] [--synthlab .build/release/synthlab] [--seed 3] [--rows 2000]

For `independent` (the generator that learns each column alone, so the trips' length shows what
the rules give it), fitted on nyc_taxis.csv with the seed given, it prints the median trip in
minutes and the share of trips that end before they start, for the real rows and for rows made
with `keep: "dropoff >= pickup; total >= fare + tip + tolls"` learned (fit's default), with
`learn: false` and with no rules. Then the wall time of a session that loads a generated table of
50,000 rows (30 categorical and 30 numeric columns), alone and with `find_rules`, the median of
three runs each.

Needs: pip install pandas numpy.
"""
import argparse
import os
import statistics
import subprocess
import tempfile
import time

import numpy as np
import pandas as pd

from common import DATA_FOLDER, SYNTHLAB

RULES = "dropoff >= pickup; total >= fare + tip + tolls"


def run_session(synthlab, statements, folder):
    """Runs statements as a script in a session of its own; returns its wall time in seconds."""
    script = os.path.join(folder, "session.synth")
    with open(script, "w") as file:
        file.write("\n".join(statements) + "\n")
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    start = time.perf_counter()
    subprocess.run([synthlab, "--bail", "--workspace", os.path.join(folder, "workspace"), script],
                   check=True, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def trips(path):
    table = pd.read_csv(path, parse_dates=["pickup", "dropoff"])
    minutes = (table.dropoff - table.pickup).dt.total_seconds() / 60
    return minutes.median(), (minutes < 0).mean()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=DATA_FOLDER)
    parser.add_argument("--synthlab", default=SYNTHLAB)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--rows", type=int, default=2000)
    args = parser.parse_args()
    synthlab = os.path.abspath(args.synthlab)
    if not os.path.isfile(synthlab):
        raise SystemExit(f"no synthlab executable at {synthlab}: build it first (swift build -c release)")
    taxis = os.path.abspath(os.path.join(args.data, "nyc_taxis.csv"))
    with tempfile.TemporaryDirectory(prefix="synthlab-rules-") as folder:
        ways = {"rules learned": f'keep: "{RULES}"', "rows left out": f'keep: "{RULES}", learn: false', "no rules": None}
        statements = [f'taxis = load("{taxis}")']
        for index, (name, keep) in enumerate(ways.items()):
            options = f", {keep}" if keep else ""
            statements.append(f"m{index} = fit(independent(), taxis, seed: {args.seed}{options})")
            statements.append(f'sample(m{index}, rows: {args.rows}, to: "{folder}/{index}.csv")')
        run_session(synthlab, statements, folder)
        print(f"independent on nyc_taxis.csv, seed {args.seed}, {args.rows} rows; keep: {RULES}")
        print(f"{'rows':<16} {'median trip (min)':>18} {'ending before they start':>25}")
        median, negative = trips(taxis)
        print(f"{'real':<16} {median:18.1f} {negative:25.3f}")
        for index, name in enumerate(ways):
            median, negative = trips(f"{folder}/{index}.csv")
            print(f"{name:<16} {median:18.1f} {negative:25.3f}")

        # A wide table: 30 categorical columns of 2 to 8 levels, 30 numeric ones of two decimals.
        random = np.random.default_rng(1)
        n = 50_000
        columns = {f"c{i}": random.choice(list("abcdefgh")[:2 + i % 7], n) for i in range(30)}
        columns.update({f"x{i}": np.round(random.normal(100 * i, 10, n), 2) for i in range(30)})
        wide = os.path.join(folder, "wide.csv")
        pd.DataFrame(columns).to_csv(wide, index=False)
        load = [f'w = load("{wide}")']
        alone = statistics.median(run_session(synthlab, load, folder) for _ in range(3))
        found = statistics.median(run_session(synthlab, load + ["find_rules(w)"], folder) for _ in range(3))
        print(f"\n{n} rows x 60 columns: load {alone:.2f} s, load and find_rules {found:.2f} s "
              f"(find_rules about {max(found - alone, 0):.2f} s)")


if __name__ == "__main__":
    main()
