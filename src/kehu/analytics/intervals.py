"""Confidence intervals of a rate and of a difference of two rates, for every room that
states one (conversion rates, satisfaction drivers, playbook effects).

Wilson's score interval keeps its coverage at small counts and extreme rates, where the Wald
interval does not; Newcombe's hybrid score interval (1998, method 10) builds the difference's
interval from the two Wilson intervals.
"""

from __future__ import annotations

import math
from statistics import NormalDist


def z_of(confidence: float) -> float:
    """The two-sided normal quantile of `confidence` (0.95 → 1.96)."""
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def wilson(k: float, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson's score interval of k successes in n (no continuity correction); with no trial
    at all, everything from 0 to 1."""
    if n <= 0:
        return 0.0, 1.0
    z = z_of(confidence)
    p = k / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def newcombe(
    k1: float, n1: int, k0: float, n0: int, confidence: float = 0.95
) -> tuple[float, float, float]:
    """p1 - p0 with Newcombe's hybrid score interval."""
    p1, p0 = k1 / n1, k0 / n0
    l1, u1 = wilson(k1, n1, confidence)
    l0, u0 = wilson(k0, n0, confidence)
    d = p1 - p0
    return d, d - math.hypot(p1 - l1, u0 - p0), d + math.hypot(u1 - p1, p0 - l0)
