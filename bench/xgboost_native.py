#!/usr/bin/python3
"""Time XGBoost's own prediction on one core, for bench/xgboost.sh.

    xgboost_native.py rows  --model M --rows N --seed S --out rows.bin
        Draw N rows around the model's split thresholds (10% missing) and
        write them as raw little-endian float64, row-major.
    xgboost_native.py time  --model M --bin rows.bin --json native.json
        Time XGBoost (nthread=1) on those rows: inplace_predict, and
        DMatrix construction + Booster.predict, each the best of --repeat.
    xgboost_native.py report --native native.json --go go-bench.txt
        Print both sides and the ratio ours / XGBoost.

Times are taken both as wall time and as process CPU time: on a busy
machine the CPU time is the fairer measure of the work done by one core
(the Go benchmarks report cpu-rows/s the same way).
"""

import argparse
import json
import os
import re
import sys
import time

import numpy as np
import xgboost as xgb


def load(model):
    b = xgb.Booster(model_file=model)
    b.set_param({"nthread": 1})
    return b


def thresholds(booster, n_features):
    gb = json.loads(booster.save_raw("json"))["learner"]["gradient_booster"]
    if gb["name"] == "dart":
        gb = gb["gbtree"]
    th = [[] for _ in range(n_features)]
    for tree in gb["model"]["trees"]:
        for left, idx, cond in zip(tree["left_children"], tree["split_indices"],
                                   tree["split_conditions"]):
            if left != -1:
                th[idx].append(cond)
    return th


def cmd_rows(a):
    b = load(a.model)
    nf = b.num_features()
    th = thresholds(b, nf)
    rng = np.random.default_rng(a.seed)
    x = np.empty((a.rows, nf))
    for f in range(nf):
        if th[f]:
            t = np.asarray(th[f], dtype=np.float64)[rng.integers(len(th[f]), size=a.rows)]
            x[:, f] = t + rng.normal(size=a.rows) * (np.abs(t) * 0.05 + 0.01)
        else:
            x[:, f] = rng.normal(size=a.rows)
    x[rng.random(x.shape) < 0.1] = np.nan
    x.astype("<f8").tofile(a.out)


def best(fn, repeat):
    """Best wall and CPU seconds of repeat calls (each measured alone)."""
    wall, cpu = [], []
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - w0)
        cpu.append(time.process_time() - c0)
    return min(wall), min(cpu)


def cmd_time(a):
    b = load(a.model)
    nf = b.num_features()
    x = np.fromfile(a.bin, dtype="<f8")
    if x.size % nf:
        sys.exit("%s: not a whole number of rows of %d features" % (a.bin, nf))
    x = x.reshape(-1, nf)
    n = x.shape[0]
    b.inplace_predict(x[:1000])  # warm up

    res = {"model": a.model, "rows": n, "xgboost": xgb.__version__,
           "trees": b.num_boosted_rounds(), "features": nf}
    w, c = best(lambda: b.inplace_predict(x), a.repeat)
    res["inplace_predict"] = {"wall_s": w, "cpu_s": c}

    names = b.feature_names

    def dmatrix():
        return xgb.DMatrix(x, missing=np.nan, nthread=1, feature_names=names)

    w, c = best(dmatrix, a.repeat)
    res["dmatrix_construct"] = {"wall_s": w, "cpu_s": c}

    # A fresh DMatrix for every repetition: XGBoost caches predictions per
    # DMatrix, and the cache must not serve a repeat.
    walls, cpus = [], []
    for _ in range(a.repeat):
        d = dmatrix()
        w0, c0 = time.perf_counter(), time.process_time()
        b.predict(d)
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
        del d
    res["dmatrix_predict"] = {"wall_s": min(walls), "cpu_s": min(cpus)}
    res["dmatrix_total"] = {k: res["dmatrix_construct"][k] + res["dmatrix_predict"][k]
                            for k in ("wall_s", "cpu_s")}

    # Same numbers as ours? (a sanity check, not the oracle: the tests are)
    if a.check:
        ours = np.fromfile(a.check, dtype="<f8")
        theirs = b.inplace_predict(x).reshape(-1)
        res["max_abs_diff"] = float(np.max(np.abs(ours - theirs)))
    with open(a.json, "w") as f:
        json.dump(res, f, indent=1)


def go_metrics(path):
    """Best rows/s and cpu-rows/s per Go benchmark in `go test -bench` output."""
    out = {}
    for line in open(path):
        m = re.match(r"^(Benchmark\w+)(?:-\d+)?\s+\d+\s+(.*)$", line)
        if not m:
            continue
        vals = dict((unit, float(v)) for v, unit in re.findall(r"([\d.e+]+) (\S+)", m.group(2)))
        cur = out.setdefault(m.group(1), {"rows/s": 0.0, "cpu-rows/s": 0.0})
        for k in cur:
            cur[k] = max(cur[k], vals.get(k, 0.0))
    return out


def cmd_report(a):
    nat = json.load(open(a.native))
    go = go_metrics(a.go)
    n = nat["rows"]
    print("model %s: %d rounds, %d features; %d rows (10%% missing); XGBoost %s, one thread"
          % (nat["model"], nat["trees"], nat["features"], n, nat["xgboost"]))
    if "max_abs_diff" in nat:
        print("max |ours - xgboost| on these rows: %.3g" % nat["max_abs_diff"])
    print()
    print("%-44s %14s %14s" % ("", "rows/s (wall)", "rows/s (cpu)"))
    rows = []
    for key, label in (("inplace_predict", "xgboost inplace_predict"),
                       ("dmatrix_predict", "xgboost DMatrix predict (predict only)"),
                       ("dmatrix_total", "xgboost DMatrix construction + predict")):
        t = nat[key]
        rows.append((label, n / t["wall_s"], n / t["cpu_s"] if t["cpu_s"] > 0 else float("nan")))
    for name, label in (("BenchmarkPredictDense", "replaygate PredictDense"),
                        ("BenchmarkModelPredict", "replaygate Model.Predict (Arrow batches)")):
        if name in go:
            rows.append((label, go[name]["rows/s"], go[name]["cpu-rows/s"] or float("nan")))
    for label, w, c in rows:
        print("%-44s %14.0f %14.0f" % (label, w, c))
    print()
    ref = nat["inplace_predict"]
    if "BenchmarkPredictDense" in go:
        ours = go["BenchmarkPredictDense"]
        rw = ours["rows/s"] / (n / ref["wall_s"])
        line = "ratio ours/xgboost (PredictDense vs inplace_predict, same float64 rows in, probabilities out): %.2fx wall" % rw
        if ours["cpu-rows/s"] and ref["cpu_s"] > 0:
            line += ", %.2fx cpu" % (ours["cpu-rows/s"] / (n / ref["cpu_s"]))
        print(line)
        dp = nat["dmatrix_predict"]
        if ours["cpu-rows/s"] and dp["cpu_s"] > 0:
            print("ratio ours/xgboost (PredictDense vs DMatrix predict only): %.2fx cpu"
                  % (ours["cpu-rows/s"] / (n / dp["cpu_s"])))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("rows")
    r.add_argument("--model", required=True)
    r.add_argument("--rows", type=int, default=200000)
    r.add_argument("--seed", type=int, default=42)
    r.add_argument("--out", required=True)
    t = sub.add_parser("time")
    t.add_argument("--model", required=True)
    t.add_argument("--bin", required=True)
    t.add_argument("--json", required=True)
    t.add_argument("--repeat", type=int, default=3)
    t.add_argument("--check", help="our predictions (raw float64) to compare")
    rep = sub.add_parser("report")
    rep.add_argument("--native", required=True)
    rep.add_argument("--go", required=True)
    a = p.parse_args()
    {"rows": cmd_rows, "time": cmd_time, "report": cmd_report}[a.cmd](a)


if __name__ == "__main__":
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    main()
