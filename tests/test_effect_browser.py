"""The playbook-effect page in a real browser (zh and en) over a workspace with a planted
effect: the playbooks, counts and intervals shown agree with the API, a matched comparison
is labelled weaker evidence, no internal codes or empty values leak, and a rep sees his own
customers only; screenshots under docs/screenshots/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_support import BROWSER_MARKS, served, sign_in
from effect_support import build
from test_browser import SHOTS, _shot, browser  # noqa: F401

from kehu.access.auth import Auth
from kehu.planning.effect import OUTCOMES
from kehu.workspace import Workspace

pytestmark = BROWSER_MARKS
PASSWORD = "effect-password-79"
REP_REGION = "华北"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    ws = Workspace.init(tmp_path_factory.mktemp("effect-browser") / "ws")
    build(ws)
    # The rep "bob" owns the northern customers, so his page must count only those.
    for table in ("customers", "customer_snapshot"):
        ws.con.execute(f"UPDATE {table} SET owner = 'bob' WHERE region = ?", [REP_REGION])
    auth = Auth(ws)
    auth.add_user("boss", "admin", password=PASSWORD)
    auth.add_user("bob", "rep", password=PASSWORD)
    with served(ws) as base:
        yield base


def _visible(page: Any) -> str:
    return str(page.inner_text("main"))


def _no_codes(text: str) -> None:
    """No raw playbook keys, column names, evidence codes or empty values in `text`."""
    assert not re.search(r"\b(rfm_type|value_tier|lifecycle)\.\w+", text)
    for code in ("n_treated", "n_control", "churn_risk", "None", "nan", "NaN"):
        assert not re.search(rf"\b{code}\b", text), code
    assert "{" not in text and "}" not in text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_effect_page_as_admin(server: str, browser: Any, lang: str) -> None:  # noqa: F811
    page = sign_in(browser, server, "boss", PASSWORD, lang)
    api = page.request.get(f"{server}/api/v1/effect?lang={lang}").json()
    assert api["measurable"] and len(api["playbooks"]) >= 2
    page.goto(f"{server}/effect")
    text = _visible(page)
    assert ("打法效果" if lang == "zh" else "Playbook effect") in page.inner_text("h1")
    cards = page.locator("section[data-playbook]")
    assert cards.count() == len(api["playbooks"])
    for book in api["playbooks"]:
        card = page.locator(f'section[data-playbook="{book["playbook"]}"]')
        assert book["name"] in card.locator("h2").inner_text()
        rows = card.locator("tbody tr")
        assert rows.count() == len(OUTCOMES)
        churn = book["estimates"]["churn"]
        cells = rows.nth(0).locator("td").all_inner_texts()
        assert [int(c.replace(",", "")) for c in cells[1:3]] == [
            churn["n_treated"],
            churn["n_control"],
        ]
        if churn["low"] is not None:
            assert re.fullmatch(r"\[[+-]\d+\.\d%, [+-]\d+\.\d%\]", cells[6])
        assert cells[7] == book["verdicts"]["churn"]
        head = card.locator(".card-head").inner_text()
        weaker = "较弱证据" if lang == "zh" else "weaker evidence"
        matched = book["evidence"] == "matched"
        assert (weaker in head) == matched
        # The name is the card's title; the line under it gives the evidence and counts once.
        assert head.count(book["name"]) == 1 and head.count(weaker) == int(matched)
        titles = card.locator("thead th").all_inner_texts()
        other = (
            ("匹配组" if lang == "zh" else "matched")
            if matched
            else ("对照组" if lang == "zh" else "control")
        )
        assert titles[4] == other and titles[2].startswith(other)
    evidence = {b["evidence"] for b in api["playbooks"]}
    assert evidence == {"randomised", "matched"}
    note = page.locator("#effect-matched-note").inner_text()
    assert ("弱于随机对照" if lang == "zh" else "weaker evidence") in note
    assert page.locator("#effect-scoped").count() == 0
    _no_codes(text)
    _shot(page, f"effect-admin-{lang}")
    assert Path(SHOTS / f"effect-admin-{lang}.png").stat().st_size > 20000


def test_a_rep_sees_only_his_customers(server: str, browser: Any) -> None:  # noqa: F811
    admin = sign_in(browser, server, "boss", PASSWORD, "en")
    whole = admin.request.get(f"{server}/api/v1/effect").json()
    rep = sign_in(browser, server, "bob", PASSWORD, "en")
    mine = rep.request.get(f"{server}/api/v1/effect").json()
    rep.goto(f"{server}/effect")
    assert "Only the customers within your scope" in rep.inner_text("#effect-scoped")
    both = zip(mine["playbooks"], whole["playbooks"], strict=True)
    for own, all_ in both:
        assert 0 < own["eligible"] < all_["eligible"]
        churn = own["estimates"]["churn"]
        row = rep.locator(f'section[data-playbook="{own["playbook"]}"] tbody tr').nth(0)
        cells = row.locator("td").all_inner_texts()
        assert [int(c.replace(",", "")) for c in cells[1:3]] == [
            churn["n_treated"],
            churn["n_control"],
        ]
    _no_codes(_visible(rep))
