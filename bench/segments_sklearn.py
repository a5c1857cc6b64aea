#!/usr/bin/python3
"""Per-segment AUC and log loss with scikit-learn, for bench/segments.sh.

Loads the CSV written by bench/segmentsdata, then for the overall segment
and each value of each segment column computes roc_auc_score and log_loss
of the candidate and the baseline, and a paired Poisson bootstrap of the
AUC change (np.random.poisson(1) row weights shared by both models,
sample_weight=..., percentile interval, Bonferroni-corrected over the
segments like replaygate). One core (OMP_NUM_THREADS=1 is set by the
caller).

A 200-replicate bootstrap over 1M rows takes minutes, so --replicates runs
fewer and the bootstrap time is extrapolated linearly to --target
replicates; the output says so. Prints one JSON line on stdout.
"""
import argparse
import json
import resource
import sys
import time

import numpy as np
import pandas as pd
from sklearn.metrics import log_loss, roc_auc_score


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--csv", required=True)
    ap.add_argument("--by", default="country,platform")
    ap.add_argument("--replicates", type=int, default=200, help="replicates run")
    ap.add_argument("--target", type=int, default=200, help="replicates to extrapolate to")
    ap.add_argument("--confidence", type=float, default=0.95)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    t0 = time.perf_counter()
    df = pd.read_csv(args.csv, float_precision="round_trip",
                     dtype={"id": str, "country": str, "platform": str})
    load_s = time.perf_counter() - t0

    by = args.by.split(",")
    t0 = time.perf_counter()
    y_all = df["label"].to_numpy()
    c_all = df["candidate_score"].to_numpy()
    b_all = df["baseline_score"].to_numpy()
    segs = [("overall", np.ones(len(df), dtype=bool))]
    for col in by:
        for v in sorted(df[col].unique()):
            segs.append((f"{col}={v}", (df[col] == v).to_numpy()))
    split_s = time.perf_counter() - t0

    m = len(segs)
    alpha = (1 - args.confidence) / m
    np.random.seed(args.seed)
    point_s = boot_s = 0.0
    out = []
    for name, mask in segs:
        y, c, b = y_all[mask], c_all[mask], b_all[mask]
        t0 = time.perf_counter()
        auc_c, auc_b = roc_auc_score(y, c), roc_auc_score(y, b)
        ll_c, ll_b = log_loss(y, c), log_loss(y, b)
        point_s += time.perf_counter() - t0
        t0 = time.perf_counter()
        deltas = np.empty(args.replicates)
        for r in range(args.replicates):
            w = np.random.poisson(1.0, len(y))
            deltas[r] = roc_auc_score(y, c, sample_weight=w) - roc_auc_score(y, b, sample_weight=w)
        lo, hi = np.percentile(deltas, [100 * alpha / 2, 100 * (1 - alpha / 2)])
        boot_s += time.perf_counter() - t0
        out.append({"segment": name, "rows": int(len(y)), "auc": auc_c, "auc_baseline": auc_b,
                    "auc_delta": auc_c - auc_b, "auc_delta_ci": [lo, hi],
                    "logloss": ll_c, "logloss_baseline": ll_b})

    boot_target_s = boot_s * args.target / args.replicates
    compute_s = split_s + point_s + boot_target_s
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for o in out:
        print(f"  {o['segment']:<12} rows {o['rows']:>8}  auc {o['auc']:.6f} base {o['auc_baseline']:.6f} "
              f"delta {o['auc_delta']:+.6f} CI [{o['auc_delta_ci'][0]:+.6f}, {o['auc_delta_ci'][1]:+.6f}]  "
              f"logloss {o['logloss']:.6f} base {o['logloss_baseline']:.6f}", file=sys.stderr)
    print(json.dumps({
        "rows": len(df), "segments": m, "replicates_run": args.replicates,
        "replicates_target": args.target, "extrapolated": args.replicates != args.target,
        "load_s": load_s, "split_s": split_s, "point_s": point_s,
        "boot_run_s": boot_s, "boot_target_s": boot_target_s, "compute_s": compute_s,
        "rows_per_s": len(df) / compute_s, "peak_rss_kib": peak_kib,
        "overall": out[0],
    }))


if __name__ == "__main__":
    main()
