"""Competitors: import with rejects, share of wallet, coverage and win/loss, by hand."""

from __future__ import annotations

import json
import warnings

import pytest
from market_support import AS_OF, tiny_workspace
from typer.testing import CliRunner

from kehu.analytics.competition import Matcher, load_competitors, wallet_of
from kehu.cli import app as cli_app

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):  # noqa: ANN001, ANN201
    k = tiny_workspace(tmp_path_factory.mktemp("competition"))
    yield k
    k.close()


def test_share_of_wallet_rules() -> None:
    # the estimate wins; the wallet is derived from it when no wallet size is given
    assert wallet_of(100000, 0.25, None) == {
        "share_of_wallet": 0.25, "sow_basis": "estimate", "wallet": 400000.0,
        "others_spend": 300000.0}  # fmt: skip
    # no estimate: spend / wallet size, capped at 100%
    assert wallet_of(100000, None, 400000)["share_of_wallet"] == 0.25
    assert wallet_of(500000, None, 400000)["share_of_wallet"] == 1.0
    assert wallet_of(100000, None, None)["sow_basis"] is None


def test_matcher_resolves_aliases_and_finds_mentions(tiny) -> None:  # noqa: ANN001
    m = Matcher(load_competitors(tiny.ws))
    assert m.resolve("hx  tech").competitor_id == "K1"
    assert m.resolve("远航软件(上海)").competitor_id == "K2"
    other = m.resolve("蓝海集团")
    assert other is not None and not other.listed
    assert [c.competitor_id for c in m.mentions("华信科技和远航都来报价")] == ["K1", "K2"]
    assert m.mentions("例行拜访") == []


def test_competitor_view_figures(tiny) -> None:  # noqa: ANN001
    view = tiny.competitors()
    assert view["as_of"] == AS_OF
    rows = {r["competitor_id"]: r for r in view["competitors"]}
    k1, k2 = rows["K1"], rows["K2"]
    # K1 华信: incumbent at A1 and A2 (alias HX Tech), bids on P1 (A1), won P2 (A2), named at A4
    assert (k1["customers"], k1["incumbent_at"], k1["mentioned_at"]) == (3, 2, 1)
    assert k1["revenue_at_stake"] == 100000 + 100000 + 20000
    # A1: 100,000 at 25% -> wallet 400,000, 300,000 elsewhere; A2: 100,000 of 400,000
    assert k1["others_spend"] == 300000 + 300000
    assert (k1["pipeline_at_stake"], k1["open_deals"]) == (50000, 1)
    assert (k1["won"], k1["lost"], k1["lost_to_amount"]) == (0, 1, 80000)
    assert k1["lost_reasons"] == {"价格": 1} and k1["win_rate"] == 0.0
    assert k1["regions"] == {"华东": 2, "华北": 1}
    assert k1["industries"] == {"C": 1, "G": 1, "I": 1}
    # K2 远航: incumbent at A3 (50% estimate of 300,000), beaten on P3, lost P2 and P4
    assert (k2["won"], k2["lost"], k2["lost_to_amount"]) == (1, 2, 70000)
    assert k2["win_rate"] == pytest.approx(1 / 3)
    assert k2["others_spend"] == 150000
    assert k2["revenue_at_stake"] == 100000 + 90000 + 20000
    customers = {c["customer_id"]: c for c in view["customers"]}
    assert customers["A2"]["sow_basis"] == "wallet" and customers["A2"]["share_of_wallet"] == 0.25
    assert customers["A4"]["mentions"] == 1 and customers["A4"]["competitor_id"] is None
    assert [m["customer_id"] for m in view["mentions"]] == ["A4"]


def test_scope_limits_every_figure(tiny) -> None:  # noqa: ANN001
    view = tiny.competitors(owner="张伟")
    assert {c["customer_id"] for c in view["customers"]} == {"A1", "A3"}
    k1 = next(r for r in view["competitors"] if r["competitor_id"] == "K1")
    assert (k1["customers"], k1["revenue_at_stake"], k1["lost"]) == (1, 100000, 0)
    assert view["mentions"] == []


def test_import_rejects_bad_rows_with_reasons(tmp_path) -> None:  # noqa: ANN001
    from kehu.app import Kehu

    k = Kehu.init(tmp_path / "ws")
    bad = tmp_path / "c.csv"
    bad.write_text("competitor id,name,pricing\nK1,华信,discount\nK2,,premium\n", "utf-8")
    result = k.import_file(bad, "competitors")
    assert (result.loaded, result.rejected) == (1, 1)
    rows = k.ws.rows("SELECT row_number, reason_code FROM rejects")
    assert rows == [(3, "missing_required")]
    cust = tmp_path / "cu.csv"
    cust.write_text("客户编号,客户名称,钱包份额\nA1,甲,150%\nA2,乙,40%\n", "utf-8")
    result = k.import_file(cust, "customers")
    assert (result.loaded, result.rejected) == (1, 1)
    assert k.ws.scalar("SELECT share_of_wallet FROM customers") == pytest.approx(0.4)
    k.close()


def test_cli_competitors_json_and_text(tiny) -> None:  # noqa: ANN001
    runner = CliRunner()
    root = str(tiny.ws.root)
    out = runner.invoke(cli_app, ["-w", root, "competitors", "--json", "--owner", "李娜"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert {c["customer_id"] for c in data["customers"]} == {"A2", "A4"}
    text = runner.invoke(cli_app, ["-w", root, "--lang", "en", "competitors", "--customers"])
    assert text.exit_code == 0 and "华信科技" in text.output and "Competitors" in text.output


def test_web_rep_sees_own_customers_only(tiny) -> None:  # noqa: ANN001
    from kehu.access.auth import Auth
    from kehu.web.app import create_app

    auth = Auth(tiny.ws)
    auth.add_user("zw", "rep", display_name="张伟", password="p" * 12)
    client = TestClient(create_app(tiny.ws, background=False))
    client.post("/login", data={"username": "zw", "password": "p" * 12})
    data = client.get("/api/v1/competitors").json()
    assert {c["customer_id"] for c in data["customers"]} == {"A1", "A3"}
    page = client.get("/competitors?lang=en")
    assert page.status_code == 200
    assert "甲制造有限公司" in page.text and "乙软件有限公司" not in page.text
    assert "Wallet it holds" in page.text
