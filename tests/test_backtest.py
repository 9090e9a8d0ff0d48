"""`kehu backtest`: CDNOW sample through `kehu import`, bad as-of dates, zh/en, JSON, history,
no leakage of later records, and the metric helpers on hand-checked cases."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from analytics_data import AS_OF, build, insert
from typer.testing import CliRunner

from kehu.analytics.backtest_metrics import amount_figures, churn_figures, top_share
from kehu.analytics.snapshot import compute_snapshot, engine_tables
from kehu.cli import app
from kehu.errors import KehuError
from kehu.workspace import Workspace

CAL_END = "1997-09-30"


@pytest.fixture(scope="module")
def cdnow(datasets: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, pd.DataFrame]:
    """A workspace with the CDNOW 1/10 sample imported through `kehu import`."""
    raw = pd.read_csv(
        datasets / "cdnow" / "CDNOW_sample.txt",
        sep=r"\s+",
        header=None,
        names=["master_id", "customer_id", "day", "cds", "amount"],
        dtype={"day": str, "customer_id": str},
    )
    folder = tmp_path_factory.mktemp("cdnow")
    ids = sorted(raw["customer_id"].unique(), key=int)
    pd.DataFrame({"customer_id": ids, "name": [f"CDNOW {i}" for i in ids]}).to_csv(
        folder / "customers.csv", index=False
    )
    pd.DataFrame(
        {
            "customer_id": raw["customer_id"],
            "order_id": [f"T{i:05d}" for i in range(len(raw))],
            "order_date": raw["day"],
            "amount": raw["amount"].map(lambda v: f"{v:.2f}"),
        }
    ).to_csv(folder / "orders.csv", index=False)
    root = folder / "ws"
    Workspace.init(root).close()
    for kind in ("customers", "orders"):
        invoke(str(root), "import", str(folder / f"{kind}.csv"), "--kind", kind)
    raw["order_date"] = pd.to_datetime(raw["day"], format="%Y%m%d")
    return str(root), raw


def invoke(wdir: str, *args: str, lang: str = "zh", code: int = 0) -> str:
    res = CliRunner().invoke(app, ["-w", wdir, "--lang", lang, *args])
    if res.exception and not isinstance(res.exception, SystemExit):
        raise res.exception
    assert res.exit_code == code, res.output
    return res.output


@pytest.fixture(scope="module")
def result(cdnow: tuple[str, pd.DataFrame]) -> dict:
    wdir, _ = cdnow
    out = invoke(wdir, "backtest", "--as-of", CAL_END, "--horizon", "273", "--json")
    return json.loads(out)


def test_json_carries_every_figure(result: dict) -> None:
    assert result["as_of"] == CAL_END and result["horizon_days"] == 273
    assert result["customers"] == 2357
    overall = result["overall"]
    assert set(overall["churn"]) == {"kehu", "bgnbd", "bgnbd_expected", "paretonbd", "naive"}
    for figures in overall["churn"].values():
        assert {"roc_auc", "pr_auc", "brier", "lift_top10", "capture_top10", "lift_top20",
                "capture_top20", "reliability"} <= set(figures)  # fmt: skip
        assert sum(b["n"] for b in figures["reliability"]) == 2357
    for kind in ("purchases", "revenue"):
        assert set(overall[kind]) == {"bgnbd", "paretonbd", "naive"}
        for figures in overall[kind].values():
            assert set(figures) == {"actual", "predicted", "total_error", "correlation", "mae"}
    assert {g["group"] for g in result["by_value_tier"]} <= {"strategic", "core", "potential",
                                                             "basic"}  # fmt: skip
    assert sum(g["customers"] for g in result["by_value_tier"]) == 2357
    assert set(result["models"]) == {"bgnbd", "paretonbd", "gammagamma"}


def test_outcomes_match_the_raw_file(result: dict, cdnow: tuple[str, pd.DataFrame]) -> None:
    _, raw = cdnow
    start, end = pd.Timestamp(CAL_END), pd.Timestamp(CAL_END) + pd.Timedelta(days=273)
    later = raw[(raw["order_date"] > start) & (raw["order_date"] <= end)]
    days = later.groupby(["customer_id", "order_date"])["amount"].sum()
    overall = result["overall"]
    assert overall["purchases"]["bgnbd"]["actual"] == int((days >= 0).sum())
    assert overall["revenue"]["bgnbd"]["actual"] == pytest.approx(later["amount"].sum(), abs=0.01)
    buyers = later["customer_id"].nunique()
    assert overall["churn_rate"] == pytest.approx(1 - buyers / 2357, abs=1e-4)


def test_cdnow_figures_against_the_textbook(result: dict) -> None:
    churn = result["overall"]["churn"]
    # the published holdout figure of BG/NBD's expected purchases on this split is 0.76
    assert 0.75 <= churn["bgnbd_expected"]["roc_auc"] <= 0.79
    assert churn["kehu"]["roc_auc"] >= churn["bgnbd_expected"]["roc_auc"] - 1e-9
    assert churn["bgnbd"]["capture_top10"] == pytest.approx(
        churn["bgnbd"]["lift_top10"] * 236 / 2357, abs=1e-3
    )
    pareto = result["models"]["paretonbd"]
    assert (round(pareto["r"], 2), round(pareto["s"], 2)) == (0.55, 0.61)
    purchases = result["overall"]["purchases"]
    assert abs(purchases["bgnbd"]["total_error"]) < 0.2  # Fader-Hardie-Lee: 1,788 vs 1,882 wk 78
    assert purchases["bgnbd"]["correlation"] > purchases["naive"]["correlation"]


def test_tables_in_chinese_and_english(cdnow: tuple[str, pd.DataFrame]) -> None:
    wdir, _ = cdnow
    zh = invoke(wdir, "backtest", "--as-of", CAL_END, "--horizon", "273", lang="zh")
    for text in ("回测", "流失预警", "校准", "购买次数与收入", "按价值等级", "BG/NBD", "上期行为"):
        assert text in zh
    en = invoke(wdir, "backtest", "--as-of", CAL_END, "--horizon", "273", "--lang", "en")
    for text in ("Backtest", "Churn warning", "calibration", "Purchases and revenue",
                 "By value tier", "BG/NBD"):  # fmt: skip
        assert text in en
    assert "回测" not in en


@pytest.mark.parametrize(
    ("as_of", "zh", "en"),
    [
        ("1996-06-30", "早于第一笔订单", "before the first order"),
        ("2999-01-01", "在未来", "in the future"),
        ("1998-06-01", "不足 90 天", "fewer than 90 days"),
        ("1998-02-30", "YYYY-MM-DD", "YYYY-MM-DD"),
    ],
)
def test_bad_as_of_is_a_clear_error(
    cdnow: tuple[str, pd.DataFrame], as_of: str, zh: str, en: str
) -> None:
    wdir, _ = cdnow
    for lang, text in (("zh", zh), ("en", en)):
        res = CliRunner().invoke(
            app, ["-w", wdir, "--lang", lang, "backtest", "--as-of", as_of, "--horizon", "90"]
        )
        assert isinstance(res.exception, KehuError) and res.exception.exit_code == 2
        assert text in res.exception.message(lang)


def test_no_orders_exits_2_from_the_console_script(tmp_path: Path) -> None:
    wdir = str(tmp_path / "empty")
    Workspace.init(wdir).close()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    for cmd in (
        [sys.executable, "-m", "kehu", "-w", wdir, "--lang", "en", "backtest"],
        [sys.executable, "-m", "kehu", "-w", wdir, "backtest", "--lang", "en"],  # its own --lang
    ):
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
        assert proc.returncode == 2
        assert "no orders" in proc.stderr and "Traceback" not in proc.stderr


def test_history_lists_runs_newest_first(cdnow: tuple[str, pd.DataFrame], result: dict) -> None:
    wdir, _ = cdnow
    invoke(wdir, "backtest", "--horizon", "91", "--json")
    runs = json.loads(invoke(wdir, "backtest", "--history", "--json"))["runs"]
    assert len(runs) >= 2
    assert runs[0]["horizon_days"] == 91 and runs[0]["as_of"] == "1998-03-31"  # default as-of
    assert runs[0]["run_at"] >= runs[-1]["run_at"]
    first = [r for r in runs if str(r["as_of"]) == CAL_END][0]
    assert first["churn_auc"] == result["overall"]["churn"]["kehu"]["roc_auc"]
    text = invoke(wdir, "backtest", "--history", lang="en")
    assert "Backtest history" in text


def test_later_records_do_not_leak_into_the_prediction(tmp_path: Path) -> None:
    """The snapshot of a past as-of is the same whether or not later records exist."""
    ws = Workspace.init(tmp_path / "ws")
    ws.settings.churn.model = "rules"
    build(ws)
    before, _, _ = compute_snapshot(engine_tables(ws, "duckdb"), AS_OF, ws.settings)
    later = datetime.combine(AS_OF + timedelta(days=1), datetime.min.time())
    # (a customer with no dated record at all is left out once its first trace is later
    # than as_of: it did not exist yet; so the later records go to customers seen by then)
    ids = [r[0] for r in ws.rows("SELECT DISTINCT customer_id FROM orders ORDER BY 1")]
    for i, cid in enumerate(ids):
        insert(
            ws,
            "orders",
            [
                {
                    "source": "crm",
                    "order_id": f"LATE{i}",
                    "customer_id": cid,
                    "order_date": AS_OF + timedelta(days=1 + i),
                    "amount": 999,
                }
            ],
        )
        insert(
            ws,
            "tickets",
            [
                {
                    "source": "crm",
                    "ticket_id": f"LT{i}",
                    "customer_id": cid,
                    "opened_at": later,
                    "category": "投诉",
                    "status": "open",
                }
            ],
        )
        insert(
            ws,
            "surveys",
            [
                {
                    "source": "crm",
                    "survey_id": f"LS{i}",
                    "customer_id": cid,
                    "surveyed_on": AS_OF + timedelta(days=2),
                    "nps": 0,
                }
            ],
        )
        insert(ws, "interactions", [{"source": "crm", "interaction_id": f"LI{i}",
                                     "customer_id": cid, "occurred_at": later,
                                     "kind": "call"}])  # fmt: skip
    after, _, _ = compute_snapshot(engine_tables(ws, "duckdb"), AS_OF, ws.settings)
    key = [("customer_id", "ascending")]
    assert before.sort_by(key).equals(after.sort_by(key))
    ws.close()


def test_top_share_lift_and_capture() -> None:
    y = np.array([1, 1, 0, 0, 0, 0, 0, 0, 1, 0], dtype=float)
    score = np.arange(10, 0, -1, dtype=float)  # the first rows score highest
    out = top_share(y, score, 0.2)  # top 2 rows: both churned
    assert out["lift"] == pytest.approx(1 / 0.3, abs=1e-4)
    assert out["capture"] == pytest.approx(2 / 3, abs=1e-4)
    figures = churn_figures(y, score / 10)
    assert figures["roc_auc"] == pytest.approx(15 / 21, abs=1e-4)  # 15 of 21 pairs ordered
    assert figures["brier"] == pytest.approx(float(np.mean((score / 10 - y) ** 2)), abs=1e-5)


def test_amount_figures() -> None:
    out = amount_figures(np.array([0.0, 2.0, 4.0]), np.array([1.0, 2.0, 3.0]))
    assert out["actual"] == 6 and out["predicted"] == 6 and out["total_error"] == 0
    assert out["correlation"] == pytest.approx(1.0) and out["mae"] == pytest.approx(2 / 3, abs=1e-4)
    assert amount_figures(np.zeros(3), np.ones(3))["total_error"] is None


def test_monthly_report_has_the_backtest_section(
    cdnow: tuple[str, pd.DataFrame], result: dict, tmp_path: Path
) -> None:
    """The newest run, in the HTML (zh, en) and XLSX report."""
    wdir, _ = cdnow
    for lang, heading in (("zh", "预测回测"), ("en", "Prediction backtest")):
        out = tmp_path / f"report-{lang}.html"
        invoke(wdir, "report", "--period", "1998-06", "--format", "html", "-o", str(out),
               lang=lang)  # fmt: skip
        html = out.read_text(encoding="utf-8")
        section = html[html.index('<section id="backtest">') :]
        section = section[: section.index("</section>")]
        assert heading in section and "ROC AUC" in section and "BG/NBD" in section
        assert "backtest-history" in section
    xlsx = tmp_path / "report.xlsx"
    invoke(wdir, "report", "--period", "1998-06", "--format", "xlsx", "-o", str(xlsx))
    import openpyxl

    sheets = openpyxl.load_workbook(xlsx).worksheets
    sheet = next(ws for ws in sheets if "预测回测" in str(ws.cell(1, 1).value))  # its title
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "ROC AUC" in cells
    kehu_row = next(r for r in sheet.iter_rows(values_only=True) if r[0] == "kehu 流失风险")
    newest = json.loads(invoke(wdir, "backtest", "--history", "--json"))["runs"][0]
    assert kehu_row[1] == pytest.approx(newest["churn_auc"])


def test_auto_model_and_the_uncertainty_band(cdnow: tuple[str, pd.DataFrame]) -> None:
    """`clv.model = "auto"` through analyze: the holdout evidence, the chosen model and its
    covariance in --json; the 360 view's band around expected purchases and CLV."""
    wdir, raw = cdnow
    toml = Path(wdir) / "kehu.toml"
    before = toml.read_text(encoding="utf-8")
    assert '[clv]\nmodel = "bgnbd"' in before
    toml.write_text(before.replace('[clv]\nmodel = "bgnbd"', '[clv]\nmodel = "auto"'), "utf-8")
    try:
        summary = json.loads(invoke(wdir, "analyze", "--as-of", CAL_END, "--json"))
        params = summary["clv"]["params"]
        choice = params["model_choice"]
        assert set(choice["mae"]) == {"bgnbd", "paretonbd"}
        assert choice["chosen"] == min(choice["mae"], key=choice["mae"].get) == "paretonbd"
        assert params["purchase"]["model"] == "paretonbd"
        cov = np.asarray(params["purchase"]["cov_log"])
        assert cov.shape == (4, 4) and np.all(np.linalg.eigvalsh(cov) > 0)
        known = raw[raw["order_date"] <= pd.Timestamp(CAL_END)]
        recent = known.groupby("customer_id")["order_date"].agg(["size", "max"])
        recent = recent[recent["max"] >= pd.Timestamp("1997-09-01")]
        heavy = str(recent["size"].idxmax())  # a frequent buyer still active at as-of
        view = json.loads(invoke(wdir, "customer", heavy, "--json"))
        band = view["clv_band"]
        assert band["model"] == "paretonbd" and band["level"] == 0.95
        point, low, high = band["expected_purchases"]
        assert low < point < high
        assert point == pytest.approx(view["snapshot"]["expected_purchases"], rel=1e-3)
        clv = band["predicted_clv"]
        assert clv[1] < clv[0] < clv[2]
        assert clv[0] == pytest.approx(view["snapshot"]["predicted_clv"], abs=0.01)
        text = invoke(wdir, "customer", heavy, lang="en")
        assert "95% band" in text
    finally:
        toml.write_text(before, "utf-8")


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_ranking_figures_match_scikit_learn(seed: int) -> None:
    """One sort gives the ROC AUC, average precision and Brier score of scikit-learn, ties
    (scores rounded to 0.05) included."""
    from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

    rng = np.random.default_rng(seed)
    p = np.round(rng.random(5000) / 0.05) * 0.05
    y = (rng.random(5000) < 0.2 + 0.6 * p).astype(float)
    figures = churn_figures(y, p)
    assert figures["roc_auc"] == pytest.approx(roc_auc_score(y, p), abs=1e-4)
    assert figures["pr_auc"] == pytest.approx(average_precision_score(y, p), abs=1e-4)
    assert figures["brier"] == pytest.approx(brier_score_loss(y, p), abs=1e-5)
    assert churn_figures(np.ones(3), np.array([0.1, 0.5, 0.9]))["roc_auc"] is None
