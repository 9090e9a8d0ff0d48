"""Charts as data: a `Chart` says what is drawn (categories, series, a flow matrix);
`echarts_option` turns it into the ECharts option the HTML report and the web draw, and the
report's PNG writer draws the same `Chart` with matplotlib. One definition per chart."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

PALETTE = ["#5470c6", "#91cc75", "#fac858", "#ee6666", "#73c0de", "#3ba272", "#fc8452"]
MUTED = "#c8d1e6"  # the colour of what is compared against (previous period, target)


@dataclass(frozen=True)
class Series:
    values: list[Any]
    name: str | None = None
    kind: Literal["bar", "line"] = "bar"
    axis: int = 0  # 1: the right-hand y axis
    muted: bool = False
    mark_at: Any = None  # a dashed vertical line at this category


@dataclass(frozen=True)
class Chart:
    """`xy`: bars and lines over categories; `hbar`: one horizontal bar series; `flow`: how
    many moved from each label (rows, `before`) to each label (columns, `after`)."""

    id: str
    title: str
    kind: Literal["xy", "hbar", "flow"] = "xy"
    categories: list[Any] = field(default_factory=list)
    series: list[Series] = field(default_factory=list)
    y_names: tuple[str | None, ...] = (None,)
    x_name: str | None = None
    percent: bool = False  # values are percentages
    labels: list[str] = field(default_factory=list)  # flow
    matrix: list[list[int]] = field(default_factory=list)  # flow
    before: str = ""
    after: str = ""


def echarts_option(chart: Chart) -> dict[str, Any]:
    """The ECharts option (a plain, JSON-ready dict) that draws `chart`."""
    opt: dict[str, Any] = {
        "color": PALETTE,
        "title": {"text": chart.title, "left": "center", "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "item" if chart.kind == "flow" else "axis"},
        "animation": False,
    }
    if chart.kind == "flow":
        opt["series"] = [_sankey(chart)]
        return opt
    opt["grid"] = {"left": 110 if chart.kind == "hbar" else 60, "right": 40, "top": 50,
                   "bottom": 50}  # fmt: skip
    if any(s.name for s in chart.series):
        opt["legend"] = {"bottom": 0}
    if chart.kind == "hbar":
        opt["xAxis"] = {"type": "value"}
        opt["yAxis"] = {"type": "category", "inverse": True, "data": chart.categories}
    else:
        opt["xAxis"] = {"type": "category", "data": chart.categories}
        if chart.x_name:
            opt["xAxis"]["name"] = chart.x_name
        axes = [_y_axis(name, chart.percent) for name in chart.y_names]
        opt["yAxis"] = axes if len(axes) > 1 else axes[0]
    opt["series"] = [_series(s) for s in chart.series]
    return opt


def _y_axis(name: str | None, percent: bool) -> dict[str, Any]:
    axis: dict[str, Any] = {"type": "value"}
    if name:
        axis["name"] = name
    if percent:
        axis["axisLabel"] = {"formatter": "{value}%"}
    return axis


def _series(s: Series) -> dict[str, Any]:
    out: dict[str, Any] = {"type": s.kind, "data": s.values}
    if s.name:
        out["name"] = s.name
    if s.axis:
        out["yAxisIndex"] = s.axis
    if s.muted:
        out["itemStyle"] = {"color": MUTED}
    if s.kind == "line" and len(s.values) > 24:
        out["showSymbol"] = False
    if s.mark_at is not None:
        out["markLine"] = {"symbol": "none", "data": [{"xAxis": s.mark_at}],
                           "lineStyle": {"type": "dashed"}}  # fmt: skip
    return out


def _sankey(chart: Chart) -> dict[str, Any]:
    before = [f"{chart.before}·{x}" for x in chart.labels]
    after = [f"{chart.after}·{x}" for x in chart.labels]
    links = [
        {"source": before[i], "target": after[j], "value": v}
        for i, row in enumerate(chart.matrix)
        for j, v in enumerate(row)
        if v
    ]
    return {
        "type": "sankey",
        "data": [{"name": n} for n in before + after],
        "links": links,
        "top": 40,
        "emphasis": {"focus": "adjacency"},
        "lineStyle": {"color": "gradient", "opacity": 0.4},
    }
