"""`export_table`: any store table to CSV (UTF-8 with BOM), XLSX or Parquet, streamed."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.csv as pacsv

from kehu.engines.sql import as_text, count_rows, select, text_literal
from kehu.engines.sql import identifier as q
from kehu.errors import KehuError, NotFoundError
from kehu.ingest.mapping import display_header
from kehu.ingest.rejects import CSV_BOM
from kehu.spreadsheet import csv_column, workbook
from kehu.store.schema import Table, table_by_name

if TYPE_CHECKING:
    import duckdb

    from kehu.workspace import Workspace

XLSX_MAX_ROWS = 1_048_575  # Excel's 1,048,576 rows minus the header
BATCH_ROWS = 100_000
FORMATS = {".csv": "csv", ".xlsx": "xlsx", ".parquet": "parquet", ".pq": "parquet"}


def table_names(ws: Workspace) -> list[str]:
    """Every table and view in the store (canonical, system and other areas' tables)."""
    rows = ws.rows(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = 'main' AND table_catalog = current_database() ORDER BY table_name"
    )
    return [r[0] for r in rows]


def export_table(ws: Workspace, table: str, out_path: str | Path, *, headers: str = "code") -> int:
    """Write `table` to `out_path` (format by extension); returns the number of rows.

    `headers`: 'code' (column names, re-importable as is), 'zh' (Chinese headers that
    `kehu import` maps back) or 'en' (same as code)."""
    names = table_names(ws)
    if table not in names:
        raise NotFoundError(
            f"没有名为 {table!r} 的表;可导出的表: {', '.join(names)}",
            f"no table named {table!r}; tables: {', '.join(names)}",
        )
    out = Path(out_path).expanduser()
    fmt = FORMATS.get(out.suffix.lower())
    if fmt is None:
        raise KehuError(
            f"不支持的导出格式 {out.suffix or '(无扩展名)'};请用 .csv、.xlsx 或 .parquet",
            f"unsupported export format {out.suffix or '(no extension)'}; "
            "use .csv, .xlsx or .parquet",
        )
    if headers not in ("code", "zh", "en"):
        raise KehuError("--headers 只能是 code、zh 或 en", "--headers must be code, zh or en")
    out.parent.mkdir(parents=True, exist_ok=True)
    cur = ws.cursor()
    try:
        read = ws.engine.rewrite  # a lake table is exported from the lake
        (count,) = cur.execute(read(count_rows(table))).fetchone() or (0,)
        described = cur.execute(f"DESCRIBE {q(table)}").fetchall()
        columns = [r[0] for r in described]
        texts = {str(r[0]) for r in described if str(r[1]).startswith("VARCHAR")}
        labels = _labels(table_by_name(table), columns, headers)
        sql = read(select(table, columns, labels=labels, order_by="ALL"))
        if fmt == "parquet":
            cur.execute(f"COPY ({sql}) TO {text_literal(str(out.resolve()))} (FORMAT parquet)")
        elif fmt == "csv":
            text_labels = {lab for c, lab in zip(columns, labels, strict=True) if c in texts}
            _write_csv(cur, sql, labels, text_labels, out)
        else:
            if count > XLSX_MAX_ROWS:
                raise KehuError(
                    f"{table} 有 {count:,} 行,超过 Excel 上限 {XLSX_MAX_ROWS + 1:,};"
                    "请导出为 .csv 或 .parquet",
                    f"{table} has {count:,} rows, more than Excel's {XLSX_MAX_ROWS + 1:,}; "
                    "export to .csv or .parquet",
                )
            _write_xlsx(cur, sql, labels, table, out)
    finally:
        cur.close()
    return int(count)


def _labels(schema: Table | None, columns: list[str], headers: str) -> list[str]:
    if headers != "zh" or schema is None:
        return columns
    labels, seen = [], set()
    for col in columns:
        label = display_header(schema, col, "zh") if col in schema.all_columns() else col
        if label in seen:
            label = col
        seen.add(label)
        labels.append(label)
    return labels


def _write_csv(
    cur: duckdb.DuckDBPyConnection, sql: str, labels: list[str], texts: set[str], out: Path
) -> None:
    """Values as DuckDB renders them as text (dates ISO, money with two decimals); text
    columns made spreadsheet-safe (`formula.csv_column`), numbers left as they are."""
    reader = cur.sql(as_text(sql, labels)).to_arrow_reader(BATCH_ROWS)
    with out.open("wb") as fh:
        fh.write(CSV_BOM)
        with pacsv.CSVWriter(fh, reader.schema) as writer:
            for batch in reader:
                if texts:
                    arrays = [
                        csv_column(col) if name in texts else col
                        for name, col in zip(batch.schema.names, batch.columns, strict=True)
                    ]
                    batch = pa.RecordBatch.from_arrays(arrays, schema=batch.schema)
                writer.write_batch(batch)


def _write_xlsx(
    cur: duckdb.DuckDBPyConnection, sql: str, labels: list[str], table: str, out: Path
) -> None:
    """xlsxwriter in constant-memory mode; dates, money and numbers as real Excel cells,
    text always a string cell (never a formula)."""
    book = workbook(str(out), constant_memory=True)
    try:
        sheet = book.add_worksheet(table[:31])
        bold = book.add_format({"bold": True})
        date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
        ts_fmt = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        money_fmt = book.add_format({"num_format": "#,##0.00"})
        for col, label in enumerate(labels):
            sheet.write_string(0, col, label, bold)
            sheet.set_column(col, col, max(10, min(40, len(label.encode("gbk", "replace")) + 2)))
        sheet.freeze_panes(1, 0)
        reader = cur.sql(sql).to_arrow_reader(BATCH_ROWS)
        row = 1
        for batch in reader:
            for record in pa.Table.from_batches([batch]).to_pylist():
                for col, value in enumerate(record.values()):
                    if value is None:
                        continue
                    if isinstance(value, bool):
                        sheet.write_boolean(row, col, value)
                    elif isinstance(value, datetime):
                        sheet.write_datetime(row, col, value, ts_fmt)
                    elif isinstance(value, date):
                        sheet.write_datetime(
                            row, col, datetime(value.year, value.month, value.day), date_fmt
                        )
                    elif isinstance(value, Decimal):
                        sheet.write_number(row, col, float(value), money_fmt)
                    elif isinstance(value, int | float):
                        sheet.write_number(row, col, value)
                    else:
                        sheet.write_string(row, col, str(value))
                row += 1
    finally:
        book.close()
