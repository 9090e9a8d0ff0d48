"""The XLSX report (xlsxwriter): one sheet per section, PNG charts embedded beside it."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from kehu.monitor.report.figures import report_charts
from kehu.monitor.report.png import chart_png
from kehu.monitor.report.sections import Charts, Column, Mark, Note, Table, report_sections
from kehu.monitor.report.texts import T
from kehu.spreadsheet import workbook

CHART_ROWS = 18  # rows one embedded chart covers


def num_format(fmt: str) -> str | None:
    """The Excel number format of a cell format (`money`, `.1%`, `,.0f`, `+.1%`, `d` …)."""
    if fmt == "money":
        return "#,##0"
    m = re.fullmatch(r"(\+)?(,)?(?:\.(\d+))?([f%d])", fmt)
    if not m:
        return None
    sign, comma, digits, kind = m.groups()
    body = ("#,##0" if comma else "0") + ("." + "0" * int(digits) if digits else "")
    body += "%" if kind == "%" else ""
    return f"+{body};-{body}" if sign else body


def write_xlsx(data: dict[str, Any], path: Path) -> None:
    lang = data["meta"]["lang"]
    charts = report_charts(data, lang)
    wb = workbook(str(path))  # text never becomes a formula (customer names are data)
    head = wb.add_format({"bold": True, "bg_color": "#F0F3F9", "border": 1})
    title = wb.add_format({"bold": True, "font_size": 14})
    formats: dict[str, Any] = {}

    def number(fmt: str) -> Any:
        if fmt not in formats:
            spec = num_format(fmt)
            formats[fmt] = wb.add_format({"num_format": spec}) if spec else None
        return formats[fmt]

    def table(ws: Any, row: int, columns: list[Column], rows: list[list[Any]]) -> int:
        for j, c in enumerate(columns):
            ws.write(row, j, c.label, head)
        for i, r in enumerate(rows, start=row + 1):
            for j, v in enumerate(r):
                fmt = number(columns[j].fmt) if columns[j].fmt else None
                if v is None:
                    ws.write_blank(i, j, None)
                elif isinstance(v, bool) or not isinstance(v, int | float | str):
                    ws.write(i, j, v.text if isinstance(v, Mark) else str(v))
                elif fmt is not None and isinstance(v, int | float):
                    ws.write_number(i, j, v, fmt)
                else:
                    ws.write(i, j, v)
        return row + len(rows) + 2

    meta = data["meta"]
    for n, section in enumerate(report_sections(data, charts, lang)):
        ws = wb.add_worksheet(section.sheet)
        ws.write(0, 0, meta["title"] if n == 0 else section.title, title)
        ws.set_column(0, 0, 28)
        ws.set_column(1, 8, 16)
        row, width, images = 1, 1, []
        if n == 0:
            ws.write(1, 0, f"{T('period', lang)}: {meta['start']} – {meta['end']}  ·  "
                           f"{T('snapshot', lang)}: {meta['snapshot'] or '—'}")  # fmt: skip
            row = 2
        for block in section.shown("xlsx"):
            if isinstance(block, Note):
                ws.write(row, 0, block.text)
                row += 1
            elif isinstance(block, Table):
                row = table(ws, row + 1, block.columns, block.rows) - 1
                width = max(width, len(block.columns))
                if block.columns[-1].label in (T("example", lang), T("reasons", lang)):
                    ws.set_column(len(block.columns) - 1, len(block.columns) - 1, 60)
            elif isinstance(block, Charts):
                images += block.ids
        for k, key in enumerate(images):
            ws.insert_image(
                3 + k * CHART_ROWS,
                width + 1,
                f"{key}.png",
                {"image_data": io.BytesIO(chart_png(charts[key])), "x_scale": 0.8, "y_scale": 0.8},
            )
    wb.close()
