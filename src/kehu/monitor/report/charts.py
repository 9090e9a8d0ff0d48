"""Report charts as PNG (matplotlib, Agg) for the XLSX and PDF reports.

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

from kehu.i18n import tr  # noqa: E402

PREFERRED = (
    "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei", "Microsoft YaHei", "SimHei", "PingFang SC",
)  # fmt: skip
PALETTE = ["#5470c6", "#91cc75", "#fac858", "#ee6666", "#73c0de", "#3ba272", "#fc8452"]


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


def _png(fig: Any) -> bytes:
    for ax in fig.axes:
        ax.yaxis.set_major_formatter(
            FuncFormatter(lambda v, _pos: f"{v:,.0f}" if abs(v) >= 1000 else f"{v:g}")
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
def bar_chart(
    labels: list[str],
    values: list[float],
    title: str,
    previous: list[float] | None = None,
    lang: str = "zh",
) -> bytes:
    fig, ax = plt.subplots(figsize=(7, 3.2), dpi=110)
    x = range(len(labels))
    if previous is not None:
        w = 0.38
        ax.bar(
            [i - w / 2 for i in x], previous, w, label=tr(lang, "上期", "previous"), color="#c8d1e6"
        )
        ax.bar(
            [i + w / 2 for i in x], values, w, label=tr(lang, "本期", "current"), color=PALETTE[0]
        )
        ax.legend(frameon=False, loc="lower center", bbox_to_anchor=(0.5, 1.02), ncol=2)
    else:
        ax.bar(list(x), values, color=PALETTE[0])
    ax.set_xticks(list(x), labels)
    ax.set_title(title, pad=22 if previous is not None else 6)
    return _png(fig)


@_fonted
def pareto_chart(data: dict[str, Any], lang: str) -> bytes:
    fig, ax = plt.subplots(figsize=(7, 3.4), dpi=110)
    xs = [x * 100 for x in data["x"]]
    ax.plot(
        xs,
        [y * 100 for y in data["revenue"]],
        color=PALETTE[0],
        lw=2,
        label=tr(lang, "近12个月销售额累计占比", "cumulative share of 12-month revenue"),
    )
    if data.get("profit"):
        ax.plot(
            xs,
            [y * 100 for y in data["profit"]],
            color=PALETTE[3],
            lw=2,
            label=tr(lang, "历史利润累计占比", "cumulative share of profit"),
        )
    ax.plot([0, 100], [0, 100], color="#999", lw=1, ls="--")
    ax.axvline(20, color="#bbb", lw=1, ls=":")
    ax.set_xlabel(tr(lang, "客户占比(按销售额降序,%)", "share of customers, by revenue (%)"))
    ax.set_ylabel("%")
    ax.set_title(tr(lang, "帕累托曲线", "Pareto curve"))
    ax.legend(frameon=False, loc="lower right")
    return _png(fig)


@_fonted
def histogram_chart(data: dict[str, Any], lang: str) -> bytes:
    fig, ax = plt.subplots(figsize=(7, 3.2), dpi=110)
    edges = data["edges"]
    widths = [edges[i + 1] - edges[i] for i in range(len(edges) - 1)]
    ax.bar(
        edges[:-1], data["counts"], width=widths, align="edge", color=PALETTE[1], edgecolor="white"
    )
    ax.set_xlabel(tr(lang, "预测 CLV(元)", "predicted CLV (yuan)"))
    ax.set_ylabel(tr(lang, "客户数", "customers"))
    ax.set_title(tr(lang, "客户终生价值分布", "CLV distribution"))
    return _png(fig)


@_fonted
def trend_chart(periods: list[str], series: dict[str, list[float | None]], title: str) -> bytes:
    fig, ax = plt.subplots(figsize=(7, 3.2), dpi=110)
    for i, (name, values) in enumerate(series.items()):
        ax.plot(
            periods,
            [v if v is not None else float("nan") for v in values],
            marker="o",
            color=PALETTE[i % len(PALETTE)],
            label=name,
        )
    ax.set_title(title)
    ax.legend(frameon=False)
    return _png(fig)


@_fonted
def heatmap_chart(labels: list[str], matrix: list[list[int]], title: str, lang: str) -> bytes:
    fig, ax = plt.subplots(figsize=(5.6, 3.8), dpi=110)
    ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(labels)), labels)
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel(tr(lang, "本期", "now"))
    ax.set_ylabel(tr(lang, "上期", "before"))
    top = max((max(r) for r in matrix), default=0)
    for i, row in enumerate(matrix):
        for j, v in enumerate(row):
            ax.text(
                j,
                i,
                str(v),
                ha="center",
                va="center",
                color="white" if top and v > top * 0.6 else "#333",
            )
    ax.set_title(title)
    return _png(fig)
