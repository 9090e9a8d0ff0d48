"""The PDF report (reportlab platypus): text in the built-in CID font STSong-Light (no font
file needed, Chinese and Latin), PNG charts from matplotlib embedded."""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import (
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from kehu.monitor.report.html import flatten, money, pct
from kehu.monitor.report.images import report_images
from kehu.monitor.report.texts import T, backtest_cells, backtest_headers, goal_rows

FONT = "STSong-Light"
WIDTH = A4[0] - 30 * mm


@lru_cache(maxsize=1)
def _styles() -> dict[str, ParagraphStyle]:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    base = ParagraphStyle("base", fontName=FONT, fontSize=9, leading=13, wordWrap="CJK")
    return {
        "base": base,
        "title": ParagraphStyle("title", parent=base, fontSize=17, leading=22, spaceAfter=4),
        "meta": ParagraphStyle("meta", parent=base, fontSize=8, textColor=colors.grey),
        "h2": ParagraphStyle(
            "h2",
            parent=base,
            fontSize=12.5,
            leading=17,
            spaceBefore=10,
            spaceAfter=5,
            textColor=colors.HexColor("#2f4b7c"),
        ),
        "note": ParagraphStyle("note", parent=base, textColor=colors.HexColor("#5c6b7a")),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8, leading=11),
    }


def _esc(text: Any) -> str:
    s = "—" if text is None else str(text)
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _table(header: list[str], rows: list[list[Any]], widths: list[float] | None = None) -> Table:
    cell = _styles()["cell"]
    data = [[Paragraph(_esc(h), cell) for h in header]]
    data += [[Paragraph(_esc(v), cell) for v in r] for r in rows]
    tbl = Table(data, colWidths=widths, repeatRows=1)
    tbl.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#F0F3F9")),
                ("LINEBELOW", (0, 0), (-1, -1), 0.3, colors.HexColor("#D9DEE8")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return tbl


def _image(png: bytes, width: float = WIDTH) -> Image:
    reader = ImageReader(io.BytesIO(png))
    w, h = reader.getSize()
    return Image(io.BytesIO(png), width=width, height=width * h / w)


def write_pdf(data: dict[str, Any], path: Path) -> None:
    lang = data["meta"]["lang"]
    t = lambda key, **kw: T(key, lang, **kw)  # noqa: E731
    st = _styles()
    images = report_images(data, lang)
    meta = data["meta"]
    story: list[Any] = [
        Paragraph(_esc(meta["title"]), st["title"]),
        Paragraph(
            _esc(
                f"{t('period')}: {meta['start']} – {meta['end']} · {t('snapshot')}: "
                f"{meta['snapshot'] or '—'} · {t('prev_snapshot')}: "
                f"{meta['previous_snapshot'] or '—'} · {t('generated')}: "
                f"{meta['generated_at']}"
            ),
            st["meta"],
        ),
    ]

    def section(key: str, *flow: Any) -> None:
        story.append(KeepTogether([Paragraph(_esc(t(key)), st["h2"]), *flow[:1]]))
        story.extend(flow[1:])

    def none() -> Paragraph:
        return Paragraph(_esc(t("none")), st["note"])

    kpis = data["kpis"]["rows"]
    note = data["kpis"].get("partial_note")
    section(
        "kpis",
        _table(
            [t("kpi"), t("value"), t("previous"), t("change")],
            [[r["label"], r["value_text"], r["previous_text"], r["change_text"]] for r in kpis],
        )
        if kpis
        else none(),
        *(
            [Paragraph(_esc(note), st["note"])]
            if (note := data["kpis"].get("partial_note"))
            else []
        ),
        *([_image(images["kpi_trend"], WIDTH * 0.8)] if "kpi_trend" in images else []),
    )

    flow_items: list[Any] = []
    for key in ("rfm_type", "value_tier"):
        if key in images:
            flow_items.append(_image(images[key], WIDTH * 0.8))
    fl = data["flows"]["value_tier"]
    if fl.get("available"):
        flow_items.append(
            Paragraph(_esc(t("moved", moved=fl["moved"], compared=fl["compared"])), st["note"])
        )
        flow_items.append(_image(images["tier_flow"], WIDTH * 0.6))
    section("segments", *(flow_items or [Paragraph(_esc(t("no_snapshot")), st["note"])]))

    p = data["pareto"]
    if p.get("available"):
        note = t("top20", share=pct(p["top20_share"]))
        if p.get("profit_peak") and p["profit_peak"] > 1:
            note += "; " + t("profit_peak", peak=pct(p["profit_peak"]))
        section("pareto", Paragraph(_esc(note), st["note"]), _image(images["pareto"], WIDTH * 0.8))
    else:
        section("pareto", none())

    h = data["clv"]
    if h.get("available"):
        section(
            "clv",
            Paragraph(
                _esc(
                    t(
                        "clv_stats",
                        mean=money(h["mean"]),
                        median=money(h["median"]),
                        p90=money(h["p90"]),
                        n=h["n"],
                    )
                ),
                st["note"],
            ),
            _image(images["clv"], WIDTH * 0.8),
        )
    else:
        section("clv", none())

    rows = [
        [
            f"{r['name'] or r['customer_id']} ({r['customer_id']})",
            r["tier"],
            r["owner"],
            f"{r['churn_risk']:.2f}",
            money(r["spend_12m"]),
            r["reasons"],
        ]
        for r in data["watchlist"]["rows"]
    ]
    section(
        "watch",
        _table(
            [t("customer"), t("tier"), t("owner"), t("risk"), t("spend"), t("reasons")],
            rows,
            [WIDTH * w for w in (0.24, 0.09, 0.09, 0.08, 0.12, 0.38)],
        )
        if rows
        else none(),
    )

    fb = data["feedback"]
    if fb["texts"]:
        cats = " · ".join(f"{c['label']} {c['count']}" for c in fb["categories"])
        rows = [
            [
                i["term"],
                i["count"],
                i["complaints"],
                " / ".join(f"“{e['text']}”" for e in i["examples"][:2]),
            ]
            for i in fb["top_issues"]
        ]
        section(
            "feedback",
            Paragraph(_esc(f"{t('fb_note', n=fb['texts'])} · {cats}"), st["note"]),
            _table(
                [t("term"), t("count"), t("complaints"), t("example")],
                rows,
                [WIDTH * w for w in (0.16, 0.08, 0.08, 0.68)],
            ),
            *([_image(images["issues"], WIDTH * 0.7)] if "issues" in images else []),
        )
    else:
        section("feedback", none())

    rows = goal_rows(data, lang)
    section(
        "goals",
        _table(
            [
                t("goal"),
                t("owner"),
                t("deadline"),
                t("target"),
                t("actual"),
                t("projected"),
                t("status"),
            ],
            rows,
            [WIDTH * w for w in (0.34, 0.1, 0.12, 0.11, 0.11, 0.11, 0.11)],
        )
        if rows
        else none(),
    )

    tg = data["targets"]
    if tg.get("available"):
        parts: list[Any] = []
        for dim in ("region", "owner"):
            rows = [
                [r["unit"], money(r["target"]), money(r["actual"]), pct(r["attainment"])]
                for r in tg.get(dim) or []
            ]
            if rows:
                parts += [
                    _table([t(dim), t("target"), t("actual"), t("attainment")], rows),
                    Spacer(1, 4),
                ]
        if "targets_region" in images:
            parts.append(_image(images["targets_region"], WIDTH * 0.7))
        section("targets", *parts)
    else:
        section("targets", none())

    q = data["quality"]
    if q.get("available"):
        section("quality", _table(["", ""], [list(r) for r in flatten(q["data"])[:40]]))
    else:
        section("quality", Paragraph(_esc(t("quality_na")), st["note"]))

    b = data["backtest"]
    if b.get("available"):
        heads, cells = backtest_headers(lang), backtest_cells(data)
        note = T("backtest_note", lang, as_of=b["as_of"], h=b["horizon_days"],
                 n=f"{b['customers']:,}", rate=f"{b['churn_rate']:.1%}")  # fmt: skip
        parts = [Paragraph(_esc(note), st["note"])]
        for key in ("churn", "amounts", "history"):
            if cells[key]:
                parts += [_table(heads[key], cells[key]), Spacer(1, 4)]
        section("backtest", *parts)
    else:
        section("backtest", Paragraph(_esc(t("backtest_na")), st["note"]))

    doc = SimpleDocTemplate(
        str(path),
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=14 * mm,
        bottomMargin=14 * mm,
        title=meta["title"],
        author="kehu",
    )
    doc.build(story)
