"""`kehu analyze / customers / customer / flows` on a small workspace, in zh and en."""

from __future__ import annotations

import json

import pytest
from analytics_data import build
from rich.console import Console
from typer.testing import CliRunner

from kehu.cli import app
from kehu.cli.analyze_views import mask_phone, render_summary
from kehu.errors import KehuError
from kehu.workspace import Workspace

D1, D2 = "2023-12-31", "2024-06-30"


@pytest.fixture(scope="module")
def wdir(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli") / "ws"
    ws = Workspace.init(root)
    ws.settings.churn.model = "rules"
    ws.save_settings()
    build(ws)
    ws.close()
    return str(root)


def run(wdir: str, *args: str, lang: str = "zh") -> str:
    res = CliRunner().invoke(app, ["-w", wdir, "--lang", lang, *args])
    if res.exception and not isinstance(res.exception, SystemExit):
        raise res.exception
    assert res.exit_code == 0, res.output
    return res.output


@pytest.fixture(scope="module")
def analysed(wdir):
    """Two snapshots: D1 through --json, D2 through the zh terminal report."""
    summary = json.loads(run(wdir, "analyze", "--as-of", D1, "--json"))
    report_zh = run(wdir, "analyze", "--as-of", D2)
    return wdir, summary, report_zh


def test_analyze_json(analysed):
    _, summary, _ = analysed
    assert summary["as_of"] == D1
    assert summary["customers"] == 13
    assert {r["code"] for r in summary["rfm_type"]} >= {"high_value", "low_value"}
    assert sum(r["customers"] for r in summary["value_tier"]) == 13
    assert "params" in summary["clv"] and summary["clv"]["available"]
    assert summary["pareto"]["top_revenue_share"] > 0.2
    assert summary["timings"]["total"] > 0


def test_analyze_report_in_chinese(analysed):
    _, _, out = analysed
    for text in ("客户分析", "RFM 客户类型", "价值等级", "生命周期", "帕累托", "的客户", "CLV"):
        assert text in out
    assert "分析日期 2024-06-30" in out


def test_summary_report_in_english(analysed):
    _, summary, _ = analysed
    console = Console(record=True, width=120)
    console.print(render_summary(summary, "en"))
    out = console.export_text()
    for text in ("Customer analysis", "RFM customer types", "Value tiers", "Lifecycle",
                 "The top 20% of customers", "of revenue"):  # fmt: skip
        assert text in out
    assert "客户分析" not in out


def test_customers_filters_accept_codes_and_labels(analysed):
    wdir, _, _ = analysed
    by = {}
    for label in ("basic", "基础级", "Basic"):
        data = json.loads(run(wdir, "customers", "--tier", label, "--json", "--limit", "0"))
        by[label] = [c["customer_id"] for c in data["customers"]]
        assert all(c["value_tier"] == "basic" for c in data["customers"])
        assert data["as_of"] == D2
    assert by["basic"] == by["基础级"] == by["Basic"] and by["basic"]
    data = json.loads(run(wdir, "customers", "--lifecycle", "目标客户", "--json"))
    assert [c["customer_id"] for c in data["customers"]] == ["LEAD"]


def test_customers_sort_and_limit(analysed):
    wdir, _, _ = analysed
    data = json.loads(run(wdir, "customers", "--sort", "recency_days", "--asc", "--limit", "4",
                          "--json"))  # fmt: skip
    days = [c["recency_days"] for c in data["customers"]]
    assert len(days) == 4 and days == sorted(days)
    assert data["total"] == 15
    out = run(wdir, "customers", "--limit", "3", lang="en")
    assert "Customers (2024-06-30, 15)" in out
    out = run(wdir, "customers", "--limit", "3")
    assert "客户列表" in out


def test_customers_unknown_label_is_a_clear_error(analysed):
    wdir, _, _ = analysed
    with pytest.raises(KehuError) as err:
        run(wdir, "customers", "--tier", "gold")
    assert "strategic" in err.value.en and "战略级" in err.value.zh
    with pytest.raises(KehuError):
        run(wdir, "customers", "--sort", "nonsense")


def test_customer_360_masks_phones_unless_asked(analysed):
    wdir, _, _ = analysed
    out = run(wdir, "customer", "C01")
    assert "客户画像" in out and "评分与分类" in out and "王五 (采购总监)" in out
    assert "138****5678" in out and "13812345678" not in out
    assert "139****1111" in out
    out = run(wdir, "customer", "C01", "--show-pii", lang="en")
    assert "+8613812345678" in out and "Scores and classes" in out and "Recent orders" in out
    data = json.loads(run(wdir, "customer", "C01", "--json"))
    assert data["profile"]["phone"] == "138****5678"
    assert data["snapshot"]["customer_id"] == "C01"
    assert data["explanations"]["r_score"].startswith("距上次购买")
    assert len(data["history"]) == 2


def test_customer_unknown_id(analysed):
    wdir, _, _ = analysed
    with pytest.raises(KehuError, match="not found"):
        run(wdir, "customer", "NOPE")


def test_flows_command(analysed):
    wdir, _, _ = analysed
    data = json.loads(run(wdir, "flows", "--from", D1, "--to", D2, "--by", "value_tier",
                          "--json"))  # fmt: skip
    assert data["by"] == "value_tier"
    assert sum(c["customers"] for c in data["cells"]) == 15
    out = run(wdir, "flows", "--from", D1, "--to", D2)
    assert "客户流转" in out and "客户数" in out
    out = run(wdir, "flows", "--from", D1, "--to", D2, lang="en")
    assert "Customer flows" in out


def test_bad_date_is_a_user_error(wdir):
    with pytest.raises(KehuError, match="YYYY-MM-DD"):
        run(wdir, "analyze", "--as-of", "2024/13/01")


def test_mask_phone():
    assert mask_phone("+8613812345678") == "138****5678"
    assert mask_phone("138-1234-5678") == "138****5678"
    assert mask_phone("010-12345678") == "010****5678"
    assert mask_phone(None) == "—"
