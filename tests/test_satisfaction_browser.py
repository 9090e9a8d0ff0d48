"""The satisfaction page on the demo in a real browser (zh and en): the drivers and measures
shown agree with the API, the planted drivers are marked strong; screenshots under
docs/screenshots/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_support import BROWSER_MARKS, served, sign_in
from test_browser import SHOTS, _shot, browser  # noqa: F401

from kehu.access.auth import Auth
from kehu.app import Kehu
from kehu.jobs.demo import run_demo

pytestmark = BROWSER_MARKS
PASSWORD = "demo-password-59"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("satisfaction") / "ws"
    run_demo(root, seed=7, size=0.5)
    k = Kehu.open(root)
    assert k.plan_satisfaction()  # measures for the planted drivers
    Auth(k.ws).add_user("boss", "admin", password=PASSWORD)
    with served(k.ws) as base:
        yield base
    k.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_satisfaction_page(server: str, browser: Any, lang: str) -> None:  # noqa: F811
    page = sign_in(browser, server, "boss", PASSWORD, lang)
    api = page.request.get(f"{server}/api/v1/satisfaction?lang={lang}").json()
    page.goto(f"{server}/satisfaction")
    rows = page.locator("#satisfaction-drivers tbody tr")
    assert rows.count() == len(api["drivers"]) > 0
    strong = page.locator("#satisfaction-drivers tbody tr.strong").evaluate_all(
        "rows => rows.map(r => r.dataset.driver)"
    )
    assert set(strong) == {d["driver"] for d in api["drivers"] if d["strong"]}
    assert {"sla_response", "category:投诉"} <= set(strong)
    assert page.locator("#satisfaction-measures tbody tr").count() == len(api["measures"]) > 0
    first = api["drivers"][0]
    assert first["label"] in page.inner_text("#satisfaction-drivers")
    heading = "满意度" if lang == "zh" else "Satisfaction"
    assert heading in page.inner_text("h1")
    _shot(page, f"satisfaction-admin-{lang}")
    assert Path(SHOTS / f"satisfaction-admin-{lang}.png").stat().st_size > 20000
