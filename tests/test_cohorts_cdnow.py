"""Cohort retention on the CDNOW sample (2,357 customers acquired in 1997-Q1, Fader & Hardie's
data set): BG/NBD fitted on the 39-week calibration period (through 1997-09-30) against what
the monthly cohorts actually did in the holdout months, October 1997 – June 1998, beside a
naive forecast: each cohort's mean retention over its last three calibration months, held
flat."""

from __future__ import annotations

from datetime import date

import ibis
import numpy as np
import pandas as pd
import pytest

from kehu.analytics.clv import fit_bgnbd, purchase_summary
from kehu.analytics.cohorts import Cohorts, PurchaseFit, build_cohorts
from kehu.calendar import Period

CAL_END = date(1997, 9, 30)
HOLDOUT_END = date(1998, 6, 30)


@pytest.fixture(scope="module")
def cohorts(cdnow_orders: pd.DataFrame) -> Cohorts:
    orders = cdnow_orders
    calib = purchase_summary(orders, CAL_END, "week")
    fit = fit_bgnbd(calib["x"], calib["t_x"], calib["T"])
    con = ibis.duckdb.connect()
    customers = pd.DataFrame({"customer_id": orders["customer_id"].unique(), "region": ""})
    tables = {
        "orders": con.create_table("orders", orders),
        "customers": con.create_table("customers", customers),
    }
    return build_cohorts(
        tables, HOLDOUT_END, "month", None, 12, 17, PurchaseFit("bgnbd", fit.params, 7.0)
    )


def _holdout_gaps(cohorts: Cohorts) -> tuple[float, float, int]:
    """Mean |gap| of BG/NBD and of the naive flat forecast over the holdout cells."""
    model, naive = [], []
    for row in cohorts.rows:
        start = Period.parse(row.cohort)
        calib = [
            v
            for k, v in enumerate(row.retention)
            if k > 0 and v is not None and start.shift(k).end <= CAL_END
        ]
        flat = float(np.mean(calib[-3:]))
        for k, (actual, expected) in enumerate(zip(row.retention, row.expected, strict=True)):
            if actual is None or start.shift(k).start <= CAL_END:
                continue
            assert expected is not None
            model.append(abs(actual - expected))
            naive.append(abs(actual - flat))
    return float(np.mean(model)), float(np.mean(naive)), len(model)


def test_bgnbd_tracks_the_holdout_retention_better_than_the_flat_naive(
    cohorts: Cohorts,
) -> None:
    assert [(r.cohort, r.customers) for r in cohorts.rows] == [
        ("1997-01", 777),
        ("1997-02", 854),
        ("1997-03", 718),
    ]
    model_gap, naive_gap, cells = _holdout_gaps(cohorts)
    print(f"CDNOW holdout cells {cells}: BG/NBD MAE {model_gap:.4f}, naive {naive_gap:.4f}")
    assert cells == 3 * 9  # every cohort has the nine holdout months
    assert model_gap < naive_gap
    assert model_gap < 0.015


def test_first_month_expectation_is_close_to_the_actual(cohorts: Cohorts) -> None:
    for row in cohorts.rows:
        assert row.expected[1] == pytest.approx(row.retention[1], abs=0.03)
