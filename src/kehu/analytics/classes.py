"""The seeds' other classifications, per customer (docs/analytics.md "Classes", decision 60).

Pure Ibis over one row per customer (the core rows with CLV attached), so it runs on the
engine of the snapshot (DuckDB or Spark). "Buyers" are the customers with an order on or
before as_of; the others get the matrix class `none` (never null: every row has a class).

- matrix_class (seed 000, CLV × 利润贡献率): buyers ranked by CLV (predicted_clv, else
  clv_historical) and by profit contribution (profit_12m, else spend_12m × clv.margin when no
  order carries a cost). `clv_above_share` / `profit_above_share` = the share of buyers with a
  strictly higher value (ties rank together). "High" = above_share < classes.clv_top_share
  (resp. profit_top_share) and the value > 0; a lost / lost_forever customer's CLV is never
  high (its purchase model ignores the lifecycle rule: coherence rule 3). high/high
  `strategic` 战略型, high CLV only `high_potential` 高潜力型, high profit only `basic`
  基础型, neither `inefficient` 低效型.
- key_class (seed 003): money = ABC class A; influence = benchmark or reference flag, an
  industry_position in classes.strategic_positions, or an industry code starting with one of
  classes.strategic_industries (`key_basis` lists which). Both `dual` 双料, money
  `high_value` 高价值, influence `key` 重点, else `regular`.
- relationship_phase (seed 003), first match: non_customer → `none` (no relationship);
  lost / lost_forever → `termination` ⑤; prospect / target / first_purchase →
  `cultivation` ①; at_risk → `retention` ④; 12-month spend down by >= phase_decline on the
  year before → `retention`; service load rising (tickets_12m >= tickets_prev_12m +
  phase_ticket_rise) while spend grows less than phase_growth → `retention`; won_back, no
  spend the year before, or spend up by >= phase_growth → `growth` ②; else `return` ③
  (steady spend, service load not rising).
- depth D: category_count (categories with 12-month spend, from the core rows) and
  share_of_wallet (customers.share_of_wallet when estimated, else spend_12m / wallet_size
  capped at 1 — the same basis as `competition.wallet_of`).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from kehu.config import Settings

MATRIX = ("strategic", "high_potential", "basic", "inefficient", "none")
KEY = ("dual", "high_value", "key", "regular")
PHASES = ("cultivation", "growth", "return", "retention", "termination", "none")

# inputs read from the core rows besides the snapshot's own columns (dropped after this stage)
FACT_INPUTS = ("is_benchmark", "is_reference", "industry_position", "industry_code",
               "share_of_wallet", "wallet_size")  # fmt: skip
INPUTS = ("customer_id", "lifecycle", "abc_class", "predicted_clv", "clv_historical",
          "profit_12m", "spend_12m", "spend_prev_12m", "first_order_date", "tickets_12m",
          "tickets_prev_12m", *FACT_INPUTS)  # fmt: skip
OUTPUTS = ("matrix_class", "clv_above_share", "profit_above_share", "key_class", "key_basis",
           "relationship_phase", "share_of_wallet")  # fmt: skip

NO_PHASE = ("non_customer",)
TERMINATION = ("lost", "lost_forever")
CULTIVATION = ("prospect", "target", "first_purchase")


def _above_share(value: ir.FloatingValue, buyer: ir.BooleanValue) -> ir.FloatingValue:
    """Share of buyers with a strictly higher value (null for non-buyers)."""
    above = ibis.rank().over(group_by=buyer, order_by=value.desc())
    n = value.count().over(group_by=buyer)
    return ibis.ifelse(buyer, above.cast("float64") / n.cast("float64"), ibis.null("float64"))


def matrix_values(t: ir.Table, margin: float) -> tuple[ir.FloatingValue, ir.FloatingValue]:
    """The CLV and the profit contribution the matrix ranks (see the module docstring)."""
    clv = ibis.coalesce(t.predicted_clv, t.clv_historical, 0.0).cast("float64")
    spend = t.spend_12m.cast("float64").fill_null(0.0)
    profit = ibis.coalesce(t.profit_12m.cast("float64"), spend * margin)
    return clv, profit


def add_classes(t: ir.Table, s: Settings) -> ir.Table:
    """customer_id and OUTPUTS for every row of `t` (INPUTS columns), ordered by customer_id."""
    c = s.classes
    buyer = t.first_order_date.notnull()
    clv, profit = matrix_values(t, s.clv.margin)
    t = t.mutate(
        _clv=clv,
        _profit=profit,
        clv_above_share=_above_share(clv, buyer),
        profit_above_share=_above_share(profit, buyer),
    )
    gone = t.lifecycle.isin(TERMINATION).fill_null(False)
    high_clv = (t.clv_above_share < c.clv_top_share) & (t._clv > 0) & ~gone
    high_profit = (t.profit_above_share < c.profit_top_share) & (t._profit > 0)
    matrix = ibis.cases(
        (~buyer, "none"),
        (high_clv & high_profit, "strategic"),
        (high_clv, "high_potential"),
        (high_profit, "basic"),
        else_="inefficient",
    )
    t = t.mutate(key_basis=influence_basis(t, s))
    return t.select(
        "customer_id",
        matrix_class=matrix,
        clv_above_share=t.clv_above_share,
        profit_above_share=t.profit_above_share,
        key_class=key_expr(t),
        key_basis=t.key_basis,
        relationship_phase=phase_expr(t, s),
        share_of_wallet=wallet_share(t),
    ).order_by("customer_id")


def influence_basis(t: ir.Table, s: Settings) -> ir.StringValue:
    """What makes the customer 重点 (influence), as comma-joined tokens: benchmark, reference,
    position:<industry_position>, industry:<industry_code>; null when nothing does."""
    c = s.classes
    positions = [p.strip().lower() for p in c.strategic_positions]
    prefixes = [code.strip() for code in c.strategic_industries if code.strip()]
    strategic_industry = ibis.literal(False)
    for code in prefixes:
        strategic_industry = strategic_industry | t.industry_code.startswith(code).fill_null(False)
    tokens = [
        (t.is_benchmark.fill_null(False), ibis.literal("benchmark")),
        (t.is_reference.fill_null(False), ibis.literal("reference")),
        (
            t.industry_position.lower().isin(positions).fill_null(False),
            "position:" + t.industry_position,
        ),
        (strategic_industry, "industry:" + t.industry_code),
    ]
    text = ibis.literal("")
    for cond, token in tokens:
        text = text + ibis.ifelse(cond, token + ",", "")
    return ibis.ifelse(text == "", ibis.null("string"), text.re_replace(",$", ""))


def key_expr(t: ir.Table) -> ir.StringValue:
    """key_class from abc_class and the `key_basis` column."""
    money = (t.abc_class == "A").fill_null(False)
    influence = t.key_basis.notnull()
    return ibis.cases(
        (money & influence, "dual"),
        (money, "high_value"),
        (influence, "key"),
        else_="regular",
    )


def phase_expr(t: ir.Table, s: Settings) -> ir.StringValue:
    c = s.classes
    spend = t.spend_12m.cast("float64").fill_null(0.0)
    prev = t.spend_prev_12m.cast("float64").fill_null(0.0)
    growing = (prev > 0) & (spend >= (1.0 + c.phase_growth) * prev)
    declining = (prev > 0) & (spend <= (1.0 - c.phase_decline) * prev)
    load_rising = (
        t.tickets_12m.fill_null(0) >= t.tickets_prev_12m.fill_null(0) + c.phase_ticket_rise
    )
    life = t.lifecycle
    return ibis.cases(
        (life.isnull() | life.isin(NO_PHASE), "none"),
        (life.isin(TERMINATION), "termination"),
        (life.isin(CULTIVATION), "cultivation"),
        (life == "at_risk", "retention"),
        (declining, "retention"),
        (load_rising & ~growing, "retention"),
        ((life == "won_back") | (prev <= 0) | growing, "growth"),
        else_="return",
    )


def wallet_share(t: ir.Table) -> ir.FloatingValue:
    wallet = t.wallet_size.cast("float64")
    spend = t.spend_12m.cast("float64").fill_null(0.0)
    by_wallet = ibis.ifelse(wallet > 0, ibis.least(spend / wallet, 1.0), ibis.null("float64"))
    return ibis.coalesce(t.share_of_wallet.cast("float64"), by_wallet)


def phase_for(
    *,
    lifecycle: str | None,
    spend_12m: float,
    spend_prev_12m: float,
    tickets_12m: int,
    tickets_prev_12m: int,
    s: Settings,
) -> str:
    """The phase rule in plain Python (explanations and the tests' reference)."""
    c = s.classes
    growing = spend_prev_12m > 0 and spend_12m >= (1.0 + c.phase_growth) * spend_prev_12m
    declining = spend_prev_12m > 0 and spend_12m <= (1.0 - c.phase_decline) * spend_prev_12m
    if lifecycle is None or lifecycle in NO_PHASE:
        return "none"
    if lifecycle in TERMINATION:
        return "termination"
    if lifecycle in CULTIVATION:
        return "cultivation"
    load_rising = tickets_12m >= tickets_prev_12m + c.phase_ticket_rise
    if lifecycle == "at_risk" or declining or (load_rising and not growing):
        return "retention"
    if lifecycle == "won_back" or spend_prev_12m <= 0 or growing:
        return "growth"
    return "return"
