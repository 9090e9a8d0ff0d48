"""Validation against the store before loading: customer ids, in-file duplicates, dedupe.

Each step rejects the rows it cannot load (with the reason) and returns the rows that go on.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from itertools import count
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc

from kehu.dedupe.incoming import find_incoming_duplicates
from kehu.ingest import load
from kehu.ingest.merged import since_merge
from kehu.ingest.prepare import Prepared
from kehu.ingest.rejects import RejectLog
from kehu.store.schema import Table

STAGES = count()  # names of staging tables

if TYPE_CHECKING:
    import duckdb

    from kehu.workspace import Workspace


def written(prepared: Prepared, column: str, rows: pa.Array) -> pa.Array | None:
    """The text as written in the file for `column` on the given row numbers."""
    text = prepared.raw_ids.get(column)
    if text is None:
        return None
    return text.take(pc.index_in(rows, value_set=prepared.data.column("_row")))


def resolve_children(
    cur: duckdb.DuckDBPyConnection,
    data: pa.Table,
    source: str,
    log: RejectLog,
    prepared: Prepared,
) -> pa.Table:
    """One batch of a child file with its customer ids resolved to the store's; rows naming
    no known customer are rejected."""
    data = data.append_column("source", pa.array([source] * data.num_rows, pa.string()))
    if "customer_id" in data.column_names:
        ids = data.column("customer_id").combine_chunks()
        resolved = load.resolve_customers(cur, ids, source)
        unknown = pc.and_(pc.is_valid(ids), pc.is_null(resolved))
        if pc.any(unknown).as_py():
            header = prepared.headers.get("customer_id", "customer_id")
            rows = data.column("_row").combine_chunks().filter(unknown)
            log.add(rows, header, written(prepared, "customer_id", rows), "unknown_customer")
        data = data.set_column(data.column_names.index("customer_id"), "customer_id", resolved)
        data = data.filter(pc.invert(unknown))
    return data


class Staging:
    """The resolved rows of every batch of a child file, in a temporary DuckDB table (inside
    the import's transaction): the in-file duplicates are found there across batches, then
    the rows go on to the load batch by batch, in file order. Python holds one batch."""

    def __init__(self, cur: duckdb.DuckDBPyConnection, table: Table) -> None:
        self.cur, self.table = cur, table
        self.name = f"_kehu_stage_{next(STAGES)}"
        self.natural = [k for k in table.key if k != "source"]
        self.columns: list[str] = []  # the batches' columns, `_row` first
        self.header = self.natural[0]
        self.ranges: list[tuple[int, int]] = []  # first and last row number of each batch
        self.rows = 0

    def add(self, data: pa.Table, prepared: Prepared) -> None:
        """Stage one batch, with the key as written in the file (for its reject)."""
        if not self.columns:
            self.columns = list(data.column_names)
            self.header = prepared.headers.get(self.natural[0], self.natural[0])
            cols = ", ".join(load.q(c) for c in self.columns[1:])
            self.cur.execute(
                f"CREATE TEMP TABLE {self.name} AS SELECT CAST(NULL AS BIGINT) AS _row, {cols},"
                f" CAST(NULL AS VARCHAR) AS _written FROM main.{load.q(self.table.name)} LIMIT 0"
            )
        if data.num_rows == 0:
            return
        rows = data.column("_row").combine_chunks()
        text = written(prepared, self.natural[0], rows)
        data = data.append_column("_written", text if text is not None else pa.nulls(len(rows)))
        load.over(self.cur, data, f"INSERT INTO {self.name} BY NAME SELECT * FROM {load.ROWS}")
        self.ranges.append((rows[0].as_py(), rows[-1].as_py()))
        self.rows += data.num_rows

    def drop_duplicates(self, log: RejectLog) -> None:
        """Earlier rows with the same key, in any batch, are rejected; the last one is kept."""
        keys = ", ".join(load.q(k) for k in self.natural)
        found = self.cur.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM {self.name} GROUP BY {keys} HAVING count(*) > 1)"
        ).fetchall()[0][0]
        if self.rows < 2 or not found:
            return
        dups = load.duplicates(self.cur, self.name, self.natural)
        gone = dups.select(["_row"])
        values = load.over(
            self.cur,
            gone,
            f"SELECT s._written FROM {load.ROWS} d JOIN {self.name} s USING (_row) ORDER BY d._row",
        )
        load.over(
            self.cur, gone, f"DELETE FROM {self.name} WHERE _row IN (SELECT _row FROM {load.ROWS})"
        )
        log_duplicates(log, dups, self.header, values.column(0).combine_chunks())
        self.rows -= dups.num_rows

    def batches(self) -> Iterator[pa.Table]:
        """The staged rows batch by batch, in file order, with the batches' columns."""
        cols = ", ".join(load.q(c) for c in self.columns)
        for first, last in self.ranges:
            yield self.cur.sql(
                f"SELECT {cols} FROM {self.name} WHERE _row BETWEEN {first} AND {last}"
                " ORDER BY _row"
            ).to_arrow_table()

    def drop(self) -> None:
        if self.columns:
            self.cur.execute(f"DROP TABLE IF EXISTS {self.name}")


def combined(parts: list[Prepared]) -> Prepared:
    """The checked rows of every batch of a customers file as one (a customers file is
    resolved, merged and deduplicated whole: its rows decide about each other). A column
    that only some batches give (an inferred one) is empty in the others."""
    if len(parts) == 1:
        return parts[0]
    data = pa.concat_tables([p.data for p in parts], promote_options="permissive")
    raw_ids = {c: pa.concat_arrays([p.raw_ids[c] for p in parts]) for c in parts[0].raw_ids}
    return replace(
        parts[0],
        data=data,
        ok=pa.concat_arrays([p.ok for p in parts]),
        present=list(dict.fromkeys(c for p in parts for c in p.present)),
        fill_only=set().union(*(p.fill_only for p in parts)),
        raw_ids=raw_ids,
    )


def stage_customers(
    ws: Workspace,
    cur: duckdb.DuckDBPyConnection,
    data: pa.Table,
    source: str,
    log: RejectLog,
    prepared: Prepared,
    dedupe: bool,
) -> pa.Table:
    rows = data.column("_row").combine_chunks()
    file_ids = data.column("customer_id").combine_chunks()
    canonical, conflict = load.canonical_customers(cur, file_ids, source)
    if pc.any(conflict).as_py():
        header = prepared.headers.get("customer_id", "customer_id")
        bad = rows.filter(conflict)
        value = written(prepared, "customer_id", bad)
        log.add(bad, header, value, "id_conflict", {"source": source})
        keep = pc.invert(conflict)
        data, file_ids, canonical = data.filter(keep), file_ids.filter(keep), canonical.filter(keep)
    data = data.set_column(data.column_names.index("customer_id"), "customer_id", canonical)
    data = data.append_column("source_id", file_ids)
    data = data.append_column("source", pa.array([source] * data.num_rows, pa.string()))
    data, no_change = since_merge(cur, data, ws.settings.workspace.default_source)
    if pc.any(no_change).as_py():
        counts = pc.value_counts(data.column("source_id").combine_chunks())
        repeated = counts.field("values").filter(pc.greater(counts.field("counts"), 1))
        no_change = pc.and_(no_change, pc.invert(pc.is_in(data.column("source_id"), repeated)))
    if pc.any(no_change).as_py():
        # Rows of merged records that change nothing never compete for their survivor.
        same = data.filter(no_change)
        rest = drop_duplicates(cur, data.filter(pc.invert(no_change)), ["customer_id"],
                               "source_id", log, prepared)  # fmt: skip
        data = pa.concat_tables([rest, same])
        data = data.take(pc.sort_indices(data, sort_keys=[("_row", "ascending")]))
    else:
        data = drop_duplicates(cur, data, ["customer_id"], "source_id", log, prepared)
    if dedupe and data.num_rows:
        data = reject_likely_duplicates(ws, cur, data, log, prepared)
    return data


def drop_duplicates(
    cur: duckdb.DuckDBPyConnection,
    data: pa.Table,
    keys: list[str],
    origin: str | None,
    log: RejectLog,
    prepared: Prepared,
) -> pa.Table:
    """Earlier rows with the same key are rejected; the last one in the file is kept."""
    if data.num_rows < 2:
        return data
    dups = load.duplicates(cur, data, keys, origin)
    if dups.num_rows == 0:
        return data
    dup_rows = dups.column("_row").combine_chunks()
    header = prepared.headers.get(keys[0], keys[0])
    log_duplicates(log, dups, header, written(prepared, keys[0], dup_rows))
    return data.filter(pc.invert(pc.is_in(data.column("_row"), value_set=dup_rows)))


def log_duplicates(log: RejectLog, dups: pa.Table, header: str, values: pa.Array | None) -> None:
    """Reject the rows of `load.duplicates`, naming the row that was kept."""
    same = dups.column("same_origin").combine_chunks()
    codes = pc.if_else(same, "duplicate_key", "merged_duplicate")
    params = [f'{{"kept": {k}}}' for k in dups.column("kept").to_pylist()]
    log.add(dups.column("_row").combine_chunks(), header, values, codes, params)


def reject_likely_duplicates(
    ws: Workspace,
    cur: duckdb.DuckDBPyConnection,
    data: pa.Table,
    log: RejectLog,
    prepared: Prepared,
) -> pa.Table:
    """New customers that probably exist already are not created but rejected (see the
    dedupe contract); existing ones (updates) are not questioned."""
    existing = load.over(
        cur,
        data.select(["customer_id"]),
        f"SELECT s.customer_id FROM {load.ROWS} s JOIN customers c USING (customer_id)",
    ).column(0)
    is_new = pc.invert(pc.is_in(data.column("customer_id"), value_set=existing.combine_chunks()))
    new = data.filter(is_new)
    if new.num_rows == 0:
        return data
    incoming = new.drop_columns(["_row", "source", "customer_id"])
    incoming = incoming.rename_columns(
        ["customer_id" if c == "source_id" else c for c in incoming.column_names]
    )
    matches = find_incoming_duplicates(ws, incoming)
    review = ws.settings.dedupe.review
    best: dict[str, Any] = {}
    for m in matches:
        if m.probability >= review and (
            m.incoming_id not in best or m.probability > best[m.incoming_id].probability
        ):
            best[m.incoming_id] = m
    if not best:
        return data
    row_of = dict(
        zip(new.column("source_id").to_pylist(), new.column("_row").to_pylist(), strict=True)
    )
    header = prepared.headers.get("customer_id", "customer_id")
    drop = []
    for incoming_id, m in best.items():
        row = row_of.get(incoming_id)
        if row is None:
            continue
        drop.append(row)
        log.add_one(
            row,
            header,
            incoming_id,
            "likely_duplicate",
            {"existing": m.existing_id, "p": f"{m.probability:.2f}"},
        )
    return data.filter(
        pc.invert(pc.is_in(data.column("_row"), value_set=pa.array(drop, pa.int64())))
    )
