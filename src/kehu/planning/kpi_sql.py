"""SQL of the KPI engine: one query per family of KPIs that share their facts.

Every family yields facts `(label, customer_id, ...)` joined to the period table `_kp`
(label, k_start = calendar start, p_start/p_end = the part of the period inside the asked
range, before = p_start - 1, prev_start = start of the previous period, snap_as_of / clv_as_of
= the snapshot used for segments / CLV). The engine wraps them:
`SELECT label, <group>, <aggregates> FROM facts [JOIN dimension] GROUP BY ALL`.
All of it runs inside DuckDB (group-bys over the orders table, no row loop in Python).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from kehu.config import Settings


@dataclass(frozen=True)
class Ctx:
    """What the family SQL needs: grain, bounds of the whole range, settings."""

    grain: str
    lo: date  # first day of the extra period before the range (for "change vs previous")
    hi: date  # last day of the range
    lo_prev: date  # first day of the period before `lo` (retention cohorts)
    settings: Settings

    def trunc(self, expr: str) -> str:
        return f"CAST(date_trunc('{self.grain}', {expr}) AS DATE)"

    @property
    def active_days(self) -> int:
        return self.settings.kpi.active_days


def lit(d: date) -> str:
    return f"DATE '{d.isoformat()}'"


def str_list(values: list[str]) -> str:
    quoted = ", ".join("'" + v.lower().replace("'", "''") + "'" for v in values)
    return f"[{quoted}]::VARCHAR[]"


def _in_period(ctx: Ctx, expr: str) -> str:
    """Join condition + filter placing the date `expr` in a period of `_kp`."""
    return f"{ctx.trunc(expr)} = p.k_start WHERE {expr} BETWEEN p.p_start AND p.p_end"


def orders_sql(ctx: Ctx) -> str:
    purchases = "count(DISTINCT o.order_date)" if ctx.settings.rfm.merge_same_day else "count(*)"
    return f"""
        SELECT p.label, o.customer_id, sum(o.amount) AS amount, {purchases} AS purchases
        FROM orders o JOIN _kp p ON {_in_period(ctx, "o.order_date")}
          AND o.order_date BETWEEN {lit(ctx.lo)} AND {lit(ctx.hi)}
        GROUP BY 1, 2
    """


def new_sql(ctx: Ctx) -> str:
    return f"""
        SELECT p.label, fo.customer_id
        FROM (SELECT customer_id, min(order_date) AS first_order FROM orders GROUP BY 1) fo
        JOIN _kp p ON {_in_period(ctx, "fo.first_order")}
    """


def retention_sql(ctx: Ctx) -> str:
    return f"""
        SELECT p.label, cp.customer_id, cur.customer_id IS NOT NULL AS kept
        FROM _kp p
        JOIN (SELECT DISTINCT customer_id, {ctx.trunc("order_date")} AS k FROM orders
              WHERE order_date BETWEEN {lit(ctx.lo_prev)} AND {lit(ctx.hi)}) cp
          ON cp.k = p.prev_start
        LEFT JOIN (SELECT DISTINCT p.label, o.customer_id
                   FROM orders o JOIN _kp p ON {_in_period(ctx, "o.order_date")}) cur
          ON cur.label = p.label AND cur.customer_id = cp.customer_id
    """


def base_sql(ctx: Ctx) -> str:
    """Active customers at the start / end of each period (churn rate, coverage).

    Active on day d = an order in (d - W, d]. Orders are merged into spells (a gap of W days
    or more starts a new spell); a spell covers [first order, last order + W).
    """
    w = ctx.active_days
    since = ctx.lo - timedelta(days=w + 1)
    i_date = "CAST(i.occurred_at AS DATE)"
    return f"""
        WITH d AS (
            SELECT DISTINCT customer_id, order_date FROM orders
            WHERE order_date BETWEEN {lit(since)} AND {lit(ctx.hi)}
        ), g AS (
            SELECT customer_id, order_date,
                   CASE WHEN order_date - lag(order_date) OVER (
                        PARTITION BY customer_id ORDER BY order_date) < {w}
                        THEN 0 ELSE 1 END AS brk
            FROM d
        ), s AS (
            SELECT customer_id, order_date,
                   sum(brk) OVER (PARTITION BY customer_id ORDER BY order_date
                                  ROWS UNBOUNDED PRECEDING) AS spell
            FROM g
        ), sp AS (
            SELECT customer_id, min(order_date) AS s_start, max(order_date) + {w} AS s_end
            FROM s GROUP BY customer_id, spell
        ), a0 AS (
            SELECT p.label, sp.customer_id FROM sp JOIN _kp p
              ON sp.s_start <= p.before AND sp.s_end > p.before
        ), a1 AS (
            SELECT p.label, sp.customer_id FROM sp JOIN _kp p
              ON sp.s_start <= p.p_end AND sp.s_end > p.p_end
        ), iv AS (
            SELECT DISTINCT p.label, i.customer_id
            FROM interactions i JOIN _kp p ON {_in_period(ctx, i_date)}
        ), ab AS (
            SELECT coalesce(a0.label, a1.label) AS label,
                   coalesce(a0.customer_id, a1.customer_id) AS customer_id,
                   a0.customer_id IS NOT NULL AS at_start,
                   a1.customer_id IS NOT NULL AS at_end
            FROM a0 FULL JOIN a1 ON a0.label = a1.label AND a0.customer_id = a1.customer_id
        )
        SELECT ab.label, ab.customer_id, ab.at_start, ab.at_end,
               ab.at_end AND iv.customer_id IS NOT NULL AS covered
        FROM ab LEFT JOIN iv ON iv.label = ab.label AND iv.customer_id = ab.customer_id
    """


def clv_sql(ctx: Ctx) -> str:
    return """
        SELECT p.label, s.customer_id, s.predicted_clv AS clv
        FROM _kp p JOIN customer_snapshot s ON s.as_of = p.clv_as_of
        WHERE s.predicted_clv IS NOT NULL
    """


def nps_sql(ctx: Ctx) -> str:
    return f"""
        SELECT p.label, v.customer_id, v.nps
        FROM surveys v JOIN _kp p ON {_in_period(ctx, "v.surveyed_on")} AND v.nps IS NOT NULL
    """


def csat_sql(ctx: Ctx) -> str:
    parts = []
    if "surveys" in ctx.settings.kpi.csat_sources:
        parts.append(
            "SELECT customer_id, surveyed_on AS d, csat AS rating FROM surveys"
            " WHERE csat IS NOT NULL"
        )
    if "tickets" in ctx.settings.kpi.csat_sources:
        parts.append(
            "SELECT customer_id, CAST(coalesce(resolved_at, opened_at) AS DATE) AS d,"
            " satisfaction AS rating FROM tickets WHERE satisfaction IS NOT NULL"
        )
    if not parts:
        parts.append("SELECT NULL::VARCHAR AS customer_id, NULL::DATE AS d, NULL::INT AS rating")
    union = " UNION ALL ".join(parts)
    return f"""
        SELECT p.label, x.customer_id, x.rating
        FROM ({union}) x JOIN _kp p ON {_in_period(ctx, "x.d")}
    """


def _hours(a: str, b: str) -> str:
    return f"CASE WHEN {b} IS NULL THEN NULL ELSE greatest(epoch({b} - {a}), 0) / 3600.0 END"


def tickets_sql(ctx: Ctx) -> str:
    return f"""
        SELECT p.label, t.customer_id,
               {_hours("t.opened_at", "t.first_response_at")} AS resp_h,
               {_hours("t.opened_at", "t.resolved_at")} AS res_h
        FROM tickets t JOIN _kp p ON {_in_period(ctx, "CAST(t.opened_at AS DATE)")}
    """


def opportunities_sql(ctx: Ctx) -> str:
    k = ctx.settings.kpi
    closed = "coalesce(o.closed_on, o.created_on)"
    return f"""
        SELECT p.label, o.customer_id,
               list_contains({str_list(k.won_statuses)}, lower(trim(o.status))) AS won,
               list_contains({str_list(k.lost_statuses)}, lower(trim(o.status))) AS lost
        FROM opportunities o JOIN _kp p ON {_in_period(ctx, closed)}
    """


def leads_sql(ctx: Ctx) -> str:
    days = ctx.settings.kpi.conversion_days
    return f"""
        SELECT p.label, fc.customer_id,
               fo.first_order IS NOT NULL AND fo.first_order <= fc.first_contact + {days}
                 AS converted
        FROM (SELECT customer_id, min(d) AS first_contact FROM (
                SELECT customer_id, CAST(occurred_at AS DATE) AS d FROM interactions
                UNION ALL SELECT customer_id, created_on AS d FROM opportunities
              ) GROUP BY 1) fc
        LEFT JOIN (SELECT customer_id, min(order_date) AS first_order FROM orders GROUP BY 1) fo
          ON fo.customer_id = fc.customer_id
        JOIN _kp p ON {_in_period(ctx, "fc.first_contact")}
          AND (fo.first_order IS NULL OR fo.first_order >= fc.first_contact)
    """


def collection_sql(ctx: Ctx) -> str:
    grace = ctx.settings.value.collection_grace_days
    due = f"coalesce(o.due_date, o.order_date + {grace})"
    return f"""
        SELECT p.label, o.customer_id, o.amount AS billed,
               CASE WHEN o.paid_amount IS NOT NULL THEN least(greatest(o.paid_amount, 0), o.amount)
                    WHEN o.paid_date IS NOT NULL THEN o.amount ELSE 0 END AS paid
        FROM orders o JOIN _kp p ON {_in_period(ctx, due)}
    """


@dataclass(frozen=True)
class Family:
    """A facts query and the aggregates computed from it per (period, group)."""

    sql: Callable[[Ctx], str]
    aggs: dict[str, str]


def _aggs_nps(s: Settings) -> dict[str, str]:
    k = s.kpi
    return {
        "nps_net": f"count(*) FILTER (WHERE f.nps >= {k.nps_promoter})"
        f" - count(*) FILTER (WHERE f.nps <= {k.nps_detractor})",
        "nps_n": "count(*)",
    }


def families(s: Settings) -> dict[str, Family]:
    """The KPI families with their aggregate expressions (settings fill in thresholds)."""
    k = s.kpi
    return {
        "orders": Family(
            orders_sql,
            {
                "revenue": "sum(f.amount)",
                "active": "count(*)",
                "repeaters": "count(*) FILTER (WHERE f.purchases >= 2)",
            },
        ),
        "new": Family(new_sql, {"new": "count(*)"}),
        "retention": Family(
            retention_sql, {"cohort": "count(*)", "kept": "count(*) FILTER (WHERE f.kept)"}
        ),
        "base": Family(
            base_sql,
            {
                "base_start": "count(*) FILTER (WHERE f.at_start)",
                "lapsed": "count(*) FILTER (WHERE f.at_start AND NOT f.at_end)",
                "base_end": "count(*) FILTER (WHERE f.at_end)",
                "covered": "count(*) FILTER (WHERE f.covered)",
            },
        ),
        "clv": Family(clv_sql, {"clv_sum": "sum(f.clv)", "clv_n": "count(*)"}),
        "nps": Family(nps_sql, _aggs_nps(s)),
        "csat": Family(
            csat_sql,
            {
                "satisfied": f"count(*) FILTER (WHERE f.rating >= {k.csat_satisfied})",
                "ratings": "count(*)",
            },
        ),
        "tickets": Family(
            tickets_sql,
            {
                "tickets": "count(*)",
                "resp_sum": "sum(f.resp_h)",
                "resp_n": "count(f.resp_h)",
                "resp_ok": f"count(*) FILTER (WHERE f.resp_h <= {k.sla_response_hours})",
                "res_sum": "sum(f.res_h)",
                "res_n": "count(f.res_h)",
                "res_ok": f"count(*) FILTER (WHERE f.res_h <= {k.sla_resolution_hours})",
            },
        ),
        "opportunities": Family(
            opportunities_sql,
            {
                "won": "count(*) FILTER (WHERE f.won)",
                "closed": "count(*) FILTER (WHERE f.won OR f.lost)",
            },
        ),
        "leads": Family(
            leads_sql, {"leads": "count(*)", "converted": "count(*) FILTER (WHERE f.converted)"}
        ),
        "collection": Family(collection_sql, {"billed": "sum(f.billed)", "paid": "sum(f.paid)"}),
    }
