"""The key-account plan of the demo's 战略级 customer in a real browser (zh and en): the
relationship map is drawn, the figures match the API, an edit is saved; screenshots under
docs/screenshots/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_support import BROWSER_MARKS, served, sign_in
from test_browser import SHOTS, _charts_ready, _shot, browser  # noqa: F401

from kehu.access.auth import Auth
from kehu.jobs.demo import run_demo
from kehu.workspace import Workspace

pytestmark = BROWSER_MARKS
PASSWORD = "demo-password-18"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    root = tmp_path_factory.mktemp("plan") / "ws"
    run_demo(root, seed=7, size=0.5)
    ws = Workspace.open(root)
    Auth(ws).add_user("boss", "admin", password=PASSWORD)
    strategic = ws.scalar(
        "SELECT customer_id FROM customer_snapshot WHERE value_tier = 'strategic'"
        " ORDER BY value_score DESC LIMIT 1"
    )
    assert strategic, "the demo has a 战略级 customer"
    with served(ws) as base:
        yield base, strategic


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_strategic_account_plan(server: tuple[str, str], browser: Any, lang: str) -> None:  # noqa: F811
    base, cid = server
    page = sign_in(browser, base, "boss", PASSWORD, lang)
    plan = page.request.get(f"{base}/api/v1/accounts/{cid}/plan").json()
    assert plan["customer"]["value_tier"] == "strategic"
    page.goto(f"{base}/accounts")
    assert page.locator(f"#accounts-table a[href='/accounts/{cid}']").count() == 1
    page.goto(f"{base}/accounts/{cid}")
    _charts_ready(page)
    assert page.get_attribute("#chart-relationship", "data-ready") == "1"
    rows = page.locator("#decision-chain tbody tr")
    assert rows.count() == len(plan["decision_chain"]) > 0
    assert page.locator("#plan-risks .reason").count() == len(plan["risks"])
    heading = "大客户计划" if lang == "zh" else "Key-account plan"
    assert heading in page.inner_text("h1")
    _shot(page, f"account-plan-admin-{lang}")
    if lang == "en":
        page.fill("input[name=revenue_goal]", "7000000")
        page.select_option("select[name=status]", "agreed")
        page.click("#save-plan")
        page.wait_for_url("**done=plan_saved")
        saved = page.request.get(f"{base}/api/v1/accounts/{cid}/plan").json()
        assert saved["saved"] and saved["status"] == "agreed"
        assert saved["goals"]["revenue_goal"] == 7000000
        pdf = page.request.get(f"{base}/accounts/{cid}/export?format=pdf")
        assert pdf.ok and pdf.body()[:4] == b"%PDF"
    assert Path(SHOTS / f"account-plan-admin-{lang}.png").stat().st_size > 20000
