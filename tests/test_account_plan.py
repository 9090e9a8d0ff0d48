"""Key-account plans on the hand-made workspace: the draft (goals, decision chain, team,
risks, actions) worked out by hand, editing with bad input refused, XLSX and PDF exports."""

from __future__ import annotations

import json

import pytest
from market_support import AS_OF, tiny_workspace
from typer.testing import CliRunner

from kehu.cli import app as cli_app
from kehu.errors import KehuError, NotFoundError

CONTACTS = (
    "contact id,customer id,name,title,role,influence,attitude,relationship,last contact\n"
    "K-1,A1,王总,总经理,高层,高,支持,4,2026-06-01\n"
    "K-2,A1,刘工,技术总监,技术,中,反对,2,2026-05-01\n"
    "K-3,A2,赵经理,采购经理,采购,高,中立,3,2026-09-01\n"
)
PEERS = (  # a second manufacturer that buys 传感器 and 伺服系统; A1 buys only 传感器
    "customer id,customer name,industry,region,owner\nA5,戊机械有限公司,机械,华东,李娜\n",
    "order id,customer id,order date,amount,product category\n"
    "Q1,A5,2026-07-01,5000,传感器\nQ2,A5,2026-07-02,5000,伺服系统\n"
    "Q3,A1,2026-07-03,1000,传感器\n",
)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):  # noqa: ANN001, ANN201
    root = tmp_path_factory.mktemp("plan")
    k = tiny_workspace(root, {"contacts": CONTACTS})
    for kind, text in zip(("customers", "orders"), PEERS, strict=True):
        path = root / f"peer_{kind}.csv"
        path.write_text(text, encoding="utf-8")
        assert k.import_file(path, kind, source="peer").rejected == 0
    k.analyze(AS_OF)
    k.actor = "张伟"
    yield k
    k.close()


def test_key_accounts_are_the_plan_tiers(tiny) -> None:  # noqa: ANN001
    view = tiny.key_accounts()
    tiers = {a["customer_id"]: a["value_tier"] for a in view["accounts"]}
    assert set(tiers.values()) <= {"strategic", "core"} and "A1" in tiers
    expected = {
        r[0]
        for r in tiny.ws.rows(
            "SELECT customer_id FROM customer_snapshot WHERE value_tier IN ('strategic', 'core')"
        )
    }
    assert set(tiers) == expected
    assert all(a["plan_status"] is None for a in view["accounts"])


def test_draft_plan_by_hand(tiny) -> None:  # noqa: ANN001
    plan = tiny.account_plan("A1")
    assert not plan["saved"] and plan["status"] == "draft" and plan["year"] == 2026
    f, g = plan["facts"], plan["goals"]
    spend = f["spend_12m"]  # 60,000 + 40,000 + the peer file's 1,000
    assert spend == 101000
    assert g["revenue_goal"] == round(spend * 1.15 / 1000) * 1000  # 116,000
    assert g["share_goal"] == pytest.approx(0.30)  # the 25% estimate + 5 points
    assert f["competitor"]["competitor_id"] == "K1" and f["others_spend"] == pytest.approx(303000)
    assert g["categories"] == [{"category": "伺服系统", "peers": 1}]
    chain = {r["name"]: r for r in plan["decision_chain"]}
    assert [r["name"] for r in plan["decision_chain"]] == ["王总", "刘工"]  # high influence first
    assert (
        chain["王总"]["days_since_contact"]
        == (AS_OF - __import__("datetime").date(2026, 6, 1)).days
    )
    # 刘工: the CRM says 2026-05-01, an interaction with him on 2026-09-11 is later
    assert chain["刘工"]["days_since_contact"] == 19
    assert plan["chain_gaps"] == ["采购"]
    codes = [r["code"] for r in plan["risks"]]
    assert codes.count("incumbent") == 1 and codes.count("bidding") == 1
    assert codes.count("chain_gap") == 1 and codes.count("opponent") == 1
    assert codes.count("stale_contact") == 1  # 王总, 121 days; 刘工 was reached 19 days ago
    assert any("121" in r["zh"] and "王总" in r["zh"] for r in plan["risks"])
    team = {m["raci"]: m["name"] for m in plan["team"]}
    assert team["R"] == "张伟"
    texts = [a["zh"] for a in plan["actions"]]
    assert any("扩容" in t for t in texts) and any("伺服系统" in t for t in texts)
    assert all(a["due"] == "2026-10-30" for a in plan["actions"])  # 30 days after the snapshot
    en = [a["en"] for a in plan["actions"]]
    assert any("Purchasing" in t for t in en)  # the role in English, not 采购


def test_save_edit_and_refuse_bad_input(tiny) -> None:  # noqa: ANN001
    with pytest.raises(KehuError):
        tiny.save_account_plan("A2", {"share_goal": "150%"})
    with pytest.raises(KehuError):
        tiny.save_account_plan("A2", {"team": [{"name": "x", "raci": "Z"}]})
    with pytest.raises(KehuError):
        tiny.save_account_plan("A2", {"actions": [{"zh": "拜访", "due": "下周"}]})
    with pytest.raises(KehuError):
        tiny.save_account_plan("A2", {"status": "done"})
    assert tiny.ws.scalar("SELECT count(*) FROM account_plans") == 0
    saved = tiny.save_account_plan("A2", {
        "revenue_goal": "¥150,000", "share_goal": "40%", "categories": "软件, 服务",
        "team": [{"name": "李娜", "role": "account_manager", "raci": "r"}],
        "actions": [{"zh": "季度业务回顾", "owner": "李娜", "due": "2026-12-15"}],
        "status": "agreed", "notes": "重点客户"})  # fmt: skip
    assert saved["saved"] and saved["status"] == "agreed" and saved["updated_by"] == "张伟"
    assert saved["goals"]["revenue_goal"] == 150000 and saved["goals"]["share_goal"] == 0.4
    assert [c["category"] for c in saved["goals"]["categories"]] == ["软件", "服务"]
    assert saved["team"] == [{"name": "李娜", "role": "account_manager", "raci": "R"}]
    assert saved["actions"][0]["en"] == "季度业务回顾"  # typed once, shown in both languages
    assert saved["suggested_actions"]  # the draft stays available
    again = tiny.save_account_plan("A2", {"notes": "复盘"})
    assert again["status"] == "agreed" and again["notes"] == "复盘"
    assert tiny.ws.scalar("SELECT count(*) FROM account_plans") == 1  # updated, not added
    assert tiny.key_accounts()["accounts"] and any(
        a["plan_status"] == "agreed" for a in tiny.key_accounts()["accounts"])  # fmt: skip


def test_scope_hides_other_reps_plans(tiny) -> None:  # noqa: ANN001
    from kehu.access.scope import Scope

    rep = Scope(user="zw", role="rep", owners=("张伟",))
    with pytest.raises(NotFoundError):
        tiny.account_plan("A2", scope=rep)
    with pytest.raises(NotFoundError):
        tiny.save_account_plan("A2", {"notes": "x"}, scope=rep)
    assert tiny.account_plan("A1", scope=rep)["customer"]["name"]
    assert {a["owner"] for a in tiny.key_accounts(scope=rep)["accounts"]} <= {"张伟"}


def test_exports_in_both_languages(tiny, tmp_path) -> None:  # noqa: ANN001
    from openpyxl import load_workbook

    x = tiny.export_account_plan("A1", tmp_path / "p.xlsx", lang="zh")
    cells = [c for row in load_workbook(x).active.iter_rows(values_only=True) for c in row if c]
    assert "大客户计划 · 甲制造有限公司(2026 年)" in cells and "决策链" in cells and "王总" in cells
    en = tiny.export_account_plan("A1", tmp_path / "p_en.xlsx", lang="en")
    cells = [c for row in load_workbook(en).active.iter_rows(values_only=True) for c in row if c]
    assert "Decision chain" in cells and "Executive" in cells
    pdf = tiny.export_account_plan("A1", tmp_path / "p.pdf", lang="zh")
    pdfium = pytest.importorskip("pypdfium2")
    text = pdfium.PdfDocument(str(pdf))[0].get_textpage().get_text_range()
    assert "大客户计划" in text and "王总" in text
    with pytest.raises(KehuError):
        tiny.export_account_plan("A1", tmp_path / "p.docx")


def test_cli(tiny, tmp_path) -> None:  # noqa: ANN001
    runner = CliRunner()
    root = str(tiny.ws.root)
    out = runner.invoke(cli_app, ["-w", root, "accounts", "--json"])
    assert out.exit_code == 0, out.output
    assert "A1" in {a["customer_id"] for a in json.loads(out.output)["accounts"]}
    text = runner.invoke(cli_app, ["-w", root, "--lang", "en", "account-plan", "A1"])
    assert text.exit_code == 0 and "Decision chain" in text.output and "王总" in text.output
    pdf = runner.invoke(cli_app, ["-w", root, "account-plan", "A1", "-o", str(tmp_path / "a.pdf")])
    assert pdf.exit_code == 0 and (tmp_path / "a.pdf").read_bytes()[:4] == b"%PDF"
