"""A small workspace with a planted playbook effect: a plan at PLAN with control groups, and
outcomes 180 days later in which the rescue playbook lowers churn by EFFECT (imported by the
effect tests)."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
from test_plan_data import SNAPSHOT_DDL

from kehu.planning.plan import make_plan
from kehu.workspace import Workspace

PLAN = date(2026, 3, 1)
LATER = PLAN + timedelta(days=181)
CHURN_TREATED, CHURN_CONTROL = 0.25, 0.55
EFFECT = CHURN_TREATED - CHURN_CONTROL  # planted on rfm_type.churn_risk
REVENUE_LIFT = 800.0  # treated rescue customers buy this much more in the window, on average
N_RISK, N_HIGH, N_BASIC = 600, 120, 400
REGIONS = ("华东", "华北")
RFM = {"r": "churn_risk", "h": "high_value", "b": "low_value"}
TIER = {"r": "potential", "h": "core", "b": "basic"}


def _insert(ws: Workspace, table: str, frame: pd.DataFrame) -> None:
    ws.con.register("_rows", frame)
    cols = ", ".join(f'"{c}"' for c in frame.columns)
    ws.con.execute(f'INSERT INTO "{table}" ({cols}) SELECT {cols} FROM _rows')
    ws.con.unregister("_rows")


def build(ws: Workspace, seed: int = 3) -> None:
    """Customers, the plan's snapshot, the plan (30 % rescue hold-out) and the outcomes."""
    rng = np.random.default_rng(seed)
    kinds = ["r"] * N_RISK + ["h"] * N_HIGH + ["b"] * N_BASIC
    ids = [f"{k}{i:04d}" for i, k in enumerate(kinds)]
    region = [REGIONS[i % 2] for i in range(len(ids))]
    people = pd.DataFrame({"customer_id": ids, "name": ids, "region": region, "owner": "alice"})
    _insert(ws, "customers", people)
    ws.con.execute(SNAPSHOT_DDL)
    risk = np.where(
        np.array(kinds) == "r", rng.uniform(0.6, 0.9, len(ids)), rng.uniform(0, 0.5, len(ids))
    )
    spend = rng.gamma(2.0, 4000.0, len(ids))
    recency = rng.integers(30, 300, len(ids))
    snap = pd.DataFrame(
        {
            "as_of": PLAN, "customer_id": ids, "name": ids, "owner": "alice", "region": region,
            "rfm_type": [RFM[k] for k in kinds], "value_tier": [TIER[k] for k in kinds],
            "lifecycle": "repeat", "churn_risk": risk, "churn_reasons": "[]",
            "recency_days": recency, "orders_12m": rng.integers(1, 12, len(ids)),
            "spend_12m": spend, "predicted_clv": spend * 1.5, "expected_purchases": 2.0,
        }
    )  # fmt: skip
    _insert(ws, "customer_snapshot", snap)
    ws.settings.plan.control_shares = {"rfm_type.churn_risk": 0.3}
    make_plan(ws, PLAN)
    arms = dict(ws.rows("SELECT customer_id, arm FROM plan_arms WHERE as_of = ?", [PLAN]))
    treated = np.array(
        [arms.get(c) == "treated" and k == "r" for c, k in zip(ids, kinds, strict=True)]
    )
    p = np.where(np.array(kinds) == "r", np.where(treated, CHURN_TREATED, CHURN_CONTROL), 0.15)
    churned = rng.random(len(ids)) < p
    later = snap.assign(as_of=LATER, lifecycle=np.where(churned, "lost", "repeat"))
    _insert(ws, "customer_snapshot", later)
    amount = rng.gamma(2.0, 1000.0, len(ids)) + np.where(treated, REVENUE_LIFT, 0.0)
    orders = pd.DataFrame(
        {
            "source": "crm", "order_id": [f"o{i}" for i in range(len(ids))], "customer_id": ids,
            "order_date": PLAN + timedelta(days=60), "amount": amount.round(2),
        }
    )  # fmt: skip
    _insert(ws, "orders", orders[~churned])
    surveys = pd.DataFrame(
        {
            "source": "crm", "survey_id": [f"s{i}" for i in range(len(ids))], "customer_id": ids,
            "surveyed_on": PLAN + timedelta(days=30), "nps": rng.integers(0, 11, len(ids)),
        }
    )  # fmt: skip
    _insert(ws, "surveys", surveys)
