"""The composite value score (多维度评分体系): four dimensions, each from indicators with data.

value_score = Σ dimension score x dimension weight (`[value.weights]`, seed 40/30/20/10), 0-100.
Each dimension score is the weighted mean (`[value.indicators]`) of its indicators that have data
for the customer; a dimension without any is left out and the weights renormalised over the
others. value_confidence = the share of all indicator weight that had data (1.0 = complete).

Indicators, each 0-100 (see docs/analytics.md):
- contribution: sales_share = percentile rank of last-12-month spend among customers with
  spend (0 without spend); margin = percentile rank of the 12-month margin rate (orders with a
  cost); collection = 100 x paid / due over the window's due orders (回款率).
- growth: spend_trend = 50 x (1 + (cur - prev) / (cur + prev)) for the last vs the previous 12
  months; pipeline = percentile rank of open opportunity amount (0 without); budget_growth and
  industry_growth = 50 + 50 x growth / value.growth_full, clipped; company_size = percentile rank
  of annual revenue (else of employees).
- stability: tenure = 100 x years / value.tenure_full_years (capped); regularity =
  100 / (1 + CV of the gaps between purchase days), 3+ purchase days; complaints =
  100 x (1 - complaints / orders) over 12 months, floored at 0 (customers with orders or
  complaints in the window, when the workspace has tickets).
- strategic: benchmark and reference flags (100 / 0); industry_position via
  value.industry_position_scores.
Tiers on the score rounded to 2 decimals: strategic >= 90, core >= 70, potential >= 50, else basic.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from kehu.analytics.numeric import round_half_up
from kehu.analytics.ranking import with_windows
from kehu.analytics.sources import Availability
from kehu.config import ValueSettings

DIMENSIONS: dict[str, tuple[str, ...]] = {
    "contribution": ("sales_share", "margin", "collection"),
    "growth": ("spend_trend", "pipeline", "budget_growth", "industry_growth", "company_size"),
    "stability": ("tenure", "regularity", "complaints"),
    "strategic": ("benchmark", "reference", "industry_position"),
}

NULL = ibis.null("float64")


def percentile(x: ir.NumericValue, eligible: ir.BooleanValue) -> ir.FloatingValue:
    """100 x (rank + 1) / n among eligible rows (rank = rows strictly smaller); null otherwise."""
    rank = ibis.rank().over(group_by=eligible, order_by=x.asc())
    n = x.count().over(group_by=eligible)
    pct = (rank + 1).cast("float64") * 100.0 / n.cast("float64")
    return ibis.ifelse(eligible, pct, NULL)


def clip100(x: ir.NumericValue) -> ir.FloatingValue:
    """x clipped to [0, 100], null stays null (greatest/least would skip the null)."""
    x = x.cast("float64")
    return ibis.cases((x < 0.0, 0.0), (x > 100.0, 100.0), else_=x)


def growth_points(g: ir.NumericValue, full: float) -> ir.FloatingValue:
    return clip100(50.0 + 50.0 * g.cast("float64") / full)


def add_percentiles(t: ir.Table) -> ir.Table:
    """The percentile-rank inputs (_p_*) of the indicators, ranked on a narrow projection."""
    costed = t.costed_spend_12m.cast("float64")
    inputs = {
        "_v_spend": t.spend_12m.cast("float64"),
        "_v_margin": t.profit_12m.cast("float64") / costed,
        "_e_margin": costed.notnull() & (costed > 0),
        "_v_pipe": t.open_pipeline.cast("float64"),
        "_v_revenue": t.annual_revenue.cast("float64"),
        "_v_employees": t.employees.cast("float64"),
    }
    outputs = {
        "_p_spend": lambda n: percentile(n._v_spend, n._v_spend > 0),
        "_p_margin": lambda n: percentile(n._v_margin, n._e_margin),
        "_p_pipe": lambda n: percentile(n._v_pipe, n._v_pipe > 0),
        "_p_revenue": lambda n: percentile(
            n._v_revenue, n._v_revenue.notnull() & (n._v_revenue > 0)
        ),
        "_p_employees": lambda n: percentile(
            n._v_employees, n._v_employees.notnull() & (n._v_employees > 0)
        ),
    }
    return with_windows(t, inputs, outputs)


def indicators(t: ir.Table, s: ValueSettings, avail: Availability) -> dict[str, ir.FloatingValue]:
    """Every indicator as a 0-100 expression (null where the customer has no data for it).

    `t` carries the percentile columns of `add_percentiles`.
    """
    spend = t.spend_12m.cast("float64")
    prev = t.spend_prev_12m.cast("float64")
    out: dict[str, ir.FloatingValue] = {}
    out["sales_share"] = ibis.ifelse(spend > 0, t._p_spend, 0.0)
    out["margin"] = t._p_margin if avail.costs else NULL
    due = t.due_12m.cast("float64")
    out["collection"] = ibis.ifelse(
        due.notnull() & (due > 0), clip100(100.0 * t.paid_12m.cast("float64") / due), NULL
    )
    total = spend + prev
    out["spend_trend"] = ibis.ifelse(
        total > 0, clip100(50.0 * (1.0 + (spend - prev) / total)), NULL
    )
    pipe = t.open_pipeline.cast("float64")
    out["pipeline"] = ibis.ifelse(pipe > 0, t._p_pipe, 0.0) if avail.opportunities else NULL
    out["budget_growth"] = growth_points(t.budget_growth, s.growth_full)
    if s.industry_growth:
        rate = ibis.cases(
            *((t.industry_code == code, g) for code, g in s.industry_growth.items()), else_=NULL
        )
        out["industry_growth"] = growth_points(rate, s.growth_full)
    else:
        out["industry_growth"] = NULL
    out["company_size"] = ibis.coalesce(t._p_revenue, t._p_employees)
    out["tenure"] = ibis.ifelse(
        t.tenure_days.notnull(),
        clip100(100.0 * t.tenure_days.cast("float64") / (365.25 * s.tenure_full_years)),
        NULL,
    )
    gaps = t.gap_count.cast("float64")
    mean_gap = t.gap_sum / gaps
    raw_var = t.gap_sq_sum / gaps - mean_gap * mean_gap
    var = ibis.ifelse(raw_var < 0.0, 0.0, raw_var)  # rounding can dip below zero
    cv = var.sqrt() / mean_gap
    out["regularity"] = ibis.ifelse(t.gap_count >= 2, 100.0 / (1.0 + cv), NULL)
    complaint_rate = t.complaints_12m.cast("float64") / ibis.greatest(t.orders_12m, 1).cast(
        "float64"
    )
    rated = (t.orders_12m > 0) | (t.complaints_12m > 0)
    out["complaints"] = (
        ibis.ifelse(rated, clip100(100.0 * (1.0 - complaint_rate)), NULL) if avail.tickets else NULL
    )
    out["benchmark"] = ibis.cases((t.is_benchmark, 100.0), (~t.is_benchmark, 0.0), else_=NULL)
    out["reference"] = ibis.cases((t.is_reference, 100.0), (~t.is_reference, 0.0), else_=NULL)
    position = t.industry_position.lower()  # text is trimmed on import; see decisions (Spark TRIM)
    out["industry_position"] = ibis.cases(
        *((position == k.strip().lower(), float(v)) for k, v in s.industry_position_scores.items()),
        else_=NULL,
    )
    return out


def add_value(t: ir.Table, s: ValueSettings, avail: Availability) -> ir.Table:
    """Add value_contribution/growth/stability/strategic, value_score, value_confidence, tier.

    Built in layers (indicators → dimensions → score) so each expression is written once.
    """
    t = add_percentiles(t)
    ind = indicators(t, s, avail)
    t = t.mutate(**{f"_i_{n}": expr.cast("float64") for n, expr in ind.items()})
    iw = s.indicators.model_dump()
    dw = s.weights.model_dump()
    dims: dict[str, ir.FloatingValue] = {}
    covers: dict[str, ir.FloatingValue] = {}
    for dim, names in DIMENSIONS.items():
        total_w = sum(iw[n] for n in names)
        if total_w <= 0:
            dims[dim], covers[dim] = NULL, ibis.literal(0.0)
            continue
        cols = [(t[f"_i_{n}"], iw[n]) for n in names if iw[n] > 0]
        num = sum((c.fill_null(0.0) * w for c, w in cols), ibis.literal(0.0))
        den = sum((c.notnull().cast("float64") * w for c, w in cols), ibis.literal(0.0))
        dims[dim] = ibis.ifelse(den > 0, num / den, NULL)
        covers[dim] = den / total_w
    t = t.mutate(
        **{f"value_{d}": e for d, e in dims.items()}, **{f"_c_{d}": e for d, e in covers.items()}
    )
    present = [(t[f"value_{d}"], dw[d]) for d in DIMENSIONS]
    score_num = sum((c.fill_null(0.0) * w for c, w in present), ibis.literal(0.0))
    score_den = sum((c.notnull().cast("float64") * w for c, w in present), ibis.literal(0.0))
    confidence = sum((t[f"_c_{d}"] * dw[d] for d in DIMENSIONS), ibis.literal(0.0))
    t = t.mutate(
        value_score=round_half_up(ibis.ifelse(score_den > 0, score_num / score_den, 0.0)),
        value_confidence=round_half_up(confidence, 4),
        **{f"value_{d}": round_half_up(t[f"value_{d}"]) for d in DIMENSIONS},
    )
    t = t.mutate(value_tier=tier_expr(t.value_score, s))
    helpers = [c for c in t.columns if c.startswith(("_i_", "_c_", "_p_"))]
    return t.drop(*helpers)


def tier_expr(score: ir.NumericValue, s: ValueSettings) -> ir.StringValue:
    """value_tier from a (rounded) score: edges are inclusive (>= 90 strategic ...)."""
    return ibis.cases(
        (score >= s.tier_strategic, "strategic"),
        (score >= s.tier_core, "core"),
        (score >= s.tier_potential, "potential"),
        else_="basic",
    )


def tier_for(score: float, s: ValueSettings) -> str:
    """The same rule in Python (for explanations and tests)."""
    score = round(score, 2)
    if score >= s.tier_strategic:
        return "strategic"
    if score >= s.tier_core:
        return "core"
    return "potential" if score >= s.tier_potential else "basic"
