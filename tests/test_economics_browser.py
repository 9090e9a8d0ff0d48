"""Scorecards and the plan's economics in a real browser on the demo (zh and en): the tables
match the API, the timeline is drawn, a rep sees only its own card; screenshots under
docs/screenshots/."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from browser_support import BROWSER_MARKS, served, sign_in
from test_browser import SHOTS, _charts_ready, _shot, browser  # noqa: F401

from kehu.access.auth import Auth
from kehu.jobs.demo import run_demo
from kehu.planning.goals import add_goal
from kehu.planning.plan import make_plan
from kehu.workspace import Workspace

pytestmark = BROWSER_MARKS
PASSWORD = "demo-password-19"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    root = tmp_path_factory.mktemp("economics") / "ws"
    run_demo(root, seed=7, size=0.5)
    ws = Workspace.open(root)
    auth = Auth(ws)
    auth.add_user("boss", "admin", password=PASSWORD)
    owner, region = ws.rows(
        "SELECT owner, region FROM customers WHERE owner IS NOT NULL AND region IS NOT NULL"
        " GROUP BY ALL ORDER BY count(*) DESC, owner LIMIT 1"
    )[0]
    auth.add_user("rep1", "rep", region=region, password=PASSWORD, display_name=owner)
    end = ws.scalar("SELECT max(order_date) FROM orders")
    add_goal(ws, "revenue", "+10%", date(end.year, 12, 31), "boss", name="年度销售额",
             start=date(end.year, 1, 1))  # fmt: skip
    # a tight budget and capacity, then a fresh plan: the page has something left out
    ws.con.execute("DELETE FROM tasks")
    ws.settings.budget.region = {region: 20000.0}
    ws.settings.capacity.per_rep = 6
    make_plan(ws)
    with served(ws) as base:
        yield base, owner


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_scorecards_and_economics(server: tuple[str, str], browser: Any, lang: str) -> None:  # noqa: F811
    base, owner = server
    page = sign_in(browser, base, "boss", PASSWORD, lang)
    cards = page.request.get(f"{base}/api/v1/scorecards").json()
    assert cards["reps"] and cards["teams"]
    page.goto(f"{base}/scorecards")
    rows = page.locator("#scorecards-rep tbody tr")
    assert rows.count() == len(cards["reps"])
    first = cards["reps"][0]
    assert rows.first.get_attribute("data-unit") == first["unit"]
    assert f"{first['score']:.1f}" in rows.first.inner_text()
    assert ("绩效记分卡" if lang == "zh" else "Scorecards") in page.inner_text("h1")
    _shot(page, f"scorecards-admin-{lang}")
    book = page.request.get(f"{base}/scorecards/export?period={cards['period']}")
    assert book.ok and book.body()[:2] == b"PK"

    eco = page.request.get(f"{base}/api/v1/plan/economics").json()
    assert eco["budget"] and eco["left_out"] and eco["capacity"] and eco["goals"]
    page.goto(f"{base}/plan/economics")
    _charts_ready(page)
    assert page.get_attribute("#chart-timeline", "data-ready") == "1"
    assert page.locator("#left-out-table tbody tr").count() == min(50, len(eco["left_out"]))
    assert page.locator("#milestones-table tr[data-level=quarter]").count() == 4
    _shot(page, f"economics-admin-{lang}")
    assert Path(SHOTS / f"economics-admin-{lang}.png").stat().st_size > 20000


def test_a_rep_sees_its_own_scorecard(server: tuple[str, str], browser: Any) -> None:  # noqa: F811
    base, owner = server
    page = sign_in(browser, base, "rep1", PASSWORD, "zh")
    page.goto(f"{base}/scorecards")
    units = page.locator("#scorecards-rep tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.unit)"
    )
    assert units == [owner]
    assert page.locator("#scorecards-team").count() == 0
    _shot(page, "scorecards-rep-zh")
