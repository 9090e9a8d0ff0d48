"""RFM scores, the seed's five customer types and the named RFM segments.

Scores are 1-5 in both modes:
- `thresholds` (seed defaults): R = 5 when recency_days <= 30, 3 when <= 90, else 1; F = 5 when
  orders_12m >= 10, 3 when >= 5, else 1; M = 5 when spend_12m >= 500,000, 3 when >= 200,000,
  else 1. Levels are `[rfm.recency]`, `[rfm.frequency]`, `[rfm.monetary]` in kehu.toml.
- `quantiles`: rank-based bins. Bin = floor(q x rank / n) where rank counts the customers with a
  strictly worse value (so equal values always get equal scores) and n the scored customers;
  bins 0..q-1 map evenly onto 1..5 (q = 5: 1..5; q = 3: 1, 3, 5).
Customers who never ordered get the lowest R; customers with no order in the window get the
lowest F and M.

Types (complete rule): each score is a level, high (>= rfm.high), mid (>= rfm.mid) or low.
The seed's five patterns (R, F, M) are high_value (H,H,H), potential (H,M,M), new (H,L,L),
churn_risk (L,M,M), low_value (L,L,L). Any pattern takes the type at the smallest squared
distance with levels low = 0, mid = 1, high = 2; ties go to the first of TYPE_PRIORITY.

Segments: R against FM = round-half-up((F + M) / 2), the usual R x FM grid (SEGMENT_GRID).
"""

from __future__ import annotations

from decimal import Decimal
from itertools import product

import ibis
import ibis.expr.types as ir

from kehu.analytics.ranking import with_windows
from kehu.config import RfmLevel, RfmSettings

LOW, MID, HIGH = 0, 1, 2

SEED_TYPES: dict[str, tuple[int, int, int]] = {
    "high_value": (HIGH, HIGH, HIGH),
    "potential": (HIGH, MID, MID),
    "new": (HIGH, LOW, LOW),
    "churn_risk": (LOW, MID, MID),
    "low_value": (LOW, LOW, LOW),
}
# Tie-break order: "potential" before "high_value" (all three must be high for high value),
# "churn_risk" before "low_value" (some history is worth a rescue call).
TYPE_PRIORITY: tuple[str, ...] = ("potential", "churn_risk", "high_value", "low_value", "new")


def type_for_levels(r: int, f: int, m: int) -> str:
    """The customer type for R, F, M levels (0 low, 1 mid, 2 high): nearest seed pattern."""

    def distance(code: str) -> tuple[int, int]:
        tr, tf, tm = SEED_TYPES[code]
        return (r - tr) ** 2 + (f - tf) ** 2 + (m - tm) ** 2, TYPE_PRIORITY.index(code)

    return min(SEED_TYPES, key=distance)


TYPE_TABLE: dict[tuple[int, int, int], str] = {
    (r, f, m): type_for_levels(r, f, m) for r, f, m in product((LOW, MID, HIGH), repeat=3)
}

# rfm_segment by R score (rows) and FM score (columns), both 1..5.
SEGMENT_GRID: dict[int, tuple[str, str, str, str, str]] = {
    #     FM=1              FM=2                  FM=3                  FM=4        FM=5
    5: ("new", "potential_loyalist", "potential_loyalist", "champions", "champions"),
    4: ("promising", "potential_loyalist", "potential_loyalist", "loyal", "loyal"),
    3: ("about_to_sleep", "about_to_sleep", "need_attention", "loyal", "loyal"),
    2: ("hibernating", "hibernating", "at_risk", "at_risk", "cant_lose"),
    1: ("lost", "hibernating", "at_risk", "at_risk", "cant_lose"),
}


def fm_score(f: int, m: int) -> int:
    """FM = (F + M) / 2 rounded half up."""
    return (f + m + 1) // 2


def segment_for(r: int, f: int, m: int) -> str:
    return SEGMENT_GRID[r][fm_score(f, m) - 1]


def level_of(score: int, settings: RfmSettings) -> int:
    if score >= settings.high:
        return HIGH
    return MID if score >= settings.mid else LOW


# ---- Ibis expressions ------------------------------------------------------------------------
def _literal(bound: float, decimal: bool) -> ir.Value:
    if decimal:
        return ibis.literal(Decimal(str(bound)), type="decimal(18, 2)")
    return ibis.literal(bound)


def threshold_score(
    x: ir.NumericValue,
    levels: list[RfmLevel],
    otherwise: int,
    *,
    smaller_is_better: bool,
    decimal: bool = False,
) -> ir.IntegerValue:
    """The first level (best score first) whose bound x meets; `otherwise` (also for null x)."""
    ranked = sorted(levels, key=lambda lv: -lv.score)
    branches = [
        (
            (x <= _literal(lv.bound, decimal))
            if smaller_is_better
            else (x >= _literal(lv.bound, decimal)),
            lv.score,
        )
        for lv in ranked
    ]
    return ibis.cases(*branches, else_=otherwise).cast("int32")


def quantile_bins(q: int) -> dict[int, int]:
    """Bin (0..q-1) -> score on the 1..5 scale, spread evenly and rounded half up."""
    return {b: 1 + (8 * b + (q - 1)) // (2 * (q - 1)) for b in range(q)}


def quantile_bin(
    x: ir.NumericValue, eligible: ir.BooleanValue, q: int, *, smaller_is_better: bool
) -> ir.IntegerValue:
    """Bin 0..q-1 among `eligible` rows (rank = rows strictly worse); null for the others."""
    order = x.desc() if smaller_is_better else x.asc()
    rank = ibis.rank().over(group_by=eligible, order_by=order)
    n = x.count().over(group_by=eligible)
    return ibis.ifelse(eligible, ((rank * q) / n).floor().cast("int64"), ibis.null("int64"))


def bin_score(bin_: ir.IntegerValue, q: int) -> ir.IntegerValue:
    """A quantile bin mapped onto the 1..5 scale (null bin, i.e. not eligible, scores 1)."""
    mapped = ibis.cases(*((bin_ == b, sc) for b, sc in quantile_bins(q).items()), else_=1)
    return mapped.cast("int32")


def add_scores(t: ir.Table, settings: RfmSettings) -> ir.Table:
    """Add r_score, f_score, m_score to a table with recency_days, orders_12m, spend_12m."""
    ordered = t.orders_12m > 0
    if settings.mode == "quantiles":
        q = settings.quantiles
        t = with_windows(
            t,
            {"_r": t.recency_days, "_f": t.orders_12m, "_m": t.spend_12m, "_ordered": ordered},
            {
                "_r_bin": lambda n: quantile_bin(n._r, n._r.notnull(), q, smaller_is_better=True),
                "_f_bin": lambda n: quantile_bin(n._f, n._ordered, q, smaller_is_better=False),
                "_m_bin": lambda n: quantile_bin(n._m, n._ordered, q, smaller_is_better=False),
            },
        )
        t = t.mutate(
            r_score=bin_score(t._r_bin, q),
            f_score=bin_score(t._f_bin, q),
            m_score=bin_score(t._m_bin, q),
        )
        return t.drop("_r_bin", "_f_bin", "_m_bin")
    r = threshold_score(
        t.recency_days, settings.recency, settings.recency_else, smaller_is_better=True
    )
    f = threshold_score(
        t.orders_12m, settings.frequency, settings.frequency_else, smaller_is_better=False
    )
    m = threshold_score(
        t.spend_12m,
        settings.monetary,
        settings.monetary_else,
        smaller_is_better=False,
        decimal=True,
    )
    # No order in the window: the lowest F and M, whatever the levels say about zero.
    f = ibis.ifelse(ordered, f, settings.frequency_else).cast("int32")
    m = ibis.ifelse(ordered, m, settings.monetary_else).cast("int32")
    return t.mutate(r_score=r, f_score=f, m_score=m)


def _level_expr(score: ir.IntegerValue, settings: RfmSettings) -> ir.IntegerValue:
    return ibis.cases((score >= settings.high, HIGH), (score >= settings.mid, MID), else_=LOW)


def add_type_and_segment(t: ir.Table, settings: RfmSettings) -> ir.Table:
    """Add rfm_type (TYPE_TABLE) and rfm_segment (SEGMENT_GRID) from the three scores."""
    t = t.mutate(
        _type_key=_level_expr(t.r_score, settings) * 9
        + _level_expr(t.f_score, settings) * 3
        + _level_expr(t.m_score, settings),
        _seg_key=t.r_score * 10 + ((t.f_score + t.m_score + 1) / 2).floor().cast("int64"),
    )
    rfm_type = ibis.cases(
        *((t._type_key == r * 9 + f * 3 + m, code) for (r, f, m), code in TYPE_TABLE.items()),
        else_="low_value",
    )
    rfm_segment = ibis.cases(
        *(
            (t._seg_key == r * 10 + fm_i + 1, code)
            for r, row in SEGMENT_GRID.items()
            for fm_i, code in enumerate(row)
        ),
        else_="lost",
    )
    return t.mutate(rfm_type=rfm_type, rfm_segment=rfm_segment).drop("_type_key", "_seg_key")
