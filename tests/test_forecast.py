"""`kehu forecast`: the stage-history import, the forecast's arithmetic on a hand-made
workspace (worked out below), scope, zh/en CLI, and on the demo the planted outcomes and
the baselines the win model must beat."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from kehu.access.scope import Scope
from kehu.app import Kehu
from kehu.cli import app
from kehu.config import ScheduleSettings
from kehu.errors import KehuError
from kehu.jobs.inbox import kind_of
from kehu.workspace import Workspace

# Five deals open on 2026-03-30 and closed the next day, each once in the training samples
# (the weekly days start on the first creation day): stage 线索 wins 1 of 2, 方案报价 2 of 3.
# On 2026-08-15 two deals are open: 3万 in 线索 (A1, 张伟, 华东) and 6万 in 方案报价 (A2,
# 李娜, 华北); 1万 was won in Q3 (A1). Too few samples for the trees: p = the stage rate, so
# the Q3 forecast = 1万 + 0.5 × 3万 + 2/3 × 6万 = 6.5万.
FILES = {
    "customers": "customer id,customer name,region,owner,industry\n"
    "A1,甲制造有限公司,华东,张伟,制造业\nA2,乙软件有限公司,华北,李娜,软件\n",
    "orders": "order id,customer id,order date,amount\n"
    "O1,A1,2026-07-03,20000\nO2,A2,2026-08-01,5000\nO3,A2,2026-08-20,7000\n"
    "O4,A1,2026-06-30,9000\n",
    "opportunities": "商机编号,客户编号,阶段,状态,预计金额,负责人,创建日期,关闭日期\n"
    "D1,A1,赢单,赢单,10000,张伟,2026-03-30,2026-03-31\n"
    "D2,A2,输单,输单,10000,李娜,2026-03-30,2026-03-31\n"
    "D3,A1,赢单,赢单,10000,张伟,2026-03-30,2026-03-31\n"
    "D4,A2,赢单,赢单,10000,李娜,2026-03-30,2026-03-31\n"
    "D5,A2,输单,输单,10000,李娜,2026-03-30,2026-03-31\n"
    "D6,A1,赢单,赢单,10000,张伟,2026-07-01,2026-07-15\n"
    "P1,A1,线索,进行中,30000,张伟,2026-07-01,\n"
    "P2,A2,方案报价,进行中,60000,李娜,2026-07-10,\n",
    # en headers; the last row's date is impossible (a reject)
    "opportunity_stages": "opportunity id,stage,entered on\n"
    "D1,线索,2026-03-30\nD1,赢单,2026-03-31\nD2,线索,2026-03-30\nD2,输单,2026-03-31\n"
    "D3,方案报价,2026-03-30\nD3,赢单,2026-03-31\nD4,方案报价,2026-03-30\n"
    "D4,赢单,2026-03-31\nD5,方案报价,2026-03-30\nD5,输单,2026-03-31\n"
    "D6,线索,2026-07-01\nD6,赢单,2026-07-15\nP1,线索,2026-07-01\nP2,线索,2026-07-10\n"
    "P2,方案报价,2026-07-20\nP2,商务谈判,2026-13-01\n",
    "targets": "目标编号,期间,区域,负责人,目标金额\n"
    "T1,2026-Q3,华东,,100000\nT2,2026-Q3,华北,,50000\nT3,2026-Q3,华东,张伟,60000\n"
    "T4,2026-Q4,华东,,999999\n",
}
AS_OF = "2026-08-15"


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Kehu:
    root = tmp_path_factory.mktemp("forecast")
    k = Kehu.init(root)
    for kind, text in FILES.items():
        path = root / f"{kind}.csv"
        path.write_text(text, encoding="utf-8")
        result = k.import_file(path, kind)
        assert result.rejected == (1 if kind == "opportunity_stages" else 0), (kind, result)
    return k


def test_inbox_picks_the_longest_matching_pattern(tmp_path: Path) -> None:
    patterns = ScheduleSettings().kind_patterns
    assert kind_of(tmp_path / "商机阶段-2026.csv", tmp_path, patterns) == "opportunity_stages"
    assert kind_of(tmp_path / "商机列表.csv", tmp_path, patterns) == "opportunities"
    assert kind_of(tmp_path / "opportunity_stages.csv", tmp_path, patterns) == "opportunity_stages"
    assert kind_of(tmp_path / "Opportunities.xlsx", tmp_path, patterns) == "opportunities"


def test_stage_import_names_the_bad_row(tiny: Kehu) -> None:
    rows = tiny.ws.rows("SELECT row_number, column_name, value, reason_en FROM rejects")
    assert [r[:3] for r in rows] == [(17, "entered on", "2026-13-01")]  # the file's header
    assert "date" in rows[0][3]
    assert tiny.ws.scalar("SELECT count(*) FROM opportunity_stages") == 15


def test_forecast_by_hand(tiny: Kehu) -> None:
    from kehu.cli.common import parse_date

    r = tiny.forecast(parse_date(AS_OF))
    assert r["period"] == "2026-Q3" and r["trained_on"] == 5
    by_deal = {d["deal"]: d for d in r["deals"]}
    assert set(by_deal) == {"P1", "P2"}
    assert by_deal["P1"]["p"] == pytest.approx(0.5) and by_deal["P1"]["stage"] == "线索"
    assert by_deal["P2"]["p"] == pytest.approx(2 / 3, abs=1e-4)
    assert by_deal["P2"]["stage"] == "方案报价" and by_deal["P2"]["days_in_stage"] == 26
    total = r["total"]
    assert total["closed"] == 10000 and total["open_deals"] == 2 and total["pipeline"] == 90000
    assert total["forecast"] == pytest.approx(65000, abs=1)
    assert total["stage_weighted"] == pytest.approx(65000, abs=1)  # no trees: the same rates
    assert total["low"] <= total["forecast"] <= total["high"]
    assert {total["low"], total["high"]} <= {10000, 40000, 70000, 100000}  # won-or-not sums
    assert total["target"] == 150000  # the regions' rows; the rep's is inside 华东's
    assert total["sales"] == 25000  # O1 + O2: O3 is after the as-of day, O4 before Q3
    region = {g["name"]: g for g in r["region"]}
    assert region["华东"]["forecast"] == pytest.approx(25000, abs=1)
    assert region["华北"]["forecast"] == pytest.approx(40000, abs=1)
    assert (region["华东"]["target"], region["华北"]["target"]) == (100000, 50000)
    owner = {g["name"]: g for g in r["owner"]}
    assert owner["张伟"]["target"] == 60000 and owner["李娜"]["target"] is None
    assert r["stage_history"] is True
    stored = tiny.forecast_history()[0]
    assert stored["period"] == "2026-Q3" and stored["forecast"] == pytest.approx(65000, abs=1)


def test_scope_sees_its_own_deals(tiny: Kehu) -> None:
    from kehu.cli.common import parse_date

    tiny.forecast(parse_date(AS_OF))
    north = tiny.forecast_latest(scope=Scope(user="m", role="manager", regions=("华北",)))
    assert north is not None and north["scoped"] is True
    assert [d["deal"] for d in north["deals"]] == ["P2"]
    assert north["total"]["forecast"] == pytest.approx(40000, abs=1)
    assert north["total"]["closed"] == 0 and north["total"]["sales"] == 5000
    assert [g["name"] for g in north["region"]] == ["华北"]
    assert north["backtest"] is None or "periods" not in north["backtest"]
    whole = tiny.forecast_latest()
    assert whole is not None and len(whole["deals"]) == 2


def test_cli_zh_en_json_and_bad_grain(tiny: Kehu) -> None:
    runner = CliRunner()
    ws = str(tiny.ws.root)
    zh = runner.invoke(app, ["-w", ws, "forecast", "--as-of", AS_OF, "--no-backtest"])
    assert zh.exit_code == 0, zh.output
    assert "2026-Q3 商机预测" in zh.output and "阶段加权" in zh.output
    en = runner.invoke(app, ["-w", ws, "--lang", "en", "forecast", "--as-of", AS_OF])
    assert en.exit_code == 0, en.output
    assert "Pipeline forecast for 2026-Q3" in en.output and "stage-wtd" in en.output
    out = runner.invoke(app, ["-w", ws, "forecast", "--as-of", AS_OF, "--json"])
    assert json.loads(out.stdout)["total"]["forecast"] == pytest.approx(65000, abs=1)
    bad = runner.invoke(app, ["-w", ws, "forecast", "--grain", "week"])
    assert isinstance(bad.exception, KehuError) and bad.exception.exit_code == 2
    assert "month, quarter or year" in bad.exception.message("en")
    history = runner.invoke(app, ["-w", ws, "forecast", "--history"])
    assert history.exit_code == 0 and "2026-Q3" in history.output


# ---- the demo: outcomes planted from known drivers ----------------------------------------


@pytest.fixture(scope="module")
def demo_run(analysed_demo: Workspace) -> tuple[dict, dict]:
    result = Kehu(analysed_demo).forecast()
    truth = json.loads((analysed_demo.root / "exports" / "truth.json").read_text("utf-8"))
    return result, truth["pipeline"]


def test_demo_backtest_beats_the_baselines(demo_run: tuple[dict, dict]) -> None:
    bt = demo_run[0]["backtest"]
    model, stage, base = bt["model"], bt["stage_weighted"], bt["base_rate"]
    assert bt["deals"] >= 60 and len(bt["periods"]) == 4
    assert model["roc_auc"] > stage["roc_auc"] + 0.05, (model["roc_auc"], stage["roc_auc"])
    assert model["brier"] < stage["brier"] < base["brier"] + 1e-9
    # ~30 open deals a quarter: amounts are noisy, so the interval is the claim to check
    assert bt["inside"] >= 3, bt["periods"]


def test_demo_forecast_holds_the_planted_future(demo_run: tuple[dict, dict]) -> None:
    """The open deals' planted outcomes (truth.json) land inside the interval, and the model's
    probabilities rank the planted win probabilities."""
    result, truth = demo_run
    total = result["total"]
    open_truth = truth["open"]
    assert {d["deal"] for d in result["deals"]} == set(open_truth)
    won = sum(
        t["amount"]
        for t in open_truth.values()
        if t["won"] and t["closed_on"] <= result["period_end"]
    )
    assert total["low"] <= total["closed"] + won <= total["high"]
    p = np.array([d["p"] for d in result["deals"]])
    planted = np.array([open_truth[d["deal"]]["p_planted"] for d in result["deals"]])
    assert np.corrcoef(p, planted)[0, 1] > 0.3


def test_demo_figures_agree(demo_run: tuple[dict, dict]) -> None:
    """What one page shows adds up: groups sum to the total, deals sorted by p, every reason
    states the deal's own value in the direction of its contribution."""
    result = demo_run[0]
    total = result["total"]
    for group in ("region", "owner"):
        rows = result[group]
        assert sum(r["forecast"] for r in rows) == pytest.approx(
            total["forecast"], abs=len(rows) * 0.01
        )
        assert sum(r["open_deals"] for r in rows) == total["open_deals"]
    deals = result["deals"]
    assert [d["p"] for d in deals] == sorted((d["p"] for d in deals), reverse=True)
    expected = total["closed"] + sum(d["p"] * d["amount"] for d in deals)
    assert total["forecast"] == pytest.approx(expected, rel=1e-4)
    for d in deals:
        assert 0 <= d["p"] <= 1 and len(d["reasons"]) <= 3
        for r in d["reasons"]:
            assert (r["effect"] == "up") == (r["contribution"] > 0)
            assert r["zh"].endswith("提高赢单概率" if r["effect"] == "up" else "降低赢单概率")
            if r["feature"] == "stage":
                assert d["stage"] in r["zh"] and d["stage"] in r["en"]
            if r["feature"] == "days_in_stage":
                assert f"{d['days_in_stage']} 天" in r["zh"]
