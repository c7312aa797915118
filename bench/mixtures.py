"""Whether `ctgan`'s mode-specific normalization finds the mixtures scikit-learn finds: for each
numeric column of adult.csv's training split, the modes kept (weight above 0.005) in saved
`ctgan` models, beside scikit-learn's BayesianGaussianMixture fitted as RDT's
ClusterBasedNormalizer fits it inside SDV (10 components, Dirichlet-process prior 0.001, one
initialization), for a few random states.

    python3 bench/mixtures.py MODEL... [--random-states 42,1,2]

Each line: a column, the source (a model file or a random state), how many modes it keeps, and
each kept mode as mean / sd / weight, by mean. Needs `pip install scikit-learn`.
"""
import argparse
import json
import os
import warnings

import numpy as np

from common import DATA_FOLDER, SPLIT_SEED, adult_split, seed_list

warnings.filterwarnings("ignore")
NUMERIC = ["age", "fnlwgt", "education-num", "capital-gain", "capital-loss", "hours-per-week"]


def model_mixtures(path):
    """Column name → kept (mean, sd, weight) of a saved ctgan model: the JSON header of its
    SynthNN state, which holds the data transformer."""
    with open(path, "rb") as handle:
        data = handle.read()
    outer = b"SYNTHLAB-MODEL 1\n"
    if not data.startswith(outer):
        raise SystemExit(f"{path} is not a SynthLab model file")
    state = data[data.index(b"\n", len(outer)) + 1:]
    inner = b"SYNTHNNMODEL1\n"
    if not state.startswith(inner):
        raise SystemExit(f"{path} does not hold a ctgan or tvae model")
    length = int.from_bytes(state[len(inner):len(inner) + 8], "little")
    coder = json.loads(state[len(inner) + 8:len(inner) + 8 + length])["coder"]
    found = {}
    for column in coder["columns"]:
        numeric = column["transform"].get("numeric")
        if numeric:
            mixture, modes = numeric["_0"]["mixture"], numeric["_0"]["modes"]
            found[column["name"]] = sorted((mixture["means"][i], mixture["variances"][i] ** 0.5, mixture["weights"][i]) for i in modes)
    return found


def sklearn_mixture(values, random_state):
    from sklearn.mixture import BayesianGaussianMixture
    mixture = BayesianGaussianMixture(n_components=10, weight_concentration_prior_type="dirichlet_process",
                                      weight_concentration_prior=0.001, n_init=1, random_state=random_state)
    mixture.fit(values.reshape(-1, 1))
    keep = mixture.weights_ > 0.005
    return sorted(zip(mixture.means_[keep, 0], np.sqrt(mixture.covariances_[keep].ravel()), mixture.weights_[keep]))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("models", nargs="+", help="saved ctgan or tvae models of adult.csv's training split")
    parser.add_argument("--random-states", default="42,1,2", help="random states of scikit-learn's fits (RDT uses 42)")
    parser.add_argument("--data", default=DATA_FOLDER)
    parser.add_argument("--split-seed", type=int, default=SPLIT_SEED)
    args = parser.parse_args()
    states = seed_list(parser, "--random-states", args.random_states)
    train, _, _ = adult_split(args.data, args.split_seed, "synthlab-mixtures-")
    ours = {os.path.basename(path): model_mixtures(path) for path in args.models}
    for column in NUMERIC:
        values = train[column].to_numpy(dtype=float)
        rows = [(name, found[column]) for name, found in ours.items()]
        rows += [(f"scikit-learn {state}", sklearn_mixture(values, state)) for state in states]
        for source, modes in rows:
            shown = "  ".join(f"{mean:.1f}/{sd:.1f}/{weight:.3f}" for mean, sd, weight in modes)
            print(f"{column:15} {source:32} {len(modes):2d} modes: {shown}")


if __name__ == "__main__":
    main()
