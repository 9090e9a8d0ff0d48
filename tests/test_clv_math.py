"""CLV formulas against independent computations, and the edge cases of compute_clv."""

from __future__ import annotations

import json
import math
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate

from kehu.analytics.clv import (
    bgnbd,
    compute_clv,
    discount_weights,
    fit_bgnbd,
    gammagamma,
    paretonbd,
)
from kehu.analytics.clv.fitting import compress
from kehu.analytics.clv.simulate import simulate_bgnbd
from kehu.config import ClvSettings

BG = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}


# ---- independent formulas (plain Python, no shared code) --------------------------------
def hyp2f1_series(a: float, b: float, c: float, z: float) -> float:
    term, total = 1.0, 1.0
    for n in range(100_000):
        term *= (a + n) * (b + n) / ((c + n) * (n + 1)) * z
        total += term
        if abs(term) < 1e-16 * abs(total):
            return total
    raise AssertionError("series did not converge")


def p_alive_bayes(p: dict[str, float], x: int, t_x: float, T: float) -> float:
    """P(alive) = alive branch / (alive + dead branch) of the BG/NBD likelihood."""
    r, al, a, b = p["r"], p["alpha"], p["a"], p["b"]
    lbeta = lambda u, v: math.lgamma(u) + math.lgamma(v) - math.lgamma(u + v)  # noqa: E731
    alive = lbeta(a, b + x) - (r + x) * math.log(al + T)
    if x == 0:
        return 1.0
    dead = lbeta(a + 1, b + x - 1) - (r + x) * math.log(al + t_x)
    return 1.0 / (1.0 + math.exp(dead - alive))


def expected_plain(p: dict[str, float], t: float, x: int, t_x: float, T: float) -> float:
    """Eq. 10 of Fader, Hardie & Lee (2005) as printed, with a hand-summed 2F1."""
    r, al, a, b = p["r"], p["alpha"], p["a"], p["b"]
    f = hyp2f1_series(r + x, b + x, a + b + x - 1, t / (al + T + t))
    num = (a + b + x - 1) / (a - 1) * (1 - ((al + T) / (al + T + t)) ** (r + x) * f)
    den = 1 + (x > 0) * (a / (b + x - 1)) * ((al + T) / (al + t_x)) ** (r + x)
    return num / den


@pytest.mark.parametrize(
    ("x", "t_x", "T"),
    [(2, 30.43, 38.86), (0, 0.0, 38.86), (7, 29.43, 35.0), (1, 1.71, 38.86)],
)
def test_bgnbd_conditionals_match_independent_formulas(x: int, t_x: float, T: float) -> None:
    got_alive = float(bgnbd.p_alive(BG, np.array([x]), np.array([t_x]), np.array([T]))[0])
    assert got_alive == pytest.approx(p_alive_bayes(BG, x, t_x, T), rel=1e-12)
    for t in (1.0, 39.0, 52.0):
        got = float(
            bgnbd.expected_purchases(BG, t, np.array([x]), np.array([t_x]), np.array([T]))[0]
        )
        assert got == pytest.approx(expected_plain(BG, t, x, t_x, T), rel=1e-9)


def test_pinned_cdnow_customers() -> None:
    """Customer 1 (x=2, t_x=30.43, T=38.86) and 18 (x=0): values of the closed forms."""
    x = np.array([2.0, 0.0])
    t_x = np.array([30.43, 0.0])
    T = np.array([38.86, 38.86])
    alive = bgnbd.p_alive(BG, x, t_x, T)
    assert alive[1] == 1.0  # no repeat purchase: p_alive is 1 (the DESIGN trap)
    assert alive[0] == pytest.approx(p_alive_bayes(BG, 2, 30.43, 38.86), rel=1e-12)
    e39 = bgnbd.expected_purchases(BG, 39.0, x, t_x, T)
    assert e39[0] == pytest.approx(expected_plain(BG, 39.0, 2, 30.43, 38.86), rel=1e-9)
    assert e39[1] == pytest.approx(expected_plain(BG, 39.0, 0, 0.0, 38.86), rel=1e-9)
    assert 0.0 < e39[1] < e39[0]


def test_heavy_buyers_match_the_plain_formula_and_stay_finite_beyond_it() -> None:
    x = np.array([400.0, 1000.0, 5000.0])
    t_x = np.array([51.0, 51.9, 51.9])
    T = np.full(3, 52.0)
    e = bgnbd.expected_purchases(BG, 52.0, x, t_x, T)
    # a 7-a-week buyer silent for a week is probably gone: fewer than 52 * 7 expected
    assert e[0] == pytest.approx(expected_plain(BG, 52.0, 400, 51.0, 52.0), rel=1e-9)
    assert e[1] == pytest.approx(expected_plain(BG, 52.0, 1000, 51.9, 52.0), rel=1e-9)
    # the printed form gives inf * 0 here; the Euler-transformed one stays finite
    assert math.isnan(expected_plain(BG, 52.0, 5000, 51.9, 52.0))
    assert np.isfinite(e[2]) and e[1] < e[2] < 52 * 100


def _grad_check(objective, log_theta: np.ndarray) -> None:  # noqa: ANN001
    _, grad = objective(log_theta)
    eps = 1e-6
    num = [
        (objective(log_theta + e)[0] - objective(log_theta - e)[0]) / (2 * eps)
        for e in np.eye(len(log_theta)) * eps
    ]
    np.testing.assert_allclose(grad, num, rtol=1e-5, atol=1e-8)


def test_analytic_gradients_match_finite_differences() -> None:
    x, t_x, T = simulate_bgnbd(3000, BG, 40.0, seed=4, unit_days=7)
    data = bgnbd._Data(x, t_x, T, np.ones(len(x)))
    _grad_check(lambda p: bgnbd._objective(p, data), np.log([0.3, 5.0, 0.7, 2.0]))
    m = np.random.default_rng(1).gamma(6.0, 5.0, 500)
    xs = np.random.default_rng(2).integers(1, 9, 500).astype(float)
    w = np.ones(500)
    gg = gammagamma._Data(xs, m, w)
    _grad_check(lambda p: gammagamma._objective(p, gg), np.log([5.0, 3.0, 12.0]))
    terms = gammagamma.loglik_terms((5.0, 3.0, 12.0), xs, m)
    assert -gammagamma._objective(np.log([5.0, 3.0, 12.0]), gg)[0] * 500 == pytest.approx(
        terms.sum(), rel=1e-12
    )


def test_bgnbd_loglik_sums_terms() -> None:
    x, t_x, T = simulate_bgnbd(500, BG, 30.0, seed=5, unit_days=7)
    terms = bgnbd.loglik_terms(tuple(BG.values()), x, t_x, T)
    data = bgnbd._Data(x, t_x, T, np.ones(len(x)))
    value, _ = bgnbd._objective(np.log(list(BG.values())), data)
    assert -value * len(x) == pytest.approx(terms.sum(), rel=1e-12)


def pareto_lik_integral(p: dict[str, float], x: int, t_x: float, T: float) -> float:
    """L = ∫_{t_x}^∞ E[λ^x e^{−λv}]·E[μ e^{−μv}] dv + ∫_T^∞ E[λ^{x+1} e^{−λv}]·E[e^{−μv}] dv."""
    r, al, s, be = p["r"], p["alpha"], p["s"], p["beta"]
    g = math.exp(math.lgamma(r + x) - math.lgamma(r)) * al**r

    def dead(v: float) -> float:
        return g / (al + v) ** (r + x) * s * be**s / (be + v) ** (s + 1)

    def alive(v: float) -> float:
        return g * (r + x) / (al + v) ** (r + x + 1) * be**s / (be + v) ** s

    return (
        integrate.quad(dead, t_x, np.inf, epsabs=0, epsrel=1e-11)[0]
        + integrate.quad(alive, T, np.inf, epsabs=0, epsrel=1e-11)[0]
    )


@pytest.mark.parametrize(
    "params",
    [
        {"r": 0.553, "alpha": 10.58, "s": 0.606, "beta": 11.67},  # alpha < beta
        {"r": 1.3, "alpha": 20.0, "s": 0.8, "beta": 6.0},  # alpha > beta
    ],
)
@pytest.mark.parametrize(("x", "t_x", "T"), [(0, 0.0, 38.0), (3, 20.0, 38.0), (12, 37.0, 39.0)])
def test_pareto_nbd_likelihood_matches_numerical_integral(
    params: dict[str, float], x: int, t_x: float, T: float
) -> None:
    got = paretonbd.loglik_terms(
        tuple(params.values()), np.array([x]), np.array([t_x]), np.array([T])
    )
    assert float(got[0]) == pytest.approx(
        math.log(pareto_lik_integral(params, x, t_x, T)), abs=1e-7
    )


def test_fit_recovers_simulated_parameters() -> None:
    x, t_x, T = simulate_bgnbd(60_000, BG, np.linspace(20, 52, 60_000), seed=11)
    fit = fit_bgnbd(x, t_x, T)
    assert fit.converged
    for k in ("r", "alpha"):
        assert fit.params[k] == pytest.approx(BG[k], rel=0.08)
    for k in ("a", "b"):
        assert fit.params[k] == pytest.approx(BG[k], rel=0.25)
    # the population mean purchase rate r/alpha is identified much more tightly
    assert fit.params["r"] / fit.params["alpha"] == pytest.approx(BG["r"] / BG["alpha"], rel=0.03)


def test_weights_equal_duplicated_rows() -> None:
    x, t_x, T = simulate_bgnbd(800, BG, 30.0, seed=3, unit_days=7)
    dup = fit_bgnbd(np.r_[x, x, x], np.r_[t_x, t_x, t_x], np.r_[T, T, T])
    (ux, ut, uT), w = compress([x, t_x, T])
    weighted = fit_bgnbd(ux, ut, uT, weights=3 * w)
    for k in BG:
        assert weighted.params[k] == pytest.approx(dup.params[k], rel=1e-6)
    assert weighted.loglik == pytest.approx(dup.loglik, rel=1e-9)
    assert dup.n_unique == len(ux) < len(x)


@settings(max_examples=60, deadline=None)
@given(
    r=st.floats(0.05, 5),
    alpha=st.floats(0.5, 50),
    a=st.floats(0.1, 5),
    b=st.floats(0.1, 10),
    x=st.integers(0, 60),
    frac=st.floats(0, 1),
    T=st.floats(0.5, 200),
)
def test_bgnbd_conditionals_are_sane(
    r: float, alpha: float, a: float, b: float, x: int, frac: float, T: float
) -> None:
    p = {"r": r, "alpha": alpha, "a": a, "b": b}
    t_x = frac * T if x > 0 else 0.0
    args = (np.array([float(x)]), np.array([t_x]), np.array([T]))
    alive = float(bgnbd.p_alive(p, *args)[0])
    assert 0.0 <= alive <= 1.0
    e = [float(bgnbd.expected_purchases(p, t, *args)[0]) for t in (1.0, 10.0, 50.0)]
    assert all(np.isfinite(e)) and e[0] >= -1e-9
    assert e[0] <= e[1] + 1e-9 <= e[2] + 2e-9


def test_discount_weights_are_monthly() -> None:
    ends, factors = discount_weights(ClvSettings(horizon=52, time_unit="week", discount_rate=0.1))
    assert len(ends) == 12 and ends[-1] == pytest.approx(52.0)
    monthly = 1.1 ** (1 / 12) - 1
    assert factors[0] == pytest.approx(1 / (1 + monthly))
    assert factors[-1] == pytest.approx(1.1 ** -(364 / 365.2425))  # 52 weeks = 364 days
    ends, factors = discount_weights(ClvSettings(horizon=3, time_unit="month", discount_rate=0))
    assert list(ends) == pytest.approx([1, 2, 3]) and (factors == 1).all()
    ends, _ = discount_weights(ClvSettings(horizon=45, time_unit="day"))
    assert len(ends) == 2 and ends[-1] == pytest.approx(45)


def _orders(rows: list[tuple[str, str, float, float | None]]) -> pd.DataFrame:
    return pd.DataFrame(
        [(c, date.fromisoformat(d), a, cost) for c, d, a, cost in rows],
        columns=["customer_id", "order_date", "amount", "cost"],
    )


def test_historical_value_profit_returns_and_point_in_time() -> None:
    orders = _orders(
        [
            ("A", "2024-01-05", 100.0, 60.0),
            ("A", "2024-01-05", 50.0, None),  # same day: one occasion; no cost -> margin 30 %
            ("A", "2024-02-01", -20.0, None),  # a return: money counts, not a purchase
            ("A", "2024-03-01", 70.0, 35.0),
            ("B", "2024-02-10", 10.0, None),
            ("B", "2024-09-01", 999.0, None),  # after as_of: ignored
        ]
    )
    out = compute_clv(orders, date(2024, 6, 30), ClvSettings(min_repeat_customers=3))
    f = out.frame.set_index("customer_id")
    assert f.loc["A", "clv_historical"] == pytest.approx(200.0)
    # (100-60) + (70-35) + (50 - 20) * 0.30
    assert f.loc["A", "profit_historical"] == pytest.approx(75.0 + 9.0)
    assert f.loc["B", "clv_historical"] == pytest.approx(10.0)
    # one customer with a repeat purchase < min_repeat_customers: no model, said so
    assert out.params["status"] == "insufficient_data"
    assert "only 1 customers" in out.params["message_en"]
    assert f["p_alive"].isna().all() and f["predicted_clv"].isna().all()
    assert out.loglik is None
    json.dumps(out.params)


def test_no_orders_gives_an_empty_frame() -> None:
    out = compute_clv(_orders([]), date(2024, 1, 1), ClvSettings())
    assert out.frame.empty and list(out.frame.columns) == [
        "customer_id",
        "clv_historical",
        "profit_historical",
        "p_alive",
        "expected_purchases",
        "predicted_clv",
    ]
    assert out.params["status"] == "no_orders"


def _simulated_orders(n: int, seed: int, margin_cost: float | None) -> pd.DataFrame:
    x, t_x, T = simulate_bgnbd(n, BG, 52.0, seed=seed, unit_days=7)
    rng = np.random.default_rng(seed)
    start = date(2023, 1, 1)
    rows = []
    for i in range(n):
        days = {0, int(round(t_x[i] * 7))}
        days |= (
            {int(d) for d in rng.integers(1, max(int(t_x[i] * 7), 2), int(x[i]) - 1)}
            if x[i] > 1
            else set()
        )
        for d in sorted(days):
            amount = float(round(rng.gamma(6, 6), 2))
            cost = None if margin_cost is None else round(amount * margin_cost, 2)
            rows.append((f"C{i}", start + timedelta(days=d), amount, cost))
    return pd.DataFrame(rows, columns=["customer_id", "order_date", "amount", "cost"])


def test_predicted_clv_uses_observed_margin_and_discounting() -> None:
    as_of = date(2023, 12, 31)
    base = _simulated_orders(800, 8, None)
    costed = base.assign(cost=(base["amount"] * 0.5).round(2))
    plain = compute_clv(base, as_of, ClvSettings(margin=0.3)).frame.set_index("customer_id")
    own = compute_clv(costed, as_of, ClvSettings(margin=0.3)).frame.set_index("customer_id")
    assumed = compute_clv(
        costed, as_of, ClvSettings(margin=0.3, use_observed_margin=False)
    ).frame.set_index("customer_id")
    busy = plain["predicted_clv"] > 5
    ratio = (own["predicted_clv"] / plain["predicted_clv"])[busy]
    assert ratio.between(0.5 / 0.3 - 0.02, 0.5 / 0.3 + 0.02).all()
    assert (assumed["predicted_clv"] == plain["predicted_clv"]).all()
    undiscounted = compute_clv(base, as_of, ClvSettings(discount_rate=0.0)).frame
    assert undiscounted["predicted_clv"].sum() > plain["predicted_clv"].sum()
    longer = compute_clv(base, as_of, ClvSettings(horizon=104)).frame
    assert longer["predicted_clv"].sum() > plain["predicted_clv"].sum()
    assert (plain["expected_purchases"] >= 0).all()
