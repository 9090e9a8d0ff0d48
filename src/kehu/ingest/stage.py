"""Validation against the store before loading: customer ids, in-file duplicates, dedupe.

Each step rejects the rows it cannot load (with the reason) and returns the rows that go on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc

from kehu.dedupe.incoming import find_incoming_duplicates
from kehu.ingest import load
from kehu.ingest.merged import since_merge
from kehu.ingest.prepare import Prepared
from kehu.ingest.rejects import RejectLog
from kehu.store.schema import Table

if TYPE_CHECKING:
    import duckdb

    from kehu.workspace import Workspace


def written(prepared: Prepared, column: str, rows: pa.Array) -> pa.Array | None:
    """The text as written in the file for `column` on the given row numbers."""
    text = prepared.raw_ids.get(column)
    if text is None:
        return None
    return text.take(pc.index_in(rows, value_set=prepared.data.column("_row")))


def stage_children(
    cur: duckdb.DuckDBPyConnection,
    data: pa.Table,
    table: Table,
    source: str,
    log: RejectLog,
    prepared: Prepared,
) -> pa.Table:
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
    natural = [k for k in table.key if k != "source"]
    return drop_duplicates(cur, data, natural, None, log, prepared)


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
    in_dups = pc.is_in(data.column("_row"), value_set=dup_rows)
    same = dups.column("same_origin").combine_chunks()
    codes = pc.if_else(same, "duplicate_key", "merged_duplicate")
    params = [f'{{"kept": {k}}}' for k in dups.column("kept").to_pylist()]
    log.add(dup_rows, header, written(prepared, keys[0], dup_rows), codes, params)
    return data.filter(pc.invert(in_dups))


def reject_likely_duplicates(
    ws: Workspace,
    cur: duckdb.DuckDBPyConnection,
    data: pa.Table,
    log: RejectLog,
    prepared: Prepared,
) -> pa.Table:
    """New customers that probably exist already are not created but rejected (see the
    dedupe contract); existing ones (updates) are not questioned."""
    with load.registered(cur, data.select(["customer_id"])) as name:
        existing = (
            cur.sql(f"SELECT s.customer_id FROM {name} s JOIN customers c USING (customer_id)")
            .to_arrow_table()
            .column(0)
        )
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
