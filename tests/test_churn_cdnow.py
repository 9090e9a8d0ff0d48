"""Churn risk on real purchases: the CDNOW 1/10 sample, imported through `kehu import`.

Acceptance of issue 13: churn_risk ranks "no purchase in the horizon after as_of" at least as
well as −expected_purchases of the same snapshot (plain BG/NBD), with 39 weeks of history
and a 273-day horizon (no trained model: too little history), and with 15 months of history
and a 91-day horizon (the trained candidates are eligible: the stack, the purchase model
recalibrated on the workspace's history, wins the backtest and beats BG/NBD at as_of).
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score
from test_clv_cdnow import _import_cdnow

from kehu.analytics.snapshot import analyze
from kehu.workspace import Workspace


@pytest.fixture(scope="module")
def cdnow(datasets: Path, tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    raw = pd.read_csv(
        datasets / "cdnow" / "CDNOW_sample.txt",
        sep=r"\s+",
        header=None,
        names=["master_id", "customer_id", "day", "cds", "amount"],
        dtype={"day": str},
    )
    raw["order_date"] = pd.to_datetime(raw["day"], format="%Y%m%d").dt.date
    raw["customer_id"] = raw["customer_id"].astype(str)
    root = tmp_path_factory.mktemp("cdnow_churn")
    ws = Workspace.init(root / "ws")
    _import_cdnow(ws, raw, root)
    yield ws
    ws.close()


def _aucs(ws: Workspace, as_of: date, horizon: int) -> tuple[float, float, dict]:
    ws.settings.churn.horizon_days = horizon
    result = analyze(ws, as_of)
    snap = ws.con.execute(
        "SELECT customer_id, churn_risk, expected_purchases FROM customer_snapshot WHERE as_of = ?",
        [as_of],
    ).df()
    later = ws.con.execute(
        "SELECT DISTINCT customer_id FROM orders WHERE order_date > ? AND order_date <= ?",
        [as_of, as_of + timedelta(days=horizon)],
    ).df()
    quiet = (~snap["customer_id"].isin(later["customer_id"])).astype(int)
    assert snap["churn_risk"].notna().all() and len(snap) == 2357
    return (
        roc_auc_score(quiet, snap["churn_risk"]),
        roc_auc_score(quiet, -snap["expected_purchases"]),
        result.summary["churn"],
    )


def test_short_history_never_worse_than_bgnbd(cdnow: Workspace) -> None:
    risk, baseline, churn = _aucs(cdnow, date(1997, 9, 30), 273)
    assert churn["mode"] == "purchase" and churn["status"] == "history_short"
    assert churn["backtest"]["horizon_days"] == 136  # half of the 272 days of history
    assert risk >= baseline - 1e-9, (risk, baseline, churn["backtest"])
    assert churn["source_en"] and churn["backtest_zh"]


def test_long_history_trained_model_beats_bgnbd(cdnow: Workspace) -> None:
    risk, baseline, churn = _aucs(cdnow, date(1998, 3, 31), 91)
    # every candidate competed in the backtest at 1997-12-30 (learnt from earlier dates only);
    # the stack wins it and, used at as_of, beats plain BG/NBD there (decision 47)
    bt = churn["backtest"]
    assert bt["date"] == "1997-12-30" and {"model", "stack", "purchase_exact"} <= set(bt["roc_auc"])
    assert churn["source"] == bt["winner"] == "stack" and churn["mode"] == "model"
    assert bt["roc_auc"]["stack"] > bt["roc_auc"]["purchase_poisson"]
    assert risk > baseline, (risk, baseline, bt)
    assert churn["stack"]["inputs"]["purchase_log_odds"] > 0
