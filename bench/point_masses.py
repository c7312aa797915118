"""How often synthetic tables hold each point mass of the real one: a value that at least half of a
numeric column's present values hold (the rule `ctgan` and `tvae` apply with their default
`point_mass_share`), such as adult's capital-gain of 0. For each synthetic table and each such
column: the share of rows holding the value, real and synthetic, and the column's KS complement
(SDMetrics' column shape for a numeric column, 1 − the two-sample KS statistic); then each group
of tables' mean (a group is one generator, version, number of epochs and, for `ctgan`, way of
sampling, from the table's provenance file).

    python3 bench/point_masses.py TRAIN.csv SYNTHETIC.csv [SYNTHETIC.csv ...] [--share 0.5]

neural.py leaves the synthetic tables it scores in the folder of its training split, beside
`train.csv`, with a provenance file each.
"""
import argparse
import json
import os

import numpy as np
import pandas as pd
from scipy.stats import ks_2samp


def point_masses(table, share):
    """(column, value, real share) for each value at least `share` of a numeric column's present
    values hold, when the column holds another value too."""
    found = []
    for column in table.columns:
        values = table[column].dropna()
        if not pd.api.types.is_numeric_dtype(values) or values.nunique() < 2:
            continue
        counts = values.value_counts(normalize=True)
        found += [(column, value, fraction) for value, fraction in counts.items() if fraction >= share]
    return found


def provenance(path):
    """The table's group: its generator, version and epochs, and for `ctgan` how it sampled."""
    try:
        with open(path + ".provenance.json") as file:
            generator = json.load(file)["generator"]
    except (OSError, KeyError, ValueError):
        return "(no provenance)"
    parameters = generator.get("parameters", {})
    label = f"{generator['id']} {generator.get('version', '?')}"
    if "epochs" in parameters:
        label += f", {parameters['epochs']} epochs"
    if parameters.get("point_mass_share", 0.5) != 0.5:
        label += f", point_mass_share {parameters['point_mass_share']:g}"
    if parameters.get("sample_by_frequency") is False:
        label += ", the reference's sampling"
    return label


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("train")
    parser.add_argument("synthetic", nargs="+")
    parser.add_argument("--share", type=float, default=0.5)
    args = parser.parse_args()
    real = pd.read_csv(args.train)
    masses = point_masses(real, args.share)
    if not masses:
        raise SystemExit(f"{args.train}: no numeric column has a value that {args.share} of its values hold")
    groups = {}
    for path in args.synthetic:
        synthetic = pd.read_csv(path)
        group = provenance(path)
        cells = []
        for column, value, fraction in masses:
            made = synthetic[column].dropna()
            held = float((made == value).mean())
            shape = 1 - ks_2samp(real[column].dropna(), made).statistic
            cells.append((held, shape))
            print(f"{os.path.basename(path)} ({group}): {column} = {value:g} in {held:.3f} of the rows (real {fraction:.3f}), "
                  f"KS complement {shape:.3f}")
        groups.setdefault(group, []).append(cells)
    print()
    for group, tables in sorted(groups.items()):
        cells = np.array(tables)
        for index, (column, value, fraction) in enumerate(masses):
            held, shape = cells[:, index, 0], cells[:, index, 1]
            print(f"{group}, {len(tables)} table{'s' if len(tables) > 1 else ''}: {column} = {value:g} in {held.mean():.3f} of the rows "
                  f"({held.min():.3f} to {held.max():.3f}; real {fraction:.3f}), KS complement {shape.mean():.3f}")


if __name__ == "__main__":
    main()
