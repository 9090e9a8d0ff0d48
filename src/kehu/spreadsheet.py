"""Spreadsheet safety: text that Excel or LibreOffice would run as a formula (OWASP CSV injection).

A text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula to a
spreadsheet (`=cmd|' /C calc'!A0`, `@SUM(...)`, `=HYPERLINK(...)`). Every writer uses this
module: CSV cells get a leading `'` (OWASP's rule), XLSX workbooks never turn strings into
formulas. A plain number written as text (`-5`, `+8613812345678`) is exempt: a spreadsheet
reads it as a number, which runs nothing. The importer strips the `'` again (so an exported
file re-imports unchanged) and reports such text as a finding.
"""

from __future__ import annotations

import re
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

PREFIXES = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
# RE2 (pyarrow) and Python share these two patterns; the second exempts plain numbers.
STARTS = r"^[=+\-@\t\r]"
NUMBER = r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$"
_NUMBER = re.compile(NUMBER)
# xlsxwriter options: strings stay strings (never formulas, numbers or hyperlinks).
XLSX_OPTIONS: dict[str, Any] = {
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
}


def is_formula(text: str) -> bool:
    """True when a spreadsheet would read `text` as a formula."""
    return bool(text) and text.startswith(PREFIXES) and not _NUMBER.match(text)


def csv_cell(value: Any) -> Any:
    """`value` for a CSV cell: formula-like text gets a leading `'`; anything else as is."""
    if isinstance(value, str) and is_formula(value):
        return QUOTE + value
    return value


def formula_mask(text: pa.Array) -> pa.Array:
    """Per cell of a string array: would a spreadsheet read it as a formula (null: False)."""
    starts = pc.fill_null(pc.match_substring_regex(text, STARTS), False)
    if not pc.any(starts).as_py():
        return starts
    number = pc.fill_null(pc.match_substring_regex(text, NUMBER), False)
    return pc.and_(starts, pc.invert(number))


def csv_column(text: pa.Array) -> pa.Array:
    """A string column for CSV with every formula-like cell prefixed by `'`."""
    mask = formula_mask(text)
    if not pc.any(mask).as_py():
        return text
    return pc.if_else(mask, pc.binary_join_element_wise(QUOTE, text, ""), text)


def unquote_column(text: pa.Array) -> pa.Array:
    """The inverse of `csv_column` for a file being imported: `'=x` → `=x` (only when what
    follows the quote is formula-like, so an ordinary leading apostrophe stays)."""
    quoted = pc.fill_null(pc.starts_with(text, QUOTE), False)
    if not pc.any(quoted).as_py():
        return text
    rest = pc.utf8_slice_codeunits(text, 1)
    strip = pc.and_(quoted, formula_mask(rest))
    return pc.if_else(strip, rest, text)


def frame_to_csv(frame: Any, path: Any) -> None:
    """A pandas DataFrame as CSV for Excel: UTF-8 with BOM, text cells made safe, CRLF line
    ends (so a CR inside a cell is quoted and cannot start a new row with a formula)."""
    csv_frame(frame).to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\r\n")


def csv_frame(frame: Any) -> Any:
    """A copy of a pandas DataFrame for `to_csv`, its text cells made safe (`csv_cell`)."""
    from pandas.api.types import is_object_dtype, is_string_dtype

    out = frame.copy()
    for col in out.columns:
        if is_object_dtype(out[col].dtype) or is_string_dtype(out[col].dtype):
            out[col] = out[col].map(csv_cell)
    return out


def excel_writer(path: Any) -> Any:
    """A pandas ExcelWriter (xlsxwriter) whose string cells can never become formulas."""
    import pandas as pd

    return pd.ExcelWriter(path, engine="xlsxwriter", engine_kwargs={"options": XLSX_OPTIONS})


def workbook(target: Any, **options: Any) -> Any:
    """An xlsxwriter workbook whose string cells can never become formulas."""
    import xlsxwriter

    return xlsxwriter.Workbook(target, {**options, **XLSX_OPTIONS})
