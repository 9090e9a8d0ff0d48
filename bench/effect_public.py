"""The playbook-effect estimators on a public randomised experiment: Kevin Hillstrom's
MineThatData e-mail challenge (2008).

    python -m bench.effect_public FILE

FILE is the challenge's CSV (64,000 customers who bought in the last year; a third each
randomly sent a men's e-mail, a women's e-mail or nothing; visit, conversion and spend over the
two weeks after). Kept outside the repository; published by MineThatData and copied in several
public GitHub analyses (SHA-256 0e5893329d8b93cefecc571777672028290ab69865718020c78c7284f291aece).

1. Randomised: each e-mail vs no e-mail with kehu's estimators (Newcombe for the visit and
   conversion rates, Welch for spend) beside the plain difference of means and scipy's Welch
   test from the same run.
2. Matched: a non-random subset built from the same data — customers who spent more last year
   are kept more often when e-mailed and less often when not (the way a team targets its best
   customers) — compared naively and by kehu's nearest-neighbour matching on the pre-campaign
   features, both beside the randomised figure of the full experiment (the truth).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from kehu.analytics.effect import Kind, compare, matched

OUTCOMES: dict[str, Kind] = {"visit": "rate", "conversion": "rate", "spend": "mean"}
FEATURES = ("recency", "history", "mens", "womens", "newbie")
ARMS = {"mens": "Mens E-Mail", "womens": "Womens E-Mail"}
CONTROL = "No E-Mail"


def randomised(data: pd.DataFrame) -> list[dict[str, object]]:
    control = data[data["segment"] == CONTROL]
    out = []
    for arm, label in ARMS.items():
        treated = data[data["segment"] == label]
        for col, kind in OUTCOMES.items():
            e = compare(kind, treated[col].to_numpy(), control[col].to_numpy(), 30)
            test = stats.ttest_ind(treated[col], control[col], equal_var=False)
            ci = test.confidence_interval(0.95)
            out.append(
                {
                    "arm": arm, "outcome": col, "kehu": e.diff, "kehu_low": e.low,
                    "kehu_high": e.high, "naive": treated[col].mean() - control[col].mean(),
                    "scipy_low": ci.low, "scipy_high": ci.high, "scipy_p": test.pvalue,
                    "n_treated": e.n_treated, "n_control": e.n_control,
                }
            )  # fmt: skip
    return out


def confounded(data: pd.DataFrame, arm: str, seed: int = 20) -> pd.DataFrame:
    """Treated kept with probability rising with last year's spend, control falling with it."""
    rng = np.random.default_rng(seed)
    rows = data[data["segment"].isin([ARMS[arm], CONTROL])]
    rank = rows["history"].rank(pct=True).to_numpy()
    treated = (rows["segment"] == ARMS[arm]).to_numpy()
    keep = np.where(treated, 0.05 + 0.9 * rank, 0.95 - 0.9 * rank)
    return rows[rng.random(len(rows)) < keep]


def observational(data: pd.DataFrame, truth: list[dict[str, object]]) -> list[dict[str, object]]:
    out = []
    for arm, label in ARMS.items():
        sub = confounded(data, arm)
        t, c = sub[sub["segment"] == label], sub[sub["segment"] == CONTROL]
        ft, fc = t[list(FEATURES)].to_numpy(float), c[list(FEATURES)].to_numpy(float)
        for col, kind in OUTCOMES.items():
            e = matched(kind, ft, t[col].to_numpy(), fc, c[col].to_numpy(), 30)
            true = next(r for r in truth if r["arm"] == arm and r["outcome"] == col)
            out.append(
                {
                    "arm": arm, "outcome": col, "truth": true["kehu"],
                    "naive": t[col].mean() - c[col].mean(), "matched": e.diff,
                    "matched_low": e.low, "matched_high": e.high,
                    "n_treated": len(t), "n_control": len(c),
                }
            )  # fmt: skip
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    args = parser.parse_args()
    data = pd.read_csv(args.file)
    t0 = time.perf_counter()
    truth = randomised(data)
    obs = observational(data, truth)
    seconds = time.perf_counter() - t0
    pd.set_option("display.width", 200)
    print(f"{len(data):,} customers; estimators ran in {seconds:.2f} s")
    print("\nRandomised (treated − no e-mail):")
    print(pd.DataFrame(truth).round(5).to_string(index=False))
    print("\nNon-random subset (treated kept by last year's spend) vs the randomised truth:")
    print(pd.DataFrame(obs).round(5).to_string(index=False))


if __name__ == "__main__":
    main()
