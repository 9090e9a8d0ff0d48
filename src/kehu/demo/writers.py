"""Write the demo exports the way the source systems do.

`mixed` writes what a company really hands over: the CRM customers as GBK CSV with Chinese
headers, a second system's (ERP) customers and orders as UTF-8 CSV with mixed money and date
styles, the finance sales ledger as XLSX with Excel serial dates, a service desk export with
English headers, plus a few planted bad rows. `parquet` writes the same records typed, with
canonical column names, for benchmarks at 10^7 rows.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from kehu.datafiles import read_json
from kehu.demo import dirt
from kehu.demo.columns import Cat, Column, Seq, strings
from kehu.demo.records import MISSING, Frame
from kehu.demo.xlsx import STYLE_DATE, STYLE_MONEY, Cell, write_xlsx

DATE_COLS = {
    "order_date",
    "due_date",
    "paid_date",
    "founded_on",
    "birth_date",
    "cooperation_start",
    "surveyed_on",
    "created_on",
    "closed_on",
    "entered_on",
}
MONEY_COLS = {"amount", "cost", "paid_amount", "annual_revenue", "wallet_size", "market_size"}
TS_COLS = {"occurred_at", "opened_at", "first_response_at", "resolved_at"}
NULLABLE_INT = {
    "employees", "satisfaction", "nps", "csat", "quantity", "companies", "relationship",
}  # fmt: skip
BOOL_COLS = {"is_key", "is_benchmark", "is_reference"}
EXCEL_EPOCH = date(1899, 12, 30)


@dataclass(frozen=True)
class FileSpec:
    """One export file: where its rows come from and how the source system writes them."""

    stem: str
    kind: str
    source: str
    frame: str  # attribute of `Records`
    encoding: str  # gbk | utf-8 | utf-8-sig | xlsx
    headers: dict[str, str]  # canonical column -> header in this export
    values: dict[str, dict[str, str]] | None = None  # canonical value -> text in this export
    dirty: bool = False  # mixed money/date styles and phone styles
    slash_times: bool = False
    bad: str | None = None  # key of planted bad rows in `Records.bad`

    @property
    def extension(self) -> str:
        return ".xlsx" if self.encoding == "xlsx" else ".csv"


def _specs(data: dict[str, Any]) -> tuple[FileSpec, ...]:
    shared = data["shared_values"]
    specs = []
    for entry in data["files"]:
        raw = entry.get("values") or {}
        values = {c: shared[v] if isinstance(v, str) else v for c, v in raw.items()}
        specs.append(FileSpec(**{**entry, "values": values or None}))
    return tuple(specs)


# The files, their headers and coded values are data: `kehu/data/demo/exports.json`
# (`shared_values` holds value maps several files use, named where they are used).
EXPORTS = read_json("demo/exports.json")
SPECS = _specs(EXPORTS)
# canonical codes for parquet (the zh text in the CRM export maps to these)
INTERACTION_CODES: dict[str, str] = EXPORTS["interaction_codes"]


@dataclass
class Written:
    path: Path
    rows: int  # data rows in the file, bad rows included
    bad_rows: list[dict[str, Any]]


# ---- text rendering (CSV / XLSX) -----------------------------------------------------------------
def _text_column(rng: np.random.Generator, spec: FileSpec, col: str, column: Column) -> list[str]:
    values = strings(column)
    if col in DATE_COLS:
        if spec.dirty:
            return dirt.format_date_column(rng, values)
        return dirt.format_date_column(rng, values, p=(1.0, 0.0, 0.0, 0.0))
    if col in MONEY_COLS:
        present = values != MISSING
        if spec.dirty:
            out = dirt.format_money_column(rng, np.where(present, values, 0))
        else:
            out = [dirt.format_money(int(v), "plain") for v in np.where(present, values, 0)]
        return [t if ok else "" for t, ok in zip(out, present.tolist(), strict=True)]
    if col in TS_COLS:
        return dirt.format_datetime_column(values, slash=spec.slash_times)
    if col in NULLABLE_INT:
        return ["" if v < 0 else str(v) for v in values.tolist()]
    if col == "phone" and spec.dirty:
        styles = rng.choice(5, size=len(values), p=[0.6, 0.1, 0.1, 0.1, 0.1])
        return [dirt.format_phone(str(p), int(s)) for p, s in zip(values, styles, strict=True)]
    text = values.astype(str) if values.dtype != object else values.astype(str)
    mapping = (spec.values or {}).get(col)
    if mapping:
        return [mapping.get(t, t) for t in text.tolist()]
    return text.tolist()


def _splice_bad(
    rng: np.random.Generator, spec: FileSpec, cols: dict[str, list[str]], bad: list[dict[str, str]]
) -> list[dict[str, Any]]:
    """Insert the planted bad rows (a copy of a real row with the fault) at random places."""
    n = len(next(iter(cols.values())))
    placed: list[dict[str, Any]] = []
    for b in bad:
        src = int(rng.integers(n)) if n else 0
        row = {c: (v[src] if n else "") for c, v in cols.items()}
        for k, text in b.items():
            if k in row:
                row[k] = text
        if b["reason"] == "missing_name":
            row["name"] = ""
        pos = int(rng.integers(0, n + 1))
        for c, v in cols.items():
            v.insert(pos, row[c])
        for p in placed:  # rows after the insertion point moved down
            if p["row"] >= pos + 1:
                p["row"] += 1
        n += 1
        placed.append({**b, "row": pos + 1})
    return placed


def write_text_file(
    rng: np.random.Generator, spec: FileSpec, frame: Frame, bad: list[dict[str, str]], out_dir: Path
) -> Written:
    """CSV (GBK / UTF-8 / UTF-8 with BOM) or XLSX, headers as the source system names them."""
    cols = {c: _text_column(rng, spec, c, frame[c]) for c in spec.headers}
    placed = _splice_bad(rng, spec, cols, bad)
    path = out_dir / f"{spec.stem}{spec.extension}"
    if spec.encoding == "xlsx":
        _write_xlsx(rng, path, spec, cols)
    else:
        table = pa.table({spec.headers[c]: pa.array(v, pa.string()) for c, v in cols.items()})
        buf = io.BytesIO()
        pacsv.write_csv(table, buf, pacsv.WriteOptions(quoting_style="needed"))
        data = buf.getvalue()
        if spec.encoding == "gbk":  # GBK has no '¥' (U+00A5): Chinese software writes '￥'
            data = data.decode("utf-8").replace("¥", "￥").encode("gbk")
        elif spec.encoding == "utf-8-sig":
            data = b"\xef\xbb\xbf" + data
        path.write_bytes(data)
    rows = len(next(iter(cols.values())))
    return Written(path, rows, [{**p, "file": path.name} for p in placed])


def _write_xlsx(
    rng: np.random.Generator, path: Path, spec: FileSpec, cols: dict[str, list[str]]
) -> None:
    """Dates as Excel serials (most with a date format, some as bare serial numbers or text,
    as hand-kept ledgers are), money as numbers with a few typed as text."""
    names = list(cols)
    n = len(cols[names[0]])
    style = rng.choice(3, size=n, p=[0.9, 0.07, 0.03]).tolist()  # formatted / bare / text
    columns: list[list[Cell]] = []
    for c in names:
        values = cols[c]
        if c in DATE_COLS:
            columns.append([_date_cell(v, s) for v, s in zip(values, style, strict=True)])
        elif c in MONEY_COLS:
            columns.append([_money_cell(v, s) for v, s in zip(values, style, strict=True)])
        elif c == "quantity":
            columns.append([(float(v), 0) if v else None for v in values])
        else:
            columns.append(list(values))
    sheet = "台账" if spec.kind == "orders" else "Sheet1"
    write_xlsx(path, sheet, [spec.headers[c] for c in names], columns)


def _date_cell(value: str, style: int) -> Cell:
    if not value:
        return None
    try:
        d = date.fromisoformat(value)
    except ValueError:
        return value
    if style == 2:
        return f"{d.year}/{d.month}/{d.day}"
    return (float(excel_serial(d)), STYLE_DATE if style == 0 else 0)


def _money_cell(value: str, style: int) -> Cell:
    if not value:
        return None
    try:
        num = float(value)
    except ValueError:
        return value  # planted: an amount nobody can parse
    if style == 2:
        return dirt.format_money(round(num * 100), "yen")
    return (num, STYLE_MONEY)


def excel_serial(d: date) -> int:
    """The Excel (1900 system) serial number of a date."""
    return (d - EXCEL_EPOCH).days


def from_excel_serial(serial: float) -> date:
    return EXCEL_EPOCH + timedelta(days=int(serial))


# ---- parquet (typed, canonical names) -------------------------------------------------------
def _decimal_fen(fen: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    """int64 fen -> decimal128(18, 2) without going through floats."""
    fen = np.ascontiguousarray(fen, dtype=np.int64)
    words = np.empty((len(fen), 2), dtype=np.int64)
    words[:, 0] = fen
    words[:, 1] = fen >> 63  # sign extension of the 128-bit value
    validity = None
    if mask is not None and not mask.all():
        validity = pa.array(mask).buffers()[1]
    return pa.Array.from_buffers(
        pa.decimal128(18, 2), len(fen), [validity, pa.py_buffer(words.tobytes())]
    )


def _typed_column(col: str, values: Column, kind: str) -> pa.Array:
    if isinstance(values, Cat):
        if col == "kind" and kind == "interactions":
            values = values.map_values(INTERACTION_CODES)
        return values.arrow()
    if isinstance(values, Seq):
        return values.arrow()
    if col in DATE_COLS:
        return pa.array(values.astype(np.int32), pa.date32(), mask=values < 0)
    if col in MONEY_COLS:
        return _decimal_fen(values, values != MISSING)
    if col in TS_COLS:
        return pa.array(values * 60, pa.timestamp("s"), mask=values < 0)
    if col in NULLABLE_INT:
        return pa.array(values.astype(np.int64), pa.int64(), mask=values < 0)
    if col in BOOL_COLS:
        return pa.array(values.astype(bool), pa.bool_())
    if col == "budget_growth":
        return pa.array(values.astype(float), pa.float64())
    return pa.array(values.astype(str) if values.dtype != object else values, pa.string())


def write_parquet_file(
    spec: FileSpec, frame: Frame, bad: list[dict[str, str]], out_dir: Path
) -> Written:
    """Typed Parquet with canonical column names; bad rows carry nulls / unknown ids."""
    cols = [c for c in spec.headers if c != "bank"]
    arrays = {c: _typed_column(c, frame[c], spec.kind) for c in cols}
    table = pa.table(arrays)
    placed = []
    if bad:
        rows = []
        for b in bad:
            row = table.slice(0, 1).to_pylist()[0] if table.num_rows else dict.fromkeys(cols)
            for k, v in b.items():
                if k in row:
                    row[k] = v if k not in MONEY_COLS and k not in DATE_COLS else None
            if b["reason"] == "missing_name":
                row["name"] = None
            rows.append(row)
        extra = pa.Table.from_pylist(rows, schema=table.schema)
        placed = [{**b, "row": table.num_rows + i + 1} for i, b in enumerate(bad)]
        table = pa.concat_tables([table, extra])
    path = out_dir / f"{spec.stem}.parquet"
    # statistics (for predicate pushdown) cost half the write time and no importer uses them
    pq.write_table(
        table, path, compression="zstd", store_decimal_as_integer=True, write_statistics=False
    )
    return Written(path, table.num_rows, [{**p, "file": path.name} for p in placed])
