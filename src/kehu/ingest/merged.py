"""Customers rows of records a dedupe merge folded together: only what changed since.

After `kehu dedupe` merged C4 and E1 into C1, the survivor holds the merged values (the
survivorship rule's pick per field). Re-importing the same files would otherwise write each
merged record's own values over them again (a name variant, an older phone), and two rows
of one file that now name one customer would reject each other. So a row of a merged record
is compared with that record as it was before its first merge (`merge_customer_rows`): a
value the source still has unchanged is left out (empty, and empty never erases), a value
that changed in the source is applied as any upsert would be.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc

from kehu.engines.sql import identifier as q
from kehu.ingest.load import ROWS, over

if TYPE_CHECKING:
    import duckdb

_KEYS = ("_row", "customer_id", "source", "source_id")


def _has_merges(cur: duckdb.DuckDBPyConnection) -> bool:
    names = {
        r[0]
        for r in cur.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_name IN ('merges', 'merge_customer_rows')"
        ).fetchall()
    }
    if len(names) < 2:
        return False
    rows = cur.execute("SELECT count(*) FROM merges WHERE status = 'applied'").fetchall()
    return bool(rows[0][0])


def since_merge(
    cur: duckdb.DuckDBPyConnection, data: pa.Table, default_source: str
) -> tuple[pa.Table, pa.Array]:
    """(`data` with unchanged values of merged records emptied, True per row that carries
    no change at all). Rows of customers never merged come back as they were."""
    no_change = pa.array([False] * data.num_rows, pa.bool_())
    values = [c for c in data.column_names if c not in _KEYS]
    if data.num_rows == 0 or not values or not _has_merges(cur):
        return data, no_change
    picks = ", ".join(
        f"CASE WHEN p.source IS NOT NULL AND s.{q(c)} IS NOT DISTINCT FROM p.{q(c)} "
        f"THEN NULL ELSE s.{q(c)} END AS {q(c)}"
        for c in values
    )
    empty = " AND ".join(
        f"(s.{q(c)} IS NULL OR s.{q(c)} IS NOT DISTINCT FROM p.{q(c)})" for c in values
    )
    snap_cols = ", ".join(f"r.{q(c)}" for c in values)
    result = over(
        cur,
        data,
        f"""
            WITH snap AS (
                SELECT coalesce(r.source, $src) AS source,
                       coalesce(r.source_id, r.customer_id) AS source_id, {snap_cols},
                       row_number() OVER (
                           PARTITION BY coalesce(r.source, $src),
                                        coalesce(r.source_id, r.customer_id)
                           ORDER BY m.seq) AS k
                FROM merge_customer_rows r JOIN merges m USING (merge_id)
                WHERE m.status = 'applied'
            )
            SELECT s._row, {picks}, (p.source IS NOT NULL AND {empty}) AS _no_change
            FROM {ROWS} s LEFT JOIN snap p
              ON p.k = 1 AND p.source = s.source AND p.source_id = s.source_id
            ORDER BY s._row
            """,
        {"src": default_source},
    )
    order = pc.sort_indices(data, sort_keys=[("_row", "ascending")])
    data = data.take(order)
    for col in values:
        i = data.column_names.index(col)
        data = data.set_column(
            i, data.schema.field(i), result.column(col).cast(data.schema.field(i).type)
        )
    return data, result.column("_no_change").combine_chunks()
