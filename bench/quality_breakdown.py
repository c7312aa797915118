"""Where SDMetrics' quality score of synthetic tables is lost, table by table: the two property
scores, the columns whose shapes score lowest, the column pairs that score lowest, each pair's
score on its exact values (one minus the total variation distance of the joint distributions, with
no binning), the numeric columns whose synthetic values do not reach the real minimum or maximum,
and how often the synthetic rows hold each extreme that at least 0.1 % of the real rows hold.

    python3 bench/quality_breakdown.py TRAIN.csv SYNTHETIC.csv [SYNTHETIC.csv ...] [--pairs 3] [--shapes 3]

SDMetrics' Column Pair Trends bins each table's numeric columns with its own histogram edges
(`np.histogram_bin_edges` of that table's values), so a synthetic column that misses the real
minimum or maximum has its bins shifted against the real ones; the exact-value score shows how much
of a low pair score that shift explains. neural.py leaves the synthetic tables it scores in the
folder of its training split.
"""
import argparse
import os
import warnings

import numpy as np
import pandas as pd

from common import load, quality_report, table_metadata

warnings.filterwarnings("ignore")


def exact_pair_score(real, synthetic, first, second):
    """1 − TVD of the joint distribution of two columns on their exact values."""
    a = pd.crosstab(real[first], real[second], normalize=True)
    b = pd.crosstab(synthetic[first], synthetic[second], normalize=True)
    a, b = a.align(b, fill_value=0)
    return 1 - 0.5 * np.abs(a.values - b.values).sum()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("train")
    parser.add_argument("synthetic", nargs="+")
    parser.add_argument("--pairs", type=int, default=3, help="how many of the lowest-scoring pairs to show per table")
    parser.add_argument("--shapes", type=int, default=3, help="how many of the lowest-scoring column shapes to show per table")
    args = parser.parse_args()

    real = load(args.train)
    metadata = table_metadata(real)
    numeric = [c for c in real.columns if metadata["columns"][c]["sdtype"] == "numerical"]
    for path in args.synthetic:
        synthetic = load(path)[real.columns]
        report = quality_report(real, synthetic, metadata)
        properties = report.get_properties().set_index("Property")["Score"]
        print(f"{os.path.basename(path)}: quality {report.get_score():.4f}, column shapes {properties['Column Shapes']:.4f}, "
              f"column pair trends {properties['Column Pair Trends']:.4f}")
        shapes = report.get_details("Column Shapes").sort_values("Score")
        print("  lowest column shapes: " + ", ".join(f"{row['Column']} {row['Score']:.3f}" for _, row in shapes.head(args.shapes).iterrows()))
        pairs = report.get_details("Column Pair Trends").dropna(subset=["Score"]).sort_values("Score")
        for _, row in pairs.head(args.pairs).iterrows():
            exact = exact_pair_score(real, synthetic, row["Column 1"], row["Column 2"])
            print(f"  pair {row['Column 1']} / {row['Column 2']}: {row['Score']:.3f} (on exact values {exact:.3f})")
        missed = [f"{c} {'min' if synthetic[c].min() > real[c].min() else ''}{'max' if synthetic[c].max() < real[c].max() else ''}"
                  for c in numeric if synthetic[c].min() > real[c].min() or synthetic[c].max() < real[c].max()]
        print(f"  real extremes not reached: {', '.join(missed) or 'none'}")
        # Extremes that at least 0.1 % of the real rows hold: how often the synthetic rows hold them.
        for c in numeric:
            for name, value in (("min", real[c].min()), ("max", real[c].max())):
                share = (real[c] == value).mean()
                if share >= 0.001:
                    count = int((synthetic[c] == value).sum())
                    print(f"  {c} {name} {value:g}: real {100 * share:.2f} % of rows, synthetic {100 * count / len(synthetic):.2f} % ({count} rows)")


if __name__ == "__main__":
    main()
