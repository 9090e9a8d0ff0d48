"""The watched folder: which files are new (by SHA-256) and which import kind each one is."""

from __future__ import annotations

import fnmatch
import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from kehu.store.schema import DATA_TABLES
from kehu.workspace import Workspace

SUFFIXES = {".csv", ".tsv", ".txt", ".xlsx", ".xls", ".parquet"}
KIND_ORDER = [t.kind for t in DATA_TABLES if t.kind]


@dataclass(frozen=True)
class Inbound:
    """A file the import step loads; `digest` is set for a watched-folder file (remembered)."""

    path: Path
    kind: str
    source: str | None = None
    digest: str | None = None


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def kind_of(path: Path, inbox: Path, patterns: dict[str, list[str]]) -> str | None:
    """The import kind of a file: its sub-folder's name, else the kind of the longest matching
    pattern (so 商机阶段.csv is a stage history, not an opportunity list)."""
    rel = path.relative_to(inbox)
    if len(rel.parts) > 1 and rel.parts[0] in KIND_ORDER:
        return rel.parts[0]
    name = path.name.lower()
    matches = [
        (len(p), -KIND_ORDER.index(kind), kind)
        for kind in KIND_ORDER
        for p in patterns.get(kind, [])
        if fnmatch.fnmatch(name, p.lower())
    ]
    return max(matches)[2] if matches else None


def new_files(ws: Workspace, summary: dict[str, Any]) -> list[Inbound]:
    """The watched folder's files not seen before, customers before the tables that cite them;
    counts the seen ones and lists those of unknown kind in `summary`."""
    inbox = ws.root / ws.settings.ingest.watch_dir
    if not inbox.is_dir():
        return []
    seen = {r[0] for r in ws.rows("SELECT sha256 FROM inbox_files")}
    found: list[tuple[int, str, Inbound]] = []
    for path in sorted(p for p in inbox.rglob("*") if p.is_file()):
        if path.suffix.lower() not in SUFFIXES or path.name.startswith((".", "~$")):
            continue
        digest = sha256(path)
        if digest in seen:
            summary["seen"] += 1
            continue
        seen.add(digest)
        kind = kind_of(path, inbox, ws.settings.schedule.kind_patterns)
        if kind is None:
            summary["unknown_kind"].append(str(path.relative_to(inbox)))
            continue
        found.append((KIND_ORDER.index(kind), str(path), Inbound(path, kind, digest=digest)))
    return [f for _, _, f in sorted(found, key=lambda t: t[:2])]


def remember(ws: Workspace, f: Inbound, rel: str, run_id: str, outcome: dict[str, Any]) -> None:
    """Record a watched-folder file as processed, so the next run skips it."""
    with ws.transaction() as cur:
        cur.execute(
            "INSERT INTO inbox_files (sha256, path, kind, bytes, import_id, status, message,"
            " processed_at, run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                f.digest,
                rel,
                f.kind,
                f.path.stat().st_size,
                outcome.get("import_id"),
                "failed" if "error" in outcome else "imported",
                outcome.get("error"),
                datetime.now(),
                run_id,
            ],
        )
