#!/usr/bin/env python3
"""pandas + scipy side of bench/skew.sh: the skew statistics of replaygate's
checks/skew on the data of bench/skewdata, one feature at a time.

Per feature: PSI on the reference deciles (np.quantile edges, ln, shares
floored at 1e-6), scipy.stats.ks_2samp, scipy.stats.wasserstein_distance
over the reference standard deviation, and
scipy.spatial.distance.jensenshannon (base 2) on the same decile bins.
Loading (np.load into pandas DataFrames) is timed apart from computing.

    skew_scipy.py --data bench/out/skew [--repeat 3] [--json out.json] [--go go_outcomes.json]
"""
import argparse
import json
import re
import statistics
import time

import numpy as np
import pandas as pd
import scipy
from scipy.spatial.distance import jensenshannon
from scipy.stats import ks_2samp, wasserstein_distance

EPS = 1e-6


def shares(x, cuts):
    # a value equal to a cut belongs to the lower bin, as in stats.Edges.Bin
    c = np.bincount(np.searchsorted(cuts, x, side="left"), minlength=len(cuts) + 1)
    return c / c.sum()


def feature(ref, cur):
    cuts = np.unique(np.quantile(ref, np.arange(1, 10) / 10))
    p, q = shares(ref, cuts), shares(cur, cuts)
    pe, qe = np.maximum(p, EPS), np.maximum(q, EPS)
    psi = float(np.sum((qe - pe) * np.log(qe / pe)))
    ks = ks_2samp(ref, cur)
    w = wasserstein_distance(ref, cur) / np.std(ref)
    js = float(jensenshannon(p, q, base=2))
    return {"psi": psi, "ks": float(ks.statistic), "ks_p": float(ks.pvalue), "wasserstein": float(w), "js": js}


def compute(ref_df, cur_df):
    out = {}
    for name in ref_df.columns:
        r = ref_df[name].to_numpy()
        c = cur_df[name].to_numpy()
        r, c = r[np.isfinite(r)], c[np.isfinite(c)]
        out[name] = feature(r, c)
    return out


def go_values(path):
    """Statistic values parsed from replaygate's outcome messages."""
    out = {}
    for o in json.load(open(path)):
        name = o.get("name", "")
        if not name.startswith("skew.f"):
            continue
        msg = o.get("message", "")
        vals = {"psi": o.get("value")}
        # the message rounds to 4 significant digits
        for key, pat in (("js", r"\bJS ([-0-9.e+]+)"), ("ks", r"\bKS D ([-0-9.e+]+)"),
                         ("wasserstein", r"Wasserstein/std ([-0-9.e+]+)")):
            m = re.search(pat, msg)
            if m:
                try:
                    vals[key] = float(m.group(1).rstrip("."))
                except ValueError:
                    pass
        out[name[len("skew."):]] = vals
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json")
    ap.add_argument("--go", help="replaygate outcomes (JSON) to compare the statistics with")
    a = ap.parse_args()

    t0 = time.perf_counter()
    ref = np.load(f"{a.data}/reference.npy")
    cur = np.load(f"{a.data}/traffic.npy")
    cols = [f"f{j:02d}" for j in range(ref.shape[1])]
    ref_df = pd.DataFrame(ref, columns=cols)
    cur_df = pd.DataFrame(cur, columns=cols)
    del ref, cur
    load = time.perf_counter() - t0

    times = []
    for _ in range(a.repeat):
        t0 = time.perf_counter()
        res = compute(ref_df, cur_df)
        times.append(time.perf_counter() - t0)

    rows = len(cur_df)
    print(f"pandas {pd.__version__}, scipy {scipy.__version__}, numpy {np.__version__}")
    print(f"load_s {load:.3f}  (reference {len(ref_df)} rows, traffic {rows} rows, {len(cols)} features)")
    print("compute_s " + " ".join(f"{t:.3f}" for t in times) + f"  (median {statistics.median(times):.3f}, min {min(times):.3f})")
    print(f"rows/s {rows / statistics.median(times):.0f}")
    if a.go:
        gv = go_values(a.go)
        for key in ("psi", "js", "ks", "wasserstein"):
            diffs = [abs(gv[n][key] - res[n][key]) for n in cols if n in gv and key in gv[n] and gv[n][key] is not None]
            if diffs:
                print(f"max |replaygate - scipy| {key}: {max(diffs):.3g} over {len(diffs)} features")
            else:
                print(f"{key}: not found in replaygate's messages")
        drifted = [n for n in cols if res[n]["psi"] > 0.25]
        print(f"scipy PSI > 0.25: {drifted}")
    if a.json:
        json.dump({"load_s": load, "compute_s": times, "rows": rows, "features": res}, open(a.json, "w"), indent=1)


if __name__ == "__main__":
    main()
