#!/usr/bin/python3
"""Write metrics_oracle.json: scikit-learn's values for the metrics of
package stats, on seeded cases (ties, rounded scores, one class, Poisson and
real-valued weights, edges of the calibration bins, tiny samples).

Run from the repository root with Debian's python3 (scikit-learn 1.2.1,
numpy):

    /usr/bin/python3 stats/testdata/gen_metrics.py

The Go tests read the JSON; Python is not needed to run them.
"""

import json
import os
import warnings

import numpy as np
import sklearn
from sklearn.calibration import calibration_curve
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    brier_score_loss,
    f1_score,
    log_loss,
    mean_absolute_error,
    mean_squared_error,
    precision_score,
    r2_score,
    recall_score,
    roc_auc_score,
)

warnings.simplefilter("ignore")  # undefined metrics are recorded as null

EPS = 1e-15  # replaygate clips log-loss probabilities at 1e-15 (sklearn 1.2 default: eps="auto")
EDGES = np.linspace(0.0, 1.0, 11)


def undefined_or(f):
    try:
        v = float(f())
    except ValueError:
        return None
    return None if np.isnan(v) else v


def ece(y, p, w):
    ids = np.searchsorted(EDGES[1:-1], p)  # as sklearn's calibration_curve
    ww = np.ones_like(p) if w is None else w
    bw = np.bincount(ids, weights=ww, minlength=10)
    by = np.bincount(ids, weights=ww * y, minlength=10)
    bp = np.bincount(ids, weights=ww * p, minlength=10)
    if bw.sum() == 0:
        return None, []
    nz = bw > 0
    val = float(np.sum(bw[nz] / bw.sum() * np.abs(by[nz] / bw[nz] - bp[nz] / bw[nz])))
    bins = [
        {"bin": int(k), "mean_predicted": float(bp[k] / bw[k]),
         "observed_rate": float(by[k] / bw[k]), "count": float(bw[k])}
        for k in range(10) if bw[k] > 0
    ]
    return val, bins


def binary_case(name, y, p, w=None, thresholds=(0.5,), note=""):
    y = np.asarray(y, dtype=float)
    p = np.asarray(p, dtype=float)
    sw = None if w is None else np.asarray(w, dtype=float)
    out = {"name": name, "note": note, "scores": p.tolist(), "labels": y.tolist(),
           "weights": None if sw is None else sw.tolist()}
    exp = {}
    exp["auc"] = undefined_or(lambda: roc_auc_score(y, p, sample_weight=sw))
    # sklearn 1.2 returns 0 (with a warning) without positives; replaygate
    # calls average precision undefined there.
    has_pos = (y * (np.ones_like(y) if sw is None else sw)).sum() > 0
    exp["pr_auc"] = undefined_or(lambda: average_precision_score(y, p, sample_weight=sw)) if has_pos else None
    total = len(y) if sw is None else sw.sum()
    if total > 0:
        exp["logloss"] = float(log_loss(y, p, eps=EPS, labels=[0, 1], sample_weight=sw))
        if p.min() >= 0 and p.max() <= 1:
            exp["brier"] = float(brier_score_loss(y, p, sample_weight=sw))
            exp["ece"], exp["reliability"] = ece(y, p, sw)
            if sw is None and len(np.unique(y)) <= 2:
                pt, pp = calibration_curve(y, p, n_bins=10, strategy="uniform")
                exp["calibration_curve"] = {"prob_true": pt.tolist(), "prob_pred": pp.tolist()}
    else:
        exp["logloss"] = exp["brier"] = exp["ece"] = None
    at = []
    for t in thresholds:
        pred = (p >= t).astype(int)
        row = {"threshold": t}
        if total > 0:
            row["accuracy"] = float(accuracy_score(y, pred, sample_weight=sw))
            row["positive_rate"] = float(np.average(pred, weights=sw))
        else:
            row["accuracy"] = row["positive_rate"] = None
        row["precision"] = float(precision_score(y, pred, sample_weight=sw, zero_division=0))
        row["recall"] = float(recall_score(y, pred, sample_weight=sw, zero_division=0))
        row["f1"] = float(f1_score(y, pred, sample_weight=sw, zero_division=0))
        at.append(row)
    exp["at"] = at
    out["expected"] = exp
    return out


def regression_case(name, target, pred, w=None, note=""):
    t = np.asarray(target, dtype=float)
    p = np.asarray(pred, dtype=float)
    sw = None if w is None else np.asarray(w, dtype=float)
    exp = {
        "rmse": float(mean_squared_error(t, p, sample_weight=sw, squared=False)),
        "mae": float(mean_absolute_error(t, p, sample_weight=sw)),
        "r2": undefined_or(lambda: r2_score(t, p, sample_weight=sw)),
    }
    return {"name": name, "note": note, "pred": p.tolist(), "target": t.tolist(),
            "weights": None if sw is None else sw.tolist(), "expected": exp}


def main():
    rng = np.random.default_rng(20240607)
    binary = []

    # Scores rounded to one decimal: almost every score is tied.
    n = 400
    y = rng.binomial(1, 0.3, n)
    p = np.clip(np.round(rng.beta(2, 3, n) + 0.15 * y, 1), 0, 1)
    binary.append(binary_case("ties_one_decimal", y, p, thresholds=(0.5, 0.3, 0.0, 1.0)))

    # Rounded to two decimals, Poisson(1) weights (the bootstrap's).
    n = 300
    y = rng.binomial(1, 0.2, n)
    p = np.round(rng.beta(1, 4, n) + 0.1 * y, 2).clip(0, 1)
    w = rng.poisson(1, n).astype(float)
    binary.append(binary_case("rounded_poisson_weights", y, p, w, thresholds=(0.5, 0.2)))

    # Continuous scores, real-valued weights.
    n = 250
    y = rng.binomial(1, 0.5, n)
    p = rng.beta(2 + 2 * y, 4 - 2 * y)
    w = rng.uniform(0, 3, n)
    binary.append(binary_case("continuous_real_weights", y, p, w, thresholds=(0.5,)))

    # Click-through-like: rare positives, small scores, many exact ties at 0.
    n = 500
    y = rng.binomial(1, 0.03, n)
    p = np.where(rng.random(n) < 0.1, 0.0, rng.lognormal(-4, 1, n) * (1 + y)).clip(0, 1)
    binary.append(binary_case("ctr_like_zero_ties", y, p, thresholds=(0.05, 0.5)))

    # Scores on the calibration bin edges (an edge belongs to the lower bin).
    p = [0.0, 0.1, 0.2, 0.3, 0.30000000000000004, 0.4, 0.5, 0.6, 0.6000000000000001,
         0.7, 0.7000000000000001, 0.8, 0.9, 1.0, 0.05, 0.95, 0.35, 0.65]
    y = [0, 0, 1, 0, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 0, 1]
    binary.append(binary_case("calibration_edges", y, p, thresholds=(0.5, 0.3, 0.30000000000000004)))

    # Probabilities 0 and 1 exactly: log loss clips them.
    binary.append(binary_case("extremes_clipped", [0, 1, 1, 0, 1, 0], [0.0, 1.0, 0.0, 1.0, 1e-20, 1 - 1e-17],
                              thresholds=(0.5,)))

    # Scores outside [0, 1] (margins): AUC and log loss only.
    n = 60
    y = rng.binomial(1, 0.4, n)
    p = np.round(rng.normal(0, 2, n) + y, 1)
    binary.append(binary_case("margins_outside_unit", y, p, thresholds=(0.0,)))

    # Small samples.
    binary.append(binary_case("small_n3", [0, 1, 1], [0.2, 0.2, 0.9], thresholds=(0.5,)))
    binary.append(binary_case("small_n2_weighted", [1, 0], [0.4, 0.6], [2.0, 0.5], thresholds=(0.5,)))
    binary.append(binary_case("all_tied", [0, 1, 0, 1, 1], [0.5] * 5, thresholds=(0.5, 0.6)))

    # One class: AUC undefined.
    binary.append(binary_case("all_negative", [0, 0, 0, 0], [0.1, 0.4, 0.4, 0.8], thresholds=(0.5,),
                              note="AUC and PR-AUC undefined"))
    binary.append(binary_case("all_positive", [1, 1, 1], [0.1, 0.4, 0.8], thresholds=(0.5,),
                              note="AUC undefined; PR-AUC 1"))
    # Both labels present, but every positive has weight 0: sklearn returns nan.
    binary.append(binary_case("positives_weight_zero", [0, 1, 0, 1, 0], [0.1, 0.2, 0.3, 0.4, 0.4],
                              [1.0, 0.0, 1.0, 0.0, 2.0], thresholds=(0.3,),
                              note="AUC and PR-AUC undefined"))
    # Weight 0 on some rows of each class; a tie across classes.
    binary.append(binary_case("some_zero_weights", [0, 1, 0, 1, 0, 1, 1], [0.1, 0.2, 0.3, 0.3, 0.5, 0.7, 0.1],
                              [0.0, 1.0, 2.0, 1.0, 0.0, 3.0, 1.0], thresholds=(0.3,)))

    regression = []
    n = 200
    t = rng.normal(10, 3, n)
    regression.append(regression_case("reg_plain", t, t + rng.normal(0, 1, n)))
    regression.append(regression_case("reg_poisson_weights", t, t + rng.normal(0.5, 2, n),
                                      rng.poisson(1, n).astype(float)))
    t = 1e6 + rng.normal(0, 1, 100)
    regression.append(regression_case("reg_large_mean", t, t + rng.normal(0, 0.5, 100), rng.uniform(0.5, 2, 100)))
    regression.append(regression_case("reg_constant_target_exact", [2.0, 2.0, 2.0], [2.0, 2.0, 2.0],
                                      note="r2 = 1 (sklearn's finite convention)"))
    regression.append(regression_case("reg_constant_target_off", [2.0, 2.0, 2.0], [2.0, 2.5, 1.0],
                                      note="r2 = 0 (sklearn's finite convention)"))
    regression.append(regression_case("reg_single_row", [1.0], [3.0], note="r2 undefined"))

    # numpy's default (linear) percentile, for the bootstrap interval.
    vals = rng.normal(0, 1, 37)
    vals[5] = vals[6]  # a tie
    qs = [0.0, 0.0025, 0.025, 0.05, 0.5, 0.95, 0.975, 0.9975, 1.0]
    percentile = {"values": vals.tolist(), "q": qs,
                  "expected": [float(np.percentile(vals, 100 * q)) for q in qs]}

    out = {
        "generator": "stats/testdata/gen_metrics.py",
        "sklearn": sklearn.__version__,
        "numpy": np.__version__,
        "log_loss_eps": EPS,
        "binary": binary,
        "regression": regression,
        "percentile": percentile,
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "metrics_oracle.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(f"wrote {path}: {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
