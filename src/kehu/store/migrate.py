"""Bring a DuckDB store up to the current schema.

Additive changes (a new table, a new column) are derived from the declarations in
`kehu.store.schema` and `kehu.store.tables`; anything else is an explicit step in
`MIGRATIONS`. The applied version is recorded in `schema_version`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import duckdb

from kehu.store import tables as _system_tables  # noqa: F401  (declares the system tables)
from kehu.store.schema import Table, all_tables

SCHEMA_VERSION = 1

# version -> step, for changes that are not "add a table / add a column".
MIGRATIONS: dict[int, Callable[[duckdb.DuckDBPyConnection], None]] = {}


def create_sql(table: Table) -> str:
    cols = [f'"{c}" {t}' for c, t in table.all_columns().items()]
    if table.key:
        cols.append("PRIMARY KEY (" + ", ".join(f'"{k}"' for k in table.key) + ")")
    return f'CREATE TABLE IF NOT EXISTS "{table.name}" (\n  ' + ",\n  ".join(cols) + "\n)"


def _existing_columns(con: duckdb.DuckDBPyConnection, name: str) -> set[str]:
    rows = con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ?", [name]
    ).fetchall()
    return {r[0] for r in rows}


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Create or upgrade every table; returns the schema version now in force."""
    con.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER, applied_at TIMESTAMP)")
    row = con.execute("SELECT max(version) FROM schema_version").fetchone()
    current = row[0] if row and row[0] is not None else 0
    con.execute("BEGIN TRANSACTION")
    try:
        for table in all_tables():
            con.execute(create_sql(table))
            have = _existing_columns(con, table.name)
            for col, typ in table.all_columns().items():
                if col not in have:
                    plain = typ.replace("NOT NULL", "").strip()
                    con.execute(f'ALTER TABLE "{table.name}" ADD COLUMN "{col}" {plain}')
            for idx in table.indexes:
                idx_name = f"idx_{table.name}_{'_'.join(idx)}"
                cols = ", ".join(f'"{c}"' for c in idx)
                con.execute(f'CREATE INDEX IF NOT EXISTS {idx_name} ON "{table.name}" ({cols})')
        for version in sorted(v for v in MIGRATIONS if v > current):
            MIGRATIONS[version](con)
        if current < SCHEMA_VERSION:
            con.execute(
                "INSERT INTO schema_version VALUES (?, ?)", [SCHEMA_VERSION, datetime.now()]
            )
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return SCHEMA_VERSION
