"""Pareto/NBD as the alternative purchase model, the MLE covariance and the delta-method
bands, and the `clv.model = "auto"` choice, on the CDNOW 1/10 sample (weeks)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from kehu.analytics.clv import (
    bgnbd,
    fit_bgnbd,
    fit_pareto_nbd,
    p_no_purchase,
    paretonbd,
    purchase_summary,
)
from kehu.analytics.clv.choose import choose_model
from kehu.analytics.clv.uncertainty import band, log_covariance

CAL_END = date(1997, 9, 30)


@pytest.fixture(scope="module")
def transactions(cdnow_orders: pd.DataFrame) -> pd.DataFrame:
    return cdnow_orders


@pytest.fixture(scope="module")
def summary(transactions: pd.DataFrame) -> pd.DataFrame:
    return purchase_summary(transactions, CAL_END, "week")


def _xtT(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return tuple(df[c].to_numpy(float) for c in ("x", "t_x", "T"))  # type: ignore[return-value]


def test_pareto_nbd_matches_the_published_cdnow_estimates(summary: pd.DataFrame) -> None:
    """Fader & Hardie: r 0.55, α 10.58, s 0.61, β 11.67 (lifetimes' ParetoNBDFitter on the
    same rows: 0.5533, 10.5777, 0.6063, 11.6696)."""
    fit = fit_pareto_nbd(*_xtT(summary))
    p = fit.params
    assert p["r"] == pytest.approx(0.5533, abs=0.002)
    assert p["alpha"] == pytest.approx(10.578, abs=0.05)
    assert p["s"] == pytest.approx(0.606, abs=0.005)
    assert p["beta"] == pytest.approx(11.67, abs=0.2)


def test_bgnbd_standard_errors_match_the_reference(summary: pd.DataFrame) -> None:
    """lifetimes' BetaGeoFitter on CDNOW reports se 0.0126, 0.3782, 0.1857, 0.7054."""
    x, t_x, T = _xtT(summary)
    fit = fit_bgnbd(x, t_x, T)
    cov = np.asarray(log_covariance("bgnbd", fit.params, x, t_x, T))
    theta = np.array([fit.params[k] for k in bgnbd.PARAMS])
    se = np.sqrt(np.diag(cov)) * theta  # delta method from ln θ to θ
    assert se == pytest.approx([0.0126, 0.3782, 0.1857, 0.7054], rel=0.02)


def test_covariance_shrinks_with_the_data(summary: pd.DataFrame) -> None:
    """Four copies of every customer: the information quadruples, standard errors halve."""
    x, t_x, T = _xtT(summary)
    fit = fit_pareto_nbd(x, t_x, T)
    one = np.asarray(log_covariance("paretonbd", fit.params, x, t_x, T))
    four = np.asarray(
        log_covariance("paretonbd", fit.params, *(np.tile(v, 4) for v in (x, t_x, T)))
    )
    assert np.all(np.linalg.eigvalsh(one) > 0)
    assert np.sqrt(np.diag(one) / np.diag(four)) == pytest.approx([2.0] * 4, rel=1e-3)


@pytest.mark.parametrize("model", ["bgnbd", "paretonbd"])
def test_delta_band_agrees_with_a_parametric_bootstrap(summary: pd.DataFrame, model: str) -> None:
    x, t_x, T = _xtT(summary)
    module = paretonbd if model == "paretonbd" else bgnbd
    fit = (fit_pareto_nbd if model == "paretonbd" else fit_bgnbd)(x, t_x, T)
    cov = log_covariance(model, fit.params, x, t_x, T)
    pick = np.argsort(x)[[-1, len(x) // 2, 0]]  # a heavy buyer, a median one, a one-timer
    xs, ts, Ts = x[pick], t_x[pick], T[pick]

    def predict(p: dict[str, float]) -> np.ndarray:
        return module.expected_purchases(p, 39.0, xs, ts, Ts)

    point, lo, hi = band(predict, model, fit.params, cov)
    assert np.all((lo < point) & (point < hi))
    rng = np.random.default_rng(7)
    log0 = np.log([fit.params[k] for k in module.PARAMS])
    draws = rng.multivariate_normal(log0, np.asarray(cov), size=2000)
    sims = np.array([predict(dict(zip(module.PARAMS, np.exp(d), strict=True))) for d in draws])
    q_lo, q_hi = np.quantile(sims, [0.025, 0.975], axis=0)
    assert lo == pytest.approx(q_lo, rel=0.05)
    assert hi == pytest.approx(q_hi, rel=0.05)


@pytest.mark.parametrize("model", ["bgnbd", "paretonbd"])
def test_p_no_purchase_is_the_likelihood_ratio(summary: pd.DataFrame, model: str) -> None:
    """P(no purchase in (T, T+h] | x, t_x, T) = L(x, t_x, T+h) / L(x, t_x, T): the same
    history observed h longer with nothing new. An independent check of the exact formula."""
    x, t_x, T = _xtT(summary)
    module = paretonbd if model == "paretonbd" else bgnbd
    fit = (fit_pareto_nbd if model == "paretonbd" else fit_bgnbd)(x, t_x, T)
    theta = tuple(fit.params[k] for k in module.PARAMS)
    h = 39.0
    ratio = np.exp(
        module.loglik_terms(theta, x, t_x, T + h) - module.loglik_terms(theta, x, t_x, T)
    )
    exact = p_no_purchase(model, fit.params, h, x, t_x, T)
    # BG/NBD's is closed form; Pareto/NBD's is a 32-point quadrature (within 1.5e-5 here)
    assert exact == pytest.approx(ratio, abs=1e-9 if model == "bgnbd" else 5e-5)


def test_auto_choice_uses_the_holdout(transactions: pd.DataFrame) -> None:
    now = purchase_summary(transactions, CAL_END, "week")
    cut = purchase_summary(transactions, date(1997, 4, 1), "week")  # 26 weeks earlier
    name, info = choose_model(now, cut, 26.0, 10)
    assert set(info["mae"]) == {"bgnbd", "paretonbd"}
    assert name == min(info["mae"], key=info["mae"].get)
    assert info["customers"] == int(cut["x"].notna().sum())
    few, why = choose_model(now, cut.head(5), 26.0, 10)
    assert few == "bgnbd" and why["why"] == "few_repeat"
