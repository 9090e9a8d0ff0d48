"""The web pages' charts, each a `kehu.charts.Chart` sent to the page as its ECharts option
plus a `look` (how the page's script styles it: a donut or a rose, money labels)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Literal

from kehu.charts import Chart, Series, echarts_option

Text = Callable[..., str]  # the page's translator: t(key) -> text
Kind = Literal["xy", "hbar", "pie"]


def drawn(chart: Chart | None, **look: Any) -> dict[str, Any] | None:
    """What a page's `data-chart` element reads: the option and its look."""
    if chart is None:
        return None
    return {"option": echarts_option(chart), "look": {"kind": chart.kind, **look}}


def shares(key: str, items: list[dict[str, Any]], measure: str, kind: Kind) -> Chart:
    """A pie, bars or horizontal bars of one dimension's classes (colours by class code)."""
    shown = [d for d in items if (d.get(measure) or 0) > 0] if kind != "xy" else items
    series = Series([d.get(measure) for d in shown], codes=[d["code"] for d in shown])
    return Chart(key, "", kind=kind, categories=[d["label"] for d in shown], series=[series])


def pareto(p: dict[str, Any], t: Text) -> Chart:
    def points(curve: list[dict[str, Any]]) -> list[list[float]]:
        return [[0, 0], *([d["pct"] * 100, d["share"] * 100] for d in curve)]

    return Chart(
        "pareto",
        "",
        x_numeric=True,
        percent=True,
        series=[
            Series(points(p.get("revenue") or []), t("revenue_share"), kind="line", mark_at=20,
                   mark_y=80),
            Series(points(p.get("profit") or []), t("profit_share"), kind="line"),
        ],
    )  # fmt: skip


def flows(f: dict[str, Any]) -> Chart:
    """The Sankey of class changes between two snapshot dates (nodes named with the date)."""
    nodes: dict[str, str] = {}
    links = []
    for link in f["links"]:
        if link["customers"] <= 0:
            continue
        a = f"{link['from_label']} ·{f['from'][5:]}"
        b = f"{link['to_label']} ·{f['to'][5:]}"
        nodes[a], nodes[b] = link["from"], link["to"]
        links.append((a, b, link["customers"]))
    return Chart("flows", "", kind="flow", nodes=list(nodes.items()), links=links)


# the relationship map: node size by influence, colour by attitude, line width by strength
INFLUENCE_SIZE = {"high": 46, "medium": 34, "low": 24}
ATTITUDE_COLOUR = {"supporter": "#10b981", "neutral": "#94a3b8", "opponent": "#ef4444"}


def relationship(m: dict[str, Any]) -> dict[str, Any] | None:
    """An account's decision chain as a graph: the customer in the middle, each contact on an
    ellipse around it (started off the axis, so no contact sits on a line with the centre)."""
    contacts = m.get("contacts") or []
    if not contacts:
        return None
    nodes: list[dict[str, Any]] = [
        {"name": m["center"], "x": 0, "y": 0, "symbolSize": 58, "itemStyle": {"color": "#4f46e5"},
         "label": {"show": True, "position": "bottom", "fontWeight": 600}},
    ]  # fmt: skip
    links = []
    for i, c in enumerate(contacts):
        node_id = f"{c['name']}\u200b{i}"  # two contacts may share a name
        angle = math.pi / 4 + 2 * math.pi * i / len(contacts)
        nodes.append({
            "name": node_id, "value": c["role"],
            "symbolSize": INFLUENCE_SIZE.get(c["influence"], 20),
            "x": math.cos(angle) * 100, "y": math.sin(angle) * 70,
            "itemStyle": {"color": ATTITUDE_COLOUR.get(c["attitude"], "#cbd5e1")},
            "label": {"show": True, "position": "right", "formatter": f"{c['name']}\n{c['role']}"},
            "tooltip": {"formatter": f"{c['name']} · {c.get('title') or ''}<br>{c['role']} · "
                                     f"{c.get('attitude_label') or '—'} · {c['last']}"},
        })  # fmt: skip
        links.append({"source": m["center"], "target": node_id,
                      "lineStyle": {"width": (c.get("relationship") or 1) * 1.6,
                                    "color": "#c7d2fe", "curveness": 0.1}})  # fmt: skip
    option = {
        "tooltip": {"trigger": "item"},
        "series": [{"type": "graph", "layout": "none", "roam": False, "data": nodes, "links": links,
                    "left": "14%", "right": "22%", "top": 40, "bottom": 40,
                    "emphasis": {"focus": "adjacency"}}],
    }  # fmt: skip
    return {"option": option, "look": {"kind": "graph"}}


def overview(data: dict[str, Any], t: Text) -> dict[str, Any]:
    return {
        "rfm_type": drawn(shares("rfm_type", data["rfm_type"], "count", "pie"), donut=True,
                          total=t("customers")),
        "value_tier": drawn(shares("value_tier", data["value_tier"], "count", "xy")),
        "lifecycle": drawn(shares("lifecycle", data["lifecycle"], "count", "hbar")),
        "tier_revenue": drawn(shares("tier_revenue", data["value_tier"], "spend_12m", "pie"),
                              money=True),
        "pareto": drawn(pareto(data["pareto"], t)),
        "flows": drawn(flows(data["flows"])) if data["flows"]["links"] else None,
    }  # fmt: skip


def customer(monthly: list[dict[str, Any]], history: list[dict[str, Any]],
             radar: list[dict[str, Any]], t: Text, col: Text) -> dict[str, Any]:  # fmt: skip
    def pct(v: Any) -> Any:
        return None if v is None else round(v * 100)

    spend = Chart("spend", "", categories=[r["month"] for r in monthly],
                  series=[Series([r["amount"] for r in monthly])])  # fmt: skip
    trend = Chart(
        "history",
        "",
        categories=[r["as_of"] for r in history],
        series=[
            Series([None if r["value_score"] is None else round(r["value_score"], 1)
                    for r in history], col("value_score"), kind="line"),
            Series([pct(r["churn_risk"]) for r in history], f"{col('churn_risk')} %",
                   kind="line"),
        ],
        y_max=100,
    )  # fmt: skip
    have = [d for d in radar if d["value"] is not None]
    dims = Chart("radar", "", kind="radar", categories=[t(f"dim_{d['code']}") for d in radar],
                 series=[Series([d["value"] for d in radar])])  # fmt: skip
    return {
        "monthly": drawn(spend, money=True),
        "history": drawn(trend),
        "radar": drawn(dims) if have else None,
    }


def goal(series: list[dict[str, Any]], t: Text) -> dict[str, Any] | None:
    return drawn(
        Chart(
            "goal",
            "",
            categories=[r["period"] for r in series],
            series=[
                Series([r["value"] for r in series], t("actual")),
                Series([r["expected"] for r in series], t("expected"), kind="line", muted=True),
            ],
        )
    )
