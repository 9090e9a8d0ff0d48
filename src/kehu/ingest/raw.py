"""`RawTable` (a file before cleaning) and what every reader shares: format sniffing,
header-row detection, spreadsheet cell text."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from kehu.errors import KehuError

TEXT_SUFFIXES = {".csv", ".txt", ".tsv", ".tab", ".dat"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
PARQUET_SUFFIXES = {".parquet", ".pq"}
HEAD_BYTES = 256 * 1024

HeaderScore = Callable[[list[str]], int]


@dataclass
class RawTable:
    """File contents before cleaning: one column per file column, in file order."""

    table: pa.Table  # columns c0..cN (text, or typed for Parquet)
    headers: list[str]
    row_numbers: pa.Array  # int64, one per row of `table`
    file_format: str
    encoding: str | None = None
    header_row: int | None = None
    malformed: list[tuple[int, int, str]] = field(default_factory=list)  # (row, fields, text)
    truncated: list[tuple[int, str]] = field(default_factory=list)  # (row, text): file cut off

    @property
    def num_rows(self) -> int:
        return self.table.num_rows


def int64_array(values: np.ndarray) -> pa.Array:
    """An Arrow int64 array over a NumPy buffer (pa.array(ndarray) would import pandas)."""
    values = np.ascontiguousarray(values, dtype=np.int64)
    return pa.Array.from_buffers(pa.int64(), len(values), [None, pa.py_buffer(values)])


def file_format(path: Path) -> str:
    """csv | tsv | excel | parquet, from the extension, else from the first bytes."""
    suffix = path.suffix.lower()
    if suffix in (".tsv", ".tab"):
        return "tsv"
    if suffix in TEXT_SUFFIXES:
        return "csv"
    if suffix in EXCEL_SUFFIXES:
        return "excel"
    if suffix in PARQUET_SUFFIXES:
        return "parquet"
    with path.open("rb") as fh:
        magic = fh.read(8)
    if magic.startswith(b"PAR1"):
        return "parquet"
    if magic.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        return "excel"
    return "csv"


def choose_header(rows: Sequence[Sequence[Any]], score: HeaderScore, header_row: int | None) -> int:
    """0-based index of the header among the scanned rows."""
    if header_row is not None:
        if header_row < 1 or header_row > max(len(rows), 1):
            raise KehuError(
                f"表头行 {header_row} 超出文件范围", f"header row {header_row} is beyond the file"
            )
        return header_row - 1
    best, best_score = None, -1
    for i, row in enumerate(rows):
        cells = [cell_text(c) or "" for c in row]
        if not any(c.strip() for c in cells):
            continue
        s = score(cells)
        if s > best_score:
            best, best_score = i, s
    if best is None:
        raise KehuError("文件里没有表头行(文件为空)", "the file has no header row (it is empty)")
    return best


def cell_text(value: Any) -> str | None:
    """A spreadsheet cell as text: whole floats without '.0', others at Excel's 15 digits,
    dates in ISO form. Excel serials stay numbers (date columns read them as serials)."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return format(value, ".15g")
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)
