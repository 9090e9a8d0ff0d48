"""A key-account plan as an XLSX workbook (one sheet) or a PDF for the account review; both
lay out `kehu.planning.account_plan_texts.sections` in order."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from kehu.errors import KehuError
from kehu.monitor.report.pdf import _esc, _styles, _table
from kehu.monitor.report.sections import Column, Table
from kehu.planning.account_plan_texts import TEXTS, sections, status_text
from kehu.spreadsheet import workbook

FORMATS = ("xlsx", "pdf")


def _heading(plan: dict[str, Any], lang: str) -> tuple[str, str]:
    c = plan["customer"]
    title = TEXTS("title", lang, name=c["name"], year=plan["year"])
    meta = TEXTS("meta", lang, as_of=plan["as_of"], region=c["region"] or "—",
                 owner=c["owner"] or "—", status=status_text(plan["status"], lang))  # fmt: skip
    return title, meta


def write_plan_xlsx(plan: dict[str, Any], path: Path, lang: str) -> None:
    title, meta = _heading(plan, lang)
    book = workbook(str(path))
    try:
        sheet = book.add_worksheet(TEXTS("accounts", lang)[:31])
        bold = book.add_format({"bold": True, "font_size": 14})
        head = book.add_format({"bold": True, "bg_color": "#F0F3F9", "border": 1})
        sec = book.add_format({"bold": True, "font_color": "#2f4b7c", "font_size": 12})
        sheet.write(0, 0, title, bold)
        sheet.write(1, 0, meta)
        row = 3
        for heading, header, rows in sections(plan, lang):
            sheet.write(row, 0, heading, sec)
            row += 1
            if any(header):
                for col, h in enumerate(header):
                    sheet.write(row, col, h, head)
                row += 1
            for values in rows or [[TEXTS("none", lang)]]:
                for col, v in enumerate(values):
                    sheet.write(row, col, v)
                row += 1
            row += 1
        sheet.set_column(0, 0, 48)
        sheet.set_column(1, 6, 16)
    finally:
        book.close()


def write_plan_pdf(plan: dict[str, Any], path: Path, lang: str) -> None:
    st = _styles()
    title, meta = _heading(plan, lang)
    story: list[Any] = [Paragraph(_esc(title), st["title"]), Paragraph(_esc(meta), st["meta"])]
    for heading, header, rows in sections(plan, lang):
        story.append(Paragraph(_esc(heading), st["h2"]))
        if not rows:
            story.append(Paragraph(_esc(TEXTS("none", lang)), st["note"]))
            continue
        widths: tuple[float, ...] = ()  # shares of the page width
        if len(header) == 2:
            widths = (0.3, 0.7) if header[0] else (0.35, 0.65)
        elif header[0] and len(header) == 4 and header[0] == TEXTS("action", lang):
            widths = (0.55, 0.15, 0.18, 0.12)
        story.append(_table(Table([Column(h) for h in header], rows, widths=widths)))
        story.append(Spacer(1, 2 * mm))
    doc = SimpleDocTemplate(str(path), pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm,
                            topMargin=14 * mm, bottomMargin=14 * mm, title=title)  # fmt: skip
    doc.build(story)


def write_plan(plan: dict[str, Any], path: str | Path, lang: str, fmt: str | None = None) -> Path:
    """Write the plan as XLSX or PDF (by `fmt`, else by the file's extension)."""
    out = Path(path)
    kind = (fmt or out.suffix.lstrip(".")).lower()
    if kind not in FORMATS:
        raise KehuError(
            f"导出格式应为 xlsx 或 pdf:{out.name}", f"export as .xlsx or .pdf: {out.name}"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    (write_plan_xlsx if kind == "xlsx" else write_plan_pdf)(plan, out, lang)
    return out
