"""Set-based steps against the store (DuckDB over Arrow, never row by row).

Customer resolution, in-file duplicates, insert/update/unchanged classification and the
chunked writes all run as SQL over Arrow tables (`over`) inside the import's transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from itertools import count
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from kehu.engines import Params
from kehu.engines.sql import copy_to_parquet
from kehu.engines.sql import identifier as q
from kehu.ingest.result import Progress
from kehu.store.schema import Table

_names = count()


ROWS = "_kehu_rows"  # what the Arrow rows are called in a query of `over`


def over(
    cur: duckdb.DuckDBPyConnection, rows: pa.Table, query: str, params: Params = None
) -> pa.Table:
    """Run `query` with the Arrow `rows` readable as ROWS; its result (a write's: the row
    count). DuckDB finds ROWS among this function's variables (its Python replacement scan).
    Not `cur.register`: a view registered inside a transaction keeps its Arrow table alive
    until COMMIT even once unregistered, so an import held every batch of a file in memory
    (1.1 GB of Arrow at 10^7 order rows)."""
    _kehu_rows = rows  # noqa: F841 - read by name from the query
    return cur.sql(query, params=params).to_arrow_table()


def resolve_customers(cur: duckdb.DuckDBPyConnection, ids: pa.Array, source: str) -> pa.Array:
    """Store customer ids for ids written in a child file, aligned with `ids`: first
    customer_ids(source, id), then customers.customer_id, then an id that one customer
    carries under any source (ids of merged records keep resolving). Null = unknown.
    The SQL runs on the distinct ids only."""
    uniq = pc.unique(ids).drop_null()
    incoming = pa.table({"pos": pa.array(range(len(uniq)), pa.int64()), "cid": uniq})
    result = over(
        cur,
        incoming,
        f"""
            WITH any_source AS (
                SELECT m.source_id, min(m.customer_id) AS customer_id
                FROM customer_ids m JOIN customers c ON c.customer_id = m.customer_id
                GROUP BY m.source_id
                HAVING count(DISTINCT m.customer_id) = 1
            )
            SELECT i.pos, coalesce(c1.customer_id, c2.customer_id, a.customer_id) AS resolved
            FROM {ROWS} i
            LEFT JOIN customer_ids ci ON ci.source = ? AND ci.source_id = i.cid
            LEFT JOIN customers c1 ON c1.customer_id = ci.customer_id
            LEFT JOIN customers c2 ON c2.customer_id = i.cid
            LEFT JOIN any_source a ON a.source_id = i.cid
            ORDER BY i.pos
            """,
        [source],
    )
    resolved = result.column("resolved").combine_chunks()
    return resolved.take(pc.index_in(ids, value_set=uniq))


def canonical_customers(
    cur: duckdb.DuckDBPyConnection, ids: pa.Array, source: str
) -> tuple[pa.Array, pa.Array]:
    """(store customer_id, conflict flag) for each id of a customers file, aligned with
    `ids`: the registered alias (possibly a merged survivor), else the id itself, else
    '<source>:<id>' when another system already uses that id for a different customer.
    A conflict means even '<source>:<id>' belongs to someone else (the row is rejected)."""
    incoming = pa.table({"pos": pa.array(range(len(ids)), pa.int64()), "cid": ids})
    result = over(
        cur,
        incoming,
        f"""
            WITH picked AS (
                SELECT i.pos, i.cid,
                       coalesce(ci.customer_id,
                                CASE WHEN c.customer_id IS NULL
                                       OR ((c.source IS NULL OR c.source = $1)
                                           AND (c.source_id IS NULL OR c.source_id = i.cid))
                                     THEN i.cid ELSE $1 || ':' || i.cid END) AS canonical,
                       ci.customer_id IS NOT NULL AS registered
                FROM {ROWS} i
                LEFT JOIN customer_ids ci ON ci.source = $1 AND ci.source_id = i.cid
                LEFT JOIN customers c ON c.customer_id = i.cid
            )
            SELECT p.pos, p.canonical,
                   (NOT p.registered AND p.canonical <> p.cid AND o.customer_id IS NOT NULL
                    AND NOT (o.source IS NOT DISTINCT FROM $1
                             AND o.source_id IS NOT DISTINCT FROM p.cid)) AS conflict
            FROM picked p LEFT JOIN customers o ON o.customer_id = p.canonical
            ORDER BY p.pos
            """,
        [source],
    )
    return (
        result.column("canonical").combine_chunks(),
        result.column("conflict").combine_chunks(),
    )


def duplicates(
    cur: duckdb.DuckDBPyConnection,
    data: pa.Table | str,
    keys: Sequence[str],
    origin: str | None = None,
) -> pa.Table:
    """Rows whose key repeats later in the file: (_row, kept, same_origin). The last row
    wins; `origin` (the id as written) tells a plain duplicate from two merged records.
    `data` is the rows, or the name of the table holding them (a batched import's stage)."""
    empty = pa.table({"_row": pa.array([], pa.int64()), "kept": pa.array([], pa.int64()),
                      "same_origin": pa.array([], pa.bool_())})  # fmt: skip
    if isinstance(data, str):
        return cur.sql(_duplicates_sql(data, keys, origin)).to_arrow_table()
    if len(keys) == 1 and len(pc.unique(data.column(keys[0]))) == data.num_rows:
        return empty  # the common case, decided by one hash pass
    cols = ["_row", *keys] + ([origin] if origin else [])
    return over(cur, data.select(cols), _duplicates_sql(ROWS, keys, origin))


def _duplicates_sql(name: str, keys: Sequence[str], origin: str | None) -> str:
    part = ", ".join(q(k) for k in keys)
    same = f"{q(origin)} IS NOT DISTINCT FROM first_value({q(origin)}) OVER w" if origin else "true"
    return f"""
        SELECT _row, kept, same_origin FROM (
            SELECT _row, max(_row) OVER w AS kept, {same} AS same_origin
            FROM {name}
            WINDOW w AS (PARTITION BY {part} ORDER BY _row DESC
                         ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
        ) WHERE _row <> kept ORDER BY _row
        """


def classify(
    cur: duckdb.DuckDBPyConnection,
    stage: pa.Table,
    table: Table,
    keys: Sequence[str],
    columns: Sequence[str],
    fill_only: set[str],
    read: Callable[[str], str] = str,
) -> pa.Array:
    """'i' (new), 'u' (changes a stored value) or 's' (same) per staged row, aligned with
    the stage's row order. Empty incoming values never count as changes. `read` is the
    engine's rewrite: the stored rows are compared wherever they live."""
    tests = []
    for col in columns:
        if col in fill_only:
            tests.append(f"(t.{q(col)} IS NOT NULL OR s.{q(col)} IS NULL)")
        else:
            tests.append(f"(s.{q(col)} IS NULL OR s.{q(col)} IS NOT DISTINCT FROM t.{q(col)})")
    same = " AND ".join(tests) or "true"
    join = " AND ".join(f"t.{q(k)} = s.{q(k)}" for k in keys)
    query = read(f"""
        SELECT s._row, CASE WHEN t.{q(keys[0])} IS NULL THEN 'i'
                            WHEN {same} THEN 's' ELSE 'u' END AS action
        FROM {ROWS} s LEFT JOIN {q(table.name)} t ON {join}
        ORDER BY s._row
        """)
    result = over(cur, stage, query)
    return result.column("action").combine_chunks()


def insert_rows(
    cur: duckdb.DuckDBPyConnection,
    rows: pa.Table,
    table: Table,
    columns: Sequence[str],
    now: datetime,
    chunk_rows: int,
    progress: Progress | None,
    done: int,
    total: int,
    into: str | None = None,
) -> int:
    """INSERT … SELECT from Arrow, `chunk_rows` at a time, into `table` (or the table named
    `into`, shaped like it). Returns rows written so far."""
    cols = ", ".join(q(c) for c in columns)
    audit = table.audit
    target = cols + (", created_at, updated_at" if audit else "")
    values = cols + (", $now, $now" if audit else "")
    for start in range(0, rows.num_rows, chunk_rows):
        part = rows.slice(start, chunk_rows)
        over(
            cur,
            part,
            f"INSERT INTO {q(into or table.name)} ({target}) SELECT {values} FROM {ROWS}",
            {"now": now} if audit else None,
        )
        done += part.num_rows
        if progress:
            progress("load", done, total)
    return done


def update_rows(
    cur: duckdb.DuckDBPyConnection,
    rows: pa.Table,
    table: Table,
    keys: Sequence[str],
    columns: Sequence[str],
    fill_only: set[str],
    now: datetime,
    chunk_rows: int,
    progress: Progress | None,
    done: int,
    total: int,
) -> int:
    """UPDATE … FROM Arrow: incoming values replace stored ones, empty ones never erase;
    fill-only columns (inferred values) only fill empty stored values."""
    sets = []
    for col in columns:
        if col in fill_only:
            sets.append(f"{q(col)} = coalesce(t.{q(col)}, s.{q(col)})")
        else:
            sets.append(f"{q(col)} = coalesce(s.{q(col)}, t.{q(col)})")
    if table.audit:
        sets.append("updated_at = $now")
    join = " AND ".join(f"t.{q(k)} = s.{q(k)}" for k in keys)
    for start in range(0, rows.num_rows, chunk_rows):
        part = rows.slice(start, chunk_rows)
        over(
            cur,
            part,
            f"UPDATE {q(table.name)} AS t SET {', '.join(sets)} FROM {ROWS} AS s WHERE {join}",
            {"now": now} if table.audit else None,
        )
        done += part.num_rows
        if progress:
            progress("load", done, total)
    return done


def register_customer_ids(
    cur: duckdb.DuckDBPyConnection, stage: pa.Table, source: str, now: datetime
) -> None:
    """Every (source, id as written) of a loaded customer row points at its customer."""
    ids = stage.select(["source_id", "customer_id"])
    over(
        cur,
        ids,
        "INSERT INTO customer_ids (source, source_id, customer_id, created_at, updated_at) "
        f"SELECT DISTINCT $source, source_id, customer_id, $now, $now FROM {ROWS} "
        "ON CONFLICT DO NOTHING",
        {"source": source, "now": now},
    )


def append_to_lake(
    cur: duckdb.DuckDBPyConnection,
    rows: pa.Table,
    table: Table,
    columns: Sequence[str],
    now: datetime,
    path: Path,
) -> None:
    """Write `rows` as one Parquet file with the canonical columns and types of `table` (the
    workspace's empty table gives the shape), for a lake folder to take in."""
    shape = f"_kehu_lake_{next(_names)}"
    cur.execute(f"CREATE TEMP TABLE {shape} AS SELECT * FROM main.{q(table.name)} LIMIT 0")
    try:
        insert_rows(cur, rows, table, columns, now, max(rows.num_rows, 1), None, 0, 0, shape)
        cur.execute(copy_to_parquet(shape, str(path)))
    finally:
        cur.execute(f"DROP TABLE IF EXISTS {shape}")
