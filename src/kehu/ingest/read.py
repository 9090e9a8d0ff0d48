"""Read CSV/TSV, XLSX/XLS/ODS and Parquet files into a `RawTable` of text columns.

Row numbers are what a user sees in Excel: the header row is row 1 when it is the first row;
title rows above the header, blank lines and multi-line cells are counted the same way.
The header row is found among the first rows as the one whose cells best match the kind's
header aliases (title rows such as “2024年客户清单” are skipped).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from kehu.errors import KehuError
from kehu.ingest.encoding import Encoding, detect_encoding
from kehu.ingest.result import Progress

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

    @property
    def num_rows(self) -> int:
        return self.table.num_rows


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
        cells = [_cell_text(c) or "" for c in row]
        if not any(c.strip() for c in cells):
            continue
        s = score(cells)
        if s > best_score:
            best, best_score = i, s
    if best is None:
        raise KehuError("文件里没有表头行(文件为空)", "the file has no header row (it is empty)")
    return best


# ---- delimited text -------------------------------------------------------------------------
class _CountingReader(io.RawIOBase):
    """A binary file that reports bytes read (for the progress bar)."""

    def __init__(self, fh: io.BufferedReader, total: int, progress: Progress | None) -> None:
        self._fh, self._total, self._progress, self._done = fh, total, progress, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = self._fh.readinto(buffer)
        self._done += n or 0
        if self._progress:
            self._progress("read", self._done, self._total)
        return n or 0


def _sniff_delimiter(lines: list[str]) -> str:
    candidates = [",", "\t", ";", "|"]
    best, best_count = ",", 0
    sample = [line for line in lines if line.strip()][:20]
    for cand in candidates:
        counts = [len(next(csv.reader([line], delimiter=cand))) - 1 for line in sample]
        common = max(set(counts), key=counts.count) if counts else 0
        if common > best_count:
            best, best_count = cand, common
    return best


def _decode_head(path: Path, enc: Encoding) -> str:
    import codecs

    with path.open("rb") as fh:
        fh.seek(enc.bom_length)
        raw = fh.read(HEAD_BYTES)
    return codecs.getincrementaldecoder(enc.name)(errors="replace").decode(raw, final=False)


def read_delimited(
    path: Path,
    *,
    score: HeaderScore,
    encoding: str | None = None,
    delimiter: str | None = None,
    header_row: int | None = None,
    scan_rows: int = 10,
    progress: Progress | None = None,
) -> RawTable:
    """Read a CSV/TSV with pyarrow (multi-threaded; re-read single-threaded only when some
    rows have the wrong number of fields, to learn their row numbers)."""
    enc = detect_encoding(path, encoding)
    head = _decode_head(path, enc)
    lines = head.splitlines()
    if not any(line.strip() for line in lines):
        raise KehuError(f"{path} 是空文件", f"{path} is empty")
    if delimiter is None:
        delimiter = "\t" if path.suffix.lower() in (".tsv", ".tab") else _sniff_delimiter(lines)
    scan: list[list[str]] = []
    for row in csv.reader(io.StringIO(head, newline=""), delimiter=delimiter):
        scan.append(row)
        if len(scan) >= scan_rows:
            break
    idx = choose_header(scan, score, header_row)
    headers = [h.strip() for h in scan[idx]]
    names = [f"c{i}" for i in range(len(headers))]
    table, bad = _pyarrow_read(path, enc, delimiter, idx + 1, names, True, progress)
    if bad:
        table, bad = _pyarrow_read(path, enc, delimiter, idx + 1, names, False, None)
    first = idx + 2
    numbers, malformed, extra = _number_rows(table.num_rows, bad, first, len(names), delimiter)
    if extra:
        padded = pa.table({n: pa.array([r[i] for _, r in extra], pa.string()) for i, n in enumerate(names)})
        table = pa.concat_tables([table, padded])
        numbers = np.concatenate([numbers, np.array([num for num, _ in extra], dtype=np.int64)])
        order = np.argsort(numbers, kind="stable")
        table, numbers = table.take(pa.array(order)), numbers[order]
    return RawTable(
        table=table,
        headers=headers,
        row_numbers=pa.array(numbers, pa.int64()),
        file_format="tsv" if delimiter == "\t" else "csv",
        encoding=enc.label,
        header_row=idx + 1,
        malformed=malformed,
    )


def _pyarrow_read(
    path: Path,
    enc: Encoding,
    delimiter: str,
    skip: int,
    names: list[str],
    threads: bool,
    progress: Progress | None,
) -> tuple[pa.Table, list[tuple[int | None, int, str]]]:
    bad: list[tuple[int | None, int, str]] = []

    def on_bad(row: Any) -> str:
        bad.append((row.number, row.actual_columns, row.text))
        return "skip"

    size = path.stat().st_size
    with path.open("rb") as fh:
        fh.seek(enc.bom_length)
        source = _CountingReader(fh, size, progress)
        try:
            table = pacsv.read_csv(
                source,
                read_options=pacsv.ReadOptions(
                    use_threads=threads,
                    skip_rows=skip,
                    column_names=names,
                    encoding="utf8" if enc.name == "utf-8" else enc.name,
                    block_size=8 << 20,
                ),
                parse_options=pacsv.ParseOptions(
                    delimiter=delimiter,
                    newlines_in_values=True,
                    ignore_empty_lines=False,
                    invalid_row_handler=on_bad,
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types={n: pa.string() for n in names},
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
        except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
            raise KehuError(f"无法读取 {path}: {exc}", f"cannot read {path}: {exc}") from None
    return table, bad


def _number_rows(
    n_good: int,
    bad: list[tuple[int | None, int, str]],
    first: int,
    width: int,
    delimiter: str,
) -> tuple[np.ndarray, list[tuple[int, int, str]], list[tuple[int, list[str]]]]:
    """Row numbers of the parsed rows, the malformed rows, and short/over-long rows that can
    be repaired (missing trailing cells; trailing empty cells)."""
    if not bad:
        return np.arange(first, first + n_good, dtype=np.int64), [], []
    bad_numbers = np.array([b[0] for b in bad], dtype=np.int64)
    total = n_good + len(bad)
    all_numbers = np.arange(first, first + total, dtype=np.int64)
    good = np.setdiff1d(all_numbers, bad_numbers, assume_unique=True)
    malformed: list[tuple[int, int, str]] = []
    extra: list[tuple[int, list[str]]] = []
    for number, fields, text in bad:
        cells = next(csv.reader([text], delimiter=delimiter), [])
        if len(cells) < width:
            extra.append((int(number or 0), cells + [""] * (width - len(cells))))
        elif not any(c.strip() for c in cells[width:]):
            extra.append((int(number or 0), cells[:width]))
        else:
            malformed.append((int(number or 0), fields, text))
    return good, malformed, extra


# ---- spreadsheets ---------------------------------------------------------------------------
def _cell_text(value: Any) -> str | None:
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


def read_excel(
    path: Path,
    *,
    score: HeaderScore,
    sheet: str | int | None = None,
    header_row: int | None = None,
    scan_rows: int = 10,
    progress: Progress | None = None,
) -> RawTable:
    """Read one sheet (the named one, else the first with data) with python-calamine."""
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
    except (CalamineError, OSError, ValueError) as exc:
        raise KehuError(f"无法读取表格 {path}: {exc}", f"cannot read workbook {path}: {exc}") from None
    rows = _sheet_rows(book, sheet, path)
    if progress:
        progress("read", 1, 1)
    if not rows:
        raise KehuError(f"{path} 的工作表是空的", f"the sheet in {path} is empty")
    idx = choose_header(rows[:scan_rows], score, header_row)
    headers = [(_cell_text(c) or "").strip() for c in rows[idx]]
    body = rows[idx + 1 :]
    width = len(headers)
    columns = {
        f"c{i}": pa.array([_cell_text(r[i]) if i < len(r) else None for r in body], pa.string())
        for i in range(width)
    }
    first = idx + 2
    return RawTable(
        table=pa.table(columns) if columns else pa.table({}),
        headers=headers,
        row_numbers=pa.array(np.arange(first, first + len(body), dtype=np.int64)),
        file_format=path.suffix.lower().lstrip(".") or "excel",
        header_row=idx + 1,
    )


def _sheet_rows(book: Any, sheet: str | int | None, path: Path) -> list[list[Any]]:
    names = list(book.sheet_names)
    if sheet is not None:
        if isinstance(sheet, int) or (isinstance(sheet, str) and sheet.isdigit()):
            position = int(sheet) - 1
            if not 0 <= position < len(names):
                raise KehuError(
                    f"{path} 没有第 {sheet} 个工作表(共 {len(names)} 个: {names})",
                    f"{path} has no sheet number {sheet} ({len(names)} sheets: {names})",
                )
            return book.get_sheet_by_index(position).to_python(skip_empty_area=False)
        if sheet not in names:
            raise KehuError(
                f"{path} 没有名为 {sheet!r} 的工作表;有: {names}",
                f"{path} has no sheet named {sheet!r}; sheets: {names}",
            )
        return book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    for position in range(len(names)):
        rows = book.get_sheet_by_index(position).to_python(skip_empty_area=False)
        if any(any(c not in (None, "") for c in r) for r in rows):
            return rows
    return []


# ---- parquet and records --------------------------------------------------------------------
def read_parquet(path: Path, *, progress: Progress | None = None) -> RawTable:
    """Parquet keeps its column types; the header is the schema (row 1), data from row 2."""
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise KehuError(f"无法读取 Parquet 文件 {path}: {exc}", f"cannot read Parquet {path}: {exc}") from None
    if progress:
        progress("read", 1, 1)
    headers = list(table.column_names)
    table = table.rename_columns([f"c{i}" for i in range(len(headers))])
    table = pa.table([c.combine_chunks() if c.num_chunks != 1 else c.chunk(0) for c in table.columns], names=table.column_names)
    return RawTable(
        table=table,
        headers=headers,
        row_numbers=pa.array(np.arange(2, 2 + table.num_rows, dtype=np.int64)),
        file_format="parquet",
        header_row=1,
    )


def records_table(records: Sequence[dict[str, Any]]) -> RawTable:
    """Push-API records as text columns; row numbers count records from 1."""
    headers: list[str] = []
    seen: set[str] = set()
    for rec in records:
        if not isinstance(rec, dict):
            raise KehuError("每条记录必须是一个字典", "every record must be a dict (object)")
        for key in rec:
            if key not in seen:
                seen.add(key)
                headers.append(str(key))
    columns = {
        f"c{i}": pa.array([_record_text(rec.get(h)) for rec in records], pa.string())
        for i, h in enumerate(headers)
    }
    return RawTable(
        table=pa.table(columns) if columns else pa.table({}),
        headers=headers,
        row_numbers=pa.array(np.arange(1, 1 + len(records), dtype=np.int64)),
        file_format="records",
    )


def _record_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float):
        return repr(value)
    from decimal import Decimal

    if isinstance(value, Decimal):
        return format(value, "f")
    return _cell_text(value)
