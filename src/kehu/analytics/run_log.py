"""A stored run log (backtest_runs, forecast_runs): one row per run keyed by its `run_at`,
the headline figures as columns, every figure in `result_json`."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kehu.workspace import Workspace


def append(
    ws: Workspace, table: str, columns: tuple[str, ...], result: dict[str, Any], values: list[Any]
) -> None:
    """Append one run: `columns` after run_at get `values`, the whole result its JSON."""
    with ws.transaction() as cur:
        cur.execute(
            f"INSERT INTO {table} ({', '.join(columns)}, result_json)"
            f" VALUES ({', '.join('?' * (len(columns) + 1))})",
            [result["run_at"], *values, json.dumps(result, ensure_ascii=False)],
        )


def history(
    ws: Workspace, table: str, columns: tuple[str, ...], limit: int
) -> list[dict[str, Any]]:
    """The latest runs, newest first (headline columns only)."""
    rows = ws.rows(
        f"SELECT {', '.join(columns)} FROM {table} ORDER BY run_at DESC LIMIT ?", [limit]
    )
    return [dict(zip(columns, row, strict=True)) for row in rows]


def latest(ws: Workspace, table: str) -> dict[str, Any] | None:
    """The full result of the newest run, or None before the first."""
    text = ws.scalar(f"SELECT result_json FROM {table} ORDER BY run_at DESC LIMIT 1")
    return json.loads(text) if text else None
