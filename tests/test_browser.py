"""Real-browser tests: headless Debian chromium through Playwright against a real uvicorn.

Logs in as admin, manager and rep; clicks through the dashboard, the customers table and a
customer 360 page; checks the numbers shown against the JSON API; switches the language;
saves screenshots under docs/screenshots/.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from browser_support import ARGS, BROWSER_MARKS, CHROMIUM, served, sign_in
from test_web_support import PASSWORD, seeded_dir  # noqa: F401

from kehu.workspace import Workspace

SHOTS = Path(__file__).resolve().parents[1] / "docs" / "screenshots"

pytestmark = BROWSER_MARKS


def _decorate(ws: Workspace) -> None:
    """Alerts and tasks so the pages show what a working team sees."""
    from kehu.planning.plan import make_plan

    make_plan(ws)
    now = datetime.now()
    with ws.transaction() as cur:
        cur.execute(
            """INSERT INTO alerts (alert_id, rule, kind, severity, condition_key, status,
                 subject_type, subject_id, customer_id, customer_name, owner, title_zh, title_en,
                 detail_zh, detail_en, first_seen_at, last_seen_at)
               SELECT row_number() OVER (ORDER BY churn_risk DESC, customer_id), 'key_churn',
                 'threshold', CASE WHEN churn_risk >= 0.8 THEN 'critical' ELSE 'warning' END,
                 'key_churn|customer:' || customer_id, 'open', 'customer', customer_id,
                 customer_id, name, owner, '流失风险升高:' || name, 'Churn risk up: ' || name,
                 '流失风险 ' || round(churn_risk * 100) || '%', 'churn risk '
                 || round(churn_risk * 100) || '%', ?, ?
               FROM customer_snapshot WHERE as_of = (SELECT max(as_of) FROM customer_snapshot)
                 AND churn_risk >= 0.6 ORDER BY churn_risk DESC LIMIT 8""",
            [now, now],
        )


@pytest.fixture(scope="module")
def server(seeded_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:  # noqa: F811
    root = tmp_path_factory.mktemp("browser") / "ws"
    shutil.copytree(seeded_dir, root)
    ws = Workspace.open(root)
    _decorate(ws)
    with served(ws) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield b
        b.close()


def _login(browser: Any, base: str, user: str, lang: str = "zh", width: int = 1440) -> Any:
    return sign_in(browser, base, user, PASSWORD, lang, width=width, locale="zh-CN")


def _api(page: Any, base: str, path: str) -> Any:
    r = page.request.get(base + path)
    assert r.ok, (path, r.status)
    return r.json()


def _charts_ready(page: Any) -> None:
    page.wait_for_function("document.body.getAttribute('data-charts') !== null")
    page.wait_for_timeout(600)  # let ECharts finish its entry animation


def _shot(page: Any, name: str) -> None:
    """A full-length screenshot (the viewport grows to the page so the side bar spans it)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    height = page.evaluate("document.documentElement.scrollHeight")
    width = page.viewport_size["width"]
    page.set_viewport_size({"width": width, "height": min(max(height, 600), 4000)})
    page.wait_for_timeout(300)
    page.screenshot(path=str(SHOTS / f"{name}.png"))
    page.set_viewport_size({"width": width, "height": 900})


def _number(text: str) -> float:
    return float("".join(ch for ch in text if ch.isdigit() or ch in ".-") or "nan")


def test_admin_dashboard_customers_and_360(server: str, browser: Any) -> None:
    page = _login(browser, server, "admin")
    _charts_ready(page)
    assert int(page.get_attribute("body", "data-charts")) >= 5
    assert page.locator("#chart-rfm-type svg").count() == 1
    assert page.locator("#chart-flows svg").count() == 1
    # KPI cards show what the API says
    cards = _api(page, server, "/api/v1/kpis/cards")
    for card in cards:
        shown = page.locator(f'[data-kpi="{card["code"]}"] .k-value').get_attribute("data-value")
        assert float(shown) == pytest.approx(card["value"] or 0.0)
    summary = _api(page, server, "/api/v1/snapshot/summary")
    at_risk = page.locator('[data-kpi="at_risk"] .k-value').inner_text()
    assert _number(at_risk) == summary["totals"]["high_churn_risk"]
    alerts = _api(page, server, "/api/v1/alerts?limit=6")
    assert page.locator("#alert-list li").count() == len(alerts) > 0
    _shot(page, "overview-admin-zh")

    page.click("nav.nav a[href='/customers']")
    page.wait_for_selector("#customer-table")
    listed = _api(page, server, "/api/v1/customers")
    assert int(page.get_attribute("#result-count", "data-total")) == listed["total"] == 60
    first_ids = page.locator("#customer-table tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.id)"
    )
    assert first_ids == [i["customer_id"] for i in listed["items"]]
    page.click("#customer-table th a:has-text('近1年消费额')")
    page.wait_for_selector("#customer-table")
    by_spend = _api(page, server, "/api/v1/customers?sort=spend_12m&order=desc")
    shown = page.locator("#customer-table tbody tr td[data-col='spend_12m']").evaluate_all(
        "cells => cells.map(c => Number(c.dataset.value))"
    )
    assert shown[:10] == [i["spend_12m"] for i in by_spend["items"]][:10]
    _shot(page, "customers-admin-zh")

    with page.expect_download() as dl:
        page.click("#export-xlsx")
    assert dl.value.suggested_filename.endswith(".xlsx")

    page.click("#customer-table tbody tr:first-child td.name a")
    page.wait_for_selector("#customer-hero")
    cid = page.get_attribute("#customer-hero", "data-id")
    view = _api(page, server, f"/api/v1/customers/{cid}/360")
    assert page.inner_text("#customer-name") == view["customer"]["name"]
    assert page.inner_text("#value-score") == f"{view['snapshot']['value_score']:,.1f}"
    assert page.locator("#timeline li").count() == min(len(view["timeline"]), 60)
    _charts_ready(page)
    _shot(page, "customer-360-admin-zh")

    # switch to English; the choice is remembered across pages
    page.click("#lang-switch")
    page.wait_for_selector("#customer-hero")
    assert "Customer 360" in page.inner_text("h1")
    page.goto(server + "/")
    _charts_ready(page)
    assert "Customer overview" in page.inner_text("h1")
    _shot(page, "overview-admin-en")
    page.goto(server + "/alerts")
    _shot(page, "alerts-admin-en")
    page.goto(server + "/tasks")
    _shot(page, "tasks-admin-en")
    page.context.close()


def test_manager_sees_only_the_region(server: str, browser: Any) -> None:
    page = _login(browser, server, "east_mgr")
    _charts_ready(page)
    page.click("nav.nav a[href='/customers']")
    page.wait_for_selector("#customer-table")
    listed = _api(page, server, "/api/v1/customers?page_size=500")
    assert int(page.get_attribute("#result-count", "data-total")) == listed["total"]
    assert {i["region"] for i in listed["items"]} == {"华东"}
    phones = page.locator("td[data-col='phone']").all_inner_texts()
    assert phones and all("****" not in p for p in phones)  # managers see PII
    _shot(page, "customers-manager-zh")
    page.context.close()


def test_rep_sees_own_customers_masked(server: str, browser: Any) -> None:
    page = _login(browser, server, "zhang", lang="en")
    _charts_ready(page)
    me = _api(page, server, "/api/v1/me")
    assert me["scope"]["owners"] == ["zhang", "张伟"]
    page.click("nav.nav a[href='/customers']")
    page.wait_for_selector("#customer-table")
    listed = _api(page, server, "/api/v1/customers?page_size=500")
    assert {i["owner"] for i in listed["items"]} == {"张伟"}
    phones = page.locator("td[data-col='phone']").all_inner_texts()
    assert phones and all("****" in p for p in phones)
    response = page.goto(server + "/customers/C0002")  # 李娜's customer
    assert response.status == 404
    assert page.locator("#customer-hero").count() == 0
    page.goto(server + "/customers")
    _shot(page, "customers-rep-en")
    page.context.close()


def test_phone_layout(server: str, browser: Any) -> None:
    page = _login(browser, server, "zhang", width=390)
    _charts_ready(page)

    def sidebar_x() -> float:
        return float(page.locator("#sidebar").bounding_box()["x"])

    assert page.is_visible("#menu-btn") and sidebar_x() < 0  # the side bar is tucked away
    page.click("#menu-btn")
    page.wait_for_timeout(400)
    assert sidebar_x() == 0
    page.mouse.click(375, 450)  # tap outside the side bar to close it
    page.wait_for_timeout(300)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, "the page scrolls sideways on a phone"
    _shot(page, "overview-rep-phone")
    page.context.close()
