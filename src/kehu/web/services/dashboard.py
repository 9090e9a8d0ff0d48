"""Overview numbers: snapshot summary, distributions, Pareto curve, flows and watch-list.

All figures are computed over the customers the scope may see, from the latest snapshot
(materialised in `webcache.customer_list`) and cached until the next write.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from kehu.access.masking import mask_records
from kehu.app import ABSENT, LABELS, label, watch_sql
from kehu.errors import KehuError
from kehu.web.services.common import parse_json, plain_tree, query
from kehu.web.services.listing import ensure_list

if TYPE_CHECKING:
    from kehu.access.scope import Scope
    from kehu.web.services.state import WebState

DIMENSIONS = ("rfm_type", "value_tier", "lifecycle", "rfm_segment", "abc_class")


def summary(state: WebState, scope: Scope) -> dict[str, Any]:
    """Headline totals and the count per code of each dimension."""

    def compute() -> dict[str, Any]:
        table = ensure_list(state)
        cond, params = scope.customer_sql("")
        row = query(
            state.ws,
            f"""SELECT count(*) AS customers,
                  count(as_of) AS analysed,
                  count(*) FILTER (WHERE orders_12m > 0) AS active_12m,
                  coalesce(sum(spend_12m), 0) AS spend_12m,
                  coalesce(sum(profit_12m), 0) AS profit_12m,
                  coalesce(sum(predicted_clv), 0) AS predicted_clv,
                  avg(churn_risk) AS avg_churn_risk,
                  count(*) FILTER (WHERE {watch_sql(0.6)}) AS high_churn_risk,
                  max(as_of) AS as_of
                FROM {table} WHERE {cond}""",
            params,
        )[0]
        dims: dict[str, list[dict[str, Any]]] = {}
        for dim in DIMENSIONS:
            rows = state.ws.rows(
                f"SELECT {dim}, count(*), coalesce(sum(spend_12m), 0) FROM {table}"
                f" WHERE {cond} AND {dim} IS NOT NULL GROUP BY 1",
                params,
            )
            counts = {r[0]: (int(r[1]), float(r[2])) for r in rows}
            order = list(LABELS.get(dim, {})) + sorted(
                k for k in counts if k not in LABELS.get(dim, {})
            )
            dims[dim] = [
                {
                    "code": code,
                    "count": counts.get(code, (0, 0.0))[0],
                    "spend_12m": counts.get(code, (0, 0.0))[1],
                }
                for code in order
            ]
        return {"totals": row, "dimensions": dims}

    return state.cached("customers", ("summary", scope.key), compute)


def with_labels(dims: dict[str, list[dict[str, Any]]], lang: str) -> dict[str, list[dict]]:
    return {
        dim: [{**item, "label": label(dim, item["code"], lang)} for item in items]
        for dim, items in dims.items()
    }


def pareto(state: WebState, scope: Scope, points: int = 100) -> dict[str, Any]:
    """Cumulative share of revenue (and profit) by the top x% of customers."""

    def compute() -> dict[str, Any]:
        table = ensure_list(state)
        cond, params = scope.customer_sql("")
        out: dict[str, Any] = {}
        for measure in ("spend_12m", "profit_12m"):
            rows = state.ws.rows(
                f"""WITH v AS (SELECT CAST({measure} AS DOUBLE) AS v FROM {table}
                        WHERE {cond} AND {measure} IS NOT NULL),
                    r AS (SELECT v, row_number() OVER (ORDER BY v DESC) AS rn,
                          count(*) OVER () AS n,
                          sum(v) OVER (ORDER BY v DESC ROWS UNBOUNDED PRECEDING) AS cum,
                          sum(v) OVER () AS tot FROM v)
                    SELECT ceil({points} * rn / n) AS bucket, max(cum) / nullif(max(tot), 0)
                    FROM r GROUP BY 1 ORDER BY 1""",
                params,
            )
            curve = [{"pct": float(b) / points, "share": float(s or 0)} for b, s in rows]
            out[measure] = curve
        spend = out["spend_12m"]
        top20 = next((p["share"] for p in spend if p["pct"] >= 0.2 - 1e-9), None)
        negative = state.ws.scalar(
            f"SELECT count(*) FROM {table} WHERE {cond} AND profit_12m < 0", params
        )
        return {
            "revenue": spend,
            "profit": out["profit_12m"],
            "top20_revenue_share": top20,
            "negative_profit_customers": int(negative or 0),
        }

    return state.cached("customers", ("pareto", scope.key, points), compute)


def _code(code: str) -> str:
    """The API has named a customer missing from one of the two snapshots "none" since v1."""
    return "none" if code == ABSENT else code


def flows(
    state: WebState,
    scope: Scope,
    date_from: date | None = None,
    date_to: date | None = None,
    dimension: str = "lifecycle",
) -> dict[str, Any]:
    """Migration matrix between two snapshot dates (客户流转), the domain's flows: customers
    and their revenue at the later date per link, most customers first."""
    if dimension not in DIMENSIONS:
        raise KehuError(
            f"维度 {dimension} 无效,可选 {', '.join(DIMENSIONS)}",
            f"unknown dimension {dimension}; use one of {', '.join(DIMENSIONS)}",
        )
    dates = state.kehu.snapshot_dates()[::-1]  # newest first
    if len(dates) < 2 and (date_from is None or date_to is None):
        return {
            "from": None,
            "to": dates[0].isoformat() if dates else None,
            "dimension": dimension,
            "dates": [d.isoformat() for d in dates],
            "links": [],
        }
    date_to = date_to or dates[0]
    date_from = date_from or next((d for d in dates if d < date_to), dates[-1])
    for d in (date_from, date_to):
        if d not in dates:
            raise KehuError(
                f"{d} 没有客户快照;可选日期:{', '.join(x.isoformat() for x in dates[:12])}",
                f"no snapshot on {d}; dates available: "
                f"{', '.join(x.isoformat() for x in dates[:12])}",
            )

    def compute() -> dict[str, Any]:
        data = state.kehu.flows(date_from, date_to, dimension, scope=scope)
        cells = sorted(data["cells"], key=lambda c: (-c["customers"], c["from"], c["to"]))
        return {
            "from": date_from.isoformat(),
            "to": date_to.isoformat(),
            "dimension": dimension,
            "dates": [d.isoformat() for d in dates],
            "links": [
                {
                    "from": _code(c["from"]),
                    "to": _code(c["to"]),
                    "customers": c["customers"],
                    "revenue": c["revenue_to"],
                }  # fmt: skip
                for c in cells
            ],
        }

    return state.cached("customers", ("flows", scope.key, date_from, date_to, dimension), compute)


def watchlist(state: WebState, scope: Scope, lang: str, limit: int | None = None) -> list[dict]:
    """Customers most at risk of churning, with their reasons, valuable ones first."""
    limit = limit or state.settings.web.watchlist_size

    def compute() -> list[dict[str, Any]]:
        table = ensure_list(state)
        cond, params = scope.customer_sql("l")
        rows = query(
            state.ws,
            f"""SELECT l.customer_id, l.name, l.owner, l.region, l.phone, l.value_tier,
                   l.rfm_type, l.churn_risk, l.spend_12m, l.predicted_clv, l.recency_days,
                   s.churn_reasons
                FROM {table} l JOIN customer_snapshot s
                  ON s.customer_id = l.customer_id AND s.as_of = l.as_of
                WHERE {cond} AND l.churn_risk IS NOT NULL
                  AND coalesce(l.lifecycle, '') NOT IN ('lost', 'prospect', 'target')
                ORDER BY l.churn_risk * (1 + coalesce(l.value_score, 0) / 100.0) DESC,
                  l.customer_id
                LIMIT ?""",
            [*params, int(limit)],
        )
        return mask_records(rows, scope)

    rows = state.cached("customers", ("watchlist", scope.key, limit), compute)
    out = []
    for r in rows:
        reasons = parse_json(r.get("churn_reasons"), []) or []
        texts = [x.get("en" if lang == "en" else "zh") for x in reasons if isinstance(x, dict)]
        out.append({**{k: v for k, v in r.items() if k != "churn_reasons"}, "reasons": texts})
    return out


def snapshot_cards(state: WebState, scope: Scope) -> list[dict[str, Any]]:
    """Headline figures of the latest snapshot with the change since the previous one."""

    def compute() -> list[dict[str, Any]]:
        return plain_tree(state.kehu.overview_cards(scope=scope))

    return state.cached("customers", ("cards", scope.key), compute)
