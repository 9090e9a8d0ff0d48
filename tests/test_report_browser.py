"""The HTML report in headless Chromium: charts render (canvas), no console errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_support import ARGS, BROWSER_MARKS, CHROMIUM
from test_alerts_support import build_demo
from test_report import _rich_ws

from kehu.monitor.report.build import write_report
from kehu.workspace import Workspace

pytestmark = BROWSER_MARKS


def _open(path: Path, shot: Path | None = None) -> tuple[int, int, list[str]]:
    sync_api = pytest.importorskip("playwright.sync_api")
    errors: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(f"{e} {getattr(e, 'stack', '')}"))
        page.on(
            "request",
            lambda r: (
                errors.append(f"network: {r.url}")
                if not r.url.startswith(("file:", "data:", "about:"))
                else None
            ),
        )
        page.goto(path.as_uri())
        page.wait_for_function("window.kehuReady === true", timeout=20_000)
        made = page.evaluate("window.kehuCharts")
        canvases = page.locator(".chart canvas").count()
        if shot is not None:
            page.screenshot(path=str(shot), full_page=True)
        browser.close()
    return made, canvases, errors


def test_html_report_renders_charts(ws: Workspace, tmp_path: Path) -> None:
    _rich_ws(ws)
    out = write_report(ws, "2026-09", fmt="html", out=tmp_path / "r.html")
    made, canvases, errors = _open(Path(out["path"]), tmp_path / "r.png")
    assert errors == []
    assert made >= 10 and canvases >= made  # every chart drew on a canvas
    assert (tmp_path / "r.png").stat().st_size > 50_000


def test_english_report_renders(ws: Workspace, tmp_path: Path) -> None:
    build_demo(ws, n=10)
    out = write_report(ws, "2026-09", fmt="html", lang="en", out=tmp_path / "en.html")
    made, canvases, errors = _open(Path(out["path"]))
    assert errors == [] and made >= 6 and canvases >= made
