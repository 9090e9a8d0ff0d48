"""SQL of the KPI engine: one query per family of KPIs that share their facts.

Every family yields facts `(label, customer_id, ...)` joined to the period table `_kp`
(label, k_start = calendar start, p_start/p_end = the part of the period inside the asked
range, before = p_start - 1, prev_start = start of the previous period, snap_as_of / clv_as_of
= the snapshot used for segments / CLV). The engine wraps them:
`SELECT label, <group>, <aggregates> FROM facts [JOIN dimension] GROUP BY ALL`.
Families share two temporary tables built once per call on the engine's own cursor:
`_op` (orders per customer and calendar period, clipped to the range: amount, first and last
order day, count) and `_fo` (each customer's first order day). All of it runs inside DuckDB.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import duckdb
from sqlglot import exp

from kehu.config import Settings
from kehu.engines.sql import HOUSE


@dataclass(frozen=True)
class Ctx:
    """What the family SQL needs: grain, bounds of the whole range, settings."""

    grain: str
    lo: date  # first day of the extra period before the range (for "change vs previous")
    hi: date  # last day of the range
    lo_prev: date  # first day of the period before `lo` (retention cohorts)
    start: date  # first day of the range (the first listed period may start later than k_start)
    first_k: date  # calendar start of the first listed period
    settings: Settings

    def trunc(self, expr: str) -> str:
        return f"CAST(date_trunc('{self.grain}', {expr}) AS DATE)"

    @property
    def active_days(self) -> int:
        return self.settings.kpi.active_days


def lit(d: date) -> str:
    """A date as a SQL literal (sqlglot quotes it)."""
    return exp.cast(exp.Literal.string(d.isoformat()), exp.DataType.Type.DATE).sql(HOUSE)


def str_list(values: list[str]) -> str:
    """Lower-cased settings values as a SQL text list (sqlglot quotes and escapes them)."""
    items = exp.Array(expressions=[exp.Literal.string(v.lower()) for v in values])
    return exp.cast(items, exp.DataType.build("VARCHAR[]", dialect=HOUSE)).sql(HOUSE)


def _in_period(ctx: Ctx, expr: str) -> str:
    """Join condition + filter placing the date `expr` in a period of `_kp`."""
    return f"{ctx.trunc(expr)} = p.k_start WHERE {expr} BETWEEN p.p_start AND p.p_end"


def prepare(
    cur: duckdb.DuckDBPyConnection, rewrite: Callable[[str], str], ctx: Ctx, needs: set[str]
) -> None:
    """Create the shared temporary tables the chosen families need (on this cursor only),
    reading the orders through `rewrite` (the engine's: from wherever they live)."""
    if "_op" in needs:
        # orders from the period before the extra one to the end of the range, minus the part
        # of the first listed period that lies before the range start (clipping)
        cur.execute(
            rewrite(f"""
            CREATE OR REPLACE TEMP TABLE _op AS
            SELECT customer_id, {ctx.trunc("order_date")} AS k, sum(amount) AS amount,
                   min(order_date) AS first_d, max(order_date) AS last_d, count(*) AS n
            FROM orders
            WHERE order_date BETWEEN {lit(ctx.lo_prev)} AND {lit(ctx.hi)}
              AND NOT (order_date >= {lit(ctx.first_k)} AND order_date < {lit(ctx.start)})
            GROUP BY 1, 2
        """)
        )
    if "_fo" in needs:
        cur.execute(
            rewrite(
                "CREATE OR REPLACE TEMP TABLE _fo AS"
                " SELECT customer_id, min(order_date) AS first_order FROM orders GROUP BY 1"
            )
        )


def cleanup(cur: duckdb.DuckDBPyConnection) -> None:
    cur.execute("DROP TABLE IF EXISTS _op")
    cur.execute("DROP TABLE IF EXISTS _fo")


def orders_sql(ctx: Ctx) -> str:
    # with merged same-day orders, >= 2 purchases <=> the first and last order days differ
    multi = "o.first_d < o.last_d" if ctx.settings.rfm.merge_same_day else "o.n >= 2"
    return f"""
        SELECT p.label, o.customer_id, o.amount, {multi} AS multi
        FROM _op o JOIN _kp p ON o.k = p.k_start
    """


def new_sql(ctx: Ctx) -> str:
    return f"""
        SELECT p.label, fo.customer_id
        FROM _fo fo JOIN _kp p ON {_in_period(ctx, "fo.first_order")}
    """


def retention_sql(ctx: Ctx) -> str:
    return """
        SELECT p.label, c.customer_id, cur.customer_id IS NOT NULL AS kept
        FROM _kp p
        JOIN _op c ON c.k = p.prev_start
        LEFT JOIN _op cur ON cur.k = p.k_start AND cur.customer_id = c.customer_id
    """


def base_sql(ctx: Ctx) -> str:
    """Active customers at the start / end of each period (churn rate, coverage).

    Active on day d = an order in (d - W, d]. A customer's orders form spells: an order with no
    order in the W days before starts one, an order with none in the W days after ends one at
    order + W; the k-th start pairs with the k-th end, and a spell covers [start, end). One
    window pass (lag and lead share the sort) instead of a merge over every order.
    """
    w = ctx.active_days
    since = ctx.lo - timedelta(days=w + 1)
    i_date = "CAST(i.occurred_at AS DATE)"
    return f"""
        WITH g AS (
            SELECT customer_id, order_date,
                   lag(order_date) OVER w AS prv, lead(order_date) OVER w AS nxt
            FROM orders WHERE order_date BETWEEN {lit(since)} AND {lit(ctx.hi)}
            WINDOW w AS (PARTITION BY customer_id ORDER BY order_date)
        ), st AS (
            SELECT customer_id, order_date AS s_start,
                   row_number() OVER (PARTITION BY customer_id ORDER BY order_date) AS rn
            FROM g WHERE prv IS NULL OR order_date - prv >= {w}
        ), en AS (
            SELECT customer_id, order_date + {w} AS s_end,
                   row_number() OVER (PARTITION BY customer_id ORDER BY order_date) AS rn
            FROM g WHERE nxt IS NULL OR nxt - order_date >= {w}
        ), sp AS (
            SELECT st.customer_id, st.s_start, en.s_end
            FROM st JOIN en ON en.customer_id = st.customer_id AND en.rn = st.rn
        ), r AS (
            -- one row per spell and period it meets; a customer has at most one spell covering
            -- a given day, so the flags count customers
            SELECT p.label, sp.customer_id, sp.s_start <= p.before AS at_start,
                   sp.s_end > p.p_end AS at_end
            FROM sp JOIN _kp p ON sp.s_start <= p.p_end AND sp.s_end > p.before
        ), back AS (
            -- a spell that starts inside the period and is still running at its end
            SELECT DISTINCT label, customer_id FROM r WHERE at_end AND NOT at_start
        ), iv AS (
            SELECT DISTINCT p.label, i.customer_id
            FROM interactions i JOIN _kp p ON {_in_period(ctx, i_date)}
        )
        SELECT r.label, r.customer_id, r.at_start, r.at_end,
               r.at_start AND NOT r.at_end AND b.customer_id IS NULL AS lapsed,
               r.at_end AND iv.customer_id IS NOT NULL AS covered
        FROM r
        LEFT JOIN back b ON NOT r.at_end AND r.at_start
             AND b.label = r.label AND b.customer_id = r.customer_id
        LEFT JOIN iv ON r.at_end AND iv.label = r.label AND iv.customer_id = r.customer_id
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
        WITH fc AS (
            SELECT customer_id, min(d) AS first_contact FROM (
                SELECT customer_id, CAST(occurred_at AS DATE) AS d FROM interactions
                UNION ALL SELECT customer_id, created_on AS d FROM opportunities
            ) GROUP BY 1
        )
        SELECT p.label, fc.customer_id,
               fo.first_order IS NOT NULL AND fo.first_order <= fc.first_contact + {days}
                 AS converted
        FROM fc LEFT JOIN _fo fo ON fo.customer_id = fc.customer_id
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
    needs: frozenset[str] = field(default_factory=frozenset)  # shared temp tables


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
                "repeaters": "count(*) FILTER (WHERE f.multi)",
            },
            frozenset({"_op"}),
        ),
        "new": Family(new_sql, {"new": "count(*)"}, frozenset({"_fo"})),
        "retention": Family(
            retention_sql,
            {"cohort": "count(*)", "kept": "count(*) FILTER (WHERE f.kept)"},
            frozenset({"_op"}),
        ),
        "base": Family(
            base_sql,
            {
                "base_start": "count(*) FILTER (WHERE f.at_start)",
                "lapsed": "count(*) FILTER (WHERE f.lapsed)",
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
            leads_sql,
            {"leads": "count(*)", "converted": "count(*) FILTER (WHERE f.converted)"},
            frozenset({"_fo"}),
        ),
        "collection": Family(collection_sql, {"billed": "sum(f.billed)", "paid": "sum(f.paid)"}),
    }
