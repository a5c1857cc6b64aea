#!/usr/bin/python3
"""Train small XGBoost models and record XGBoost's own predictions.

The Go tests in models/xgboost compare the in-process evaluator against the
files written here. Run from anywhere with Debian's python3-xgboost:

    /usr/bin/python3 models/xgboost/testdata/gen_oracle.py

Everything is seeded, so a re-run with the same XGBoost version rewrites the
same models and predictions.

Layout of an oracle file (testdata/oracle/<name>.json):
    {"model": "<file relative to testdata/>",
     "features": [names in row order],
     "rows": [[number or null, ...], ...],          # null = missing (NaN)
     "predictions": [[per output value, ...], ...], # Booster.predict
     "margins": [[...], ...],                       # predict(output_margin=True)
     "iterations": N                                # optional: predict with
                                                    # iteration_range=(0, N)
    }
"""

import json
import os
import sys

import numpy as np
import pandas as pd
import xgboost as xgb

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.join(HERE, "models")
ORACLE = os.path.join(HERE, "oracle")
REJECT = os.path.join(HERE, "reject")
N_ROWS = 200


def num(v):
    v = float(v)
    if np.isnan(v):
        return None
    return v


def trees(booster):
    gb = json.loads(booster.save_raw("json"))["learner"]["gradient_booster"]
    if gb["name"] == "dart":
        gb = gb["gbtree"]
    return gb["model"]["trees"]


def thresholds(booster):
    """Split thresholds per feature index, from the model's own JSON."""
    out = {}
    for tree in trees(booster):
        for left, idx, cond in zip(tree["left_children"], tree["split_indices"],
                                   tree["split_conditions"]):
            if left != -1:
                out.setdefault(idx, []).append(cond)
    return out


def oracle_rows(rng, booster, n_features, nan_rate=0.15, scale=1.0):
    """Rows that exercise missing values and values at or next to thresholds."""
    x = rng.normal(size=(N_ROWS, n_features)) * scale
    x[rng.random(x.shape) < nan_rate] = np.nan
    x[0, :] = np.nan                      # all missing
    x[1, :] = 0.0
    th = thresholds(booster)
    feats = sorted(th)
    r = 2
    # Exactly on a threshold: XGBoost sends x == t to the right.
    for f in feats:
        for t in th[f][:3]:
            if r >= 60:
                break
            x[r, f] = t
            r += 1
    # A float64 just below a threshold that rounds to it in float32: XGBoost
    # compares in float32, so these go right too.
    for f in feats:
        for t in th[f][:3]:
            if r >= 110:
                break
            t32 = np.float32(t)
            below = np.nextafter(float(t32), -np.inf)
            if np.float32(below) == t32:
                x[r, f] = below
                r += 1
    return x


def dump(name, model_file, booster, x, feature_names, iterations=None):
    d = xgb.DMatrix(x, missing=np.nan, feature_names=feature_names)
    kw = {}
    if iterations is not None:
        kw["iteration_range"] = (0, iterations)
    pred = booster.predict(d, **kw)
    margin = booster.predict(d, output_margin=True, **kw)
    if pred.ndim == 1:
        pred = pred[:, None]
        margin = margin[:, None]
    names = feature_names or ["f%d" % i for i in range(x.shape[1])]
    out = {
        "model": model_file,
        "features": list(names),
        "rows": [[num(v) for v in row] for row in x],
        "predictions": [[float(v) for v in row] for row in pred],
        "margins": [[float(v) for v in row] for row in margin],
    }
    if iterations is not None:
        out["iterations"] = iterations
    with open(os.path.join(ORACLE, name + ".json"), "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")


def save(booster, file):
    booster.save_model(os.path.join(HERE, file))


def train(params, x, y, rounds, feature_names=None, **kw):
    p = {"nthread": 1, "seed": 7}
    if params.get("booster") != "gblinear":
        p["tree_method"] = "hist"
    p.update(params)
    d = xgb.DMatrix(x, label=y, missing=np.nan, feature_names=feature_names)
    return xgb.train(p, d, num_boost_round=rounds, **kw)


def main():
    for d in (MODELS, ORACLE, REJECT):
        os.makedirs(d, exist_ok=True)
    rng = np.random.default_rng(20240601)

    # binary:logistic with feature names; also saved as UBJSON.
    names = ["age", "income", "tenure", "clicks", "score_a", "score_b",
             "visits", "ratio"]
    x = rng.normal(size=(2000, len(names)))
    logit = 1.5 * x[:, 0] - x[:, 1] + 0.8 * x[:, 2] * x[:, 3] + 0.3 * x[:, 6]
    y = (rng.random(2000) < 1 / (1 + np.exp(-logit))).astype(float)
    b = train({"objective": "binary:logistic", "max_depth": 4, "eta": 0.3},
              x, y, 20, feature_names=names)
    save(b, "models/binary_logistic.json")
    save(b, "models/binary_logistic.ubj")
    xr = oracle_rows(rng, b, len(names))
    dump("binary_logistic", "models/binary_logistic.json", b, xr, names)
    dump("binary_logistic_ubj", "models/binary_logistic.ubj", b, xr, names)

    # reg:logistic on a target in [0, 1], no feature names.
    x = rng.normal(size=(2000, 6))
    y = 1 / (1 + np.exp(-(x[:, 0] - 0.5 * x[:, 1] + 0.2 * rng.normal(size=2000))))
    b = train({"objective": "reg:logistic", "max_depth": 3, "eta": 0.3}, x, y, 15)
    save(b, "models/reg_logistic.json")
    dump("reg_logistic", "models/reg_logistic.json", b, oracle_rows(rng, b, 6), None)

    # reg:squarederror, no feature names.
    x = rng.normal(size=(2000, 7))
    y = 3 * x[:, 0] + np.sin(2 * x[:, 1]) * 4 + x[:, 2] * x[:, 3] + rng.normal(size=2000)
    b = train({"objective": "reg:squarederror", "max_depth": 5, "eta": 0.2}, x, y, 25)
    save(b, "models/reg_squarederror.json")
    dump("reg_squarederror", "models/reg_squarederror.json", b,
         oracle_rows(rng, b, 7, scale=2.0), None)

    # multi:softprob, 3 classes.
    x = rng.normal(size=(3000, 5))
    s = np.stack([x[:, 0] + x[:, 1], x[:, 2] - x[:, 0], 0.5 * x[:, 3] * x[:, 4]], axis=1)
    y = np.argmax(s + rng.gumbel(size=s.shape), axis=1).astype(float)
    mnames = ["m0", "m1", "m2", "m3", "m4"]
    b = train({"objective": "multi:softprob", "num_class": 3, "max_depth": 4, "eta": 0.3},
              x, y, 10, feature_names=mnames)
    save(b, "models/multi_softprob.json")
    dump("multi_softprob", "models/multi_softprob.json", b, oracle_rows(rng, b, 5), mnames)

    # Many missing values, where missingness carries signal in both directions,
    # so default_left is learnt both ways.
    x = rng.normal(size=(4000, 6))
    miss_hi = rng.random(4000) < 0.4
    miss_lo = rng.random(4000) < 0.4
    y = ((x[:, 0] > 0) ^ (rng.random(4000) < 0.1)).astype(float)
    x[miss_hi & (y == 1), 0] = np.nan     # missing -> positive
    x[miss_lo & (y == 0), 1] = np.nan     # missing -> negative
    x[:, 1] = np.where(np.isnan(x[:, 1]), np.nan, x[:, 1] + y)
    x[rng.random(x.shape) < 0.3] = np.nan
    b = train({"objective": "binary:logistic", "max_depth": 4, "eta": 0.3}, x, y, 20)
    dl = set()
    for tree in trees(b):
        for left, d in zip(tree["left_children"], tree["default_left"]):
            if left != -1:
                dl.add(int(d))
    assert dl == {0, 1}, "default_left should be learnt both ways, got %r" % dl
    save(b, "models/missing.json")
    dump("missing", "models/missing.json", b, oracle_rows(rng, b, 6, nan_rate=0.4), None)

    # Non-default base_score, in probability space for a logistic objective.
    x = rng.normal(size=(2000, 4))
    y = (x[:, 0] + rng.normal(size=2000) > 1.0).astype(float)
    b = train({"objective": "binary:logistic", "base_score": 0.2, "max_depth": 3,
               "eta": 0.3}, x, y, 12)
    save(b, "models/base_score_logistic.json")
    dump("base_score_logistic", "models/base_score_logistic.json", b,
         oracle_rows(rng, b, 4), None)
    # ... and for squared error, where it is added as is.
    x = rng.normal(size=(2000, 4))
    y = 50 + 10 * x[:, 0] + rng.normal(size=2000)
    b = train({"objective": "reg:squarederror", "base_score": 47.25, "max_depth": 3,
               "eta": 0.3}, x, y, 12)
    save(b, "models/base_score_regression.json")
    dump("base_score_regression", "models/base_score_regression.json", b,
         oracle_rows(rng, b, 4), None)

    # binary:logitraw: margins out, base_score still a probability.
    x = rng.normal(size=(2000, 4))
    y = (x[:, 0] * x[:, 1] + 0.3 * rng.normal(size=2000) > 0).astype(float)
    b = train({"objective": "binary:logitraw", "base_score": 0.35, "max_depth": 3,
               "eta": 0.3}, x, y, 10)
    save(b, "models/logitraw.json")
    dump("logitraw", "models/logitraw.json", b, oracle_rows(rng, b, 4), None)

    # Deep trees.
    x = rng.normal(size=(5000, 8))
    y = np.sin(3 * x[:, 0]) + np.cos(2 * x[:, 1]) * x[:, 2] + 0.1 * rng.normal(size=5000)
    b = train({"objective": "reg:squarederror", "max_depth": 12, "eta": 0.3,
               "min_child_weight": 5}, x, y, 6)
    save(b, "models/deep.json")
    dump("deep", "models/deep.json", b, oracle_rows(rng, b, 8), None)

    # Early stopping: trees past best_iteration stay in the model.
    x = rng.normal(size=(1500, 5))
    y = (x[:, 0] + 2 * rng.normal(size=1500) > 0).astype(float)
    dtr = xgb.DMatrix(x[:1000], label=y[:1000])
    dva = xgb.DMatrix(x[1000:], label=y[1000:])
    b = xgb.train({"objective": "binary:logistic", "max_depth": 4, "eta": 0.5,
                   "nthread": 1, "seed": 7}, dtr, num_boost_round=60,
                  evals=[(dva, "valid")], early_stopping_rounds=5, verbose_eval=False)
    assert b.best_iteration + 1 < b.num_boosted_rounds()
    save(b, "models/early_stopping.json")
    xr = oracle_rows(rng, b, 5)
    dump("early_stopping", "models/early_stopping.json", b, xr, None)
    dump("early_stopping_best", "models/early_stopping.json", b, xr, None,
         iterations=b.best_iteration + 1)

    # DART: predictions weight every tree by its weight_drop.
    x = rng.normal(size=(2000, 5))
    y = (x[:, 0] - x[:, 1] + 0.5 * rng.normal(size=2000) > 0).astype(float)
    b = train({"objective": "binary:logistic", "booster": "dart", "max_depth": 3,
               "eta": 0.3, "rate_drop": 0.3, "skip_drop": 0.0}, x, y, 12)
    save(b, "models/dart.json")
    dump("dart", "models/dart.json", b, oracle_rows(rng, b, 5), None)

    # Random forest inside boosting: num_parallel_tree > 1, multi-class.
    x = rng.normal(size=(2000, 4))
    y = (np.digitize(x[:, 0] + 0.3 * rng.normal(size=2000), [-0.5, 0.5])).astype(float)
    b = train({"objective": "multi:softprob", "num_class": 3, "num_parallel_tree": 3,
               "subsample": 0.8, "colsample_bynode": 0.8, "max_depth": 3, "eta": 0.5},
              x, y, 4)
    save(b, "models/forest_multi.json")
    dump("forest_multi", "models/forest_multi.json", b, oracle_rows(rng, b, 4), None)

    # Models that must be rejected with a clear error.
    x = rng.normal(size=(500, 3))
    y = (x[:, 0] > 0).astype(float)
    train({"booster": "gblinear", "objective": "binary:logistic"}, x, y, 3).save_model(
        os.path.join(REJECT, "gblinear.json"))
    train({"objective": "multi:softmax", "num_class": 2, "max_depth": 2}, x, y, 2).save_model(
        os.path.join(REJECT, "softmax.json"))
    train({"objective": "rank:pairwise", "max_depth": 2}, x, y, 2).save_model(
        os.path.join(REJECT, "rank_pairwise.json"))
    df = pd.DataFrame({"color": pd.Categorical(rng.choice(["red", "green", "blue"], 500)),
                       "size": rng.normal(size=500)})
    yc = (df["color"] == "red").astype(float)
    dc = xgb.DMatrix(df, label=yc, enable_categorical=True)
    xgb.train({"objective": "binary:logistic", "tree_method": "hist", "max_depth": 2,
               "nthread": 1}, dc, 2).save_model(os.path.join(REJECT, "categorical.json"))

    print("xgboost", xgb.__version__, "wrote", ORACLE, file=sys.stderr)


if __name__ == "__main__":
    main()
