"""ECharts options (plain dicts) for the interactive HTML report."""

from __future__ import annotations

from typing import Any

from kehu.i18n import tr

PALETTE = ["#5470c6", "#91cc75", "#fac858", "#ee6666", "#73c0de", "#3ba272", "#fc8452"]


def _base(title: str) -> dict[str, Any]:
    return {
        "color": PALETTE,
        "title": {"text": title, "left": "center", "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 60, "right": 40, "top": 50, "bottom": 50},
        "animation": False,
    }


def kpi_trend(kpis: dict[str, Any], lang: str) -> dict[str, Any] | None:
    rows = {r["code"]: r for r in kpis.get("rows", [])}
    if "revenue" not in rows:
        return None
    opt = _base(tr(lang, "销售额与活跃客户趋势", "Revenue and active customers"))
    opt["legend"] = {"bottom": 0}
    opt["xAxis"] = {"type": "category", "data": kpis["periods"]}
    opt["yAxis"] = [
        {"type": "value", "name": tr(lang, "元", "yuan")},
        {"type": "value", "name": tr(lang, "客户数", "customers")},
    ]
    opt["series"] = [
        {"type": "bar", "name": rows["revenue"]["label"], "data": rows["revenue"]["trend"]}
    ]
    if "active_customers" in rows:
        opt["series"].append(
            {
                "type": "line",
                "yAxisIndex": 1,
                "name": rows["active_customers"]["label"],
                "data": rows["active_customers"]["trend"],
            }
        )
    return opt


def rate_trend(kpis: dict[str, Any], lang: str) -> dict[str, Any] | None:
    codes = (
        "churn_rate",
        "retention_rate",
        "repurchase_rate",
        "collection_rate",
        "response_sla_rate",
    )
    rows = [r for r in kpis.get("rows", []) if r["code"] in codes]
    if not rows:
        return None
    opt = _base(tr(lang, "关键比率趋势(%)", "Key rates (%)"))
    opt["legend"] = {"bottom": 0}
    opt["xAxis"] = {"type": "category", "data": kpis["periods"]}
    opt["yAxis"] = {"type": "value", "axisLabel": {"formatter": "{value}%"}}
    opt["series"] = [
        {
            "type": "line",
            "name": r["label"],
            "data": [None if v is None else round(v * 100, 2) for v in r["trend"]],
        }
        for r in rows
    ]
    return opt


def distribution(dist: dict[str, Any] | None, title: str, lang: str) -> dict[str, Any] | None:
    if not dist:
        return None
    opt = _base(title)
    opt["legend"] = {"bottom": 0}
    opt["xAxis"] = {"type": "category", "data": [r["label"] for r in dist["rows"]]}
    opt["yAxis"] = {"type": "value"}
    series = []
    if any(r["previous"] is not None for r in dist["rows"]):
        series.append(
            {
                "type": "bar",
                "name": tr(lang, "上期", "previous"),
                "data": [r["previous"] for r in dist["rows"]],
                "itemStyle": {"color": "#c8d1e6"},
            }
        )
    series.append(
        {
            "type": "bar",
            "name": tr(lang, "本期", "current"),
            "data": [r["count"] for r in dist["rows"]],
        }
    )
    opt["series"] = series
    return opt


def sankey(flow: dict[str, Any], title: str, lang: str) -> dict[str, Any] | None:
    if not flow.get("available") or not flow.get("moved"):
        return None
    before, after = tr(lang, "上期", "before"), tr(lang, "本期", "now")
    nodes = [{"name": f"{before}·{x}"} for x in flow["labels"]]
    nodes += [{"name": f"{after}·{x}"} for x in flow["labels"]]
    links = [
        {"source": f"{before}·{a}", "target": f"{after}·{b}", "value": v}
        for i, a in enumerate(flow["labels"])
        for j, b in enumerate(flow["labels"])
        if (v := flow["matrix"][i][j])
    ]
    return {
        "title": {"text": title, "left": "center", "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "item"},
        "animation": False,
        "color": PALETTE,
        "series": [
            {
                "type": "sankey",
                "data": nodes,
                "links": links,
                "top": 40,
                "emphasis": {"focus": "adjacency"},
                "lineStyle": {"color": "gradient", "opacity": 0.4},
            }
        ],
    }


def pareto(p: dict[str, Any], lang: str) -> dict[str, Any] | None:
    if not p.get("available"):
        return None
    opt = _base(tr(lang, "帕累托曲线", "Pareto curve"))
    opt["legend"] = {"bottom": 0}
    xs = [round(x * 100, 1) for x in p["x"]]
    opt["xAxis"] = {"type": "category", "data": xs, "name": "%", "axisLabel": {"interval": 9}}
    opt["yAxis"] = {"type": "value", "axisLabel": {"formatter": "{value}%"}}
    opt["series"] = [
        {
            "type": "line",
            "showSymbol": False,
            "name": tr(lang, "销售额累计占比", "cumulative revenue"),
            "data": [round(y * 100, 2) for y in p["revenue"]],
            "markLine": {
                "symbol": "none",
                "data": [{"xAxis": 20}],
                "lineStyle": {"type": "dashed"},
            },
        }
    ]
    if p.get("profit"):
        opt["series"].append(
            {
                "type": "line",
                "showSymbol": False,
                "name": tr(lang, "利润累计占比", "cumulative profit"),
                "data": [round(y * 100, 2) for y in p["profit"]],
            }
        )
    return opt


def clv(h: dict[str, Any], lang: str) -> dict[str, Any] | None:
    if not h.get("available"):
        return None
    opt = _base(tr(lang, "客户终生价值分布", "CLV distribution"))
    edges = h["edges"]
    opt["xAxis"] = {
        "type": "category",
        "name": tr(lang, "元", "yuan"),
        "data": [f"{edges[i]:,.0f}" for i in range(len(edges) - 1)],
    }
    opt["yAxis"] = {"type": "value", "name": tr(lang, "客户数", "customers")}
    opt["series"] = [{"type": "bar", "data": h["counts"], "barCategoryGap": "2%"}]
    return opt


def issues(fb: dict[str, Any], lang: str) -> dict[str, Any] | None:
    top = fb.get("top_issues") or []
    if not top:
        return None
    opt = _base(tr(lang, "高频问题", "Frequent issues"))
    opt["grid"]["left"] = 110
    opt["xAxis"] = {"type": "value"}
    opt["yAxis"] = {"type": "category", "inverse": True, "data": [i["term"] for i in top]}
    opt["series"] = [{"type": "bar", "data": [i["count"] for i in top]}]
    return opt


def complaint_trend(fb: dict[str, Any], lang: str) -> dict[str, Any] | None:
    trend = fb.get("complaint_trend") or {}
    if not trend.get("topics"):
        return None
    opt = _base(tr(lang, "投诉主题趋势", "Complaint topics over time"))
    opt["legend"] = {"bottom": 0}
    opt["xAxis"] = {"type": "category", "data": trend["periods"]}
    opt["yAxis"] = {"type": "value"}
    opt["series"] = [
        {"type": "line", "name": s["label"], "data": s["counts"]} for s in trend["topics"]
    ]
    return opt


def targets(t: dict[str, Any], dim: str, lang: str) -> dict[str, Any] | None:
    rows = t.get(dim) or []
    if not rows:
        return None
    title = (
        tr(lang, "目标达成(按区域)", "Target attainment by region")
        if dim == "region"
        else tr(lang, "目标达成(按负责人)", "Target attainment by owner")
    )
    opt = _base(title)
    opt["legend"] = {"bottom": 0}
    opt["xAxis"] = {"type": "category", "data": [r["unit"] for r in rows]}
    opt["yAxis"] = {"type": "value"}
    opt["series"] = [
        {
            "type": "bar",
            "name": tr(lang, "目标", "target"),
            "data": [r["target"] for r in rows],
            "itemStyle": {"color": "#c8d1e6"},
        },
        {"type": "bar", "name": tr(lang, "实际", "actual"), "data": [r["actual"] for r in rows]},
    ]
    return opt


def all_charts(data: dict[str, Any], lang: str) -> dict[str, dict[str, Any]]:
    """Chart id -> option, for every chart whose data is available."""
    charts = {
        "kpi_trend": kpi_trend(data["kpis"], lang),
        "rate_trend": rate_trend(data["kpis"], lang),
        "rfm_type": distribution(data["rfm_type"], tr(lang, "RFM 客户类型分布", "RFM types"), lang),
        "value_tier": distribution(
            data["value_tier"], tr(lang, "价值层级分布", "Value tiers"), lang
        ),
        "tier_flow": sankey(
            data["flows"]["value_tier"],
            tr(lang, "价值层级流转", "Tier flows since last period"),
            lang,
        ),
        "rfm_flow": sankey(
            data["flows"]["rfm_type"], tr(lang, "RFM 类型流转", "RFM type flows"), lang
        ),
        "pareto": pareto(data["pareto"], lang),
        "clv": clv(data["clv"], lang),
        "issues": issues(data["feedback"], lang),
        "complaints": complaint_trend(data["feedback"], lang),
        "targets_region": targets(data["targets"], "region", lang),
        "targets_owner": targets(data["targets"], "owner", lang),
    }
    return {k: v for k, v in charts.items() if v is not None}
