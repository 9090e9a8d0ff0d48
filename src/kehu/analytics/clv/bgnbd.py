"""BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy way").

Per customer: x repeat purchases, the last at t_x, observed for T time units since the
first purchase. Parameters r, alpha (gamma-distributed purchase rate) and a, b
(beta-distributed dropout probability after each purchase).

Log-likelihood (eq. 6 of the paper, in log-sum-exp form):
    A1 = lnΓ(r+x) − lnΓ(r) + r·ln α
    A2 = ln B(a, b+x) − ln B(a, b) − (r+x)·ln(α+T)
    A3 = ln B(a+1, b+x−1) − ln B(a, b) − (r+x)·ln(α+t_x)        (x > 0 only)
    ℓ  = A1 + ln(e^A2 + [x>0]·e^A3)
The gradient is analytic (digamma), taken with respect to the log-parameters.
"""

from __future__ import annotations

import numpy as np
from scipy.special import betaln, digamma, gammaln, hyp2f1

from kehu.analytics.clv.fitting import (
    FitResult,
    lse_share,
    maximise,
    purchase_histories,
    wsum,
)

PARAMS = ("r", "alpha", "a", "b")


class _Data:
    """Distinct (x, t_x, T) rows with weights, each column factorised into its few values.

    Everything that depends on x alone (lnΓ, ln B, ψ) or on t_x or T alone (logarithms) is
    computed once per distinct value and gathered, so one likelihood evaluation costs a few
    array operations over the distinct rows.
    """

    def __init__(self, x: np.ndarray, t_x: np.ndarray, T: np.ndarray, w: np.ndarray) -> None:
        self.xv, self.xc = np.unique(x, return_inverse=True)
        self.tv, self.tc = np.unique(t_x, return_inverse=True)
        self.Tv, self.Tc = np.unique(T, return_inverse=True)
        self.w = w
        self.x = x
        self.total = float(w.sum())
        self.has = self.xv > 0
        self.xm1 = np.where(self.has, self.xv - 1.0, 0.0)  # keeps betaln finite where unused
        self.sw_x = self.per_x(w)
        self.sw_t = self.per_t(w)
        self.swx_t = self.per_t(w * x)

    def per_x(self, v: np.ndarray) -> np.ndarray:
        """Σ v over the rows of each distinct x."""
        return np.bincount(self.xc, weights=v, minlength=len(self.xv))

    def per_t(self, v: np.ndarray) -> np.ndarray:
        """Σ v over the rows of each distinct t_x."""
        return np.bincount(self.tc, weights=v, minlength=len(self.tv))

    def per_T(self, v: np.ndarray) -> np.ndarray:
        """Σ v over the rows of each distinct T."""
        return np.bincount(self.Tc, weights=v, minlength=len(self.Tv))

    def s_a1(self, a1: np.ndarray) -> float:
        """Σ_i w_i · A1(x_i), summed per distinct x."""
        return wsum(self.sw_x, a1)


def _branches(
    theta: np.ndarray, d: _Data
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A1 (per x value), A2 and A3 (per row), ln(α+T), ln(α+t_x) (per value)."""
    r, alpha, a, b = theta
    b0 = betaln(a, b)
    a1 = gammaln(r + d.xv) - gammaln(r) + r * np.log(alpha)
    b2 = betaln(a, b + d.xv) - b0
    b3 = np.where(d.has, betaln(a + 1.0, b + d.xm1) - b0, -np.inf)
    log_T = np.log(alpha + d.Tv)
    log_t = np.log(alpha + d.tv)
    rx = r + d.x
    a2 = b2[d.xc] - rx * log_T[d.Tc]
    a3 = b3[d.xc] - rx * log_t[d.tc]
    return a1, a2, a3, log_T, log_t


def loglik_terms(
    params: tuple[float, float, float, float],
    x: np.ndarray,
    t_x: np.ndarray,
    T: np.ndarray,
) -> np.ndarray:
    """Per-customer log-likelihood ℓ_i at the given (r, alpha, a, b)."""
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    d = _Data(x, t_x, T, np.ones(len(x)))
    a1, a2, a3, _, _ = _branches(np.asarray(params, dtype=float), d)
    return a1[d.xc] + np.logaddexp(a2, a3)


def _objective(log_theta: np.ndarray, d: _Data) -> tuple[float, np.ndarray]:
    theta = np.exp(log_theta)
    r, alpha, a, b = theta
    a1, a2, a3, log_T, log_t = _branches(theta, d)
    lse, p2 = lse_share(a2, a3)  # p2: share of the "still alive at T" branch
    total = d.total
    value = -(d.s_a1(a1) + wsum(d.w, lse)) / total
    if not np.isfinite(value):
        return 1e300, np.zeros(4)
    # Row sums of weight × (a quantity of x, of t_x or of T alone) are sums per distinct
    # value: five bincounts instead of a gather, a product and a sum per term. The weights of
    # the "dead after t_x" branch are w − w·p2, so their sums follow from precomputed ones.
    wp2 = d.w * p2
    wp2x = wp2 * d.x
    sp2_x = d.per_x(wp2)
    sp3_x = d.sw_x - sp2_x
    s2_T, s2x_T = d.per_T(wp2), d.per_T(wp2x)
    s2_t, s2x_t = d.per_t(wp2), d.per_t(wp2x)
    s3_t, s3x_t = d.sw_t - s2_t, d.swx_t - s2x_t
    psi_ab = digamma(a + b)
    psi_abx = digamma(a + b + d.xv)
    d_r = wsum(d.sw_x, digamma(r + d.xv) - digamma(r) + np.log(alpha))
    d_r -= wsum(s2_T, log_T) + wsum(s3_t, log_t)
    d_alpha = r / alpha * total
    d_alpha -= wsum(r * s2_T + s2x_T, 1.0 / (alpha + d.Tv))
    d_alpha -= wsum(r * s3_t + s3x_t, 1.0 / (alpha + d.tv))
    d_a2_a = psi_ab - psi_abx
    d_a2_b = digamma(b + d.xv) - psi_abx - digamma(b) + psi_ab
    d_a3_a = np.where(d.has, digamma(a + 1.0) - psi_abx - digamma(a) + psi_ab, 0.0)
    d_a3_b = np.where(d.has, digamma(b + d.xm1) - psi_abx - digamma(b) + psi_ab, 0.0)
    d_a = wsum(sp2_x, d_a2_a) + wsum(sp3_x, d_a3_a)
    d_b = wsum(sp2_x, d_a2_b) + wsum(sp3_x, d_a3_b)
    grad = np.array([d_r, d_alpha, d_a, d_b]) * theta / -total
    return value, grad


def fit_bgnbd(
    x: np.ndarray,
    t_x: np.ndarray,
    T: np.ndarray,
    weights: np.ndarray | None = None,
) -> FitResult:
    """Maximum-likelihood BG/NBD fit (identical rows compressed into weights)."""
    (ux, ut, uT), w = purchase_histories(x, t_x, T, weights)
    mean_rate = max(wsum(w, ux) / max(wsum(w, uT), 1e-9), 1e-6)
    start = np.log([1.0, 1.0 / mean_rate, 1.0, 1.0])
    data = _Data(ux, ut, uT, w)
    theta, fun, converged, nit, msg = maximise(lambda p: _objective(p, data), start, jac=True)
    return FitResult(
        model="bgnbd",
        params=dict(zip(PARAMS, map(float, theta), strict=True)),
        loglik=-fun * float(w.sum()),
        n=float(w.sum()),
        n_unique=len(ux),
        converged=converged,
        iterations=nit,
        message=msg,
    )


def _alive_odds_log(
    params: dict[str, float], x: np.ndarray, t_x: np.ndarray, T: np.ndarray
) -> np.ndarray:
    """ln of (a/(b+x−1))·((α+T)/(α+t_x))^(r+x) for x > 0, −inf for x = 0."""
    r, alpha, a, b = (params[k] for k in PARAMS)
    has = x > 0
    bx = np.where(has, b + x - 1.0, 1.0)
    odds = np.log(a) - np.log(bx) + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x))
    return np.where(has, odds, -np.inf)


def p_alive(params: dict[str, float], x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
    """P(alive at T | x, t_x, T) = 1 / (1 + [x>0]·(a/(b+x−1))·((α+T)/(α+t_x))^(r+x))."""
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    return 1.0 / (1.0 + np.exp(_alive_odds_log(params, x, t_x, T)))


def expected_purchases_if_alive(
    params: dict[str, float], t: float | np.ndarray, x: np.ndarray, T: np.ndarray
) -> np.ndarray:
    """E[Y(T, T+t) | alive at T, x, T]: the numerator of eq. 10 (it does not involve t_x).

        (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) · 2F1(r+x, b+x; a+b+x−1; z)]
    with z = t/(α+T+t). The bracket is evaluated through Euler's transformation,
    ((α+T)/(α+T+t))^(r+x)·2F1(r+x, b+x; c; z) = (1−z)^(a−1)·2F1(a+b−1−r, a−1; c; z),
    which stays finite for heavy buyers where the plain form overflows.
    """
    r, alpha, a, b = (params[k] for k in PARAMS)
    x, T = (np.asarray(v, dtype=float) for v in (x, T))
    t = np.asarray(t, dtype=float)
    if abs(a - 1.0) < 1e-9:  # the removable singularity at a = 1
        a = 1.0 + 1e-9
    c = a + b + x - 1.0
    one_minus_z = (alpha + T) / (alpha + T + t)
    z = t / (alpha + T + t)
    bracket = 1.0 - one_minus_z ** (a - 1.0) * hyp2f1(a + b - 1.0 - r, a - 1.0, c, z)
    return c / (a - 1.0) * bracket


def expected_purchases(
    params: dict[str, float], t: float | np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray
) -> np.ndarray:
    """E[Y(T, T+t) | x, t_x, T]: expected purchases in the next t time units (eq. 10):
    `expected_purchases_if_alive` × `p_alive`."""
    return expected_purchases_if_alive(params, t, x, T) * p_alive(params, x, t_x, T)


def p_no_purchase_if_alive(
    params: dict[str, float], h: float, x: np.ndarray, T: np.ndarray
) -> np.ndarray:
    """P(no purchase in (T, T+h] | alive at T, x, T) = ((α+T)/(α+T+h))^(r+x).

    A BG/NBD customer drops out only right after a purchase, so one alive at T who buys
    nothing in the next h stays alive; given alive, λ | x, T ~ gamma(r+x, α+T), and
    E[e^(−λh)] is that gamma's Laplace transform.
    """
    r, alpha = params["r"], params["alpha"]
    x, T = (np.asarray(v, dtype=float) for v in (x, T))
    return np.exp((r + x) * (np.log(alpha + T) - np.log(alpha + T + h)))


def expected_purchases_new(params: dict[str, float], t: float | np.ndarray) -> np.ndarray:
    """E[X(t)] for a newly acquired customer (eq. 9), used for the population curve."""
    r, alpha, a, b = (params[k] for k in PARAMS)
    t = np.asarray(t, dtype=float)
    z = t / (alpha + t)
    return (
        (a + b - 1.0)
        / (a - 1.0)
        * (1.0 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1.0, z))
    )


def p_purchase_in_new(params: dict[str, float], t: np.ndarray, h: np.ndarray) -> np.ndarray:
    """P(at least one purchase in (t, t+h]) for a customer whose first purchase is at 0.

    Given λ and p, the customer is alive at t with probability e^(−λpt) (a drop-out can only
    follow one of the Poisson(λt) repeat purchases) and one alive buys in the next h with
    probability 1 − e^(−λh); so the answer is E[e^(−λpt)] − E[e^(−λ(pt+h))]. Over
    λ ~ gamma(r, α) each term is (α/(α+s))^r, and over p ~ beta(a, b) Euler's integral gives
        2F1(r, a; a+b; −t/α) − (α/(α+h))^r · 2F1(r, a; a+b; −t/(α+h)),
    each written with Pfaff's transformation, (α/(α+t))^r · 2F1(r, b; a+b; t/(α+t)), so the
    series argument stays in [0, 1).
    """
    r, alpha, a, b = (params[k] for k in PARAMS)
    t, h = (np.asarray(v, dtype=float) for v in (t, h))

    def laplace(scale: np.ndarray | float) -> np.ndarray:
        """E[(1 + p·t/scale)^(−r)] over p ~ beta(a, b)."""
        return (scale / (scale + t)) ** r * hyp2f1(r, b, a + b, t / (scale + t))

    return laplace(alpha) - (alpha / (alpha + h)) ** r * laplace(alpha + h)
