"""The import wizard: upload a file, see the auto-mapping, correct it, preview, commit.

Every step runs the real importer (`kehu.ingest.import_file`): previews are dry runs (the
transaction is rolled back), the commit is one transaction. A corrected mapping is written
as the importer's own mapping file (`[columns]` header = column), so the preview and the
commit use exactly the same rules as `kehu import --mapping`. Imports are for admins (their
scope is the whole workspace).
"""

from __future__ import annotations

import json
import re
import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Any

import tomli_w

from kehu.access import audit
from kehu.app import Kehu
from kehu.errors import KehuError, NotFoundError
from kehu.web.services.common import plain_tree

if TYPE_CHECKING:
    from kehu.access.scope import Scope
    from kehu.web.services.state import WebState

UPLOAD_DIR = "uploads"
_ID = re.compile(r"^[0-9a-f]{16}$")
_SAFE = re.compile(r"[^\w.\-]+")


kinds = Kehu.import_kinds
columns_for = Kehu.import_columns


def _dir(state: WebState, upload_id: str) -> Path:
    if not _ID.match(upload_id):
        raise NotFoundError(f"没有上传 {upload_id}", f"no upload {upload_id}")
    path = state.ws.root / UPLOAD_DIR / upload_id
    if not (path / "meta.json").is_file():
        raise NotFoundError(f"没有上传 {upload_id}", f"no upload {upload_id}")
    return path


def upload(
    state: WebState,
    scope: Scope,
    filename: str,
    data: bytes,
    kind: str,
    source: str | None = None,
) -> dict[str, Any]:
    """Store an uploaded file and return the first (auto-mapped) preview."""
    scope.require("import")
    if kind not in kinds():
        raise KehuError(
            f"未知的数据类型 {kind};可用 {', '.join(kinds())}",
            f"unknown kind {kind}; use one of {', '.join(kinds())}",
        )
    limit = state.settings.web.upload_max_mb * 1024 * 1024
    if len(data) > limit:
        raise KehuError(
            f"文件超过 {state.settings.web.upload_max_mb} MB,请用命令行 `kehu import`",
            f"the file exceeds {state.settings.web.upload_max_mb} MB; use `kehu import`",
        )
    if not data:
        raise KehuError("文件是空的", "the file is empty")
    upload_id = secrets.token_hex(8)
    folder = state.ws.root / UPLOAD_DIR / upload_id
    folder.mkdir(parents=True)
    name = _SAFE.sub("_", Path(filename or "upload.csv").name)[:120] or "upload.csv"
    (folder / name).write_bytes(data)
    meta = {"file": name, "kind": kind, "source": source, "user": scope.user, "mapping": None}
    (folder / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return preview(state, scope, upload_id)


def _meta(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "meta.json").read_text(encoding="utf-8"))


def _write_mapping(folder: Path, meta: dict[str, Any], mapping: dict[str, str | None]) -> Path:
    allowed = set(columns_for(meta["kind"]))
    bad = {h: c for h, c in mapping.items() if c and c not in allowed}
    if bad:
        raise KehuError(f"未知的目标列 {bad}", f"unknown target columns {bad}")
    path = folder / "mapping.toml"
    path.write_text(
        tomli_w.dumps({"columns": {h: (c or "") for h, c in mapping.items()}}), encoding="utf-8"
    )
    meta["mapping"] = mapping
    (folder / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return path


def _run(state: WebState, folder: Path, meta: dict[str, Any], *, dry_run: bool) -> dict[str, Any]:
    mapping = folder / "mapping.toml"
    result = state.kehu_as(meta.get("user")).import_file(
        folder / meta["file"],
        meta["kind"],
        source=meta.get("source") or None,
        mapping=mapping if mapping.is_file() else None,
        dry_run=dry_run,
    )
    return result.to_json()


def _mapping_path(folder: Path) -> Path | None:
    path = folder / "mapping.toml"
    return path if path.is_file() else None


def _headers(state: WebState, folder: Path, meta: dict[str, Any]) -> list[str]:
    """The file's header row, found the way the importer finds it (cached in meta.json)."""
    if meta.get("headers") is None:
        meta["headers"] = state.kehu.file_headers(
            folder / meta["file"], meta["kind"], mapping=_mapping_path(folder)
        )
        (folder / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return list(meta["headers"])


def _mapping(state: WebState, folder: Path, meta: dict[str, Any]) -> dict[str, str | None]:
    """header -> column as the importer will map it (aliases, then the user's corrections)."""
    headers = _headers(state, folder, meta)
    return state.kehu.header_columns(headers, meta["kind"], mapping=_mapping_path(folder))


def preview(
    state: WebState,
    scope: Scope,
    upload_id: str,
    mapping: dict[str, str | None] | None = None,
) -> dict[str, Any]:
    """A dry run with the current (or a corrected) mapping: counts, mapping, rejects.

    When the mapping still lacks a required column the importer's message is returned as
    `error` (with the mapping), so the user can fix it in the next step.
    """
    scope.require("import")
    folder = _dir(state, upload_id)
    meta = _meta(folder)
    if mapping is not None:
        _write_mapping(folder, meta, mapping)
    current = _mapping(state, folder, meta)
    error = None
    try:
        result = _run(state, folder, meta, dry_run=True)
    except KehuError as exc:
        error = {"zh": exc.zh, "en": exc.en}
        result = {"read": 0, "loaded": 0, "rejected": 0, "rejects": [], "rejects_total": 0}
    out = {
        "upload_id": upload_id,
        "file": meta["file"],
        "kind": meta["kind"],
        "source": meta.get("source"),
        "mapping": current,
        "targets": columns_for(meta["kind"]),
        "result": result,
        "error": error,
    }
    (folder / "preview.json").write_text(json.dumps(out, ensure_ascii=False), encoding="utf-8")
    return out


def last_preview(state: WebState, scope: Scope, upload_id: str) -> dict[str, Any]:
    """The latest preview of an upload (running one if there is none yet)."""
    scope.require("import")
    folder = _dir(state, upload_id)
    saved = folder / "preview.json"
    if saved.is_file():
        return json.loads(saved.read_text(encoding="utf-8"))
    return preview(state, scope, upload_id)


def commit(
    state: WebState,
    scope: Scope,
    upload_id: str,
    mapping: dict[str, str | None] | None = None,
    *,
    ip: str | None = None,
) -> dict[str, Any]:
    """Import for real (one transaction); audited; every cache is invalidated."""
    scope.require("import")
    folder = _dir(state, upload_id)
    meta = _meta(folder)
    if mapping is not None:
        _write_mapping(folder, meta, mapping)
    result = _run(state, folder, meta, dry_run=False)
    audit.record(
        state.ws,
        "import",
        user=scope.user,
        target=meta["file"],
        detail={k: result.get(k) for k in ("import_id", "kind", "read", "loaded", "rejected")},
        ip=ip,
    )
    state.changed()
    return {"upload_id": upload_id, "file": meta["file"], "kind": meta["kind"], "result": result}


def import_log(state: WebState, scope: Scope, limit: int = 50) -> list[dict[str, Any]]:
    """Recent imports (file, counts, status, who)."""
    return plain_tree(state.kehu.import_log(limit, scope=scope))
