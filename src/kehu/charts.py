"""Charts as data: a `Chart` says what is drawn (categories, series, a flow);
`echarts_option` turns it into the ECharts option the HTML report and the web pages draw
(the web's script only adds its look: fonts, colours by code, money labels), and the
report's PNG writer draws the same `Chart` with matplotlib. One definition per chart."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

PALETTE = ["#5470c6", "#91cc75", "#fac858", "#ee6666", "#73c0de", "#3ba272", "#fc8452"]
MUTED = "#c8d1e6"  # the colour of what is compared against (previous period, target)
# a timeline bar's colour by its status (goal milestones)
SPAN_COLOURS = {"met": "#3ba272", "missed": "#ee6666", "current": "#5470c6",
                "planned": MUTED, "no_data": "#b8bfcc"}  # fmt: skip


@dataclass(frozen=True)
class Series:
    values: list[Any]
    name: str | None = None
    kind: Literal["bar", "line"] = "bar"
    axis: int = 0  # 1: the right-hand y axis
    muted: bool = False  # the comparison (previous period, target, expected): grey
    mark_at: Any = None  # a dashed vertical line at this category (or x value)
    mark_y: Any = None  # a dashed horizontal line at this value
    codes: list[str] | None = None  # the code of each value, for colours by meaning


@dataclass(frozen=True)
class Chart:
    """`xy`: bars and lines over categories (or, with `x_numeric`, lines of (x, y) points);
    `hbar`: one horizontal bar series; `gantt`: one bar per category over time, from `spans`
    ((first day, day after the last, status) as ISO dates); `pie`: one series' shares;
    `radar`: one series over the categories as axes (0 to `radar_max`); `flow`: how many moved
    from each label (rows, `before`) to each label (columns, `after`), or along `links`
    between `nodes`."""

    id: str
    title: str
    kind: Literal["xy", "hbar", "pie", "radar", "flow", "gantt"] = "xy"
    categories: list[Any] = field(default_factory=list)
    series: list[Series] = field(default_factory=list)
    y_names: tuple[str | None, ...] = (None,)
    x_name: str | None = None
    percent: bool = False  # values are percentages
    x_numeric: bool = False
    y_max: float | None = None
    radar_max: float = 100
    labels: list[str] = field(default_factory=list)  # flow as a matrix
    matrix: list[list[int]] = field(default_factory=list)
    before: str = ""
    after: str = ""
    nodes: list[tuple[str, str]] = field(default_factory=list)  # flow as links: (name, code)
    links: list[tuple[str, str, float]] = field(default_factory=list)  # (from, to, value)
    spans: list[tuple[str, str, str]] = field(default_factory=list)  # gantt: (start, end, status)


def echarts_option(chart: Chart) -> dict[str, Any]:
    """The ECharts option (a plain, JSON-ready dict) that draws `chart`."""
    opt: dict[str, Any] = {
        "color": PALETTE,
        "tooltip": {"trigger": "axis" if chart.kind in ("xy", "hbar") else "item"},
        "animation": False,
    }
    if chart.title:
        opt["title"] = {"text": chart.title, "left": "center", "textStyle": {"fontSize": 14}}
    if chart.kind == "flow":
        opt["series"] = [_sankey(chart)]
        return opt
    if chart.kind == "gantt":
        return opt | _gantt(chart)
    if chart.kind == "pie":
        s = chart.series[0]
        opt["legend"] = {"bottom": 0}
        opt["series"] = [{"type": "pie", "data": _items(s, chart.categories)}]
        return opt
    if chart.kind == "radar":
        indicator = [{"name": c, "max": chart.radar_max} for c in chart.categories]
        opt["radar"] = {"indicator": indicator}
        values = [v or 0 for v in chart.series[0].values]
        opt["series"] = [{"type": "radar", "data": [{"value": values}]}]
        return opt
    opt["grid"] = {"left": 110 if chart.kind == "hbar" else 60, "right": 40, "top": 50,
                   "bottom": 50}  # fmt: skip
    if any(s.name for s in chart.series):
        opt["legend"] = {"bottom": 0}
    if chart.kind == "hbar":
        opt["xAxis"] = {"type": "value"}
        opt["yAxis"] = {"type": "category", "inverse": True, "data": chart.categories}
    else:
        opt["xAxis"] = (
            _x_value(chart.percent)
            if chart.x_numeric
            else {"type": "category", "data": chart.categories}
        )
        if chart.x_name:
            opt["xAxis"]["name"] = chart.x_name
        axes = [_y_axis(name, chart.percent, chart.y_max) for name in chart.y_names]
        opt["yAxis"] = axes if len(axes) > 1 else axes[0]
    opt["series"] = [_series(s) for s in chart.series]
    return opt


def _x_value(percent: bool) -> dict[str, Any]:
    axis: dict[str, Any] = {"type": "value", "min": 0}
    if percent:
        axis |= {"max": 100, "axisLabel": {"formatter": "{value}%"}}
    return axis


def _items(s: Series, names: list[Any] | None = None) -> list[Any]:
    """A series' data: plain values, or items carrying a name and a code."""
    if s.codes is None and names is None:
        return s.values
    items = []
    for i, v in enumerate(s.values):
        item: dict[str, Any] = {"value": v}
        if names is not None:
            item["name"] = names[i]
        if s.codes is not None:
            item["code"] = s.codes[i]
        items.append(item)
    return items


def _y_axis(name: str | None, percent: bool, top: float | None) -> dict[str, Any]:
    axis: dict[str, Any] = {"type": "value"}
    if top is not None:
        axis["max"] = top
    if name:
        axis["name"] = name
    if percent:
        axis["axisLabel"] = {"formatter": "{value}%"}
    return axis


def _series(s: Series) -> dict[str, Any]:
    out: dict[str, Any] = {"type": s.kind, "data": _items(s)}
    if s.name:
        out["name"] = s.name
    if s.axis:
        out["yAxisIndex"] = s.axis
    if s.muted:
        out["itemStyle"] = {"color": MUTED}
        if s.kind == "line":
            out["lineStyle"] = {"type": "dashed", "color": MUTED}
    if s.kind == "line" and len(s.values) > 24:
        out["showSymbol"] = False
    marks = [{"xAxis": s.mark_at}] if s.mark_at is not None else []
    marks += [{"yAxis": s.mark_y}] if s.mark_y is not None else []
    if marks:
        out["markLine"] = {"symbol": "none", "data": marks, "lineStyle": {"type": "dashed"}}
    return out


def _sankey(chart: Chart) -> dict[str, Any]:
    if chart.links:
        nodes = [{"name": n, "code": c} for n, c in chart.nodes]
        links = [{"source": a, "target": b, "value": v} for a, b, v in chart.links]
    else:
        before = [f"{chart.before}·{x}" for x in chart.labels]
        after = [f"{chart.after}·{x}" for x in chart.labels]
        nodes = [{"name": n} for n in before + after]
        links = [
            {"source": before[i], "target": after[j], "value": v}
            for i, row in enumerate(chart.matrix)
            for j, v in enumerate(row)
            if v
        ]
    return {
        "type": "sankey",
        "data": nodes,
        "links": links,
        "top": 40,
        "emphasis": {"focus": "adjacency"},
        "lineStyle": {"color": "gradient", "opacity": 0.4},
    }


def _ms(day: str) -> int:
    """An ISO date as the epoch milliseconds of its UTC midnight (ECharts' time axis)."""
    return int(datetime.fromisoformat(day).replace(tzinfo=UTC).timestamp() * 1000)


def _gantt(chart: Chart) -> dict[str, Any]:
    """Bars on a time axis: an invisible bar up to each start, stacked with the span."""
    starts = [_ms(a) for a, _, _ in chart.spans]
    ends = [_ms(b) for _, b, _ in chart.spans]
    spans = [
        {"value": e - s, "itemStyle": {"color": SPAN_COLOURS.get(code, PALETTE[0])}}
        for s, e, (_, _, code) in zip(starts, ends, chart.spans, strict=True)
    ]
    return {
        "tooltip": {"show": False},
        "grid": {"left": 160, "right": 30, "top": 40 if chart.title else 10, "bottom": 30},
        "xAxis": {"type": "time", "min": min(starts, default=0), "max": max(ends, default=0)},
        "yAxis": {"type": "category", "inverse": True, "data": chart.categories},
        "series": [
            {"type": "bar", "stack": "span", "data": starts, "silent": True,
             "itemStyle": {"color": "transparent"}},
            {"type": "bar", "stack": "span", "data": spans, "barWidth": 12},
        ],
    }  # fmt: skip
