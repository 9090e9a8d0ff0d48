"""Merge duplicate customers into a survivor — set-based, logged, undoable, one transaction.

For every cluster: the records are ranked by the survivorship rule (`dedupe.survivorship`:
most recent, most complete, or source priority); the first is the survivor and each field
takes the first non-empty value in that order (or min / max / union per
`dedupe.field_rules`). Child rows (contacts, orders, interactions, tickets, surveys,
opportunities, targets, tasks) and `customer_ids` aliases are re-pointed to the survivor,
so ids of merged records keep resolving. Prior rows go to `merge_customer_rows` and
`merge_rows` for `kehu dedupe undo`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb
import pyarrow as pa

from kehu.config import DedupeSettings
from kehu.engines.sql import column_list, identifier, insert_select, text_literal
from kehu.errors import KehuError, NotFoundError
from kehu.store.schema import CUSTOMERS, customer_referencing_tables

# Columns that stay the survivor's own (its identity) or get a fixed rule.
_IDENTITY = ("customer_id", "source", "source_id")
_AUDIT = ("created_at", "updated_at")


@dataclass
class MergeRecord:
    merge_id: str
    survivor_id: str
    merged_ids: list[str]
    probability: float | None


def _one(cur: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> Any:
    """The first row (or None), reading the whole result: DuckDB 2.0 refuses further work on
    a connection with an unfinished result."""
    rows = cur.execute(sql, params or []).fetchall()
    return rows[0] if rows else None


def child_tables(cur: duckdb.DuckDBPyConnection) -> list[tuple[str, tuple[str, ...], bool]]:
    """(table, key columns, has updated_at) for every table whose rows point at customers."""
    out = []
    for table in customer_referencing_tables():
        name = table.name
        cols = {
            r[0]
            for r in cur.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ?", [name]
            ).fetchall()
        }
        if "customer_id" not in cols or not table.key:
            continue
        if len(table.key) > 3 or "customer_id" in table.key:
            continue
        out.append((name, table.key, "updated_at" in cols))
    return out


def _order_sql(settings: DedupeSettings, keep: str | None) -> str:
    parts = []
    if keep is not None:
        parts.append(f"(c.customer_id = {text_literal(keep)}) DESC")
    if settings.survivorship == "most_complete":
        filled = " + ".join(
            f"(c.{identifier(col)} IS NOT NULL)::INT"
            for col in CUSTOMERS.columns
            if col not in _IDENTITY
        )
        parts.append(f"({filled}) DESC")
    elif settings.survivorship == "source_priority":
        whens = " ".join(
            f"WHEN {text_literal(s)} THEN {i}" for i, s in enumerate(settings.source_priority)
        )
        parts.append(f"CASE c.source {whens} ELSE {len(settings.source_priority)} END")
    parts += ["c.updated_at DESC NULLS LAST", "c.created_at DESC NULLS LAST", "c.customer_id"]
    return ", ".join(parts)


def _value_sql(col: str, sql_type: str, rule: str) -> tuple[str, str | None]:
    """(aggregate for the merged value, aggregate for the id it came from or None)."""
    c = f"c.{identifier(col)}"
    nonempty = f"{c} IS NOT NULL"
    if sql_type.startswith("VARCHAR"):
        nonempty += f" AND trim({c}) <> ''"
    if rule == "min":
        return f"min({c})", None
    if rule == "max":
        return f"max({c})", None
    if rule == "union" and sql_type.startswith("VARCHAR"):
        items = (
            f"list_filter(list_transform(flatten(list(string_split({c}, ',')) "
            f"FILTER (WHERE {nonempty})), lambda x: trim(x)), lambda x: x <> '')"
        )
        return f"nullif(array_to_string(list_sort(list_distinct({items})), ','), '')", None
    return (
        f"first({c} ORDER BY r.rnk) FILTER (WHERE {nonempty})",
        f"first(c.customer_id ORDER BY r.rnk) FILTER (WHERE {nonempty})",
    )


def merge_clusters(
    cur: duckdb.DuckDBPyConnection,
    clusters: Sequence[Sequence[str]],
    settings: DedupeSettings,
    *,
    method: str = "auto",
    run_id: str | None = None,
    probabilities: Sequence[float | None] | None = None,
    keep: str | None = None,
    user: str | None = None,
    default_source: str = "crm",
    now: datetime | None = None,
) -> list[MergeRecord]:
    """Merge each cluster (>= 2 customer ids) inside the caller's transaction `cur`."""
    clusters = [list(dict.fromkeys(c)) for c in clusters if len(set(c)) >= 2]
    if not clusters:
        return []
    now = now or datetime.now()
    seen: set[str] = set()
    for members in clusters:
        overlap = seen.intersection(members)
        if overlap:
            raise KehuError(
                f"客户 {sorted(overlap)} 出现在多个合并组中",
                f"customers {sorted(overlap)} appear in more than one merge group",
            )
        seen.update(members)
    start = _one(cur, "SELECT coalesce(max(seq), 0) FROM merges")[0]
    merge_ids = [f"M{start + i + 1:06d}" for i in range(len(clusters))]
    mapping = pa.table(
        {
            "merge_id": [
                m for m, members in zip(merge_ids, clusters, strict=True) for _ in members
            ],
            "customer_id": [cid for members in clusters for cid in members],
        }
    )
    cur.register("_kehu_merge_input", mapping)
    try:
        return _merge(
            cur,
            clusters,
            merge_ids,
            settings,
            method=method,
            run_id=run_id,
            probabilities=probabilities,
            keep=keep,
            user=user,
            default_source=default_source,
            now=now,
        )
    finally:
        try:
            cur.unregister("_kehu_merge_input")
            cur.execute("DROP TABLE IF EXISTS _kehu_mrank")
            cur.execute("DROP TABLE IF EXISTS _kehu_mval")
        except duckdb.Error:  # an aborted transaction: the rollback drops them
            pass


def _merge(
    cur: duckdb.DuckDBPyConnection,
    clusters: Sequence[Sequence[str]],
    merge_ids: list[str],
    settings: DedupeSettings,
    *,
    method: str,
    run_id: str | None,
    probabilities: Sequence[float | None] | None,
    keep: str | None,
    user: str | None,
    default_source: str,
    now: datetime,
) -> list[MergeRecord]:
    missing = [
        r[0]
        for r in cur.execute(
            "SELECT m.customer_id FROM _kehu_merge_input m "
            "LEFT JOIN customers c USING (customer_id) WHERE c.customer_id IS NULL"
        ).fetchall()
    ]
    if missing:
        raise NotFoundError(
            f"找不到客户 {', '.join(sorted(missing))}", f"no customer {', '.join(sorted(missing))}"
        )
    cur.execute(f"""
        CREATE TEMP TABLE _kehu_mrank AS
        SELECT m.merge_id, c.customer_id,
               row_number() OVER (PARTITION BY m.merge_id ORDER BY {_order_sql(settings, keep)})
                 AS rnk
        FROM customers c JOIN _kehu_merge_input m USING (customer_id)
    """)
    all_cols = list(CUSTOMERS.all_columns())
    cur.execute(f"""
        INSERT INTO merge_customer_rows (merge_id, {column_list(all_cols)})
        SELECT r.merge_id, {column_list(all_cols, "c")}
        FROM customers c JOIN _kehu_mrank r USING (customer_id)
    """)
    # Merged values per cluster.
    selects = [
        "r.merge_id",
        "first(c.customer_id ORDER BY r.rnk) AS survivor_id",
        "min(c.created_at) AS created_at",
    ]
    provenance: list[str] = []
    value_cols = [c for c in CUSTOMERS.columns if c not in _IDENTITY]
    for col in value_cols:
        rule = settings.field_rules.get(col, "first")
        value, origin = _value_sql(col, CUSTOMERS.columns[col], rule)
        selects.append(f"{value} AS {identifier(col)}")
        if origin:
            selects.append(f"{origin} AS {identifier('from_' + col)}")
            provenance.append(col)
    cur.execute(f"""
        CREATE TEMP TABLE _kehu_mval AS
        SELECT {", ".join(selects)}
        FROM customers c JOIN _kehu_mrank r USING (customer_id) GROUP BY r.merge_id
    """)
    # Re-point children and aliases (prior values logged first).
    for table, key, has_updated in child_tables(cur):
        keys = [f"CAST(t.{identifier(k)} AS VARCHAR)" for k in key] + ["NULL"] * (3 - len(key))
        cur.execute(f"""
            INSERT INTO merge_rows (merge_id, table_name, action, key1, key2, key3,
                                    old_customer_id, old_updated_at)
            SELECT r.merge_id, {text_literal(table)}, 'repoint', {", ".join(keys)}, t.customer_id,
                   {"t.updated_at" if has_updated else "NULL"}
            FROM {identifier(table)} t JOIN _kehu_mrank r ON t.customer_id = r.customer_id
            WHERE r.rnk > 1
        """)
        set_updated = ", updated_at = $now" if has_updated else ""
        cur.execute(
            f"""
            UPDATE {identifier(table)} AS t SET customer_id = s.survivor_id{set_updated}
            FROM (SELECT r.customer_id, v.survivor_id FROM _kehu_mrank r
                  JOIN _kehu_mval v USING (merge_id) WHERE r.rnk > 1) s
            WHERE t.customer_id = s.customer_id
        """,
            {"now": now} if has_updated else {},
        )
    # Merged records without any alias get one, so their id keeps resolving.
    cur.execute(
        """
        CREATE OR REPLACE TEMP TABLE _kehu_malias AS
        SELECT r.merge_id, coalesce(c.source, $src) AS source,
               coalesce(c.source_id, c.customer_id) AS source_id, v.survivor_id
        FROM customers c JOIN _kehu_mrank r USING (customer_id)
        JOIN _kehu_mval v USING (merge_id)
        WHERE r.rnk > 1
          AND NOT EXISTS (SELECT 1 FROM customer_ids a
                          WHERE a.source = coalesce(c.source, $src)
                            AND a.source_id = coalesce(c.source_id, c.customer_id))
    """,
        {"src": default_source},
    )
    cur.execute("""
        INSERT INTO merge_rows (merge_id, table_name, action, key1, key2)
        SELECT merge_id, 'customer_ids', 'insert', source, source_id FROM _kehu_malias
    """)
    alias_cols = {
        r[0]
        for r in cur.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'customer_ids'"
        ).fetchall()
    }
    stamp = ", created_at, updated_at" if "updated_at" in alias_cols else ""
    stamp_v = ", $now, $now" if stamp else ""
    cur.execute(
        f"""
        INSERT INTO customer_ids (source, source_id, customer_id{stamp})
        SELECT source, source_id, survivor_id{stamp_v} FROM _kehu_malias
    """,
        {"now": now} if stamp else {},
    )
    cur.execute("DROP TABLE _kehu_malias")
    # The survivor takes the merged values; the others go.
    sets = ", ".join(f"{identifier(c)} = v.{identifier(c)}" for c in value_cols)
    cur.execute(
        f"""
        UPDATE customers AS c SET {sets}, created_at = v.created_at, updated_at = $now
        FROM _kehu_mval v WHERE c.customer_id = v.survivor_id
    """,
        {"now": now},
    )
    cur.execute("""
        DELETE FROM customers WHERE customer_id IN
          (SELECT customer_id FROM _kehu_mrank WHERE rnk > 1)
    """)
    rows = cur.execute(f"""
        SELECT v.merge_id, v.survivor_id,
               (SELECT list(r.customer_id ORDER BY r.rnk) FROM _kehu_mrank r
                WHERE r.merge_id = v.merge_id AND r.rnk > 1) AS merged,
               {column_list([f"from_{c}" for c in provenance], "v")}
        FROM _kehu_mval v ORDER BY v.merge_id
    """).fetchall()
    probs = dict(zip(merge_ids, probabilities or [None] * len(merge_ids), strict=True))
    records: list[MergeRecord] = []
    log_rows: dict[str, list[Any]] = {
        k: []
        for k in (
            "merge_id",
            "seq",
            "run_id",
            "created_at",
            "user_name",
            "method",
            "rule",
            "survivor_id",
            "merged_ids",
            "probability",
            "provenance",
            "survivor_updated_at",
            "status",
        )
    }
    for row in rows:
        merge_id, survivor, merged = row[0], row[1], list(row[2])
        came_from = {
            col: src
            for col, src in zip(provenance, row[3:], strict=True)
            if src is not None and src != survivor
        }
        records.append(MergeRecord(merge_id, survivor, merged, probs.get(merge_id)))
        for k, v in (
            ("merge_id", merge_id),
            ("seq", int(merge_id[1:])),
            ("run_id", run_id),
            ("created_at", now),
            ("user_name", user),
            ("method", method),
            ("rule", settings.survivorship),
            ("survivor_id", survivor),
            ("merged_ids", json.dumps(merged, ensure_ascii=False)),
            ("probability", probs.get(merge_id)),
            ("provenance", json.dumps(came_from, ensure_ascii=False)),
            ("survivor_updated_at", now),
            ("status", "applied"),
        ):
            log_rows[k].append(v)
    log = pa.table(log_rows)
    cur.register("_kehu_merge_log", log)
    try:
        cur.execute(insert_select("merges", "_kehu_merge_log", log.column_names))
    finally:
        cur.unregister("_kehu_merge_log")
    # Scored pairs inside a merged cluster are settled.
    cur.execute("""
        UPDATE dedupe_pairs AS p SET status = 'merged'
        WHERE EXISTS (SELECT 1 FROM _kehu_mrank a JOIN _kehu_mrank b USING (merge_id)
                      WHERE a.customer_id = p.id_l AND b.customer_id = p.id_r)
    """)
    return records
