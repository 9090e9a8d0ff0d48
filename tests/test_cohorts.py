"""Cohort retention: the matrices by hand, and the purchase model's expectation against a
simulation of the model's own process."""

from __future__ import annotations

from datetime import date

import ibis
import numpy as np
import pandas as pd
import pytest

from kehu.analytics.clv import bgnbd, paretonbd
from kehu.analytics.cohorts import PurchaseFit, build_cohorts

CDNOW_BGNBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
CDNOW_PNBD = {"r": 0.553, "alpha": 10.58, "s": 0.606, "beta": 11.67}


def _simulated_bgnbd(params: dict[str, float], t: float, h: float, n: int) -> float:
    """Share of n simulated BG/NBD customers (first purchase at 0) buying in (t, t+h]."""
    rng = np.random.default_rng(7)
    lam = rng.gamma(params["r"], 1.0 / params["alpha"], n)
    p = rng.beta(params["a"], params["b"], n)
    now = np.zeros(n)
    bought = np.zeros(n, dtype=bool)
    active = np.ones(n, dtype=bool)
    while active.any():
        idx = np.flatnonzero(active)
        now[idx] += rng.exponential(1.0 / lam[idx])
        over = now[idx] > t + h
        inside = ~over & (now[idx] > t)
        bought[idx[inside]] = True
        dies = rng.random(len(idx)) < p[idx]
        active[idx[over | inside | dies]] = False
    return float(bought.mean())


def _simulated_pareto(params: dict[str, float], t: float, h: float, n: int) -> float:
    rng = np.random.default_rng(8)
    lam = rng.gamma(params["r"], 1.0 / params["alpha"], n)
    mu = rng.gamma(params["s"], 1.0 / params["beta"], n)
    life = rng.exponential(1.0 / mu)
    exposure = np.clip(np.minimum(life, t + h) - t, 0.0, None)
    return float((rng.random(n) < 1.0 - np.exp(-lam * exposure)).mean())


@pytest.mark.parametrize(("t", "h"), [(0.0, 4.3), (4.3, 4.3), (30.0, 13.0), (70.0, 4.3)])
def test_bgnbd_share_matches_a_simulation(t: float, h: float) -> None:
    n = 200_000
    sim = _simulated_bgnbd(CDNOW_BGNBD, t, h, n)
    exact = float(bgnbd.p_purchase_in_new(CDNOW_BGNBD, np.array([t]), np.array([h]))[0])
    assert abs(sim - exact) < 4 * np.sqrt(exact * (1 - exact) / n) + 1e-4


@pytest.mark.parametrize(("t", "h"), [(0.0, 4.3), (30.0, 13.0)])
def test_pareto_share_matches_a_simulation(t: float, h: float) -> None:
    n = 200_000
    sim = _simulated_pareto(CDNOW_PNBD, t, h, n)
    exact = float(paretonbd.p_purchase_in_new(CDNOW_PNBD, np.array([t]), np.array([h]))[0])
    assert abs(sim - exact) < 4 * np.sqrt(exact * (1 - exact) / n) + 1e-4


def test_bgnbd_share_at_zero_is_the_nbd_and_falls_with_time() -> None:
    t = np.array([0.0, 10.0, 50.0, 200.0])
    p = bgnbd.p_purchase_in_new(CDNOW_BGNBD, t, np.full(4, 4.0))
    nbd = 1 - (CDNOW_BGNBD["alpha"] / (CDNOW_BGNBD["alpha"] + 4.0)) ** CDNOW_BGNBD["r"]
    assert p[0] == pytest.approx(nbd)
    assert (np.diff(p) < 0).all()


@pytest.fixture(scope="module")
def tiny_tables() -> dict[str, ibis.Table]:
    """Five customers: a, b, c start in 2027-01; d in 2027-02; e only returned goods."""
    orders = pd.DataFrame(
        [
            ("a", date(2027, 1, 5), 100.0, "web"),
            ("a", date(2027, 2, 1), 50.0, "web"),
            ("a", date(2027, 3, 9), 20.0, "web"),
            ("b", date(2027, 1, 20), 200.0, "shop"),
            ("b", date(2027, 3, 1), 100.0, "shop"),
            ("b", date(2027, 3, 2), -30.0, "shop"),
            ("c", date(2027, 1, 31), 100.0, "web"),
            ("d", date(2027, 2, 10), 80.0, "shop"),
            ("d", date(2027, 3, 10), 40.0, "shop"),
            ("d", date(2027, 4, 10), 40.0, "shop"),  # after as_of
        ],
        columns=["customer_id", "order_date", "amount", "channel"],
    )
    customers = pd.DataFrame(
        {"customer_id": list("abcd"), "region": ["华东", "华北", "华东", None]}
    )
    con = ibis.duckdb.connect()
    return {
        "orders": con.create_table("orders", orders),
        "customers": con.create_table("customers", customers),
    }


def test_matrices_by_hand(tiny_tables: dict[str, ibis.Table]) -> None:
    out = build_cohorts(tiny_tables, date(2027, 3, 31), "month", None, 12, 3, None)
    jan, feb = out.rows
    assert (jan.cohort, jan.customers, feb.cohort, feb.customers) == ("2027-01", 3, "2027-02", 1)
    assert out.periods == 2  # no column beyond March, the last period ended by as_of
    assert jan.retention == [1.0, pytest.approx(1 / 3), pytest.approx(2 / 3)]
    # Revenue: 400 in January, 50 in February, 20 + 100 − 30 in March.
    assert jan.revenue_retention == [1.0, 50 / 400, 90 / 400]
    assert feb.retention == [1.0, 1.0, None]
    assert feb.revenue_retention == [1.0, 0.5, None]
    assert jan.expected == [None] * 3


def test_a_period_not_ended_by_as_of_is_left_out(tiny_tables: dict[str, ibis.Table]) -> None:
    out = build_cohorts(tiny_tables, date(2027, 3, 30), "month", None, 12, 3, None)
    assert out.rows[0].retention == [1.0, pytest.approx(1 / 3)]
    assert out.rows[1].retention == [1.0, None]


def test_split_by_region_and_channel(tiny_tables: dict[str, ibis.Table]) -> None:
    out = build_cohorts(tiny_tables, date(2027, 3, 31), "month", "region", 12, 2, None)
    sizes = {(r.cohort, r.group): r.customers for r in out.rows}
    assert sizes == {("2027-01", "华东"): 2, ("2027-01", "华北"): 1, ("2027-02", ""): 1}
    out = build_cohorts(tiny_tables, date(2027, 3, 31), "quarter", "channel", 12, 1, None)
    sizes = {(r.cohort, r.group): r.customers for r in out.rows}
    assert sizes == {("2027-Q1", "web"): 2, ("2027-Q1", "shop"): 2}


def test_expectation_averages_over_first_days(tiny_tables: dict[str, ibis.Table]) -> None:
    fit = PurchaseFit("bgnbd", CDNOW_BGNBD, 7.0)
    out = build_cohorts(tiny_tables, date(2027, 3, 31), "month", None, 12, 2, fit)
    jan = out.rows[0]
    # Period 1 (February) starts 27, 12 and 1 days after the three first orders.
    t = np.array([27.0, 12.0, 1.0]) / 7.0
    want = bgnbd.p_purchase_in_new(CDNOW_BGNBD, t, np.full(3, 28 / 7.0)).mean()
    assert jan.expected[0] is None
    assert jan.expected[1] == pytest.approx(want)
