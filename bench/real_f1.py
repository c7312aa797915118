"""The ML-utility score of the real rows: each classifier of common.CLASSIFIERS trained on the
training part of adult.csv's 80/20 split and tested on its holdout, binary F1 of income >50K, and
the CTGAN paper's measure (common.paper_utility_f1s: the mean F1 of its four classifiers, each
printed too), for several split seeds. This is the yardstick the synthetic rows' F1 is read
against, and how the classifier that matches the issue's (the real rows give 0.70 to 0.72 with
it) was told apart.

    python3 bench/real_f1.py [--seeds 2026,1,2,3] [--data FOLDER]

Needs: pip install scikit-learn pandas.
"""
import argparse
import warnings

import pandas as pd

from common import (CLASSIFIERS, DATA_FOLDER, PAPER_CLASSIFIERS, SPLIT_SEED, adult_split, paper_utility_f1s, positive_share,
                    seed_list, utility_f1s)

warnings.filterwarnings("ignore")   # the paper's MLP and logistic regression stop at 50 iterations, unconverged


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=DATA_FOLDER)
    parser.add_argument("--seeds", default=f"{SPLIT_SEED},1,2,3", help="comma-separated split seeds")
    args = parser.parse_args()
    seeds = seed_list(parser, "--seeds", args.seeds)
    print(f"{'split seed':>10} " + " ".join(f"{name:>31}" for name in CLASSIFIERS.values()) + f" {'paper':>6} "
          + " ".join(f"{key:>13}" for key in PAPER_CLASSIFIERS) + f" {'holdout >50K':>13}")
    for seed in seeds:
        train, holdout, _ = adult_split(args.data, seed, "synthlab-real-f1-")
        scores = {**utility_f1s(train, holdout), **paper_utility_f1s(train, holdout, pd.concat([train, holdout]))}
        print(f"{seed:>10} " + " ".join(f"{scores[key]:31.3f}" for key in CLASSIFIERS) + f" {scores['f1_paper']:6.3f} "
              + " ".join(f"{scores['f1_paper_each'][key]:13.3f}" for key in PAPER_CLASSIFIERS)
              + f" {positive_share(holdout):13.3f}", flush=True)


if __name__ == "__main__":
    main()
