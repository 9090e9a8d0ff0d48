"""The import log: one row per import run (file, counts, status, who), newest first."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kehu.workspace import Workspace

LOG_COLUMNS = (
    "import_id", "started_at", "file", "kind", "source", "read", "loaded", "inserted", "updated",
    "unchanged", "rejected", "status", "user_name",
)  # fmt: skip


def import_log(ws: Workspace, limit: int = 50) -> list[dict[str, Any]]:
    """The latest `limit` imports, newest first."""
    # started_at is kept to the second; two imports in one second keep the order they ran in
    rows = ws.rows(
        f"SELECT {', '.join(LOG_COLUMNS)} FROM imports"
        " ORDER BY started_at DESC NULLS LAST, rowid DESC LIMIT ?",
        [int(limit)],
    )
    return [dict(zip(LOG_COLUMNS, r, strict=True)) for r in rows]
