"""Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV: using iso-value curves").

For a customer with x > 0 repeat transactions of mean value m̄, transaction values are
gamma(p, ν) with ν ~ gamma(q, γ) across customers. Log-likelihood of m̄ given x:
    ℓ = lnΓ(px+q) − lnΓ(px) − lnΓ(q) + q·ln γ + (px−1)·ln m̄ + px·ln x − (px+q)·ln(γ + m̄x)
Conditional expected spend per transaction:
    E[M | m̄, x] = (q−1)/(px+q−1) · pγ/(q−1) + px/(px+q−1) · m̄
(a weighted average of the population mean pγ/(q−1) and the customer's own mean).
"""

from __future__ import annotations

import numpy as np
from scipy.special import digamma, gammaln

from kehu.analytics.clv.fitting import FitResult, maximise, wsum

PARAMS = ("p", "q", "gamma")


def loglik_terms(params: tuple[float, float, float], x: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Per-customer log-likelihood of the mean spend m̄ given x (x > 0, m̄ > 0)."""
    p, q, g = params
    x = np.asarray(x, dtype=float)
    m = np.asarray(m, dtype=float)
    px = p * x
    return (
        gammaln(px + q)
        - gammaln(px)
        - gammaln(q)
        + q * np.log(g)
        + (px - 1.0) * np.log(m)
        + px * np.log(x)
        - (px + q) * np.log(g + m * x)
    )


class _Data:
    """(x, m̄) rows with weights; x-only terms are computed per distinct x."""

    def __init__(self, x: np.ndarray, m: np.ndarray, w: np.ndarray) -> None:
        self.xv, self.xc = np.unique(x, return_inverse=True)
        self.x, self.m, self.w = x, m, w
        self.log_m = np.log(m)
        self.log_x = np.log(x)
        self.sw_x = np.bincount(self.xc, weights=w, minlength=len(self.xv))
        # Σ w·x·(ln m̄ + ln x) and Σ w·ln m̄ do not depend on the parameters
        self.s_xlogmx = wsum(w, x * (self.log_m + self.log_x))
        self.s_logm = wsum(w, self.log_m)


def _objective(log_theta: np.ndarray, d: _Data) -> tuple[float, np.ndarray]:
    theta = np.exp(log_theta)
    p, q, g = theta
    w, total = d.w, float(d.w.sum())
    pxv = p * d.xv
    # per distinct x: lnΓ(px+q) − lnΓ(px) and the digammas
    lg = gammaln(pxv + q) - gammaln(pxv)
    psi_pq = digamma(pxv + q)
    psi_p = digamma(pxv)
    log_gmx = np.log(g + d.m * d.x)
    px = p * d.x
    ll_sum = (
        wsum(d.sw_x, lg)
        - total * gammaln(q)
        + total * q * np.log(g)
        + p * d.s_xlogmx
        - d.s_logm
        - wsum(w, (px + q) * log_gmx)
    )
    value = -ll_sum / total
    if not np.isfinite(value):
        return 1e300, np.zeros(3)
    d_p = wsum(d.sw_x, d.xv * (psi_pq - psi_p)) + d.s_xlogmx - wsum(w * d.x, log_gmx)
    d_q = wsum(d.sw_x, psi_pq) - total * digamma(q) + total * np.log(g) - wsum(w, log_gmx)
    d_g = total * q / g - wsum(w, (px + q) / (g + d.m * d.x))
    grad = np.array([d_p, d_q, d_g]) * theta / -total
    return value, grad


def fit_gamma_gamma(x: np.ndarray, m: np.ndarray, weights: np.ndarray | None = None) -> FitResult:
    """Maximum-likelihood Gamma-Gamma fit on customers with x > 0 and mean spend m̄ > 0."""
    x = np.asarray(x, dtype=float)
    m = np.asarray(m, dtype=float)
    w_in = np.ones(len(x)) if weights is None else np.asarray(weights, dtype=float)
    keep = (x > 0) & (m > 0) & np.isfinite(m)
    # No compression into distinct rows, unlike the purchase models: (x, m̄) rows are nearly
    # all distinct (86 % at 10^7 orders), so finding them costs more than the
    # objective saves. The sums follow the input order (`analyze` passes customer_id order).
    ux, um, w = x[keep], m[keep], w_in[keep]
    if len(ux) < 3:
        raise ValueError("Gamma-Gamma needs customers with repeat purchases and positive spend")
    mean_m = wsum(w, um) / float(w.sum())
    start = np.log([1.0, 2.0, mean_m])
    data = _Data(ux, um, w)
    theta, fun, converged, nit, msg = maximise(lambda t: _objective(t, data), start, jac=True)
    corr = float(np.corrcoef(ux, um)[0, 1]) if len(ux) > 2 else float("nan")
    return FitResult(
        model="gamma_gamma",
        params=dict(zip(PARAMS, map(float, theta), strict=True)),
        loglik=-fun * float(w.sum()),
        n=float(w.sum()),
        n_unique=len(ux),
        converged=converged,
        iterations=nit,
        message=msg,
        # The model assumes spend is independent of frequency: report the correlation.
        extra={"corr_frequency_spend": corr if np.isfinite(corr) else None},
    )


def expected_spend(params: dict[str, float], x: np.ndarray, m: np.ndarray) -> np.ndarray:
    """E[M | m̄, x]; customers without repeat purchases get the population mean pγ/(q−1)."""
    p, q, g = (params[k] for k in PARAMS)
    x = np.asarray(x, dtype=float)
    m = np.nan_to_num(np.asarray(m, dtype=float), nan=0.0)
    if q <= 1.0:  # the population mean does not exist: fall back on the customer's own mean
        return np.where(x > 0, m, np.nan)
    px = p * x
    return (p * (g + m * x)) / (px + q - 1.0)
