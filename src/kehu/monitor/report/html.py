"""The HTML report: one self-contained file (ECharts inlined, no external URL)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from kehu.charts import echarts_option
from kehu.monitor.report.figures import report_charts
from kehu.monitor.report.sections import Column, Mark, Note, Table, report_sections, shown
from kehu.monitor.report.texts import T

ECHARTS = Path(__file__).resolve().parents[2] / "web" / "static" / "vendor" / "echarts.min.js"


@lru_cache(maxsize=1)
def echarts_source() -> str:
    """The vendored ECharts build (shared with the web dashboard)."""
    return ECHARTS.read_text(encoding="utf-8").replace("</script", "<\\/script")


def cell_class(column: Column, value: Any) -> str:
    """`num` for a formatted number (right-aligned), plus the tone of a mark."""
    numeric = column.fmt or column.figures or isinstance(value, int | float)
    tone = value.tone if isinstance(value, Mark) else ""
    return " ".join(c for c in ("num" if numeric else "", tone) if c)


def render_html(data: dict[str, Any]) -> str:
    lang = data["meta"]["lang"]
    env = Environment(
        loader=FileSystemLoader(str(Path(__file__).parent / "templates")),
        autoescape=select_autoescape(["html", "j2"]),
    )
    charts = {k: echarts_option(c) for k, c in report_charts(data, lang).items()}
    charts_json = json.dumps(charts, ensure_ascii=False, default=str).replace("</", "<\\/")
    return env.get_template("report.html.j2").render(
        meta=data["meta"],
        lang=lang,
        sections=report_sections(data, charts, lang),
        charts_json=charts_json,
        echarts_js=echarts_source(),
        t=lambda key, **kw: T(key, lang, **kw),
        shown=shown,
        cell_class=cell_class,
        is_note=lambda b: isinstance(b, Note),
        is_table=lambda b: isinstance(b, Table),
    )
