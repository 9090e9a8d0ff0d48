"""The forecast page in headless chromium on a small demo company: its figures equal the
API's, zh and en, a region manager sees only its region, screenshots under docs/screenshots/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_support import BROWSER_MARKS, served
from test_browser import _api, _charts_ready, _login, _shot, browser  # noqa: F401
from test_web_support import PASSWORD

from kehu.access.auth import Auth
from kehu.app import Kehu
from kehu.workspace import Workspace

pytestmark = BROWSER_MARKS


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo company (seed 11, size 0.25) with one forecast run stored, served."""
    from kehu.jobs.demo import run_demo

    root: Path = tmp_path_factory.mktemp("forecast-browser") / "ws"
    run_demo(root, seed=11, size=0.25)
    ws = Workspace.open(root)
    Auth(ws).add_user("admin", "admin", password=PASSWORD)
    Auth(ws).add_user("east", "manager", region="华东", password=PASSWORD)
    Kehu(ws).forecast()
    with served(ws) as base:
        yield base


def test_forecast_page_shows_the_api_figures(server: str, browser: Any) -> None:  # noqa: F811
    for lang, heading in (("zh", "商机预测"), ("en", "Pipeline forecast")):
        page = _login(browser, server, "admin", lang)
        page.click("a[href='/forecast']")
        page.wait_for_url(f"{server}/forecast")
        result = _api(page, server, "/api/v1/forecast")
        assert heading in page.inner_text("h1")
        assert page.locator("#forecast-region tbody tr").count() == len(result["region"])
        shown = min(len(result["deals"]), 50)
        assert page.locator("#forecast-deals tbody tr").count() == shown
        first = result["deals"][0]
        row = page.locator(f"#forecast-deals tr[data-deal='{first['deal']}']")
        assert f"{first['p'] * 100:.1f}%" in row.inner_text()
        reason = first["reasons"][0]["en" if lang == "en" else "zh"]
        assert reason in row.inner_text()
        scores = page.inner_text("#forecast-scores")
        assert f"{result['backtest']['model']['roc_auc']:.3f}" in scores
        assert page.locator("#forecast-backtest tbody tr").count() == len(
            result["backtest"]["periods"]
        )
        _charts_ready(page)
        _shot(page, f"forecast-admin-{lang}")
        page.context.close()


def test_region_manager_sees_its_region(server: str, browser: Any) -> None:  # noqa: F811
    page = _login(browser, server, "east", "zh")
    page.goto(f"{server}/forecast")
    result = _api(page, server, "/api/v1/forecast")
    assert result["scoped"] is True
    assert [r["name"] for r in result["region"]] == ["华东"]
    assert {d["region"] for d in result["deals"]} == {"华东"}
    assert page.locator("#forecast-scoped").count() == 1
    assert page.locator("#forecast-region tbody tr").count() == 1
    _shot(page, "forecast-manager-zh")
    page.context.close()
