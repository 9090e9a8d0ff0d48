"""Collect what a periodic report shows, as plain data (dicts and lists) for every writer.

Sections: KPIs with trends, rfm_type / value_tier distribution and flows since the previous
period, Pareto curve, CLV distribution, churn watch-list with reasons, top feedback issues,
goals, target attainment by region / owner, data quality. A section whose source is missing
(no snapshot yet, no goals) is present with `available: False` and a note.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from kehu.analytics.coherence import NOT_AT_RISK
from kehu.analytics.labels import label
from kehu.analytics.stored import snapshot_dates, table_exists
from kehu.calendar import Period
from kehu.i18n import normalize_lang, tr
from kehu.monitor.evaluate import plain
from kehu.workspace import Workspace

KPI_ORDER = (
    "revenue",
    "new_customers",
    "active_customers",
    "avg_clv",
    "churn_rate",
    "retention_rate",
    "repurchase_rate",
    "nps",
    "csat",
    "conversion_rate",
    "lead_conversion_rate",
    "collection_rate",
    "first_response_hours",
    "response_sla_rate",
    "resolution_hours",
    "coverage",
)


def _snap_for(dates: list[date], period: Period) -> date | None:
    """The snapshot describing the end of a period: latest as_of ≤ end + 1 day."""
    limit = period.end + timedelta(days=1)
    eligible = [d for d in dates if d <= limit]
    return eligible[-1] if eligible else None


def kpi_section(ws: Workspace, period: Period, trend: int, lang: str) -> dict[str, Any]:
    from kehu.analytics.kpis import (
        KPI_BY_CODE,
        compute_kpis,
        format_change,
        format_value,
        partial_note,
    )
    from kehu.analytics.stored import data_end

    start = period.shift(-(trend - 1)).start
    # a period the data stop inside is reported to date, against the same days before it
    end = max(min(period.end, data_end(ws)), period.start)
    rows = compute_kpis(ws, period.grain, None, start, end)
    note = next((partial_note(r, lang) for r in rows if r["partial"]), None)
    periods = sorted({r["period"] for r in rows})
    table, series = [], {}
    for code in KPI_ORDER:
        kpi = KPI_BY_CODE.get(code)
        mine = {r["period"]: r for r in rows if r["kpi"] == code}
        if kpi is None or not mine:
            continue
        cur = mine.get(period.label, {})
        table.append(
            {
                "code": code,
                "label": kpi.label(lang),
                "unit": kpi.unit,
                "value": plain(cur.get("value")),
                "previous": plain(cur.get("previous")),
                "change": plain(cur.get("change")),
                "change_pct": plain(cur.get("change_pct")),
                "value_text": format_value(cur.get("value"), kpi.unit, lang),
                "previous_text": format_value(cur.get("previous"), kpi.unit, lang),
                "change_text": format_change(cur.get("change"), kpi.unit, lang),
                "higher_is_better": kpi.higher_is_better,
                "trend": [plain(mine.get(p, {}).get("value")) for p in periods],
            }
        )
        series[code] = table[-1]["trend"]
    return {"available": bool(table), "periods": periods, "rows": table, "partial_note": note}


def _snapshot(ws: Workspace, as_of: date | None) -> pd.DataFrame:
    if as_of is None:
        return pd.DataFrame()
    return ws.read("SELECT * FROM customer_snapshot WHERE as_of = ?", [as_of]).df()


def distribution(cur: pd.DataFrame, prev: pd.DataFrame, kind: str, lang: str) -> dict[str, Any]:
    from kehu.analytics.labels import codes

    order = codes(kind)
    now = cur[kind].value_counts() if len(cur) else pd.Series(dtype=int)
    before = prev[kind].value_counts() if len(prev) else pd.Series(dtype=int)
    rows = [
        {
            "code": c,
            "label": label(kind, c, lang),
            "count": int(now.get(c, 0)),
            "previous": int(before.get(c, 0)) if len(prev) else None,
            "share": round(int(now.get(c, 0)) / max(len(cur), 1), 4),
        }
        for c in order
    ]
    return {"kind": kind, "rows": rows, "total": int(len(cur))}


def flows(cur: pd.DataFrame, prev: pd.DataFrame, kind: str, lang: str) -> dict[str, Any]:
    """Customers moving between classes since the previous snapshot (客户流转)."""
    from kehu.analytics.labels import codes

    if cur.empty or prev.empty:
        return {"kind": kind, "available": False, "matrix": [], "labels": [], "moved": 0}
    both = prev[["customer_id", kind]].merge(
        cur[["customer_id", kind]], on="customer_id", suffixes=("_from", "_to")
    )
    order = codes(kind)
    matrix = [
        [int(((both[f"{kind}_from"] == a) & (both[f"{kind}_to"] == b)).sum()) for b in order]
        for a in order
    ]
    moved = int((both[f"{kind}_from"] != both[f"{kind}_to"]).sum())
    return {
        "kind": kind,
        "available": True,
        "codes": order,
        "labels": [label(kind, c, lang) for c in order],
        "matrix": matrix,
        "moved": moved,
        "compared": int(len(both)),
        "new": int(len(set(cur.customer_id) - set(prev.customer_id))),
    }


def pareto(cur: pd.DataFrame, points: int = 101) -> dict[str, Any]:
    """Cumulative share of 12-month revenue and of historical profit by customer rank."""
    if cur.empty or "spend_12m" not in cur:
        return {"available": False}
    spend = pd.to_numeric(cur["spend_12m"], errors="coerce").fillna(0).astype(float).to_numpy()
    order = np.argsort(-spend, kind="stable")
    spend = spend[order]
    total = spend.sum()
    n = len(spend)
    xs = np.linspace(0, 1, points)
    idx = np.clip(np.ceil(np.round(xs * n, 9)).astype(int), 0, n)
    cum = np.concatenate([[0.0], np.cumsum(spend)])
    revenue = (cum[idx] / total).tolist() if total > 0 else [0.0] * points
    profit_curve = None
    if "profit_historical" in cur:
        profit = pd.to_numeric(cur["profit_historical"], errors="coerce").fillna(0)
        profit = profit.astype(float).to_numpy()[order]
        ptotal = profit.sum()
        if ptotal > 0:
            pcum = np.concatenate([[0.0], np.cumsum(profit)])
            profit_curve = (pcum[idx] / ptotal).tolist()
    top20 = float(cum[int(np.ceil(0.2 * n))] / total) if total > 0 else None
    return {
        "available": True,
        "x": xs.round(4).tolist(),
        "revenue": revenue,
        "profit": profit_curve,
        "top20_share": top20,
        "customers": n,
        "profit_peak": max(profit_curve) if profit_curve else None,
    }


def clv_hist(cur: pd.DataFrame, bins: int) -> dict[str, Any]:
    if cur.empty or "predicted_clv" not in cur:
        return {"available": False}
    values = pd.to_numeric(cur["predicted_clv"], errors="coerce").dropna().astype(float)
    if values.empty:
        return {"available": False}
    hi = float(values.quantile(0.99)) if len(values) > 20 else float(values.max())
    counts, edges = np.histogram(values.clip(upper=hi), bins=bins)
    return {
        "available": True,
        "counts": counts.tolist(),
        "edges": edges.round(2).tolist(),
        "mean": float(values.mean()),
        "median": float(values.median()),
        "p90": float(values.quantile(0.9)),
        "total": float(values.sum()),
        "n": int(len(values)),
    }


def _reasons(raw: Any, lang: str) -> str:
    if not isinstance(raw, str) or not raw:
        return ""
    try:
        items = json.loads(raw)
    except json.JSONDecodeError:
        return raw
    key = "en" if normalize_lang(lang) == "en" else "zh"
    return "; ".join(str(i.get(key) or i.get("code")) for i in items if isinstance(i, dict))


def watchlist(
    cur: pd.DataFrame, tiers: list[str], min_risk: float, size: int, lang: str
) -> dict[str, Any]:
    if cur.empty or "churn_risk" not in cur:
        return {"available": False, "rows": []}
    df = cur[pd.to_numeric(cur["churn_risk"], errors="coerce") >= min_risk]
    if "lifecycle" in df:  # lost customers are win-back candidates, not at risk (coherence)
        df = df[~df["lifecycle"].isin(NOT_AT_RISK)]
    if tiers:
        df = df[df["value_tier"].isin(tiers)]
    df = df.sort_values(["churn_risk", "customer_id"], ascending=[False, True]).head(size)
    rows = [
        {
            "customer_id": r.customer_id,
            "name": plain(getattr(r, "name", None)),
            "owner": plain(getattr(r, "owner", None)),
            "region": plain(getattr(r, "region", None)),
            "tier": label("value_tier", plain(r.value_tier), lang),
            "churn_risk": plain(r.churn_risk),
            "spend_12m": plain(getattr(r, "spend_12m", None)),
            "predicted_clv": plain(getattr(r, "predicted_clv", None)),
            "reasons": _reasons(getattr(r, "churn_reasons", None), lang),
        }
        for r in df.itertuples(index=False)
    ]
    return {"available": True, "rows": rows, "min_risk": min_risk, "tiers": tiers}


def goals_section(ws: Workspace, period: Period, lang: str) -> dict[str, Any]:
    if not table_exists(ws, "goals"):
        return {"available": False, "rows": []}
    from kehu.analytics.kpis import format_value
    from kehu.planning.goals import goal_title, goals_status

    rows = []
    for g in goals_status(ws, as_of=period.end):
        unit = g.get("unit", "count")
        rows.append(
            {
                "goal_id": g["goal_id"],
                "title": goal_title(g, lang),
                "owner": g.get("owner"),
                "deadline": plain(g.get("deadline")),
                "target": format_value(g.get("target"), unit, lang),
                "actual": format_value(g.get("actual"), unit, lang),
                "projected": format_value(g.get("projected"), unit, lang),
                "status": g.get("status"),
            }
        )
    return {"available": True, "rows": rows}


def targets_section(ws: Workspace, period: Period) -> dict[str, Any]:
    """Target vs actual sales per region and per owner for the report period."""
    labels = [period.label, *[m.label for m in period.month_periods()]]
    labels = list(dict.fromkeys(labels))
    out: dict[str, Any] = {"available": False, "region": [], "owner": []}
    n = ws.scalar(
        f"SELECT count(*) FROM targets WHERE period IN ({', '.join('?' * len(labels))})", labels
    )
    if not n:
        return out
    has_exact = ws.scalar("SELECT count(*) FROM targets WHERE period = ?", [period.label])
    chosen = [period.label] if has_exact else labels[1:]
    marks = ", ".join("?" * len(chosen))
    for dim in ("region", "owner"):
        actual_expr = "c.region" if dim == "region" else "coalesce(o.owner, c.owner)"
        rows = ws.rows(
            f"""
            WITH t AS (SELECT {dim} AS unit, sum(amount) AS target FROM targets
                       WHERE period IN ({marks}) AND {dim} IS NOT NULL GROUP BY 1),
                 a AS (SELECT {actual_expr} AS unit, sum(o.amount) AS actual
                       FROM orders o LEFT JOIN customers c USING (customer_id)
                       WHERE o.order_date BETWEEN ? AND ? GROUP BY 1)
            SELECT t.unit, t.target, coalesce(a.actual, 0) FROM t LEFT JOIN a USING (unit)
            ORDER BY t.unit
            """,
            [*chosen, period.start, period.end],
        )
        out[dim] = [
            {
                "unit": u,
                "target": float(t),
                "actual": float(a),
                "attainment": float(a) / float(t) if t else None,
            }
            for u, t, a in rows
        ]
    out["available"] = bool(out["region"] or out["owner"])
    return out


def quality_section(ws: Workspace, lang: str) -> dict[str, Any]:
    try:
        from kehu.quality import quality_report
    except ImportError:
        return {"available": False}
    report = quality_report(ws)
    data = report.to_json() if hasattr(report, "to_json") else report
    return {"available": True, "data": json.loads(json.dumps(data, default=str))}


def backtest_section(ws: Workspace, lang: str) -> dict[str, Any]:
    """The newest `kehu backtest` run as table rows (labels in `lang`), and the last runs'
    headline AUCs, so the report shows whether the warning is getting better."""
    from kehu.analytics import backtest_runs
    from kehu.analytics.backtest import NAMES

    if not ws.scalar(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'backtest_runs'"
    ):
        return {"available": False}
    result = backtest_runs.latest(ws)
    if result is None:
        return {"available": False}
    o = result["overall"]
    churn = [
        [NAMES(name, lang), m["roc_auc"], m["pr_auc"], m["brier"], m["lift_top10"],
         m["capture_top10"], m["lift_top20"], m["capture_top20"]]
        for name, m in o["churn"].items()
    ]  # fmt: skip
    amounts = [
        [NAMES(f"{name}_model", lang), p["predicted"], p["actual"], p["total_error"],
         p["correlation"], o["revenue"][name]["predicted"], o["revenue"][name]["actual"],
         o["revenue"][name]["total_error"]]
        for name, p in o["purchases"].items()
    ]  # fmt: skip
    history = [
        [str(r["run_at"])[:16], str(r["as_of"]), r["horizon_days"], r["churn_auc"],
         r["bgnbd_auc"], r["naive_auc"]]
        for r in backtest_runs.history(ws, 6)
    ]  # fmt: skip
    return {
        "available": True,
        "as_of": result["as_of"],
        "horizon_days": result["horizon_days"],
        "customers": result["customers"],
        "churn_rate": o["churn_rate"],
        "churn": churn,
        "amounts": amounts,
        "history": history,
    }


def collect(ws: Workspace, period: Period, kind: str, lang: str) -> dict[str, Any]:
    """Everything a report shows for `period`, in `lang`."""
    settings = ws.settings.report
    dates = snapshot_dates(ws)
    cur_date = _snap_for(dates, period)
    prev_date = _snap_for([d for d in dates if cur_date is None or d < cur_date], period.prev())
    cur, prev = _snapshot(ws, cur_date), _snapshot(ws, prev_date)
    from kehu.monitor.feedback import feedback_summary
    from kehu.monitor.report.economics import economics_data, scorecard_data

    kind_label = {"monthly": ("月度", "Monthly"), "quarterly": ("季度", "Quarterly")}[kind]
    title = tr(
        lang,
        f"{ws.settings.workspace.name} 客户经营{kind_label[0]}报告 · {period.label}",
        f"{ws.settings.workspace.name} customer review · {kind_label[1]} · {period.label}",
    )
    return {
        "meta": {
            "title": title,
            "period": period.label,
            "kind": kind,
            "lang": normalize_lang(lang),
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "snapshot": cur_date.isoformat() if cur_date else None,
            "previous_snapshot": prev_date.isoformat() if prev_date else None,
            "generated_at": datetime.now().isoformat(timespec="seconds"),
            "customers": int(len(cur)),
        },
        "kpis": kpi_section(ws, period, settings.trend_periods, lang),
        "rfm_type": distribution(cur, prev, "rfm_type", lang) if len(cur) else None,
        "value_tier": distribution(cur, prev, "value_tier", lang) if len(cur) else None,
        "flows": {k: flows(cur, prev, k, lang) for k in ("value_tier", "rfm_type")},
        "pareto": pareto(cur),
        "clv": clv_hist(cur, settings.clv_bins),
        "watchlist": watchlist(
            cur, settings.watch_tiers, settings.watch_min_risk, settings.watchlist_size, lang
        ),
        "feedback": feedback_summary(
            ws,
            period.label,
            top=settings.top_issues,
            trend_periods=settings.trend_periods,
            lang=lang,
        ),
        "goals": goals_section(ws, period, lang),
        "targets": targets_section(ws, period),
        "quality": quality_section(ws, lang),
        "backtest": backtest_section(ws, lang),
        "economics": economics_data(ws, period, lang),
        "scorecards": scorecard_data(ws, period),
    }
