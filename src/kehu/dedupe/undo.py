"""Undo a merge: put every row it touched back exactly as it was, in one transaction."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import duckdb

from kehu.dedupe.labels import NON_MATCH, record_label
from kehu.engines.sql import identifier, insert_select, select
from kehu.errors import KehuError, NotFoundError
from kehu.store.schema import CUSTOMERS, table_by_name


def _one(cur: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> Any:
    """The first row (or None), reading the whole result: DuckDB 2.0 refuses further work on
    a connection with an unfinished result."""
    rows = cur.execute(sql, params or []).fetchall()
    return rows[0] if rows else None


def undo_merge(
    cur: duckdb.DuckDBPyConnection,
    merge_id: str,
    *,
    force: bool = False,
    user: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Restore the customers, child rows and aliases of `merge_id` (caller's transaction).

    Refused when a later merge still applied involves the survivor (undo that one first),
    when a merged id exists again, or — unless `force` — when the survivor changed after
    the merge. The undone pairs are remembered as rejected, so they are not proposed again.
    """
    now = now or datetime.now()
    row = _one(
        cur,
        "SELECT survivor_id, merged_ids, status, seq, survivor_updated_at FROM merges "
        "WHERE merge_id = ?",
        [merge_id],
    )
    if row is None:
        raise NotFoundError(
            f"找不到合并记录 {merge_id}(用 `kehu dedupe log` 查看)",
            f"no merge {merge_id} (see `kehu dedupe log`)",
        )
    survivor, merged_json, status, seq, stamp = row
    merged = json.loads(merged_json)
    if status != "applied":
        raise KehuError(f"合并 {merge_id} 已撤销", f"merge {merge_id} is already undone")
    later = cur.execute(
        "SELECT m.merge_id FROM merges m JOIN merge_customer_rows r USING (merge_id) "
        "WHERE m.status = 'applied' AND m.seq > ? AND r.customer_id = ? ORDER BY m.seq DESC",
        [seq, survivor],
    ).fetchall()
    if later:
        ids = ", ".join(r[0] for r in later)
        raise KehuError(
            f"客户 {survivor} 之后又参与了合并 {ids};请先撤销它们",
            f"customer {survivor} was merged again later ({ids}); undo those first",
        )
    back = cur.execute(
        select("customers", ["customer_id"], where="customer_id IN (SELECT unnest(?))"),
        [merged],
    ).fetchall()
    if back:
        ids = ", ".join(r[0] for r in back)
        raise KehuError(
            f"被合并的客户 {ids} 已重新出现,无法撤销",
            f"merged customers {ids} exist again; cannot undo",
        )
    current = _one(cur, "SELECT updated_at FROM customers WHERE customer_id = ?", [survivor])
    if current is None:
        raise KehuError(f"保留的客户 {survivor} 已不存在", f"survivor {survivor} no longer exists")
    if current[0] != stamp and not force:
        raise KehuError(
            f"客户 {survivor} 在合并后又被修改;撤销会丢掉这些修改。确认请加 --force",
            f"customer {survivor} changed after the merge; undoing drops those changes. "
            "Add --force to undo anyway",
        )
    restored = _restore_children(cur, merge_id)
    cur.execute("DELETE FROM customers WHERE customer_id = ?", [survivor])
    restore = insert_select(
        "customers",
        "merge_customer_rows",
        list(CUSTOMERS.all_columns()),
        where="merge_id = ?",
        order_by="customer_id",
    )
    cur.execute(restore, [merge_id])
    cur.execute(
        "UPDATE merges SET status = 'undone', undone_at = ? WHERE merge_id = ?", [now, merge_id]
    )
    members = sorted([survivor, *merged])
    pairs = [(a, b) for i, a in enumerate(members) for b in members[i + 1 :]]
    for a, b in pairs:
        cur.execute(
            "INSERT INTO dedupe_decisions (id_l, id_r, decision, decided_at, user_name, note) "
            "VALUES (?, ?, 'reject', ?, ?, ?) ON CONFLICT DO UPDATE SET "
            "decision = 'reject', decided_at = excluded.decided_at, "
            "user_name = excluded.user_name, note = excluded.note",
            [a, b, now, user, f"undo {merge_id}"],
        )
        record_label(cur, a, b, NON_MATCH, "undo", now)
        cur.execute(
            "UPDATE dedupe_pairs SET status = 'rejected', blocked = 'rejected' "
            "WHERE id_l = ? AND id_r = ?",
            [a, b],
        )
    return {
        "merge_id": merge_id,
        "survivor_id": survivor,
        "restored_ids": merged,
        "child_rows": restored,
    }


def _restore_children(cur: duckdb.DuckDBPyConnection, merge_id: str) -> int:
    tables = [
        r[0]
        for r in cur.execute(
            "SELECT DISTINCT table_name FROM merge_rows WHERE merge_id = ? ORDER BY 1", [merge_id]
        ).fetchall()
    ]
    total = 0
    for name in tables:
        table = table_by_name(name)
        if table is None:
            continue
        cols = {
            r[0]
            for r in cur.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ?", [name]
            ).fetchall()
        }
        match = " AND ".join(
            f"CAST(t.{identifier(k)} AS VARCHAR) = r.key{i + 1}" for i, k in enumerate(table.key)
        )
        set_updated = ", updated_at = r.old_updated_at" if "updated_at" in cols else ""
        n = cur.execute(
            f"""
            UPDATE {identifier(name)} AS t SET customer_id = r.old_customer_id{set_updated}
            FROM merge_rows r
            WHERE r.merge_id = ? AND r.table_name = ? AND r.action = 'repoint' AND {match}
        """,
            [merge_id, name],
        ).fetchall()[0][0]
        removed = cur.execute(
            f"""
            DELETE FROM {identifier(name)} AS t USING merge_rows r
            WHERE r.merge_id = ? AND r.table_name = ? AND r.action = 'insert' AND {match}
        """,
            [merge_id, name],
        ).fetchall()[0][0]
        total += int(n) + int(removed)
    return total
