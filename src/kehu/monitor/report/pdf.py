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
    TableStyle,
)
from reportlab.platypus import (
    Table as PdfTable,
)

from kehu.monitor.report.figures import report_charts
from kehu.monitor.report.png import chart_png
from kehu.monitor.report.sections import Note, Table, report_sections, shown
from kehu.monitor.report.texts import T

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


def _table(table: Table) -> PdfTable:
    cell = _styles()["cell"]
    data = [[Paragraph(_esc(c.label), cell) for c in table.columns]]
    data += [
        [Paragraph(_esc(shown(v, c.fmt)), cell) for v, c in zip(r, table.columns, strict=True)]
        for r in table.rows
    ]
    shares = table.widths or (1 / len(table.columns),) * len(table.columns)
    tbl = PdfTable(data, colWidths=[WIDTH * w for w in shares], repeatRows=1)
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
    st = _styles()
    charts = report_charts(data, lang)
    meta = data["meta"]
    story: list[Any] = [
        Paragraph(_esc(meta["title"]), st["title"]),
        Paragraph(
            _esc(
                f"{T('period', lang)}: {meta['start']} – {meta['end']} · {T('snapshot', lang)}: "
                f"{meta['snapshot'] or '—'} · {T('prev_snapshot', lang)}: "
                f"{meta['previous_snapshot'] or '—'} · {T('generated', lang)}: "
                f"{meta['generated_at']}"
            ),
            st["meta"],
        ),
    ]
    for section in report_sections(data, charts, lang):
        flow: list[Any] = []
        for block in section.shown("pdf"):
            if isinstance(block, Note):
                flow.append(Paragraph(_esc(block.text), st["note"]))
            elif isinstance(block, Table):
                flow += [_table(block), Spacer(1, 4)]
            else:
                for key in block.ids:
                    share = 0.6 if charts[key].kind == "flow" else 0.8
                    flow.append(_image(chart_png(charts[key]), WIDTH * share))
        # the heading stays with the section's first block
        story.append(KeepTogether([Paragraph(_esc(section.title), st["h2"]), *flow[:1]]))
        story.extend(flow[1:])
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
