"""What the importer will see in a file before it runs: the header row it finds and the
column each header maps to (aliases, then a mapping file's corrections). The web's import
wizard shows these; `import_file` reads and maps the same way."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from kehu.ingest.importer import _table, read_raw
from kehu.ingest.mapping import SYSTEM_COLUMNS, header_score, load_mapping_file, map_headers

if TYPE_CHECKING:
    from kehu.workspace import Workspace


def importable_columns(kind: str) -> list[str]:
    """The columns of `kind`'s table a file may fill (system columns left out)."""
    return [c for c in _table(kind).columns if c not in SYSTEM_COLUMNS]


def file_headers(
    ws: Workspace, path: str | Path, kind: str, mapping: str | Path | None = None
) -> list[str]:
    """The header row of a file, found the way `import_file` finds it."""
    table = _table(kind)
    mapping_file = load_mapping_file(mapping, table) if mapping else None
    options = mapping_file.options if mapping_file else {}
    settings = ws.settings.ingest
    raw = read_raw(
        Path(path),
        lambda cells: header_score(cells, table),
        options,
        options.get("encoding") or settings.encoding,
        settings.header_scan_rows,
        None,
    )
    return [h for h in raw.headers if h]


def header_columns(
    headers: list[str], kind: str, mapping: str | Path | None = None
) -> dict[str, str | None]:
    """header -> canonical column (None: not imported), as the importer will map it."""
    table = _table(kind)
    mapping_file = load_mapping_file(mapping, table) if mapping else None
    return {m.header: m.column for m in map_headers(headers, table, mapping_file)}
