"""P(no purchase within h) of BG/NBD and Pareto/NBD against Monte Carlo draws of each model.

Customers are drawn from the generative process over T + h; the exact probability at T must
match the observed share that bought nothing in (T, T+h], per decile of the prediction and
for the customers without a repeat purchase (one (x, t_x, T) cell, so an exact comparison).
"""

from __future__ import annotations

import numpy as np
import pytest

from kehu.analytics.clv import p_no_purchase

N = 120_000
T_OBS, H = 39.0, 26.0


def _draw(model: str, params: dict[str, float], seed: int) -> tuple[np.ndarray, ...]:
    """(x, t_x, quiet) at T_OBS; quiet = no purchase in (T_OBS, T_OBS + H]."""
    rng = np.random.default_rng(seed)
    lam = rng.gamma(params["r"], 1.0 / params["alpha"], N)
    if model == "bgnbd":
        p = rng.beta(params["a"], params["b"], N)
        death = np.full(N, np.inf)
    else:
        p = np.zeros(N)
        death = rng.exponential(1.0 / rng.gamma(params["s"], 1.0 / params["beta"], N))
    end = T_OBS + H
    x, t_x = np.zeros(N), np.zeros(N)
    quiet = np.ones(N, dtype=bool)
    now = np.zeros(N)
    active = np.ones(N, dtype=bool)
    while active.any():
        idx = np.flatnonzero(active)
        now[idx] += rng.exponential(1.0 / lam[idx])
        over = (now[idx] > end) | (now[idx] > death[idx])
        active[idx[over]] = False
        buy = idx[~over]
        early, late = buy[now[buy] <= T_OBS], buy[now[buy] > T_OBS]
        x[early] += 1
        t_x[early] = now[early]
        quiet[late] = False
        active[late] = False  # the window's outcome is known
        dies = early[rng.random(len(early)) < p[early]]  # BG/NBD: drop out after a purchase
        active[dies] = False
    return x, t_x, quiet


@pytest.mark.parametrize(
    ("model", "params"),
    [
        ("bgnbd", {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}),
        ("paretonbd", {"r": 0.553, "alpha": 10.58, "s": 0.606, "beta": 11.67}),
    ],
)
def test_matches_monte_carlo(model: str, params: dict[str, float]) -> None:
    x, t_x, quiet = _draw(model, params, seed=3)
    pred = p_no_purchase(model, params, H, x, t_x, np.full(N, T_OBS))
    assert np.all((pred >= 0) & (pred <= 1))
    # customers without a repeat purchase share one prediction: compare it exactly
    none = x == 0
    assert len(set(np.round(pred[none], 12))) == 1
    se = np.sqrt(pred[none][0] * (1 - pred[none][0]) / none.sum())
    assert abs(quiet[none].mean() - pred[none][0]) < 4 * se
    # calibration per decile of the prediction
    order = np.argsort(pred, kind="stable")
    for part in np.array_split(order, 10):
        assert abs(quiet[part].mean() - pred[part].mean()) < 0.012
    # and the whole base
    assert abs(quiet.mean() - pred.mean()) < 0.005


def test_limits_and_order() -> None:
    params = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    x, t_x, T = np.array([0.0, 3.0, 3.0]), np.array([0.0, 30.0, 5.0]), np.full(3, 39.0)
    assert np.allclose(p_no_purchase("bgnbd", params, 0.0, x, t_x, T), 1.0)
    longer = p_no_purchase("bgnbd", params, 52.0, x, t_x, T)
    shorter = p_no_purchase("bgnbd", params, 13.0, x, t_x, T)
    assert np.all(longer <= shorter)
    # a recent repeat buyer is less likely to stay quiet than one silent since week 5
    assert longer[1] < longer[2]
    pnbd = {"r": 0.553, "alpha": 10.58, "s": 0.606, "beta": 11.67}
    assert np.allclose(p_no_purchase("paretonbd", pnbd, 0.0, x, t_x, T), 1.0)
    assert np.all(p_no_purchase("paretonbd", pnbd, 52.0, x, t_x, T) <= 1.0)
