"""The composite value score (多维度评分体系): four dimensions, each from indicators with data.

value_score = Σ dimension score x dimension weight (`[value.weights]`, seed 40/30/20/10), 0-100.
Each dimension score is the weighted mean (`[value.indicators]`) of its indicators that have data
for the customer; a dimension without any is left out and the weights renormalised over the
others. value_confidence = the share of all indicator weight that had data (1.0 = complete).

Indicators, each 0-100 (see docs/analytics.md). Most are absolute rubrics (`[value.rubric]`,
breakpoints linear in between) over ratios, so a score means the same in every workspace:
- contribution: sales_share = rubric of the Pareto position (share of 12-month revenue from
  customers that spend more; 0 without spend); margin = rubric of the margin rate relative to
  the workspace's (orders with a cost); collection = rubric of paid / due (回款率).
- growth: spend_trend = rubric of the year-on-year spend growth (no previous year: the top);
  pipeline = rubric of open pipeline / 12-month spend (left out without); budget_growth and
  industry_growth = 50 + 50 x growth / value.growth_full, clipped; company_size = percentile
  rank of annual revenue (else of employees): a size in money is only comparable in-house.
- stability: tenure = 100 x years / value.tenure_full_years (capped); regularity =
  rubric of the CV of the gaps between purchase days, 3+ purchase days; complaints = rubric of
  complaints per order over 12 months (customers with orders or complaints, when the
  workspace has tickets).
- strategic: benchmark and reference flags (100 / 0); industry_position via
  value.industry_position_scores.
Tiers on the score rounded to 2 decimals: strategic >= 90, core >= 70, potential >= 50, else basic.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from kehu.analytics.numeric import round_half_up
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


def rubric(x: ir.NumericValue, points: list[tuple[float, float]]) -> ir.FloatingValue:
    """Piecewise-linear 0-100 points of x over (input, points) breakpoints; null stays null."""
    x = x.cast("float64")
    pieces = [(x <= points[0][0], ibis.literal(float(points[0][1])))]
    for (a, ya), (b, yb) in zip(points, points[1:], strict=False):
        pieces.append((x <= b, float(ya) + (x - a) * ((yb - ya) / (b - a))))
    return ibis.ifelse(x.isnull(), NULL, ibis.cases(*pieces, else_=float(points[-1][1])))


def add_relative(t: ir.Table) -> ir.Table:
    """The workspace-relative inputs: Pareto position (_before), margin ratio, size ranks.

    _before = share of revenue from customers with strictly larger spend (ties share it),
    computed over one row per distinct spend, so it does not depend on row order.
    """
    costed = t.costed_spend_12m.cast("float64")
    narrow = t.select(
        "customer_id",
        _v_spend=ibis.ifelse(t.spend_12m > 0, t.spend_12m.cast("float64"), 0.0),
        _v_costed=ibis.ifelse(costed > 0, costed, NULL),
        _v_profit=ibis.ifelse(costed > 0, t.profit_12m.cast("float64"), NULL),
        _v_revenue=t.annual_revenue.cast("float64"),
        _v_employees=t.employees.cast("float64"),
    )
    spenders = narrow.filter(narrow._v_spend > 0)
    levels = spenders.group_by(_l_spend=spenders._v_spend).aggregate(_lv=spenders._v_spend.sum())
    window = ibis.cumulative_window(order_by=levels._l_spend.desc())
    levels = levels.select(
        "_l_spend", _before=(levels._lv.sum().over(window) - levels._lv) / levels._lv.sum().over()
    )
    ws_margin = narrow._v_profit.sum().over() / narrow._v_costed.sum().over()
    computed = narrow.select(
        "customer_id",
        "_v_spend",
        _r_margin=ibis.ifelse(
            narrow._v_costed.notnull() & (ws_margin > 0),
            narrow._v_profit / narrow._v_costed / ws_margin,
            NULL,
        ),
        _p_revenue=percentile(narrow._v_revenue, narrow._v_revenue > 0),
        _p_employees=percentile(narrow._v_employees, narrow._v_employees > 0),
    )
    computed = computed.left_join(levels, computed._v_spend == levels._l_spend).select(
        "customer_id", "_before", "_r_margin", "_p_revenue", "_p_employees"
    )
    joined = t.left_join(computed, t.customer_id == computed.customer_id)
    return joined.drop("customer_id_right")


def indicators(t: ir.Table, s: ValueSettings, avail: Availability) -> dict[str, ir.FloatingValue]:
    """Every indicator as a 0-100 expression (null where the customer has no data for it).

    `t` carries the workspace-relative columns of `add_relative`.
    """
    r = s.rubric
    spend = t.spend_12m.cast("float64")
    prev = t.spend_prev_12m.cast("float64")
    out: dict[str, ir.FloatingValue] = {}
    out["sales_share"] = ibis.ifelse(spend > 0, rubric(t._before, r.sales_share), 0.0)
    out["margin"] = rubric(t._r_margin, r.margin) if avail.costs else NULL
    due = t.due_12m.cast("float64")
    out["collection"] = ibis.ifelse(
        due.notnull() & (due > 0), rubric(t.paid_12m.cast("float64") / due, r.collection), NULL
    )
    out["spend_trend"] = ibis.cases(
        (prev > 0, rubric(spend / prev - 1.0, r.spend_trend)),
        (spend > 0, float(r.spend_trend[-1][1])),  # new this year: growing from nothing
        else_=NULL,
    )
    pipe = t.open_pipeline.cast("float64")
    pipeline = ibis.cases(  # no open opportunity is no evidence either way: left out
        (pipe.isnull() | (pipe <= 0), NULL),
        (spend > 0, rubric(pipe / spend, r.pipeline)),
        else_=float(r.pipeline[-1][1]),
    )
    out["pipeline"] = pipeline if avail.opportunities else NULL
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
    out["regularity"] = ibis.ifelse(t.gap_count >= 2, rubric(cv, r.regularity), NULL)
    complaint_rate = t.complaints_12m.cast("float64") / ibis.greatest(t.orders_12m, 1).cast(
        "float64"
    )
    rated = (t.orders_12m > 0) | (t.complaints_12m > 0)
    out["complaints"] = (
        ibis.ifelse(rated, rubric(complaint_rate, r.complaints), NULL) if avail.tickets else NULL
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
    t = add_relative(t)
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
    helpers = [c for c in t.columns if c.startswith(("_i_", "_c_", "_p_", "_r_", "_before"))]
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
