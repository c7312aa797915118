"""What the adult.csv benchmarks share: reading a CSV as the peers do, the ML-utility score and
SDMetrics' quality score."""
import atexit
import json
import os
import shutil
import subprocess
import tempfile

import numpy as np
import pandas as pd

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA_FOLDER = os.path.join(os.path.dirname(ROOT), "shared", "data")   # the shared datasets beside the checkout
SYNTHLAB = os.path.join(ROOT, ".build", "release", "synthlab")
SPLIT_SEED = 2026   # the seed of adult_split that every adult.csv benchmark uses by default


def pinned_build(synthlab):
    """A copy of the `synthlab` executable and of the plugins beside it, in a new temporary folder
    removed at exit: a benchmark that runs for hours keeps the code it started with, whatever is
    rebuilt meanwhile (its runs record the revision of that code)."""
    if not os.path.isfile(synthlab):
        raise SystemExit(f"no synthlab executable at {synthlab}: build it first (swift build -c release)")
    source = os.path.dirname(os.path.abspath(synthlab))
    folder = tempfile.mkdtemp(prefix="synthlab-build-")
    atexit.register(shutil.rmtree, folder, True)
    for name in os.listdir(source):
        if name == os.path.basename(synthlab) or (name.startswith("libsynth_") and name.endswith(".so")):
            shutil.copy2(os.path.join(source, name), folder)
    return os.path.join(folder, os.path.basename(synthlab))


def load(path):
    return pd.read_csv(path, skipinitialspace=True, na_values=["?", ""])


def adult_split(data_folder, seed, prefix):
    """adult.csv cut 80/20 by a seeded permutation; the training part is also written to a CSV
    file in a new temporary folder. Returns (train, holdout, path of the training CSV)."""
    adult = load(os.path.join(data_folder, "adult.csv"))
    order = np.random.default_rng(seed).permutation(len(adult))
    cut = int(len(adult) * 0.8)
    train, holdout = adult.iloc[order[:cut]].reset_index(drop=True), adult.iloc[order[cut:]].reset_index(drop=True)
    path = os.path.join(tempfile.mkdtemp(prefix=prefix), "train.csv")
    train.to_csv(path, index=False)
    return train, holdout, path


CLASSIFIERS = {
    # scikit-learn's GradientBoostingClassifier: the F1 every stored run records as "f1".
    "f1": "GradientBoostingClassifier",
    # scikit-learn's HistGradientBoostingClassifier, recorded as "f1_hist": the gradient-boosted
    # classifier whose F1 on the real rows is the (0.70 to 0.72 on adult.csv; see
    # real_f1.py), where GradientBoostingClassifier's is 0.68 to 0.69.
    "f1_hist": "HistGradientBoostingClassifier",
}


def utility_f1(train, test, target="income", positive=">50K", classifier="GradientBoostingClassifier"):
    """Binary F1 on the real holdout of scikit-learn's `classifier` (one of CLASSIFIERS' values),
    with its defaults and random_state 0, trained on `train`."""
    from sklearn import ensemble
    from sklearn.metrics import f1_score

    features = [c for c in train.columns if c != target]
    both = pd.concat([train[features], test[features]], keys=["train", "test"])
    encoded = pd.get_dummies(both, dummy_na=True).fillna(0)
    x_train, x_test = encoded.loc["train"], encoded.loc["test"]
    y_train = (train[target].astype(str) == positive).astype(int)
    y_test = (test[target].astype(str) == positive).astype(int)
    if y_train.nunique() < 2:
        return 0.0
    model = getattr(ensemble, classifier)(random_state=0).fit(x_train, y_train)
    return f1_score(y_test, model.predict(x_test))


def utility_f1s(train, test):
    """The F1 of every classifier in CLASSIFIERS, under its record key."""
    return {key: utility_f1(train, test, classifier=classifier) for key, classifier in CLASSIFIERS.items()}


def positive_share(table, target="income", positive=">50K"):
    """The share of `table`'s rows whose target is the positive class."""
    return float((table[target].astype(str) == positive).mean())


def sample_saved_model(synthlab, model, values, rows, seed, out, env=None):
    """Samples `rows` rows with `seed` into `out` from a copy of the saved model whose header gives
    its parameters `values` (id to value, as text), and returns `out`. The copy is written beside
    `out`, with the extension .model."""
    magic = b"SYNTHLAB-MODEL 1\n"
    with open(model, "rb") as handle:
        data = handle.read()
    if not data.startswith(magic):
        raise RuntimeError(f"{model} is not a SynthLab model file")
    end = data.index(b"\n", len(magic))
    header = json.loads(data[len(magic):end])
    missing = dict(values)
    for parameter in header["parameters"]:
        parameter["value"] = missing.pop(parameter["id"], parameter["value"])
    if missing:
        raise RuntimeError(f"{model} has no parameters {', '.join(missing)}: it was saved by a plugin without them")
    copy = os.path.splitext(out)[0] + ".model"
    with open(copy, "wb") as handle:
        handle.write(magic + json.dumps(header).encode() + data[end:])
    result = subprocess.run([synthlab, "sample", "--model", copy, "--rows", str(rows), "--seed", str(seed), "--out", out],
                            capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise RuntimeError(f"synthlab sample failed ({result.returncode}): {result.stderr[-2000:]}")
    return out


def seed_list(parser, option, text):
    """The integers of a comma-separated option such as --seeds 7,8,9 (none for an empty text); a
    malformed one stops the script through `parser` with the option named."""
    try:
        return [int(s) for s in text.split(",")] if text else []
    except ValueError:
        parser.error(f"{option}: '{text}' is not a comma-separated list of integers")


def mean_sd(values):
    """The mean and sample sd of `values` (sd 0 for a single value)."""
    return float(np.mean(values)), float(np.std(values, ddof=1)) if len(values) > 1 else 0.0


def append_jsonl(path, record):
    """Appends `record` to the JSON-lines file at `path` (a stored run, as each finishes)."""
    with open(path, "a") as handle:
        handle.write(json.dumps(record) + "\n")


def read_jsonl(paths):
    """The records stored in the JSON-lines files at `paths`, in order."""
    records = []
    for path in paths:
        with open(path) as handle:
            records.extend(json.loads(line) for line in handle if line.strip())
    return records


def table_metadata(table):
    """SDV's detected metadata of one table, as the single-table dictionary SDMetrics takes."""
    from sdv.metadata import Metadata

    return Metadata.detect_from_dataframes({"table": table}).to_dict()["tables"]["table"]


def quality_report(real, synthetic, metadata):
    """SDMetrics' QualityReport of `synthetic` against `real`, generated."""
    from sdmetrics.reports.single_table import QualityReport

    report = QualityReport()
    report.generate(real, synthetic[real.columns], metadata, verbose=False)
    return report


def quality(real, synthetic, metadata):
    """SDMetrics' QualityReport score of `synthetic` against `real`."""
    return quality_report(real, synthetic, metadata).get_score()
