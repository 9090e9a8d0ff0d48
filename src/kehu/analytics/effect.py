"""Treatment-effect estimators: treated minus control, with a confidence interval.

Rates (churn) use Newcombe's hybrid score interval built from two Wilson intervals (Newcombe
1998, method 10), which keeps its coverage at the small counts and extreme rates of a control
group, where the Wald interval does not. Means (revenue, NPS) use Welch's t interval. Without a
randomised control, `matched` pairs each treated unit with its nearest untreated neighbour on
standardised features (with replacement) and reports the mean paired difference: weaker
evidence, since only the features it sees are balanced.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
from scipy import stats
from scipy.spatial import cKDTree

from kehu.analytics.intervals import newcombe

Kind = Literal["rate", "mean"]


@dataclass(frozen=True)
class Estimate:
    """Treated minus control for one outcome; `low`/`high` None when n is below the minimum."""

    kind: Kind
    n_treated: int
    n_control: int
    treated: float | None  # the treated arm's rate or mean
    control: float | None
    diff: float | None
    low: float | None
    high: float | None
    enough: bool  # both arms reach the minimum n

    @property
    def excludes_zero(self) -> bool:
        return self.low is not None and self.high is not None and (self.low > 0 or self.high < 0)

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "excludes_zero": self.excludes_zero}


def welch(x1: np.ndarray, x0: np.ndarray, confidence: float = 0.95) -> tuple[float, float, float]:
    """mean(x1) - mean(x0) with Welch's t interval (unequal variances)."""
    n1, n0 = len(x1), len(x0)
    v1, v0 = np.var(x1, ddof=1) / n1, np.var(x0, ddof=1) / n0
    d = float(np.mean(x1) - np.mean(x0))
    se = math.sqrt(v1 + v0)
    if se == 0:
        return d, d, d
    df = (v1 + v0) ** 2 / (v1**2 / (n1 - 1) + v0**2 / (n0 - 1))
    t = stats.t.ppf(0.5 + confidence / 2, df)
    return d, d - t * se, d + t * se


def compare(
    kind: Kind,
    treated: np.ndarray,
    control: np.ndarray,
    min_n: int,
    confidence: float = 0.95,
) -> Estimate:
    """Treated minus control of a 0/1 outcome (`rate`) or an amount (`mean`)."""
    t = np.asarray(treated, dtype="float64")
    c = np.asarray(control, dtype="float64")
    t, c = t[~np.isnan(t)], c[~np.isnan(c)]
    nt, nc = len(t), len(c)
    mt = float(t.mean()) if nt else None
    mc = float(c.mean()) if nc else None
    if nt < max(min_n, 2) or nc < max(min_n, 2):
        diff = mt - mc if mt is not None and mc is not None else None
        return Estimate(kind, nt, nc, mt, mc, diff, None, None, False)
    if kind == "rate":
        d, lo, hi = newcombe(float(t.sum()), nt, float(c.sum()), nc, confidence)
    else:
        d, lo, hi = welch(t, c, confidence)
    return Estimate(kind, nt, nc, mt, mc, d, lo, hi, True)


def matched(
    kind: Kind,
    features_treated: np.ndarray,
    outcome_treated: np.ndarray,
    features_pool: np.ndarray,
    outcome_pool: np.ndarray,
    min_n: int,
    confidence: float = 0.95,
) -> Estimate:
    """Effect on the treated from 1-nearest-neighbour matching (with replacement) on the
    features standardised over both groups; the interval is the paired t interval, which
    ignores the uncertainty of the matching itself."""
    ft = np.asarray(features_treated, dtype="float64")
    fp = np.asarray(features_pool, dtype="float64")
    yt = np.asarray(outcome_treated, dtype="float64")
    yp = np.asarray(outcome_pool, dtype="float64")
    nt, npool = len(yt), len(yp)
    if nt < max(min_n, 2) or npool < max(min_n, 2):
        return compare(kind, yt, yp, min_n, confidence)
    both = np.vstack([ft, fp])
    centre = np.nanmean(both, axis=0)
    scale = np.nanstd(both, axis=0)
    scale[~(scale > 0)] = 1.0

    def standard(f: np.ndarray) -> np.ndarray:
        return np.nan_to_num((f - centre) / scale)

    _, nearest = cKDTree(standard(fp)).query(standard(ft), k=1)
    pairs = yt - yp[nearest]
    d = float(pairs.mean())
    se = float(pairs.std(ddof=1)) / math.sqrt(nt)
    t = stats.t.ppf(0.5 + confidence / 2, nt - 1)
    used = len(np.unique(nearest))
    return Estimate(
        kind, nt, used, float(yt.mean()), float(yp[nearest].mean()), d, d - t * se, d + t * se,
        used >= min_n,
    )  # fmt: skip
