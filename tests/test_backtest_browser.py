"""The backtest page in headless chromium: figures equal the API's, zh and en, screenshot
under docs/screenshots/, and the 360 page's CLV band."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_support import BROWSER_MARKS, served
from test_browser import _api, _login, _shot, browser  # noqa: F401
from test_web_support import seeded_dir  # noqa: F401

from kehu.workspace import Workspace

pytestmark = BROWSER_MARKS


@pytest.fixture(scope="module")
def server(seeded_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:  # noqa: F811
    """The seeded workspace with one backtest run stored, served by uvicorn."""
    from kehu.analytics.backtest_runs import backtest

    root = tmp_path_factory.mktemp("backtest-browser") / "ws"
    shutil.copytree(seeded_dir, root)
    ws = Workspace.open(root)
    backtest(ws)
    with served(ws) as base:
        yield base


def test_backtest_page_shows_the_api_figures(server: str, browser: Any) -> None:  # noqa: F811
    for lang, title in (("zh", "流失预警"), ("en", "Churn warning")):
        page = _login(browser, server, "admin", lang)
        page.click("a[href='/backtest']")
        page.wait_for_url(f"{server}/backtest")
        result = _api(page, server, "/api/v1/backtest")
        auc = result["overall"]["churn"]["kehu"]["roc_auc"]
        assert page.inner_text("#kehu-auc").strip() == f"{auc:,.3f}"
        assert title in page.inner_text("#backtest-churn").replace("\n", " ") or title in (
            page.content()
        )
        rows = page.locator("#backtest-churn tbody tr").count()
        assert rows == len(result["overall"]["churn"])
        assert page.locator("#backtest-reliability tbody tr").count() == len(
            result["overall"]["churn"]["kehu"]["reliability"]
        )
        assert page.locator("#backtest-history tbody tr").count() >= 1
        _shot(page, f"backtest-admin-{lang}")
        page.context.close()


def test_rep_sees_no_backtest_link(server: str, browser: Any) -> None:  # noqa: F811
    page = _login(browser, server, "zhang")
    assert page.locator("a[href='/backtest']").count() == 0
    page.context.close()
