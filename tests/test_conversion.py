"""Conversion success rates per class: the cohort rule at its boundaries, the Wilson interval
against scipy, the rates on CDNOW beside the seed's 15 % / 50 %, and the pipeline columns of
the target split."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from analytics_data import AS_OF, customer, days_before, insert, order
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import binomtest

from kehu.analytics.conversion import CLASS_OF, cohort_table, conversion_rates, rate_for
from kehu.analytics.intervals import wilson
from kehu.analytics.snapshot import analyze
from kehu.analytics.sources import source_tables
from kehu.config import Settings
from kehu.planning.targets import split_targets
from kehu.workspace import Workspace

D0 = 365  # conversion.horizon_days: the cohort is taken 365 days before AS_OF


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 5000), st.data(), st.sampled_from([0.8, 0.9, 0.95, 0.99]))
def test_wilson_equals_scipy(n: int, data: st.DataObject, conf: float) -> None:
    k = data.draw(st.integers(0, n))
    low, high = wilson(k, n, conf)
    ref = binomtest(k, n).proportion_ci(confidence_level=conf, method="wilson")
    assert low == pytest.approx(ref.low, abs=1e-12)
    assert high == pytest.approx(ref.high, abs=1e-12)


# customer -> (class at d0 or None when left out, converted after d0)
COHORT: dict[str, tuple[str | None, bool]] = {
    "NEW_364": ("prospect", True),  # first record 364 days before d0: still a prospect
    "OLD_365": (None, False),  # 365 days: a non-customer, left out
    "LATER": (None, False),  # first record after d0: not there yet
    "ONE": ("first_purchase", True),
    "ONE_STAYS": ("first_purchase", False),
    "TWO": ("repeat", True),
    "LOST_AT_D0": ("prospect", True),  # silent 365 days at d0: must be won again
    "GONE_AT_D0": (None, True),  # silent 730 days at d0: lost for good, left out
}


def _d(n_before_d0: int) -> date:
    return days_before(D0 + n_before_d0)


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Any:
    ws = Workspace.init(tmp_path_factory.mktemp("conv") / "ws")
    insert(
        ws,
        "customers",
        [
            customer("NEW_364", cooperation_start=_d(364)),
            customer("OLD_365", cooperation_start=_d(365)),
            customer("LATER", cooperation_start=_d(-10)),
            *(customer(c) for c in ("ONE", "ONE_STAYS", "TWO", "LOST_AT_D0", "GONE_AT_D0")),
        ],
    )
    insert(
        ws,
        "orders",
        [
            order("NEW_364", days_before(5), "1000"),
            order("ONE", _d(10)), order("ONE", days_before(3)),
            order("ONE_STAYS", _d(10)),
            order("TWO", _d(40)), order("TWO", _d(0)), order("TWO", days_before(100)),
            order("LOST_AT_D0", _d(365)), order("LOST_AT_D0", days_before(1)),
            order("GONE_AT_D0", _d(730)), order("GONE_AT_D0", days_before(1)),
        ],
    )  # fmt: skip
    try:
        yield ws
    finally:
        ws.close()


def test_cohort_classes_and_conversions_at_their_boundaries(ws: Workspace) -> None:
    got = {
        r["klass"]: (r["customers"], r["converted"])
        for r in cohort_table(source_tables(ws.ibis), AS_OF, ws.settings).to_pyarrow().to_pylist()
    }
    want: dict[str, list[int]] = {}
    for klass, converted in COHORT.values():
        if klass is not None:
            n, k = want.get(klass, [0, 0])
            want[klass] = [n + 1, k + int(converted)]
    assert got == {k: tuple(v) for k, v in want.items()}


def test_too_few_customers_keep_the_seed_rates(ws: Workspace) -> None:
    rates = conversion_rates(source_tables(ws.ibis), AS_OF, ws.settings)
    assert {k: (r.rate, r.source) for k, r in rates.items()} == {
        "prospect": (0.06, "default"),
        "first_purchase": (0.15, "default"),
        "repeat": (0.50, "default"),
    }
    assert (rates["first_purchase"].customers, rates["first_purchase"].converted) == (2, 1)
    s = ws.settings.model_copy(deep=True)
    s.conversion.min_customers = 2
    own = conversion_rates(source_tables(ws.ibis), AS_OF, s)
    assert (own["prospect"].rate, own["prospect"].source) == (1.0, "workspace")
    assert own["first_purchase"].rate == 0.5 and own["repeat"].source == "default"  # 1 < 2


def test_every_lifecycle_stage_has_a_rate_or_is_outside_the_funnel() -> None:
    from kehu.analytics.lifecycle import STAGES

    rates = conversion_rates({}, AS_OF, _no_estimate())
    assert set(CLASS_OF) | {"non_customer", "lost_forever"} == set(STAGES)
    assert rate_for("lost_forever", rates) == rate_for("non_customer", rates) == 0.0
    assert rate_for("target", rates) == 0.06 and rate_for("loyal", rates) == 0.50


def _no_estimate() -> Settings:
    s = Settings()
    s.conversion.estimate = False
    return s


def test_target_split_values_the_pipeline_by_class(ws: Workspace, tmp_path: Path) -> None:
    insert(ws, "customers", [customer("LEAD", region="华东", cooperation_start=days_before(30))])
    insert(
        ws,
        "opportunities",
        [{"source": "crm", "opportunity_id": "P9", "customer_id": "LEAD", "status": "open",
          "amount": 20000, "created_on": days_before(20)},
         {"source": "crm", "opportunity_id": "P10", "customer_id": "TWO", "status": "open",
          "amount": 1000, "created_on": days_before(20)}],
    )  # fmt: skip
    ws.con.execute("UPDATE customers SET region = '华东' WHERE customer_id IN ('TWO', 'ONE')")
    analyze(ws, AS_OF)
    res = split_targets(ws, "10000", "2024-Q3", "region", write=False)
    east = next(r for r in res.rows if r["unit"] == "华东")
    assert east["pipeline"] == pytest.approx(21000.0)
    # LEAD is a target (6 %), TWO repeat (50 %): the seed rates, the workspace being small
    assert east["expected_pipeline"] == pytest.approx(20000 * 0.06 + 1000 * 0.50)
    assert res.to_json()["conversion"]["prospect"]["source"] == "default"


@pytest.fixture(scope="module")
def cdnow(datasets: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    raw = pd.read_csv(
        datasets / "cdnow" / "CDNOW_sample.txt", sep=r"\s+", header=None,
        names=["master_id", "customer_id", "day", "cds", "amount"], dtype={"day": str},
    )  # fmt: skip
    raw["order_date"] = pd.to_datetime(raw["day"], format="%Y%m%d").dt.date
    raw["customer_id"] = raw["customer_id"].astype(str)
    ws = Workspace.init(tmp_path_factory.mktemp("cdnow-conv") / "ws")
    ids = pd.DataFrame({"customer_id": raw["customer_id"].unique()})
    ids["name"] = "c" + ids["customer_id"]
    orders = pd.DataFrame(
        {"source": "cdnow", "order_id": [f"O{i}" for i in range(len(raw))],
         "customer_id": raw["customer_id"], "order_date": raw["order_date"],
         "amount": raw["amount"].map(lambda v: Decimal(f"{v:.2f}"))}
    )  # fmt: skip
    ws.con.register("_ids", ids)
    ws.con.register("_orders", orders)
    ws.con.execute("INSERT INTO customers (customer_id, name) SELECT * FROM _ids")
    ws.con.execute(
        "INSERT INTO orders (source, order_id, customer_id, order_date, amount)"
        " SELECT * FROM _orders"
    )
    try:
        yield ws, raw
    finally:
        ws.close()


def test_rates_on_cdnow_equal_the_textbook_count_beside_the_seed(cdnow: Any) -> None:
    ws, raw = cdnow
    as_of = date(1998, 6, 30)
    d0 = as_of - timedelta(days=365)
    rates = conversion_rates(source_tables(ws.ibis), as_of, ws.settings)
    # the textbook count in pandas: purchase days up to d0, any order in the year after
    before = raw[raw["order_date"] <= d0].groupby("customer_id")["order_date"].nunique()
    after = set(raw.loc[(raw["order_date"] > d0) & (raw["order_date"] <= as_of), "customer_id"])
    for klass, mask in (("first_purchase", before == 1), ("repeat", before >= 2)):
        ids = before[mask].index
        n, k = len(ids), sum(c in after for c in ids)
        r = rates[klass]
        assert (r.customers, r.converted, r.source) == (n, k, "workspace")
        assert r.low is not None and r.high is not None and r.low < r.rate < r.high
        print(f"CDNOW {klass}: {r.rate:.1%} [{r.low:.1%}, {r.high:.1%}] n={n}"
              f" vs seed {r.default:.0%}")  # fmt: skip
    # CDNOW's one-time buyers come back less often than its repeat buyers, as the seed says
    assert rates["first_purchase"].rate < rates["repeat"].rate
