"""What-if targets: the best split's optimality, the Monte Carlo chances against the normal
closed form, and `simulate_targets` on a small workspace checked by hand."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import norm
from test_plan_data import customers, orders, snapshot
from typer.testing import CliRunner

from kehu.cli import app
from kehu.errors import KehuError
from kehu.planning.simulate import Sources, best_split, chance, exact, simulate_targets
from kehu.workspace import Workspace


def log_joint(total_shares: np.ndarray, mean: np.ndarray, sd: np.ndarray) -> float:
    return float(norm.logcdf((mean - total_shares) / sd).sum())


units_st = st.lists(st.tuples(st.floats(0, 1e6), st.floats(1.0, 1e5)), min_size=1, max_size=8)


@given(units=units_st, total=st.floats(0, 5e6), other=st.lists(st.floats(0, 1), min_size=8))
@settings(max_examples=150, deadline=None)
def test_best_split_sums_to_the_total_and_beats_any_other(units, total, other) -> None:
    mean, sd = (np.array(x) for x in zip(*units, strict=True))
    best = best_split(total, mean, sd)
    assert np.all(best >= 0) and best.sum() == pytest.approx(total, rel=1e-9, abs=1e-6)
    w = np.array(other[: len(mean)]) + 1e-3
    rival = total * w / w.sum()
    assert log_joint(best, mean, sd) >= log_joint(rival, mean, sd) - 1e-6


@given(units=units_st, total=st.floats(1, 5e6), more=st.floats(1.01, 3))
@settings(max_examples=100, deadline=None)
def test_more_total_means_less_chance(units, total, more) -> None:
    mean, sd = (np.array(x) for x in zip(*units, strict=True))
    low = log_joint(best_split(total, mean, sd), mean, sd)
    high = log_joint(best_split(total * more, mean, sd), mean, sd)
    assert high <= low + 1e-9


@given(
    rates=st.lists(st.floats(0, 5), min_size=1, max_size=6),
    probs=st.lists(st.floats(0, 1), max_size=6),
    total=st.integers(0, 10**6),
)
@settings(max_examples=50, deadline=None)
def test_chances_are_probabilities_and_exact_shares_sum(rates, probs, total) -> None:
    k = len(rates)
    src = Sources(
        [f"u{i}" for i in range(k)],
        np.arange(k),
        np.array(rates),
        np.full(k, 1000.0),
        np.arange(len(probs)) % k,
        np.array(probs),
        np.full(len(probs), 5000.0),
    )
    mean, sd = src.moments()
    shares = exact(total, best_split(total, mean, sd))
    assert shares.sum() == total and np.all(shares == np.round(shares))
    each, every = chance(src.draws(200), shares)
    assert np.all((each >= 0) & (each <= 1)) and 0 <= every <= each.min() + 1e-12


def test_two_like_units_share_equally_and_a_stretch_goes_where_it_costs_least() -> None:
    assert best_split(100, np.array([50.0, 50.0]), np.array([5.0, 5.0])) == pytest.approx([50, 50])
    # a steady unit loses its chance fast above its mean: the volatile one carries the stretch
    mean, sd = np.array([50.0, 50.0]), np.array([2.0, 10.0])
    t = best_split(120, mean, sd)
    grid = np.linspace(0, 120, 120_001)
    brute = grid[np.argmax(norm.logcdf((50 - grid) / 2) + norm.logcdf((50 - (120 - grid)) / 10))]
    assert t[0] == pytest.approx(brute, abs=1e-3) and t[0] < 50 < t[1]


def test_monte_carlo_matches_the_normal_closed_form() -> None:
    # 400 customers x Poisson(1) orders of 100, and 400 deals p=0.5 of 200: near-normal sums
    n = 400
    src = Sources(
        ["a", "b"],
        np.zeros(n, int),
        np.ones(n),
        np.full(n, 100.0),
        np.ones(n, int),
        np.full(n, 0.5),
        np.full(n, 200.0),
    )
    mean, sd = src.moments()
    assert mean == pytest.approx([40_000, 40_000]) and sd == pytest.approx([2000, 2000])
    shares = np.array([42_000.0, 38_000.0])  # +1 and -1 sd
    each, every = chance(src.draws(20_000), shares)
    closed = norm.sf((shares - mean) / sd)
    assert each == pytest.approx(closed, abs=0.02)
    assert every == pytest.approx(closed.prod(), abs=0.02)


@pytest.fixture()
def sws(ws: Workspace) -> Workspace:
    """Two regions of 100 buyers each, one order a quarter of 1,000 expected per buyer; last
    quarter's sales 600 (华东) against 400 (华北)."""
    ids = [(f"e{i}", "华东") for i in range(100)] + [(f"n{i}", "华北") for i in range(100)]
    customers(ws, [(c, c, r, "rep-" + c[0]) for c, r in ids])
    orders(ws, [("o1", "e0", date(2025, 11, 5), 600), ("o2", "n0", date(2025, 11, 5), 400)])
    per_quarter = 52 * 7 / 90  # the CLV horizon (52 weeks) holds this many quarters (2026-Q1)
    snapshot(
        ws,
        date(2025, 12, 31),
        [
            {"customer_id": c, "expected_purchases": per_quarter, "avg_order_value": 1000}
            for c, _ in ids
        ],
    )
    return ws


def test_simulate_targets_by_hand(sws: Workspace) -> None:
    res = simulate_targets(sws, 200_000, "2026-Q1", "region")
    rows = {r["unit"]: r for r in res["rows"]}
    # each region: Poisson(100) orders of 1,000 -> mean 100,000, sd 10,000
    assert rows["华东"]["expected"] == pytest.approx(100_000)
    assert rows["华东"]["sd"] == pytest.approx(10_000)
    # the current split follows last quarter (60:40): +2 sd for 华东, -2 sd for 华北
    assert (rows["华东"]["current"], rows["华北"]["current"]) == (120_000, 80_000)
    assert rows["华东"]["p_current"] == pytest.approx(norm.sf(2), abs=0.015)
    assert rows["华北"]["p_current"] == pytest.approx(norm.cdf(2), abs=0.015)
    # the best split is even; each then has an even chance, the total too
    assert (rows["华东"]["best"], rows["华北"]["best"]) == (100_000, 100_000)
    assert rows["华东"]["p_best"] == pytest.approx(0.5, abs=0.04)
    assert res["p_total"] == pytest.approx(0.5, abs=0.04)
    assert res["p_all_best"] == pytest.approx(0.25, abs=0.04)
    assert res["p_all_current"] == pytest.approx(norm.sf(2) * norm.cdf(2), abs=0.015)
    assert sum(r["best"] for r in res["rows"]) == 200_000


def test_simulate_refuses_customers_and_a_workspace_without_snapshot(sws: Workspace) -> None:
    with pytest.raises(KehuError, match="customer"):
        simulate_targets(sws, 1000, "2026-Q1", "customer")
    sws.con.execute("DELETE FROM customer_snapshot")
    with pytest.raises(KehuError, match="kehu analyze"):
        simulate_targets(sws, 1000, "2026-Q1", "region")


@pytest.mark.parametrize(("lang", "words"), [("zh", "最优拆解"), ("en", "best split")])
def test_simulate_command(sws: Workspace, lang: str, words: str) -> None:
    root = str(sws.root)
    sws.close()
    args = ["-w", root, "--lang", lang, "targets", "simulate", "--total", "200000"]
    res = CliRunner().invoke(app, [*args, "--period", "2026-Q1"])
    assert res.exit_code == 0, res.output
    assert words in res.output and "华东" in res.output
    bad = CliRunner().invoke(app, [*args, "--period", "2026-Q9"])
    assert isinstance(bad.exception, KehuError) and bad.exception.exit_code == 2
