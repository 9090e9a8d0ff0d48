"""Periodic review-meeting reports: data (`data`), charts, and HTML / XLSX / PDF writers."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from kehu.workspace import Workspace


def make_report(
    ws: Workspace, as_of: date | None = None, *, fmt: str = "html", lang: str | None = None
) -> dict[str, Any]:
    """The monthly report for the month a snapshot dated `as_of` describes (the demo's hook)."""
    from kehu.monitor.report.build import write_report

    period = (as_of - timedelta(days=1)).strftime("%Y-%m") if as_of else None
    return write_report(ws, period, kind="monthly", fmt=fmt, lang=lang)
