"""Collect rejects column-wise while cleaning; turn them into `Reject`s, a table and a CSV."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from kehu.ingest.reasons import REJECT_REASONS
from kehu.ingest.result import Reject
from kehu.spreadsheet import csv_column

SCHEMA = pa.schema(
    [
        ("row_number", pa.int64()),
        ("column", pa.string()),
        ("value", pa.string()),
        ("reason_code", pa.string()),
        ("params", pa.string()),
    ]
)
CSV_BOM = b"\xef\xbb\xbf"
STALE_SECONDS = 3600  # a temporary rejects file this old belongs to no running import


class RejectLog:
    """Append-only rejects, kept as Arrow chunks (a bad file can reject a million rows)."""

    def __init__(self) -> None:
        self._parts: list[pa.Table] = []

    def add(
        self,
        rows: pa.Array,
        column: str | None,
        values: pa.Array | None,
        codes: pa.Array | str,
        params: dict[str, Any] | list[str] | list[str | None] | None = None,
    ) -> None:
        n = len(rows)
        if n == 0:
            return
        code_arr = pa.array([codes] * n, pa.string()) if isinstance(codes, str) else codes
        if isinstance(params, list):
            param_arr = pa.array(params, pa.string())
        else:
            text = json.dumps(params, ensure_ascii=False, default=str) if params else None
            param_arr = pa.array([text] * n, pa.string())
        value_arr = values.cast(pa.string()) if values is not None else pa.nulls(n, pa.string())
        self._parts.append(
            pa.table(
                [
                    rows.cast(pa.int64()),
                    pa.array([column] * n, pa.string()),
                    value_arr,
                    code_arr,
                    param_arr,
                ],
                schema=SCHEMA,
            )
        )

    def add_one(
        self,
        row: int,
        column: str | None,
        value: str | None,
        code: str,
        params: dict[str, Any] | None = None,
    ) -> None:
        self.add(pa.array([row], pa.int64()), column, pa.array([value], pa.string()), code, params)

    def table(self) -> pa.Table:
        if not self._parts:
            return SCHEMA.empty_table()
        table = pa.concat_tables(self._parts)
        order = pc.sort_indices(table, sort_keys=[("row_number", "ascending")])
        return table.take(order)

    def rows(self) -> pa.Array:
        """Distinct row numbers with at least one reject."""
        if not self._parts:
            return pa.array([], pa.int64())
        return pc.unique(
            pa.concat_arrays([p.column("row_number").combine_chunks() for p in self._parts])
        )

    def __len__(self) -> int:
        return sum(p.num_rows for p in self._parts)


def to_rejects(table: pa.Table) -> list[Reject]:
    """`Reject` objects with their zh/en reasons formatted."""
    out: list[Reject] = []
    for rec in table.to_pylist():
        params = json.loads(rec["params"]) if rec["params"] else {}
        zh, en = REJECT_REASONS.pair(rec["reason_code"], **params)
        out.append(
            Reject(rec["row_number"], rec["column"], rec["value"], rec["reason_code"], zh, en)
        )
    return out


def rejects_table(import_id: str, file: str | None, rejects: list[Reject]) -> pa.Table:
    """Rows for the `rejects` store table."""
    return pa.table(
        {
            "import_id": pa.array([import_id] * len(rejects), pa.string()),
            "file": pa.array([file] * len(rejects), pa.string()),
            "row_number": pa.array([r.row_number for r in rejects], pa.int64()),
            "column_name": pa.array([r.column for r in rejects], pa.string()),
            "value": pa.array([r.value for r in rejects], pa.string()),
            "reason_code": pa.array([r.reason_code for r in rejects], pa.string()),
            "reason_zh": pa.array([r.reason_zh for r in rejects], pa.string()),
            "reason_en": pa.array([r.reason_en for r in rejects], pa.string()),
        }
    )


def write_rejects_csv(path: Path, table: pa.Table) -> None:
    """The rejects as CSV in UTF-8 with a BOM (Excel opens it with the Chinese intact); a
    rejected value that looks like a formula is quoted (`formula.csv_column`)."""
    for i, fld in enumerate(table.schema):
        if pa.types.is_string(fld.type):
            table = table.set_column(i, fld, csv_column(table.column(i).combine_chunks()))
    path.parent.mkdir(parents=True, exist_ok=True)
    stale = time.time() - STALE_SECONDS
    for left in path.parent.glob(".*.csv.tmp"):  # a process killed while writing one
        if left.stat().st_mtime < stale:
            left.unlink(missing_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")  # renamed when complete: never a half file
    try:
        with tmp.open("wb") as fh:
            fh.write(CSV_BOM)
            pacsv.write_csv(table, fh)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
