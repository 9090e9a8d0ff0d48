"""The overview page's figures: headline cards, totals and distributions, the Pareto curve
and the churn watch-list.

Each card is one aggregate over the snapshot rows of a date, with its change and whether
that change is good (more at-risk customers is not). The at-risk count uses the watch-list's
condition (`coherence.watch_sql`), so the card and the watch-list count the same customers.
The other figures read every customer beside its row of the snapshot date given (the latest,
for the overview), so a customer not analysed yet counts as a customer, not as analysed.
Scoped callers pass a workspace read within the scope (`kehu.access.rows.scoped`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kehu.analytics.coherence import watch_sql, watchable_sql
from kehu.analytics.labels import LABELS
from kehu.analytics.query import churn_reasons
from kehu.analytics.stored import SNAPSHOT, snapshot_dates

if TYPE_CHECKING:
    from datetime import date

    from kehu.workspace import Workspace

AT_RISK = 0.6  # the churn risk from which a customer counts as at risk on the overview
DIMENSIONS = ("rfm_type", "value_tier", "lifecycle", "rfm_segment", "abc_class")
PARETO_MEASURES = ("spend_12m", "profit_12m")
# every customer beside its snapshot row of one date (the parameter)
CUSTOMERS_AT = (
    "customers c LEFT JOIN customer_snapshot s ON s.customer_id = c.customer_id AND s.as_of = ?"
)
ANALYSED_AT = CUSTOMERS_AT.replace("LEFT JOIN", "JOIN")

CARD_METRICS = (
    # code, SQL aggregate over the snapshot rows of one date, higher-is-better
    ("customers_active", "count(*) FILTER (WHERE orders_12m > 0)", True),
    ("spend_12m", "coalesce(sum(spend_12m), 0)", True),
    ("predicted_clv", "coalesce(sum(predicted_clv), 0)", True),
    ("high_value", "count(*) FILTER (WHERE rfm_type = 'high_value')", True),
    ("key_accounts", "count(*) FILTER (WHERE value_tier IN ('strategic', 'core'))", True),
    ("at_risk", f"count(*) FILTER (WHERE {watch_sql(AT_RISK)})", False),  # lost ones excluded
)


def snapshot_cards(ws: Workspace) -> list[dict[str, Any]]:
    """One card per metric: value at the latest snapshot, the previous snapshot's, the
    relative change (None from zero), its direction and whether it is good."""
    pair = snapshot_dates(ws)[::-1][:2]  # newest first
    if not pair:
        return []
    aggs = ", ".join(f"{sql} AS {code}" for code, sql, _ in CARD_METRICS)
    values = [ws.rows(f"SELECT {aggs} FROM {SNAPSHOT} WHERE as_of = ?", [d])[0] for d in pair]
    cards = []
    for i, (code, _, good_up) in enumerate(CARD_METRICS):
        value = float(values[0][i] or 0)
        before = float(values[1][i] or 0) if len(values) > 1 else None
        change = None if before in (None, 0) else (value - before) / abs(before)
        direction = None
        if before is not None and value != before:
            direction = "up" if value > before else "down"
        cards.append(
            {
                "code": code,
                "value": value,
                "previous": before,
                "change": change,
                "direction": direction,
                "good": None if direction is None else (direction == "up") == good_up,
                "as_of": pair[0],
                "previous_as_of": pair[1] if len(pair) > 1 else None,
            }
        )
    return cards


def _dicts(ws: Workspace, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    cur = ws.read(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def summary(ws: Workspace, as_of: date | None) -> dict[str, Any]:
    """Headline totals over every customer, and per dimension the customers and their
    12-month revenue per code (codes as stored; labels at display)."""
    totals = _dicts(
        ws,
        f"""SELECT count(*) AS customers, count(s.as_of) AS analysed,
              count(*) FILTER (WHERE s.orders_12m > 0) AS active_12m,
              coalesce(sum(s.spend_12m), 0) AS spend_12m,
              coalesce(sum(s.profit_12m), 0) AS profit_12m,
              coalesce(sum(s.predicted_clv), 0) AS predicted_clv,
              avg(s.churn_risk) AS avg_churn_risk,
              count(*) FILTER (WHERE {watch_sql(AT_RISK, "s.")}) AS high_churn_risk,
              max(s.as_of) AS as_of
            FROM {CUSTOMERS_AT}""",
        [as_of],
    )[0]
    dims = ", ".join(f"s.{d}" for d in DIMENSIONS)
    sets = ", ".join(f"(s.{d})" for d in DIMENSIONS)
    counts: dict[str, dict[str, tuple[int, float]]] = {d: {} for d in DIMENSIONS}
    for *codes, n, spend in ws.rows(
        f"SELECT {dims}, count(*), coalesce(sum(s.spend_12m), 0) FROM {ANALYSED_AT}"
        f" GROUP BY GROUPING SETS ({sets})",
        [as_of],
    ):
        # one grouping set per row: its dimension's code is the one value present (the
        # rows of a NULL code have none and are left out)
        for dim, code in zip(DIMENSIONS, codes, strict=True):
            if code is not None:
                counts[dim][code] = (int(n), float(spend))
    return {"totals": totals, "dimensions": {d: _in_order(d, counts[d]) for d in DIMENSIONS}}


def _in_order(dim: str, counts: dict[str, tuple[int, float]]) -> list[dict[str, Any]]:
    """Every code of `dim` in the labels' order (absent ones with zeros), then unknown ones."""
    known = list(LABELS.get(dim, {}))
    order = known + sorted(k for k in counts if k not in known)
    return [
        {"code": code, "count": counts.get(code, (0, 0.0))[0],
         "spend_12m": counts.get(code, (0, 0.0))[1]}
        for code in order
    ]  # fmt: skip


def pareto(ws: Workspace, as_of: date | None, points: int = 100) -> dict[str, Any]:
    """The cumulative share of 12-month revenue and profit held by the top x% of the analysed
    customers (x in steps of 1/points), the top 20%'s revenue share and how many customers
    have a negative profit."""
    out: dict[str, Any] = {}
    for measure in PARETO_MEASURES:
        rows = ws.rows(
            f"""WITH v AS (SELECT CAST(s.{measure} AS DOUBLE) AS v FROM {ANALYSED_AT}
                    WHERE s.{measure} IS NOT NULL),
                r AS (SELECT v, row_number() OVER (ORDER BY v DESC) AS rn,
                      count(*) OVER () AS n,
                      sum(v) OVER (ORDER BY v DESC ROWS UNBOUNDED PRECEDING) AS cum,
                      sum(v) OVER () AS tot FROM v)
                SELECT ceil(? * rn / n) AS bucket, max(cum) / nullif(max(tot), 0)
                FROM r GROUP BY 1 ORDER BY 1""",
            [as_of, points],
        )
        out[measure] = [{"pct": float(b) / points, "share": float(s or 0)} for b, s in rows]
    spend = out["spend_12m"]
    negative = ws.scalar(f"SELECT count(*) FROM {ANALYSED_AT} WHERE s.profit_12m < 0", [as_of])
    return {
        "revenue": spend,
        "profit": out["profit_12m"],
        "top20_revenue_share": next((p["share"] for p in spend if p["pct"] >= 0.2 - 1e-9), None),
        "negative_profit_customers": int(negative or 0),
    }


def watchlist(ws: Workspace, as_of: date | None, limit: int, lang: str) -> list[dict[str, Any]]:
    """The customers most at risk of churning that can still be won (rule 1 of
    `coherence`), the valuable ones first, each with its churn reasons' texts in `lang`."""
    rows = _dicts(
        ws,
        f"""SELECT c.customer_id, c.name, c.owner, c.region, c.phone, s.value_tier,
               s.rfm_type, s.churn_risk, s.spend_12m, s.predicted_clv, s.recency_days,
               s.churn_reasons
            FROM {ANALYSED_AT}
            WHERE s.churn_risk IS NOT NULL AND {watchable_sql("s.")}
            ORDER BY s.churn_risk * (1 + coalesce(s.value_score, 0) / 100.0) DESC,
              c.customer_id
            LIMIT ?""",
        [as_of, int(limit)],
    )
    return [
        {**{k: v for k, v in r.items() if k != "churn_reasons"},
         "reasons": [x["text"] for x in churn_reasons(r, lang)]}
        for r in rows
    ]  # fmt: skip
