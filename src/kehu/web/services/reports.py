"""Periodic reports from the web: generated inside the caller's scope, downloadable.

Every report is written within the caller's scope (`write_report(..., scope=)`, which reads
through `kehu.access.rows`), so the watch-list, flows and targets in the file only hold the
customers they may see. Files go to `<workspace>/<report.out_dir>/web/<scope>/`.
Admins list and read every scope's reports: those of other scopes have the id
`<scope folder>~<file>`, and the listing says who generated each (from the audit log).
"""

from __future__ import annotations

import hashlib
import os
import re
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kehu.access import audit
from kehu.errors import KehuError, NotFoundError

if TYPE_CHECKING:
    from kehu.access.scope import Scope
    from kehu.web.services.state import WebState

FORMATS = {
    "html": "text/html; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
_NAME = re.compile(r"^[\w.\-]{1,200}$")
_SLUG = re.compile(r"^(?:all|[0-9a-f]{12})$")


def _web_dir(state: WebState) -> Path:
    return state.ws.root / state.settings.report.out_dir / "web"


def _slug(scope: Scope) -> str:
    return "all" if scope.sees_all else hashlib.sha256(scope.key.encode()).hexdigest()[:12]


def _scope_dir(state: WebState, scope: Scope) -> Path:
    path = _web_dir(state) / _slug(scope)
    path.mkdir(parents=True, exist_ok=True)
    return path


def generate(
    state: WebState,
    scope: Scope,
    *,
    period: str | None = None,
    kind: str | None = None,
    fmt: str = "html",
    lang: str = "zh",
    ip: str | None = None,
) -> dict[str, Any]:
    """Write a monthly/quarterly report of the caller's scope; returns its listing entry."""
    scope.require("report")
    if fmt not in FORMATS:
        raise KehuError(
            f"报告格式应为 html、xlsx 或 pdf:{fmt}", f"format must be html, xlsx or pdf: {fmt}"
        )
    folder = _scope_dir(state, scope)
    tmp = folder / f".{uuid.uuid4().hex}.{fmt}"
    info = state.kehu.report(period, kind=kind, fmt=fmt, lang=lang, out=tmp, scope=scope)
    final = _publish(tmp, f"kehu-report-{info['period']}-{lang}")
    audit.record(
        state.ws,
        "report",
        user=scope.user,
        target=_audit_target(final),
        detail={"period": info["period"], "kind": info["kind"], "format": fmt, "scope": scope.key},
        ip=ip,
    )
    return _entry(final, by=scope.user)


def _publish(tmp: Path, base: str) -> Path:
    """Give the written file its name, `<base>-<date>-<time to the millisecond>.<format>`, or a
    later millisecond's if that is taken: one scope may generate twice at once, and a link
    never replaces a file that exists."""
    now = datetime.now()
    while True:
        stamp = now.strftime("%Y%m%d-%H%M%S") + f"{now.microsecond // 1000:03d}"
        path = tmp.parent / f"{base}-{stamp}{tmp.suffix}"
        try:
            os.link(tmp, path)
        except FileExistsError:
            now += timedelta(milliseconds=1)
            continue
        tmp.unlink()
        return path


def _audit_target(path: Path) -> str:
    """How the audit log names a report: `<scope folder>/<file>` (file names repeat across
    scopes)."""
    return f"{path.parent.name}/{path.name}"


def _entry(path: Path, report_id: str | None = None, by: str | None = None) -> dict[str, Any]:
    stat = path.stat()
    parts = path.stem.split("-")
    return {
        "report_id": report_id or path.name,
        "file": path.name,
        "period": "-".join(parts[2:-3]) if len(parts) > 5 else None,
        "format": path.suffix.lstrip("."),
        "bytes": stat.st_size,
        "created_at": datetime.fromtimestamp(stat.st_mtime).isoformat(timespec="seconds"),
        "by": by,
    }


def _files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return [p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")]


def _makers(state: WebState) -> dict[str, str]:
    """Audit target (`_audit_target`; a bare file name in older logs) -> the user who
    generated it."""
    events = audit.events(state.ws, action="report", limit=100_000)
    return {e.target: e.user_name for e in events if e.target and e.user_name}


def list_reports(state: WebState, scope: Scope) -> list[dict[str, Any]]:
    """Reports generated for this scope (for an admin: every scope's), newest first."""
    own = _slug(scope)
    _scope_dir(state, scope)
    folders = [_web_dir(state) / own]
    if scope.sees_all:
        folders += [p for p in _web_dir(state).iterdir() if p.name != own and _SLUG.match(p.name)]
    makers = _makers(state)
    found = [
        (p, p.name if folder.name == own else f"{folder.name}~{p.name}")
        for folder in folders
        for p in _files(folder)
    ]
    found.sort(key=lambda f: f[0].stat().st_mtime, reverse=True)
    return [_entry(p, rid, makers.get(_audit_target(p)) or makers.get(p.name)) for p, rid in found]


def report_file(state: WebState, scope: Scope, report_id: str) -> tuple[Path, str]:
    """The file of a report of this scope (an admin: of any scope; 404 for anything else)
    and its media type."""
    slug, sep, name = report_id.rpartition("~")
    missing = NotFoundError(f"没有报告 {report_id}", f"no report {report_id}")
    if not _NAME.match(name) or (sep and not (scope.sees_all and _SLUG.match(slug))):
        raise missing
    path = (_web_dir(state) / slug / name) if sep else _scope_dir(state, scope) / name
    if not path.is_file():
        raise missing
    media = FORMATS.get(path.suffix.lstrip("."), "application/octet-stream")
    audit.record(state.ws, "export", user=scope.user, target=f"report:{report_id}")
    return path, media
