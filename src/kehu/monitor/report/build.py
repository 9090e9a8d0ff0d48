"""`kehu report`: pick the period, collect the data, write one self-contained file."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kehu.access.rows import scoped
from kehu.analytics.stored import snapshot_dates
from kehu.calendar import Period
from kehu.errors import KehuError
from kehu.i18n import normalize_lang
from kehu.monitor.report.data import collect
from kehu.workspace import Workspace

if TYPE_CHECKING:
    from kehu.access.scope import Scope

KIND_GRAIN = {"monthly": "month", "quarterly": "quarter"}
FORMATS = ("html", "xlsx", "pdf")


def default_period(ws: Workspace, kind: str) -> Period:
    """The period the latest data describes: the one before the latest snapshot's as_of
    (snapshots are dated the day after the data ends), else the one holding the data's end."""
    from kehu.analytics.stored import data_end

    dates = snapshot_dates(ws)
    ref = dates[-1] - timedelta(days=1) if dates else data_end(ws)
    return Period.containing(ref, KIND_GRAIN[kind])  # type: ignore[arg-type]


def resolve_period(ws: Workspace, period: str | None, kind: str | None) -> tuple[Period, str]:
    if kind is not None and kind not in KIND_GRAIN:
        raise KehuError(
            f"报告类型应为 monthly 或 quarterly:{kind}",
            f"report kind must be monthly or quarterly: {kind}",
        )
    if period is None:
        kind = kind or ws.settings.report.kind
        return default_period(ws, kind), kind
    p = Period.parse(period)
    if p.grain == "year":
        raise KehuError(
            "报告期间请写成月份(2026-10)或季度(2026-Q3)",
            "give a month (2026-10) or a quarter (2026-Q3) as the report period",
        )
    implied = "monthly" if p.grain == "month" else "quarterly"
    if kind == "quarterly" and p.grain == "month":
        p = Period.containing(p.start, "quarter")
        implied = "quarterly"
    elif kind == "monthly" and p.grain == "quarter":
        raise KehuError(
            f"{period} 是季度:请用 --kind quarterly", f"{period} is a quarter: use --kind quarterly"
        )
    return p, implied


def write_report(
    ws: Workspace,
    period: str | None = None,
    *,
    kind: str | None = None,
    fmt: str | None = None,
    lang: str | None = None,
    out: str | Path | None = None,
    run_id: str | None = None,
    scope: Scope | None = None,
) -> dict[str, Any]:
    """Write the report; returns {path, period, kind, format, lang, bytes, report_id}.

    With a `scope` that does not see everything, every section holds only the scope's rows
    (`kehu.access.rows`) and the run is not logged in `report_runs`, which records the
    workspace's own reports (the web audits who generated which)."""
    fmt = (
        fmt or (Path(out).suffix.lstrip(".").lower() if out else None) or ws.settings.report.format
    )
    if fmt not in FORMATS:
        raise KehuError(
            f"报告格式应为 html、xlsx 或 pdf:{fmt}", f"format must be html, xlsx or pdf: {fmt}"
        )
    lang = normalize_lang(lang or ws.lang)
    with scoped(ws, scope) as view:
        p, kind = resolve_period(view, period, kind)
        data = collect(view, p, kind, lang)
        whole = view is ws
    if out is None:
        out = ws.path(ws.settings.report.out_dir, f"kehu-report-{p.label}-{lang}.{fmt}")
    path = Path(out).expanduser().resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "html":
        from kehu.monitor.report.html import render_html

        path.write_text(render_html(data), encoding="utf-8")
    elif fmt == "xlsx":
        from kehu.monitor.report.xlsx import write_xlsx

        write_xlsx(data, path)
    else:
        from kehu.monitor.report.pdf import write_pdf

        write_pdf(data, path)
    size = path.stat().st_size
    report_id = uuid.uuid4().hex[:16]
    if whole:
        with ws.transaction() as cur:
            cur.execute(
                "INSERT INTO report_runs (report_id, created_at, kind, period, format, lang,"
                " path, bytes, run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [report_id, datetime.now(), kind, p.label, fmt, lang, str(path), size, run_id],
            )
    return {
        "report_id": report_id,
        "path": str(path),
        "period": p.label,
        "kind": kind,
        "format": fmt,
        "lang": lang,
        "bytes": size,
        "snapshot": data["meta"]["snapshot"],
        "sections": {k: bool(v) for k, v in _availability(data).items()},
    }


def _availability(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "kpis": data["kpis"]["available"],
        "segments": data["rfm_type"] is not None,
        "pareto": data["pareto"].get("available"),
        "clv": data["clv"].get("available"),
        "watchlist": bool(data["watchlist"]["rows"]),
        "feedback": bool(data["feedback"]["texts"]),
        "goals": bool(data["goals"]["rows"]),
        "targets": data["targets"]["available"],
        "quality": data["quality"]["available"],
    }


def report_date(value: str | date | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)
