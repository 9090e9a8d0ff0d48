"""A bulk XLSX writer for the demo's ledger: one sheet, typed cells, streamed into the zip.

xlsxwriter spends ~30 µs per cell (8 s for the 18,000-row size-1 ledger, minutes at size
10); the demo needs only inline strings, numbers and a date format, so it writes the
SpreadsheetML parts itself, a row per string join (see docs/decisions.md). Readers
(openpyxl, calamine, Excel, WPS) see a normal workbook: dates are serial numbers with a
`yyyy-mm-dd` format.
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import escape

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

STYLE_PLAIN, STYLE_DATE, STYLE_MONEY, STYLE_BOLD = 0, 1, 2, 3

CONTENT_TYPES = (
    HEAD + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
    'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
    'worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>'
)
ROOT_RELS = (
    HEAD + f'<Relationships xmlns="{PKG_REL_NS}"><Relationship Id="rId1" '
    f'Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK_RELS = (
    HEAD + f'<Relationships xmlns="{PKG_REL_NS}"><Relationship Id="rId1" '
    f'Type="{REL_NS}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" '
    f'Type="{REL_NS}/styles" Target="styles.xml"/></Relationships>'
)
STYLES = (
    HEAD + f'<styleSheet xmlns="{MAIN_NS}"><numFmts count="1"><numFmt numFmtId="164" '
    'formatCode="yyyy-mm-dd"/></numFmts><fonts count="2"><font><sz val="11"/>'
    '<name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill '
    'patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/>'
    '<bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" '
    'fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="4">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
    "</cellStyles></styleSheet>"
)

# A cell is None (empty), a str (inline string), or (number, style).
Cell = str | tuple[float, int] | None


def column_letter(j: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    out = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        out = chr(65 + r) + out
    return out


def _column_xml(letter: str, column: Sequence[Cell]) -> list[str]:
    """The <c> elements of one column, rows numbered from 2 ('' for empty cells)."""
    out: list[str] = []
    escaped: dict[str, str] = {}  # exports repeat values: escape each once
    for r, value in enumerate(column, start=2):
        if value is None or value == "":
            out.append("")
        elif isinstance(value, str):
            text = escaped.get(value)
            if text is None:
                text = escaped[value] = escape(value)
            out.append(f'<c r="{letter}{r}" t="inlineStr"><is><t>{text}</t></is></c>')
        else:
            number, style = value
            num = float(number)
            text = str(int(num)) if num.is_integer() else repr(num)
            s = f' s="{style}"' if style else ""
            out.append(f'<c r="{letter}{r}"{s}><v>{text}</v></c>')
    return out


def _entry(name: str) -> zipfile.ZipInfo:
    """A zip member with a fixed timestamp, so the same data gives the same bytes."""
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def write_xlsx(
    path: Path, sheet: str, header: Sequence[str], columns: Sequence[Sequence[Cell]]
) -> None:
    """Write one sheet: a bold header row, then the columns (all of equal length)."""
    letters = [column_letter(j) for j in range(len(header))]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=5) as zf:
        zf.writestr(_entry("[Content_Types].xml"), CONTENT_TYPES)
        zf.writestr(_entry("_rels/.rels"), ROOT_RELS)
        zf.writestr(
            _entry("xl/workbook.xml"),
            HEAD + f'<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><sheets><sheet '
            f'name="{escape(sheet)}" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        zf.writestr(_entry("xl/_rels/workbook.xml.rels"), WORKBOOK_RELS)
        zf.writestr(_entry("xl/styles.xml"), STYLES)
        with zf.open(_entry("xl/worksheets/sheet1.xml"), "w") as out:
            out.write((HEAD + f'<worksheet xmlns="{MAIN_NS}"><sheetData>').encode())
            head = "".join(
                f'<c r="{c}1" t="inlineStr" s="{STYLE_BOLD}"><is><t>{escape(h)}</t></is></c>'
                for c, h in zip(letters, header, strict=True)
            )
            out.write(f'<row r="1">{head}</row>'.encode())
            cells = [_column_xml(c, col) for c, col in zip(letters, columns, strict=True)]
            chunk: list[str] = []
            for r, row in enumerate(zip(*cells, strict=True), start=2):
                chunk.append(f'<row r="{r}">{"".join(row)}</row>')
                if len(chunk) >= 5000:
                    out.write("".join(chunk).encode())
                    chunk.clear()
            out.write("".join(chunk).encode())
            out.write(b"</sheetData></worksheet>")
