#!/usr/bin/python3
"""Reference values for the drift statistics of package stats.

Writes drift_oracle.json next to this file: seeded sample pairs and what
numpy and scipy compute on them (quantile edges, bin counts, PSI,
Jensen-Shannon, chi-square, KS statistic and p-value, Wasserstein), plus grids
of the special functions behind the p-values. The Go tests read it; Python is
only needed to regenerate it:

    /usr/bin/python3 stats/testdata/gen_drift.py

Definitions (DESIGN.md section 3, and the doc comments of package stats):
  * quantiles: np.quantile(x, q), method='linear';
  * edges: np.unique(np.quantile(x, [i/bins for i in 1..bins-1])), plus
    nextafter(min, -inf) in front when the lowest cut equals the minimum;
    bins are right-closed, bin = np.searchsorted(cuts, x, side='left');
  * PSI = sum (p-q) ln(p/q) with shares floored at 1e-4;
  * JS = scipy.spatial.distance.jensenshannon(ref, cur, base=2);
  * chi-square = scipy.stats.chi2_contingency([ref, cur], correction=False)
    on the bins not empty in both;
  * KS = scipy.stats.ks_2samp(ref, cur) (method='auto');
  * Wasserstein = scipy.stats.wasserstein_distance(ref, cur) / np.std(ref);
NaN and +-Inf are left out of every statistic and counted.
"""
import json
import math
import os

import numpy as np
import scipy
from scipy import stats
from scipy.spatial import distance
from scipy.stats._stats_py import _attempt_exact_2kssamp

HERE = os.path.dirname(os.path.abspath(__file__))
FLOOR = 1e-4
ALPHA = 0.05
PSI_BINS = 10
FINE_BINS = 960

rng = np.random.default_rng(20240611)


def enc(xs):
    """JSON-safe list: non-finite values as strings."""
    out = []
    for x in xs:
        x = float(x)
        if math.isnan(x):
            out.append("nan")
        elif math.isinf(x):
            out.append("inf" if x > 0 else "-inf")
        else:
            out.append(x)
    return out


def edges(sample, bins):
    s = np.sort(sample[np.isfinite(sample)])
    qs = np.array([i / bins for i in range(1, bins)])
    cuts = np.unique(np.quantile(s, qs)) if bins > 1 else np.array([])
    if len(cuts) and cuts[0] == s[0] and s[0] > -np.finfo(float).max:
        cuts = np.concatenate([[np.nextafter(s[0], -np.inf)], cuts])
    return cuts


def counts(cuts, sample):
    x = sample[np.isfinite(sample)]
    idx = np.searchsorted(cuts, x, side="left")
    return np.bincount(idx, minlength=len(cuts) + 1)


def psi(r, c):
    p = np.maximum(r / r.sum(), FLOOR)
    q = np.maximum(c / c.sum(), FLOOR)
    return float(np.sum((p - q) * np.log(p / q)))


def chi2(r, c):
    keep = (r + c) > 0
    table = np.array([r[keep], c[keep]])
    res = stats.chi2_contingency(table, correction=False)
    return {"statistic": float(res[0]), "pvalue": float(res[1]), "dof": int(res[2]), "bins": int(keep.sum())}


def criticals(r, c):
    """Critical values at ALPHA for counts r, c over the same bins."""
    nr, nc = int(r.sum()), int(c.sum())
    keep = (r + c) > 0
    bins = int(keep.sum())
    if bins < 2:
        return {"psi": 0.0, "js": 0.0, "linf": 0.0, "chi2": 0.0}
    chi = stats.chi2.ppf(1 - ALPHA, bins - 1)
    psi_c = chi * (1 / nr + 1 / nc)
    z = stats.norm.ppf(1 - ALPHA / (2 * bins))
    pooled = (r + c)[keep] / (nr + nc)
    v = float(np.max(pooled * (1 - pooled)))
    return {
        "psi": float(psi_c),
        "js": float(math.sqrt(psi_c / (8 * math.log(2)))),
        "linf": float(z * math.sqrt(v * (1 / nr + 1 / nc))),
        "chi2": float(chi),
    }


def ks_pvalue(d, n1, n2):
    """ks_2samp's two-sided p-value for statistic d, by its own helpers."""
    if max(n1, n2) <= 10000:
        ok, d2, p = _attempt_exact_2kssamp(n1, n2, math.gcd(n1, n2), d, "two-sided")
        if ok:
            return float(np.clip(p, 0, 1)), float(d2), "exact"
    m, n = sorted([float(n1), float(n2)], reverse=True)
    en = m * n / (m + n)
    return float(np.clip(stats.kstwo.sf(d, np.round(en)), 0, 1)), float(d), "asymp"


def ks_hist(cr, cc):
    fr = np.cumsum(cr) / cr.sum()
    fc = np.cumsum(cc) / cc.sum()
    return float(np.max(np.abs(fr - fc)))


def numeric_case(name, ref, cur, compress=False):
    rf, cf = ref[np.isfinite(ref)], cur[np.isfinite(cur)]
    dec = edges(ref, PSI_BINS)
    dr, dc = counts(dec, ref), counts(dec, cur)
    fine = edges(ref, FINE_BINS)
    fr, fc = counts(fine, ref), counts(fine, cur)
    ch = chi2(dr, dc)
    crit = criticals(dr, dc)
    ks = stats.ks_2samp(rf, cf)
    p, d2, method = ks_pvalue(float(ks.statistic), len(rf), len(cf))
    assert abs(p - ks.pvalue) <= 1e-15 and d2 == ks.statistic, (name, p, ks.pvalue)
    w = float(stats.wasserstein_distance(rf, cf))
    sd = float(np.std(rf))
    if sd > 0:
        scale, source = sd, "reference"
    elif w > 0:
        scale, source = float(np.std(np.concatenate([rf, cf]))), "pooled"
    else:
        scale, source = 0.0, "none"
    dh = ks_hist(fr, fc)
    case = {
        "name": name,
        "decile_cuts": enc(dec),
        "decile_ref": dr.tolist(),
        "decile_cur": dc.tolist(),
        "fine_bins": len(fine) + 1,
        "fine_ref": fr.tolist(),
        "fine_cur": fc.tolist(),
        "psi": psi(dr, dc),
        "js": float(distance.jensenshannon(dr, dc, base=2)),
        "chi2": ch,
        "critical": crit,
        "ks": {"d": float(ks.statistic), "pvalue": float(ks.pvalue), "method": method,
               "critical": math.sqrt(-math.log(ALPHA / 2) / 2) * math.sqrt((len(rf) + len(cf)) / (len(rf) * len(cf)))},
        "ks_hist": {"d": dh, "pvalue": ks_pvalue(dh, len(rf), len(cf))[0]},
        "wasserstein": {"distance": w, "scale": scale, "source": source,
                        "normalized": w / scale if scale > 0 else 0.0},
        "ref_std": sd,
        "nonfinite": {
            "ref": [int(np.isnan(ref).sum()), int((ref == np.inf).sum()), int((ref == -np.inf).sum())],
            "cur": [int(np.isnan(cur).sum()), int((cur == np.inf).sum()), int((cur == -np.inf).sum())],
        },
    }
    if compress:
        # Integer-valued samples, stored as value counts to stay small.
        for key, x in (("ref", ref), ("cur", cur)):
            v, k = np.unique(x, return_counts=True)
            case[key + "_values"] = enc(v)
            case[key + "_counts"] = k.tolist()
    else:
        case["ref"] = enc(ref)
        case["cur"] = enc(cur)
    return case


def r4(x):
    return np.round(x, 4)


def numeric_cases():
    out = []
    out.append(numeric_case("normal_shift", r4(rng.normal(0, 1, 2000)), r4(rng.normal(0.3, 1.1, 1500))))
    out.append(numeric_case("heavy_tail", np.round(rng.standard_t(2, 1500), 3),
                            np.round(1.2 * rng.standard_t(1.5, 1200), 3)))
    out.append(numeric_case("ties", rng.poisson(3, 800).astype(float), rng.poisson(3.4, 900).astype(float)))
    out.append(numeric_case("small_n", np.array([0.5, 1.25, -2.0, 3.5, 0.0]),
                            np.array([1.0, 2.0, 0.25, 4.5, -1.0, 2.0, 3.0])))
    out.append(numeric_case("single_value", np.array([2.5]), np.array([1.0, 2.5, 4.0])))
    cur = np.full(250, 3.0)
    cur[:25] = 4.0
    cur[25:30] = 2.0
    out.append(numeric_case("constant_ref", np.full(300, 3.0), cur))
    out.append(numeric_case("both_constant", np.full(200, 3.0), np.full(150, 3.0)))
    same = r4(rng.normal(5, 2, 500))
    out.append(numeric_case("identical", same, same.copy()))
    out.append(numeric_case("disjoint", r4(rng.uniform(0, 1, 400)), r4(rng.uniform(2, 3, 300))))
    out.append(numeric_case("equal_sizes", r4(rng.normal(0, 1, 1000)), r4(rng.normal(0.1, 1, 1000))))
    ref = r4(rng.normal(10, 3, 500))
    ref[[3, 50, 77, 200, 499]] = np.nan
    ref[[10, 11, 12]] = np.inf
    ref[[100, 300]] = -np.inf
    cur = r4(rng.normal(10.5, 3, 450))
    cur[::45] = np.nan
    cur[1:50:7] = np.inf
    out.append(numeric_case("nonfinite", ref, cur))
    ref = np.where(rng.uniform(size=1000) < 0.4, 0.0, r4(rng.lognormal(0, 1, 1000)))
    cur = np.where(rng.uniform(size=900) < 0.3, 0.0, r4(rng.lognormal(0.2, 1, 900)))
    cur[:20] = r4(-rng.uniform(0, 1, 20))
    out.append(numeric_case("zero_inflated", ref, cur))
    out.append(numeric_case("asymp_ties", rng.poisson(5, 12000).astype(float),
                            rng.poisson(5.15, 11000).astype(float), compress=True))
    return out


def categorical_case(name, ref, cur, k):
    """ref, cur: dicts value -> count."""
    vals = sorted((v for v in ref if ref[v] > 0), key=lambda v: (-ref[v], v))[:k]
    rv = np.array([ref.get(v, 0) for v in vals] + [sum(c for v, c in ref.items() if v not in vals)])
    cv = np.array([cur.get(v, 0) for v in vals] + [sum(c for v, c in cur.items() if v not in vals)])
    ch = chi2(rv, cv)
    crit = criticals(rv, cv)
    return {
        "name": name, "k": k, "ref": ref, "cur": cur, "vocab": vals,
        "ref_counts": rv.tolist(), "cur_counts": cv.tolist(),
        "linf": float(np.max(np.abs(rv / rv.sum() - cv / cv.sum()))),
        "psi": psi(rv, cv),
        "js": float(distance.jensenshannon(rv, cv, base=2)),
        "chi2": ch, "critical": crit,
    }


def zipf_counts(n, nvals, s, prefix, gen):
    w = 1.0 / np.arange(1, nvals + 1) ** s
    draws = gen.choice(nvals, size=n, p=w / w.sum())
    v, c = np.unique(draws, return_counts=True)
    return {f"{prefix}{i:03d}": int(k) for i, k in zip(v, c)}


def categorical_cases():
    out = []
    ref = {"US": 500, "DE": 200, "FR": 150, "BR": 100, "IN": 50}
    cur = {"US": 430, "DE": 210, "FR": 140, "BR": 90, "IN": 60, "ZA": 70}
    out.append(categorical_case("online_only", ref, cur, 50))
    out.append(categorical_case("top_k_other", zipf_counts(5000, 80, 1.1, "v", rng),
                                zipf_counts(4000, 90, 1.0, "v", rng), 50))
    out.append(categorical_case("identical", ref, dict(ref), 50))
    out.append(categorical_case("disjoint", {"a": 30, "b": 70}, {"c": 40}, 50))
    out.append(categorical_case("single_bin", {"a": 10}, {"a": 5}, 50))
    out.append(categorical_case("tie_order", {"b": 5, "a": 5, "c": 5, "": 2}, {"a": 1, "b": 9, "": 3}, 2))
    return out


def quantile_cases():
    out = []
    qs = [0.0, 0.001, 0.1, 0.25, 0.3, 0.5, 0.7, 0.75, 0.9, 0.999, 1.0, 1 / 3, 2 / 3]
    for name, x in (("normal", r4(rng.normal(0, 1, 101))), ("ties", rng.poisson(2, 50).astype(float)),
                    ("two", np.array([1.0, 2.0])), ("one", np.array([7.0])),
                    ("wide", np.array([-1e300, -1.5, 0.1, 0.2, 1e300])),
                    ("frac", np.array([0.1, 0.2, 0.30000000000000004, 0.7, 1.1, 1.3]))):
        out.append({"name": name, "sample": enc(x), "q": qs, "expected": enc(np.quantile(x, qs))})
    return out


def kstwo_grid():
    out = []
    for n in (1, 2, 3, 5, 10, 50, 100, 140, 141, 500, 1000, 5000, 20000, 100000, 100001, 500000, 2000000):
        xs = {0.4 / n, 0.75 / n, 1.0 / n, 0.6, 0.95, 1 - 0.5 / n}
        for nx2 in (0.3, 0.7, 1.0, 2.0, 3.0, 4.5, 10.0, 50.0, 100.0, 400.0):
            x = math.sqrt(nx2 / n)
            if x < 1:
                xs.add(x)
        for x in sorted(xs):
            if 0 < x < 1:
                out.append({"n": n, "x": x, "sf": float(stats.kstwo.sf(x, n))})
    return out


def ks_pvalue_grid():
    out = []
    for n1, n2 in ((3, 5), (5, 3), (10, 10), (7, 13), (100, 150), (500, 500), (999, 1000),
                   (2000, 3000), (5000, 7000), (10000, 10000), (10000, 37), (10001, 50),
                   (20000, 30000), (15000, 15000), (200000, 100000)):
        lcm = n1 * n2 // math.gcd(n1, n2)
        for frac in (0.001, 0.01, 0.03, 0.05, 0.1, 0.2, 0.5, 0.9):
            d = round(frac * lcm) / lcm
            if d <= 0:
                continue
            p, d2, method = ks_pvalue(d, n1, n2)
            out.append({"n": n1, "m": n2, "d": d, "pvalue": p, "d_out": d2, "method": method})
    return out


def chi2_grids():
    sf = []
    for dof in (1, 2, 3, 9, 10, 49, 50, 51, 999):
        for f in (0.001, 0.1, 0.5, 0.9, 1.0, 1.1, 2.0, 5.0):
            x = dof * f
            sf.append({"x": x, "dof": dof, "sf": float(stats.chi2.sf(x, dof))})
        sf.append({"x": dof + 40 * math.sqrt(dof), "dof": dof, "sf": float(stats.chi2.sf(dof + 40 * math.sqrt(dof), dof))})
    ppf = []
    for dof in (1, 2, 3, 9, 49, 50, 999):
        for p in (1e-6, 0.01, 0.05, 0.5, 0.9, 0.95, 0.99, 0.999999):
            ppf.append({"p": p, "dof": dof, "x": float(stats.chi2.ppf(p, dof))})
    return sf, ppf


def main():
    sf, ppf = chi2_grids()
    doc = {
        "generator": "stats/testdata/gen_drift.py",
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "alpha": ALPHA,
        "numeric": numeric_cases(),
        "categorical": categorical_cases(),
        "quantiles": quantile_cases(),
        "kstwo_sf": kstwo_grid(),
        "ks_pvalue": ks_pvalue_grid(),
        "chi2_sf": sf,
        "chi2_ppf": ppf,
    }
    path = os.path.join(HERE, "drift_oracle.json")
    with open(path, "w") as f:
        json.dump(doc, f, separators=(",", ":"), allow_nan=False)
        f.write("\n")
    print(f"wrote {path}: {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
