"""Spreadsheets (python-calamine), Parquet and pushed records as `RawTable`s."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from kehu.errors import KehuError
from kehu.ingest.raw import HeaderScore, RawTable, cell_text, choose_header, int64_array
from kehu.ingest.result import Progress


# ---- spreadsheets ---------------------------------------------------------------------------
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
        raise KehuError(
            f"无法读取表格 {path}: {exc}(文件可能不完整或不是表格文件;请重新导出或复制)",
            f"cannot read workbook {path}: {exc} (the file may be incomplete or not a "
            "workbook; export or copy it again)",
        ) from None
    rows = _sheet_rows(book, sheet, path)
    if progress:
        progress("read", 1, 1)
    if not rows:
        raise KehuError(f"{path} 的工作表是空的", f"the sheet in {path} is empty")
    idx = choose_header(rows[:scan_rows], score, header_row)
    headers = [(cell_text(c) or "").strip() for c in rows[idx]]
    body = rows[idx + 1 :]
    width = len(headers)
    columns = {
        f"c{i}": pa.array([cell_text(r[i]) if i < len(r) else None for r in body], pa.string())
        for i in range(width)
    }
    first = idx + 2
    return RawTable(
        table=pa.table(columns) if columns else pa.table({}),
        headers=headers,
        row_numbers=int64_array(np.arange(first, first + len(body))),
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
    """A whole Parquet file as one `RawTable` (see `batches.parquet_batches`)."""
    from kehu.ingest.batches import parquet_batches

    head, parts = parquet_batches(path, 1 << 20)
    tables = [p.table for p in parts]
    if progress:
        progress("read", 1, 1)
    table = pa.concat_tables(tables) if len(tables) > 1 else tables[0]
    table = pa.table(
        [c.combine_chunks() if c.num_chunks != 1 else c.chunk(0) for c in table.columns],
        names=table.column_names,
    )
    return replace(head, table=table, row_numbers=int64_array(np.arange(2, 2 + table.num_rows)))


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
        row_numbers=int64_array(np.arange(1, 1 + len(records))),
        file_format="records",
    )


def _record_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    return cell_text(value)
