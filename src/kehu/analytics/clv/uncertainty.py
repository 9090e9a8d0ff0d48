"""Uncertainty of the purchase model's predictions: MLE covariance and delta-method bands.

The covariance of the log-parameters is the inverse of the observed information, the
negative Hessian of the total log-likelihood at the optimum, taken by central finite
differences on the log scale (the fit's own scale, where the likelihood is close to
quadratic). A prediction g(θ) > 0 then gets the band exp(ln g ± z·σ) with
σ² = ∇ln g' Σ ∇ln g (delta method on the log scale: the band stays positive and is
asymmetric like the sampling distribution of a rate). Only the purchase model's parameter
uncertainty is covered: the band says how sure the fit is, not how a customer will behave.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from kehu.analytics.clv import bgnbd, paretonbd
from kehu.analytics.clv.fitting import compress

Z95 = 1.959964
_STEP = 1e-4  # finite-difference step on ln θ


def _module(model: str):  # noqa: ANN202
    return paretonbd if model == "paretonbd" else bgnbd


def log_covariance(
    model: str, params: dict[str, float], x: np.ndarray, t_x: np.ndarray, T: np.ndarray
) -> list[list[float]] | None:
    """Covariance of the log-parameters (in PARAMS order) of a fit on (x, t_x, T); None when
    the information matrix is not positive definite (the data do not identify the model)."""
    module = _module(model)
    (ux, ut, uT), w = compress([x, t_x, T])
    log0 = np.log([params[k] for k in module.PARAMS])

    def total(log_theta: np.ndarray) -> float:
        with np.errstate(all="ignore"):
            ll = module.loglik_terms(tuple(np.exp(log_theta)), ux, ut, uT)
        return float((w * ll).sum())

    hess = _hessian(total, log0)
    info = -(hess + hess.T) / 2.0
    try:
        np.linalg.cholesky(info)
        cov = np.linalg.inv(info)
    except np.linalg.LinAlgError:
        return None
    return cov.tolist() if np.all(np.isfinite(cov)) else None


def _hessian(f: Callable[[np.ndarray], float], at: np.ndarray) -> np.ndarray:
    n, h = len(at), _STEP
    f0 = f(at)
    out = np.empty((n, n))
    eye = np.eye(n) * h
    for i in range(n):
        out[i, i] = (f(at + eye[i]) - 2.0 * f0 + f(at - eye[i])) / h**2
        for j in range(i):
            pp = f(at + eye[i] + eye[j])
            pm = f(at + eye[i] - eye[j])
            mp = f(at - eye[i] + eye[j])
            mm = f(at - eye[i] - eye[j])
            out[i, j] = out[j, i] = (pp - pm - mp + mm) / (4.0 * h**2)
    return out


def band(
    predict: Callable[[dict[str, float]], np.ndarray],
    model: str,
    params: dict[str, float],
    cov_log: list[list[float]],
    z: float = Z95,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(point, low, high) of `predict(params)` (positive values, one per customer)."""
    names = _module(model).PARAMS
    log0 = np.log([params[k] for k in names])
    point = np.asarray(predict(params), dtype=float)
    grads = []
    for i in range(len(names)):
        step = np.zeros(len(names))
        step[i] = _STEP
        up = predict(dict(zip(names, np.exp(log0 + step), strict=True)))
        down = predict(dict(zip(names, np.exp(log0 - step), strict=True)))
        with np.errstate(all="ignore"):
            grads.append((np.log(up) - np.log(down)) / (2.0 * _STEP))
    g = np.vstack(grads)  # params × customers
    var = np.einsum("ik,ij,jk->k", g, np.asarray(cov_log), g)
    sigma = np.nan_to_num(np.sqrt(np.clip(var, 0.0, None)), nan=0.0)  # 0 where point is 0
    return point, point * np.exp(-z * sigma), point * np.exp(z * sigma)
