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


def is_positive(table, target="income", positive=">50K"):
    """1 where a row's target is the positive class, else 0."""
    return (table[target].astype(str) == positive).astype(int)


def utility_f1(train, test, target="income", positive=">50K", classifier="GradientBoostingClassifier"):
    """Binary F1 on the real holdout of scikit-learn's `classifier` (one of CLASSIFIERS' values),
    with its defaults and random_state 0, trained on `train`."""
    from sklearn import ensemble
    from sklearn.metrics import f1_score

    features = [c for c in train.columns if c != target]
    both = pd.concat([train[features], test[features]], keys=["train", "test"])
    encoded = pd.get_dummies(both, dummy_na=True).fillna(0)
    x_train, x_test = encoded.loc["train"], encoded.loc["test"]
    y_train, y_test = is_positive(train, target, positive), is_positive(test, target, positive)
    if y_train.nunique() < 2:
        return 0.0
    model = getattr(ensemble, classifier)(random_state=0).fit(x_train, y_train)
    return f1_score(y_test, model.predict(x_test))


def utility_f1s(train, test):
    """The F1 of every classifier in CLASSIFIERS, under its record key."""
    return {key: utility_f1(train, test, classifier=classifier) for key, classifier in CLASSIFIERS.items()}


# The CTGAN paper's machine-learning efficacy on adult (Xu et al. 2019, section 5 and its benchmark,
# SDGym): the mean binary F1, on the real test rows, of four classifiers trained on the synthetic
# rows, over features made as that benchmark makes them for adult.
PAPER_CLASSIFIERS = {
    "decision_tree": ("sklearn.tree", "DecisionTreeClassifier", {"max_depth": 15, "class_weight": "balanced"}),
    "adaboost": ("sklearn.ensemble", "AdaBoostClassifier", {}),
    "logistic": ("sklearn.linear_model", "LogisticRegression", {"solver": "lbfgs", "class_weight": "balanced", "max_iter": 50}),
    "mlp": ("sklearn.neural_network", "MLPClassifier", {"hidden_layer_sizes": (50,), "max_iter": 50}),
}
# adult's education as the benchmark orders it, an ordinal feature (its position in this list).
PAPER_EDUCATION_LEVELS = ["Preschool", "1st-4th", "5th-6th", "7th-8th", "9th", "10th", "11th", "12th", "HS-grad",
                          "Prof-school", "Assoc-voc", "Assoc-acdm", "Some-college", "Bachelors", "Masters", "Doctorate"]


def paper_features(table, real, target="income", encoders=None):
    """The benchmark's features of adult's rows: a numeric column whose real values are all ≥ 0
    with a maximum of at least 1000 becomes log(max(x, 0.01)), any other (x − min) / (max − min) · 5
    over the real rows' range; education its position in PAPER_EDUCATION_LEVELS; a categorical
    column of two categories its code (0 and 1 in sorted order), of more one indicator per
    category seen in the training rows (`encoders` is None for those rows, which fit the encoders;
    the test rows reuse them, a category the training rows lack becoming all zeros). A missing
    category is the category "?", as the raw adult file writes it."""
    from sklearn.preprocessing import OneHotEncoder

    def text(values):   # a categorical column's values, a missing one as "?"
        return values.astype(object).where(values.notna(), "?").astype(str)

    def positions(values, order):   # each value's position in `order`, -1 for one not in it
        return text(values).map({v: i for i, v in enumerate(order)}).fillna(-1).to_numpy(dtype=float)

    fit = encoders is None
    encoders = {} if fit else encoders
    features = []
    for column in real.columns:
        if column == target:
            continue
        values = table[column]
        if pd.api.types.is_numeric_dtype(real[column]):
            low, high = float(real[column].min()), float(real[column].max())
            x = values.astype(float).fillna(low).to_numpy()
            features.append(np.log(np.maximum(x, 1e-2)) if low >= 0 and high >= 1e3 else (x - low) / (high - low) * 5)
        elif column == "education":
            features.append(positions(values, PAPER_EDUCATION_LEVELS))
        elif real[column].nunique(dropna=False) <= 2:
            features.append(positions(values, sorted(text(real[column]).unique())))
        else:
            if fit:
                encoders[column] = OneHotEncoder(handle_unknown="ignore").fit(text(values).to_frame())
            features.append(encoders[column].transform(text(values).to_frame()).toarray())
    return np.column_stack(features), encoders


def paper_utility_f1s(train, test, real, target="income", positive=">50K"):
    """The CTGAN paper's ML efficacy of `train` on adult: each PAPER_CLASSIFIERS model (random
    state 0) trained on `train` and tested on `test`, over paper_features with `real` (the whole
    real table) giving the numeric ranges. Returns {"f1_paper": the mean of the four binary F1s,
    "f1_paper_each": each classifier's}."""
    import importlib
    from sklearn.metrics import f1_score

    x_train, encoders = paper_features(train, real, target)
    x_test, _ = paper_features(test, real, target, encoders)
    y_train, y_test = is_positive(train, target, positive).to_numpy(), is_positive(test, target, positive).to_numpy()
    one_class = len(np.unique(y_train)) < 2   # the benchmark then predicts that class for every row
    each = {}
    for key, (module, name, kwargs) in PAPER_CLASSIFIERS.items():
        if one_class:
            prediction = np.full(len(y_test), y_train[0] if len(y_train) else 0)
        else:
            model = getattr(importlib.import_module(module), name)(random_state=0, **kwargs)
            prediction = model.fit(x_train, y_train).predict(x_test)
        each[key] = float(f1_score(y_test, prediction, zero_division=0))
    return {"f1_paper": float(np.mean(list(each.values()))), "f1_paper_each": each}


def positive_share(table, target="income", positive=">50K"):
    """The share of `table`'s rows whose target is the positive class."""
    return float(is_positive(table, target, positive).mean())


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
