"""The PNG charts of a report (for XLSX and PDF), keyed like the HTML charts."""

from __future__ import annotations

from typing import Any

from kehu.i18n import tr
from kehu.monitor.report import charts


def report_images(data: dict[str, Any], lang: str) -> dict[str, bytes]:
    """Chart id -> PNG bytes, for every chart whose data is available."""
    out: dict[str, bytes] = {}
    kpis = data["kpis"]
    rows = {r["code"]: r for r in kpis.get("rows", [])}
    if "revenue" in rows:
        out["kpi_trend"] = charts.trend_chart(
            kpis["periods"],
            {rows["revenue"]["label"]: rows["revenue"]["trend"]},
            tr(lang, "销售额趋势", "Revenue trend"),
        )
    for kind, title in (
        ("rfm_type", tr(lang, "RFM 客户类型分布", "RFM types")),
        ("value_tier", tr(lang, "价值层级分布", "Value tiers")),
    ):
        dist = data.get(kind)
        if dist:
            prev = [r["previous"] or 0 for r in dist["rows"]]
            has_prev = any(r["previous"] is not None for r in dist["rows"])
            out[kind] = charts.bar_chart(
                [r["label"] for r in dist["rows"]],
                [r["count"] for r in dist["rows"]],
                title,
                prev if has_prev else None,
                lang,
            )
    flow = data["flows"]["value_tier"]
    if flow.get("available"):
        out["tier_flow"] = charts.heatmap_chart(
            flow["labels"], flow["matrix"], tr(lang, "价值层级流转", "Tier flows"), lang
        )
    if data["pareto"].get("available"):
        out["pareto"] = charts.pareto_chart(data["pareto"], lang)
    if data["clv"].get("available"):
        out["clv"] = charts.histogram_chart(data["clv"], lang)
    top = data["feedback"].get("top_issues") or []
    if top:
        out["issues"] = charts.bar_chart(
            [i["term"] for i in top],
            [i["count"] for i in top],
            tr(lang, "高频问题", "Frequent issues"),
            lang=lang,
        )
    regions = data["targets"].get("region") or []
    if regions:
        out["targets_region"] = charts.bar_chart(
            [r["unit"] for r in regions],
            [r["actual"] for r in regions],
            tr(lang, "目标达成(按区域)", "Target attainment by region"),
            [r["target"] for r in regions],
            lang,
        )
    return out
