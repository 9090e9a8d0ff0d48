"""Data for sizes the demo generator cannot hold in memory: K suffixed copies of a base size.

`replicate(base_work, work, k)` builds a new workspace `work/ws` whose canonical tables are the
UNION ALL of K copies of the base workspace's tables (attached READ_ONLY), every id column
suffixed with `~<copy>` so the copies are distinct customers, orders, contacts, tickets, ...
The orders (K suffixed copies too) go to a Parquet folder `work/orders/` (one file per copy)
instead of the workspace table, and the workspace's `[engine] orders_path` points there, so
`analyze` reads them in place (`kehu.analytics.snapshot.engine_tables`); its
`[engine] memory_limit` is MEMORY_LIMIT, so DuckDB spills rather than crowd the model fits.
Every copy is one streaming DuckDB statement (INSERT ... SELECT or COPY ... TO), so memory
stays low.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

import duckdb

# Canonical tables the analytics (and the 360 view) read, kept in the workspace.
WORKSPACE_TABLES = (
    "customers",
    "customer_ids",
    "contacts",
    "interactions",
    "tickets",
    "surveys",
    "opportunities",
    "targets",
)
ORDERS_TABLE = "orders"
SEPARATOR = "~"
BASE = "kehu_base"  # the catalog name of the attached base store
MEMORY_LIMIT = "10GB"  # `[engine] memory_limit` of the replicated workspace


def is_id_column(name: str, data_type: str) -> bool:
    """Key-like text columns get the copy suffix: customer_id, order_id, source_id, ..."""
    return data_type.upper().startswith("VARCHAR") and (name == "id" or name.endswith("_id"))


def copy_select(table: str, columns: list[tuple[str, str]], copy: int, catalog: str = BASE) -> str:
    """SELECT of one copy of `catalog.table`: id columns suffixed `~copy`, the rest unchanged
    (NULL ids stay NULL)."""
    exprs = []
    for name, data_type in columns:
        col = f'"{name}"'
        exprs.append(
            f"{col} || '{SEPARATOR}{copy}' AS {col}" if is_id_column(name, data_type) else col
        )
    return f'SELECT {", ".join(exprs)} FROM {catalog}."{table}"'


def insert_sql(table: str, columns: list[tuple[str, str]], copy: int) -> str:
    """INSERT of one suffixed copy of the base table into the same table of the new store."""
    names = ", ".join(f'"{name}"' for name, _ in columns)
    return f'INSERT INTO "{table}" ({names}) {copy_select(table, columns, copy)}'


def orders_copy_sql(columns: list[tuple[str, str]], copy: int, target: Path) -> str:
    """COPY of one suffixed copy of the base orders to its own Parquet file."""
    path = str(target).replace("'", "''")
    return f"COPY ({copy_select(ORDERS_TABLE, columns, copy)}) TO '{path}' (FORMAT parquet)"


def table_columns(
    con: duckdb.DuckDBPyConnection, catalog: str, table: str
) -> list[tuple[str, str]]:
    """(name, type) of a table's columns, in table order."""
    rows = con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() "
        "WHERE database_name = ? AND schema_name = 'main' AND table_name = ? "
        "ORDER BY column_index",
        [catalog, table],
    ).fetchall()
    return [(str(name), str(data_type)) for name, data_type in rows]


def shared_columns(
    con: duckdb.DuckDBPyConnection, table: str, catalog: str = BASE
) -> list[tuple[str, str]]:
    """Base columns that the new store's table also has (base order; the rest stay NULL)."""
    main = str(con.execute("SELECT current_database()").fetchone()[0])
    target = {name for name, _ in table_columns(con, main, table)}
    return [(n, t) for n, t in table_columns(con, catalog, table) if n in target]


def replicate_into(
    con: duckdb.DuckDBPyConnection,
    base_db: Path,
    k: int,
    orders_dir: Path,
    *,
    say: Any = None,
) -> dict[str, int]:
    """Fill the store behind `con` with K suffixed copies of `base_db` (attached READ_ONLY) and
    write the orders as `orders_dir/part-XXXXX.parquet`; returns the row count per table."""
    say = say or (lambda _msg: None)
    con.execute("SET preserve_insertion_order = false")
    con.execute(f"ATTACH '{base_db}' AS {BASE} (READ_ONLY)")
    try:
        rows: dict[str, int] = {}
        for table in WORKSPACE_TABLES:
            columns = shared_columns(con, table)
            if not columns:
                continue
            for copy in range(k):
                con.execute(insert_sql(table, columns, copy))
            rows[table] = int(con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])
            say(f"{table}: {rows[table]:,} rows")
        orders_dir.mkdir(parents=True, exist_ok=True)
        columns = table_columns(con, BASE, ORDERS_TABLE)
        for copy in range(k):
            con.execute(orders_copy_sql(columns, copy, orders_dir / f"part-{copy:05d}.parquet"))
        glob = str(orders_dir / "*.parquet").replace("'", "''")
        rows[ORDERS_TABLE] = int(
            con.execute(f"SELECT count(*) FROM read_parquet('{glob}')").fetchone()[0]
        )
        say(f"orders: {rows[ORDERS_TABLE]:,} rows in {k} Parquet files")
        return rows
    finally:
        con.execute(f"DETACH {BASE}")


def replicate(base_work: Path, work: Path, k: int, *, say: Any = None) -> dict[str, Any]:
    """Build `work/ws` (a fresh workspace) and `work/orders/` from K copies of the imported
    base in `base_work/ws`; the workspace reads its orders from that folder."""
    from kehu.workspace import Workspace

    if k < 1:
        raise ValueError(f"the copy count must be at least 1, got {k}")
    base_db = base_work / "ws" / "kehu.duckdb"
    if not base_db.exists():
        raise FileNotFoundError(f"no imported base store at {base_db}")
    started = time.perf_counter()
    ws_dir, orders_dir = work / "ws", work / "orders"
    for stale in (ws_dir, orders_dir):
        if stale.exists():
            shutil.rmtree(stale)
    ws = Workspace.init(ws_dir)
    try:
        rows = replicate_into(ws.con, base_db.resolve(), k, orders_dir, say=say)
        ws.con.execute("CHECKPOINT")
        ws.settings.engine.orders_path = str(orders_dir.resolve())
        # 10^8 orders must fit 16 GB with the model fits: DuckDB spills beyond this
        ws.settings.engine.memory_limit = MEMORY_LIMIT
        ws.save_settings()
    finally:
        ws.close()
    return {
        "k": k,
        "base_work": str(base_work),
        "orders_path": str(orders_dir.resolve()),
        "rows": rows,
        "seconds": time.perf_counter() - started,
    }
