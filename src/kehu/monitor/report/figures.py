"""The report's charts, each defined once as a `kehu.charts.Chart` (HTML draws it with
ECharts, XLSX and PDF as a PNG)."""

from __future__ import annotations

from typing import Any

from kehu.charts import Chart, Series
from kehu.i18n import tr

RATES = ("churn_rate", "retention_rate", "repurchase_rate", "collection_rate", "response_sla_rate")


def kpi_trend(kpis: dict[str, Any], lang: str) -> Chart | None:
    rows = {r["code"]: r for r in kpis.get("rows", [])}
    if "revenue" not in rows:
        return None
    series = [Series(rows["revenue"]["trend"], rows["revenue"]["label"])]
    if "active_customers" in rows:
        active = rows["active_customers"]
        series.append(Series(active["trend"], active["label"], kind="line", axis=1))
    return Chart(
        "kpi_trend",
        tr(lang, "销售额与活跃客户趋势", "Revenue and active customers"),
        categories=kpis["periods"],
        series=series,
        y_names=(tr(lang, "元", "yuan"), tr(lang, "客户数", "customers")),
    )


def rate_trend(kpis: dict[str, Any], lang: str) -> Chart | None:
    rows = [r for r in kpis.get("rows", []) if r["code"] in RATES]
    if not rows:
        return None
    return Chart(
        "rate_trend",
        tr(lang, "关键比率趋势(%)", "Key rates (%)"),
        categories=kpis["periods"],
        series=[
            Series(
                [None if v is None else round(v * 100, 2) for v in r["trend"]],
                r["label"],
                kind="line",
            )  # fmt: skip
            for r in rows
        ],
        percent=True,
    )


def distribution(key: str, dist: dict[str, Any] | None, title: str, lang: str) -> Chart | None:
    if not dist:
        return None
    rows = dist["rows"]
    series = [Series([r["count"] for r in rows], tr(lang, "本期", "current"))]
    if any(r["previous"] is not None for r in rows):
        previous = [r["previous"] for r in rows]
        series.insert(0, Series(previous, tr(lang, "上期", "previous"), muted=True))
    return Chart(key, title, categories=[r["label"] for r in rows], series=series)


def flow(key: str, f: dict[str, Any], title: str, lang: str) -> Chart | None:
    if not f.get("available") or not f.get("moved"):
        return None
    return Chart(
        key,
        title,
        kind="flow",
        labels=f["labels"],
        matrix=f["matrix"],
        before=tr(lang, "上期", "before"),
        after=tr(lang, "本期", "now"),
    )


def pareto(p: dict[str, Any], lang: str) -> Chart | None:
    if not p.get("available"):
        return None
    series = [
        Series([round(y * 100, 2) for y in p["revenue"]],
               tr(lang, "销售额累计占比", "cumulative revenue"), kind="line", mark_at=20)
    ]  # fmt: skip
    if p.get("profit"):
        series.append(
            Series([round(y * 100, 2) for y in p["profit"]],
                   tr(lang, "利润累计占比", "cumulative profit"), kind="line")
        )  # fmt: skip
    return Chart(
        "pareto",
        tr(lang, "帕累托曲线", "Pareto curve"),
        categories=[round(x * 100, 1) for x in p["x"]],
        series=series,
        x_name=tr(lang, "客户占比(%)", "share of customers (%)"),
        percent=True,
    )


def clv(h: dict[str, Any], lang: str) -> Chart | None:
    if not h.get("available"):
        return None
    edges = h["edges"]
    return Chart(
        "clv",
        tr(lang, "客户终生价值分布", "CLV distribution"),
        categories=[f"{edges[i]:,.0f}" for i in range(len(edges) - 1)],
        series=[Series(h["counts"])],
        x_name=tr(lang, "元", "yuan"),
        y_names=(tr(lang, "客户数", "customers"),),
    )


def issues(fb: dict[str, Any], lang: str) -> Chart | None:
    top = fb.get("top_issues") or []
    if not top:
        return None
    return Chart(
        "issues",
        tr(lang, "高频问题", "Frequent issues"),
        kind="hbar",
        categories=[i["term"] for i in top],
        series=[Series([i["count"] for i in top])],
    )


def complaint_trend(fb: dict[str, Any], lang: str) -> Chart | None:
    trend = fb.get("complaint_trend") or {}
    if not trend.get("topics"):
        return None
    return Chart(
        "complaints",
        tr(lang, "投诉主题趋势", "Complaint topics over time"),
        categories=trend["periods"],
        series=[Series(s["counts"], s["label"], kind="line") for s in trend["topics"]],
    )


def targets(t: dict[str, Any], dim: str, lang: str) -> Chart | None:
    rows = t.get(dim) or []
    if not rows:
        return None
    return Chart(
        f"targets_{dim}",
        tr(lang, "目标达成(按区域)", "Target attainment by region")
        if dim == "region"
        else tr(lang, "目标达成(按负责人)", "Target attainment by owner"),
        categories=[r["unit"] for r in rows],
        series=[
            Series([r["target"] for r in rows], tr(lang, "目标", "target"), muted=True),
            Series([r["actual"] for r in rows], tr(lang, "实际", "actual")),
        ],
    )


def report_charts(data: dict[str, Any], lang: str) -> dict[str, Chart]:
    """Chart id -> chart, for every chart whose data is available."""
    from kehu.monitor.report.economics import timeline_chart

    charts = [
        kpi_trend(data["kpis"], lang),
        rate_trend(data["kpis"], lang),
        distribution("rfm_type", data["rfm_type"], tr(lang, "RFM 客户类型分布", "RFM types"), lang),
        distribution(
            "value_tier", data["value_tier"], tr(lang, "价值层级分布", "Value tiers"), lang
        ),
        flow(
            "tier_flow",
            data["flows"]["value_tier"],
            tr(lang, "价值层级流转", "Tier flows since last period"),
            lang,
        ),
        flow(
            "rfm_flow", data["flows"]["rfm_type"], tr(lang, "RFM 类型流转", "RFM type flows"), lang
        ),
        pareto(data["pareto"], lang),
        clv(data["clv"], lang),
        issues(data["feedback"], lang),
        complaint_trend(data["feedback"], lang),
        targets(data["targets"], "region", lang),
        targets(data["targets"], "owner", lang),
        timeline_chart(data, lang),
    ]
    return {c.id: c for c in charts if c is not None}
