"""BG/NBD fit at 10^6 customers: kehu's weighted SciPy MLE vs lifetimes' BetaGeoFitter.

    python bench/bench_clv.py [--customers 1000000] [--seed 1] [--no-lifetimes]

Draws a customer base from the BG/NBD generative process (the published CDNOW parameters
r 0.243, α 4.414, a 0.793, b 2.426; first purchases spread over a year, times rounded to
days, weeks as the unit), then fits it twice, each in its own child process so that the
peak memory is that fit's own (the child's resource.getrusage ru_maxrss, data included):
- kehu: `kehu.analytics.clv.fit_bgnbd` (identical (x, t_x, T) rows compressed into weights,
  analytic gradient, L-BFGS-B);
- lifetimes: `BetaGeoFitter().fit(frequency, recency, T)` on the same rows.
Prints seconds (kehu: first call in a fresh process, and a second call), peak MB, the
parameters, the log-likelihood of each optimum and the ratio.
Target: kehu < 1 s, same optimum as lifetimes.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

PUBLISHED = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}

CHILD = r"""
import json, resource, sys, time
import numpy as np
data = np.load(sys.argv[2])
x, t_x, T = data["x"], data["t_x"], data["T"]
if sys.argv[1] == "kehu":
    from kehu.analytics.clv import fit_bgnbd
    t0 = time.perf_counter()
    fit = fit_bgnbd(x, t_x, T)
    seconds = time.perf_counter() - t0
    t0 = time.perf_counter()
    fit_bgnbd(x, t_x, T)
    warm = time.perf_counter() - t0
    out = {"params": fit.params, "converged": fit.converged, "n_unique": fit.n_unique,
           "iterations": fit.iterations, "warm_seconds": warm}
else:
    import pandas as pd
    from lifetimes import BetaGeoFitter
    frame = pd.DataFrame({"frequency": x, "recency": t_x, "T": T})
    t0 = time.perf_counter()
    bgf = BetaGeoFitter(penalizer_coef=0.0)
    bgf.fit(frame["frequency"], frame["recency"], frame["T"])
    seconds = time.perf_counter() - t0
    out = {"params": {k: float(v) for k, v in bgf.params_.items()}}
out["seconds"] = seconds
out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""


def simulate(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    from kehu.analytics.clv.simulate import simulate_bgnbd

    rng = np.random.default_rng(seed)
    first_day = rng.integers(0, 365, n)  # cohort acquired over one year, observed to day 365
    T = (365 - first_day) / 7.0
    return simulate_bgnbd(n, PUBLISHED, T, seed=seed + 1, unit_days=7.0)


def run_child(which: str, data: Path) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, which, str(data)], capture_output=True, text=True
    )
    if proc.returncode != 0:
        raise SystemExit(f"{which} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=float, default=1e6)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-lifetimes", action="store_true")
    args = ap.parse_args()
    n = int(args.customers)
    print(f"$ python bench/bench_clv.py --customers {n} --seed {args.seed}")
    t0 = time.perf_counter()
    x, t_x, T = simulate(n, args.seed)
    print(
        f"simulated {n:,} customers in {time.perf_counter() - t0:.2f} s "
        f"(mean repeat purchases {x.mean():.3f}, max {int(x.max())})"
    )
    from kehu.analytics.clv import bgnbd

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "bgnbd.npz"
        np.savez(data, x=x, t_x=t_x, T=T)
        results = {"kehu": run_child("kehu", data)}
        if not args.no_lifetimes:
            results["lifetimes"] = run_child("lifetimes", data)
    for name, res in results.items():
        p = res["params"]
        ll = float(bgnbd.loglik_terms((p["r"], p["alpha"], p["a"], p["b"]), x, t_x, T).sum())
        res["loglik"] = ll
        extra = f", {res['n_unique']:,} distinct rows" if "n_unique" in res else ""
        if "warm_seconds" in res:
            extra += f", second call {res['warm_seconds']:.3f} s"
        print(
            f"{name:9s} {res['seconds']:8.3f} s  peak {res['peak_mb']:7.0f} MB  "
            + "  ".join(f"{k}={p[k]:.4f}" for k in ("r", "alpha", "a", "b"))
            + f"  LL={ll:.2f}{extra}"
        )
    if "lifetimes" in results:
        k, lt = results["kehu"], results["lifetimes"]
        rel = max(abs(k["params"][q] / lt["params"][q] - 1) for q in PUBLISHED)
        print(
            f"speed-up {lt['seconds'] / k['seconds']:.1f}x; max relative parameter difference "
            f"{rel:.2e}; LL(kehu) - LL(lifetimes) = {k['loglik'] - lt['loglik']:.4f}"
        )
    k = results["kehu"]
    print(
        f"target: kehu < 1 s -> first call {'met' if k['seconds'] < 1 else 'NOT met'},"
        f" second call {'met' if k['warm_seconds'] < 1 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
