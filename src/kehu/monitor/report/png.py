"""Report charts as PNG (matplotlib, Agg) for the XLSX and PDF reports: the same `Chart`
the HTML report draws with ECharts.

Chinese labels need a CJK font: a system one when fontconfig has it (Debian's
fonts-noto-cjk), else Noto Sans SC shipped by the `pylopdf-fonts-zh-cn` wheel (a dependency),
so charts render the same on any machine without apt.
"""

from __future__ import annotations

import io
from functools import lru_cache
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from kehu.charts import MUTED, PALETTE, SPAN_COLOURS, Chart  # noqa: E402

PREFERRED = (
    "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei", "Microsoft YaHei", "SimHei", "PingFang SC",
)  # fmt: skip


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The family name of a CJK font matplotlib can use (registering the shipped one)."""
    names = {f.name for f in font_manager.fontManager.ttflist}
    for name in PREFERRED:
        if name in names:
            return name
    try:
        import pylopdf_fonts_zh_cn

        path = pylopdf_fonts_zh_cn.sans_path()
    except ImportError:
        return None
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


def _png(fig: Any, percent: bool = False) -> bytes:
    for ax in fig.axes:
        ax.yaxis.set_major_formatter(
            FuncFormatter(lambda v, _pos: f"{v:g}%")
            if percent
            else FuncFormatter(lambda v, _pos: f"{v:,.0f}" if abs(v) >= 1000 else f"{v:g}")
        )
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


def _fonted(fn: Any) -> Any:
    def wrapper(*args: Any, **kwargs: Any) -> bytes:
        font = cjk_font()
        families = [font, "DejaVu Sans"] if font else ["DejaVu Sans"]
        with plt.rc_context(
            {
                "font.family": families,
                "axes.unicode_minus": False,
                "axes.spines.top": False,
                "axes.spines.right": False,
            }
        ):
            return fn(*args, **kwargs)

    return wrapper


@_fonted
def chart_png(chart: Chart) -> bytes:
    """`chart` drawn as a PNG."""
    if chart.kind == "flow":
        return _flow(chart)
    if chart.kind == "gantt":
        return _gantt(chart)
    fig, ax = plt.subplots(figsize=(7, 3.6), dpi=110)
    if chart.kind == "hbar":
        ax.barh(range(len(chart.categories)), chart.series[0].values, color=PALETTE[0])
        ax.set_yticks(range(len(chart.categories)), [str(c) for c in chart.categories])
        ax.invert_yaxis()
        ax.set_title(chart.title)
        return _png(fig)
    x = list(range(len(chart.categories)))
    bars = [s for s in chart.series if s.kind == "bar" and not s.axis]
    width = 0.8 / max(len(bars), 1)
    right = ax.twinx() if any(s.axis for s in chart.series) else None
    colours = iter(PALETTE)
    for s in chart.series:
        target = right if s.axis and right is not None else ax
        colour = MUTED if s.muted else next(colours)
        values = [float("nan") if v is None else v for v in s.values]
        if s.kind == "bar" and target is ax:
            k = bars.index(s)
            shift = (k - (len(bars) - 1) / 2) * width
            ax.bar([i + shift for i in x], values, width, color=colour, label=s.name)
        else:
            target.plot(x, values, color=colour, lw=2, marker="o" if len(x) <= 24 else None,
                        label=s.name)  # fmt: skip
        if s.mark_at is not None and s.mark_at in chart.categories:
            ax.axvline(chart.categories.index(s.mark_at), color="#bbb", lw=1, ls=":")
    step = max(1, len(x) // 10)
    ax.set_xticks(x[::step], [str(c) for c in chart.categories[::step]])
    if chart.x_name:
        ax.set_xlabel(chart.x_name)
    names = list(chart.y_names) + [None]
    if names[0]:
        ax.set_ylabel(names[0])
    if right is not None and names[1]:
        right.set_ylabel(names[1])
    handles = [h for a in (ax, right) if a is not None for h in a.get_legend_handles_labels()[0]]
    if any(s.name for s in chart.series):
        ax.legend(handles=handles, frameon=False, loc="upper center", ncol=min(len(handles), 3),
                  bbox_to_anchor=(0.5, -0.2 if chart.x_name else -0.12))  # fmt: skip
    ax.set_title(chart.title)
    return _png(fig, chart.percent)


def _gantt(chart: Chart) -> bytes:
    """Timeline bars, one row per category, coloured by status."""
    from datetime import date

    from matplotlib import dates as mdates

    rows = max(len(chart.categories), 1)
    fig, ax = plt.subplots(figsize=(7, min(1.2 + 0.28 * rows, 9)), dpi=110)
    for i, (a, b, code) in enumerate(chart.spans):
        left, right = (mdates.date2num(date.fromisoformat(d)) for d in (a, b))
        ax.barh(i, right - left, left=left, height=0.5, color=SPAN_COLOURS.get(code, PALETTE[0]))
    ax.set_yticks(range(len(chart.categories)), [str(c) for c in chart.categories])
    ax.invert_yaxis()
    ax.xaxis_date()
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
    ax.set_title(chart.title)
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


def _flow(chart: Chart) -> bytes:
    """A flow as the matrix it is (matplotlib draws no Sankey of this kind)."""
    fig, ax = plt.subplots(figsize=(5.6, 3.8), dpi=110)
    ax.imshow(chart.matrix, cmap="Blues")
    ax.set_xticks(range(len(chart.labels)), chart.labels)
    ax.set_yticks(range(len(chart.labels)), chart.labels)
    ax.set_xlabel(chart.after)
    ax.set_ylabel(chart.before)
    top = max((max(r) for r in chart.matrix), default=0)
    for i, row in enumerate(chart.matrix):
        for j, v in enumerate(row):
            colour = "white" if top and v > top * 0.6 else "#333"
            ax.text(j, i, str(v), ha="center", va="center", color=colour)
    ax.set_title(chart.title)
    return _png(fig)
