"""Helpers shared by the ingest tests (not a test module)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from kehu.ingest.clean.text import DEFAULT_NULL_MARKERS
from kehu.ingest.columns import Context
from kehu.workspace import Workspace


def context(**overrides: object) -> Context:
    values: dict[str, object] = {
        "null_markers": frozenset(DEFAULT_NULL_MARKERS),
        "date_min": date(1900, 1, 1),
        "date_max": date(2100, 12, 31),
        "day_first": None,
        "timezone": "Asia/Shanghai",
        "phone_region": "CN",
        "excel_serials": (18264, 73050),
    }
    values.update(overrides)
    return Context(**values)  # type: ignore[arg-type]


def write_csv(path: Path, lines: list[str], encoding: str = "utf-8", newline: str = "\r\n") -> Path:
    """A CSV as Windows software writes it (CRLF line ends)."""
    path.write_bytes(newline.join(lines).encode(encoding) + newline.encode(encoding))
    return path


def table_rows(ws: Workspace, table: str, order: str) -> list[tuple[object, ...]]:
    cols = [
        r[0] for r in ws.rows(f'DESCRIBE "{table}"') if r[0] not in ("created_at", "updated_at")
    ]
    sel = ", ".join(f'"{c}"' for c in cols)
    return ws.rows(f'SELECT {sel} FROM "{table}" ORDER BY {order}')


def snapshot(ws: Workspace) -> dict[str, list[tuple[object, ...]]]:
    """Every table's full contents (audit columns included), for before/after comparisons."""
    names = [
        r[0]
        for r in ws.rows(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
        )
    ]
    return {n: ws.rows(f'SELECT * FROM "{n}" ORDER BY ALL') for n in sorted(names)}
