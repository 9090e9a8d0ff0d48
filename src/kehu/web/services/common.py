"""Small helpers shared by the services: table presence, row shaping."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import duckdb

    from kehu.app import Workspace


def table_exists(ws: Workspace, name: str, schema: str = "main") -> bool:
    return bool(
        ws.scalar(
            "SELECT count(*) FROM information_schema.tables"
            " WHERE table_name = ? AND table_schema = ?",
            [name, schema],
        )
    )


def table_columns(ws: Workspace, name: str) -> list[str]:
    rows = ws.rows(
        "SELECT column_name FROM information_schema.columns"
        " WHERE table_name = ? AND table_schema = 'main' ORDER BY ordinal_position",
        [name],
    )
    return [r[0] for r in rows]


def plain(value: Any) -> Any:
    """JSON-friendly scalars: Decimal -> float, dates -> ISO text."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def plain_tree(value: Any) -> Any:
    """`plain` applied through nested dicts, lists and tuples."""
    if isinstance(value, dict):
        return {k: plain_tree(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain_tree(v) for v in value]
    return plain(value)


def dicts(cur: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Fetch all rows of an executed cursor as dicts of JSON-friendly values."""
    names = [d[0] for d in cur.description or []]
    return [{n: plain(v) for n, v in zip(names, row, strict=True)} for row in cur.fetchall()]


def query(ws: Workspace, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    cur = ws.cursor()
    try:
        return dicts(cur.execute(sql, params or []))
    finally:
        cur.close()


def parse_json(text: Any, default: Any = None) -> Any:
    if not text or not isinstance(text, str):
        return default
    try:
        return json.loads(text)
    except ValueError:
        return default
