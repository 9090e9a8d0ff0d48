"""The HTML report: one self-contained file (ECharts inlined, no external URL)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from kehu.monitor.labels import value_label
from kehu.monitor.report.echarts import all_charts
from kehu.monitor.report.texts import T, backtest_cells, backtest_headers

ECHARTS = Path(__file__).resolve().parents[2] / "web" / "static" / "vendor" / "echarts.min.js"


@lru_cache(maxsize=1)
def echarts_source() -> str:
    """The vendored ECharts build (shared with the web dashboard)."""
    return ECHARTS.read_text(encoding="utf-8").replace("</script", "<\\/script")


def money(v: Any) -> str:
    return "—" if v is None else f"¥{float(v):,.0f}"


def pct(v: Any) -> str:
    return "—" if v is None else f"{float(v) * 100:.1f}%"


def flatten(data: Any, prefix: str = "") -> list[tuple[str, str]]:
    """A nested dict as (dotted key, value) rows (for the data quality table)."""
    if isinstance(data, dict):
        out: list[tuple[str, str]] = []
        for k, v in data.items():
            out += flatten(v, f"{prefix}{k}.")
        return out
    if isinstance(data, list):
        text = ", ".join(str(x) for x in data[:12]) + (" …" if len(data) > 12 else "")
        return [(prefix.rstrip("."), text)]
    return [(prefix.rstrip("."), str(data))]


def render_html(data: dict[str, Any]) -> str:
    lang = data["meta"]["lang"]
    env = Environment(
        loader=FileSystemLoader(str(Path(__file__).parent / "templates")),
        autoescape=select_autoescape(["html", "j2"]),
    )
    charts = all_charts(data, lang)
    charts_json = json.dumps(charts, ensure_ascii=False, default=str).replace("</", "<\\/")
    quality_rows = flatten(data["quality"].get("data", {})) if data["quality"]["available"] else []
    return env.get_template("report.html.j2").render(
        **data,
        lang=lang,
        charts=charts,
        charts_json=charts_json,
        echarts_js=echarts_source(),
        t=lambda key, **kw: T(key, lang, **kw),
        money=money,
        pct=pct,
        status=lambda s: value_label("status", s, lang),
        quality_rows=quality_rows[:40],
        backtest_headers=backtest_headers(lang),
        backtest_cells=backtest_cells(data) if data["backtest"]["available"] else {},
    )
