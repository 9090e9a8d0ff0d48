"""Pareto/NBD (Schmittlein, Morrison & Colombo 1987), in the form of Fader & Hardie's
"A note on deriving the Pareto/NBD model and related expressions" (2005).

Purchases are Poisson(λ) with λ ~ gamma(r, α) while alive; lifetimes are exponential(μ)
with μ ~ gamma(s, β). With K = max(α, β) and the Gauss hypergeometric 2F1:
    L = Γ(r+x)·α^r·β^s/Γ(r) · [ 1/((α+T)^(r+x)·(β+T)^s) + s/(r+s+x) · A0 ]
    A0 = F(t_x)/(K+t_x)^(r+s+x) − F(T)/(K+T)^(r+s+x)
    F(y) = 2F1(r+s+x, s+1; r+s+x+1; (α−β)/(α+y))   if α ≥ β
           2F1(r+s+x, r+x; r+s+x+1; (β−α)/(β+y))   if α < β
Each 2F1 is evaluated on the log scale through Euler's transformation
2F1(a,b;c;z) = (1−z)^(c−a−b)·2F1(c−a, c−b; c; z), whose series stays bounded.
When β > QUAD_RATIO·α (the fit heading for s, β → ∞, lifetimes without heterogeneity,
as on the demo data) SciPy's 2F1 takes seconds per 10^4 rows; A0 is then its integral,
A0 = (r+s+x)·∫_{t_x}^{T} (α+τ)^−(r+x)·(β+τ)^−(s+1) dτ, by 48-point Gauss-Legendre on
v = (β+t_x)/(β+τ) (on w = v^(r+s+x) for heavy buyers, whose integrand peaks at v = 1).
The fit uses L-BFGS-B with finite-difference gradients (four parameters).
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammaln, hyp2f1, roots_legendre

from kehu.analytics.clv.fitting import FitResult, maximise, purchase_histories, wsum

PARAMS = ("r", "alpha", "s", "beta")


QUAD_RATIO = 100.0
_QN, _QW = roots_legendre(48)
_QU = 0.5 * (_QN + 1.0)  # nodes on [0, 1]
_HEAVY = 40.0  # r+s+x above this: integrate on the w scale


def _log_a0_quad(
    theta: tuple[float, float, float, float], x: np.ndarray, t_x: np.ndarray, T: np.ndarray
) -> np.ndarray:
    """ln A0 by quadrature, for β > α (see the module docstring)."""
    r, alpha, s, beta = theta
    a = r + s + x
    p = r + x
    log_kt = np.log(beta + t_x)
    log_vt = log_kt - np.log(beta + T)  # ln v at τ = T
    d = (beta - alpha) / (beta + t_x)
    inner = np.empty(x.shape)
    light = a <= _HEAVY
    for rows, on_w in ((light, False), (~light, True)):
        if not rows.any():
            continue
        ar, pr, dr, lv = a[rows], p[rows], d[rows], log_vt[rows]
        if on_w:  # ∫ (1 − d·w^(1/a))^(−p) dw over [v_T^a, 1]
            low = ar * lv
            span = -np.expm1(low)
            w = np.exp(low)[:, None] + span[:, None] * _QU
            log_f = -pr[:, None] * np.log1p(-dr[:, None] * w ** (1.0 / ar)[:, None])
            lead = np.log(span)
        else:  # ∫ a·v^(a−1)·(1 − d·v)^(−p) dv over [v_T, 1]
            span = -np.expm1(lv)
            v = np.exp(lv)[:, None] + span[:, None] * _QU
            log_f = (ar - 1.0)[:, None] * np.log(v) - pr[:, None] * np.log1p(-dr[:, None] * v)
            lead = np.log(ar) + np.log(span)
        top = log_f.max(axis=1)
        inner[rows] = lead + top + np.log(0.5 * (np.exp(log_f - top[:, None]) @ _QW))
    return -a * log_kt + inner


def _log_a0(
    theta: tuple[float, float, float, float], x: np.ndarray, t_x: np.ndarray, T: np.ndarray
) -> np.ndarray:
    """ln A0 (−inf where t_x = T)."""
    r, alpha, s, beta = theta
    if beta > QUAD_RATIO * alpha:
        with np.errstate(divide="ignore", invalid="ignore"):
            out = _log_a0_quad(theta, x, t_x, T)
        return np.where(T - t_x > 1e-12, out, -np.inf)
    a = r + s + x
    c = a + 1.0
    b: float | np.ndarray
    if alpha >= beta:
        b, k, diff = s + 1.0, alpha, alpha - beta
    else:
        b, k, diff = r + x, beta, beta - alpha

    def log_term(y: np.ndarray) -> np.ndarray:
        z = diff / (k + y)
        log_f = (c - a - b) * np.log1p(-z) + np.log(hyp2f1(c - a, c - b, c, z))
        return log_f - a * np.log(k + y)

    first = log_term(t_x)
    second = log_term(T)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = first + np.log1p(-np.exp(np.minimum(second - first, 0.0)))
    return np.where(T - t_x > 1e-12, out, -np.inf)


def loglik_terms(
    params: tuple[float, float, float, float], x: np.ndarray, t_x: np.ndarray, T: np.ndarray
) -> np.ndarray:
    """Per-customer Pareto/NBD log-likelihood."""
    r, alpha, s, beta = params
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    head = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    alive = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
    dead = np.log(s / (r + s + x)) + _log_a0((r, alpha, s, beta), x, t_x, T)
    return head + np.logaddexp(alive, dead)


def fit_pareto_nbd(
    x: np.ndarray,
    t_x: np.ndarray,
    T: np.ndarray,
    weights: np.ndarray | None = None,
) -> FitResult:
    """Maximum-likelihood Pareto/NBD fit (identical rows compressed into weights)."""
    (ux, ut, uT), w = purchase_histories(x, t_x, T, weights)
    total = float(w.sum())
    mean_rate = max(wsum(w, ux) / max(wsum(w, uT), 1e-9), 1e-6)
    horizon = max(wsum(w, uT) / total, 1e-6)

    def objective(log_theta: np.ndarray) -> float:
        theta = tuple(np.exp(log_theta))
        with np.errstate(all="ignore"):
            ll = loglik_terms(theta, ux, ut, uT)
        value = -wsum(w, ll) / total
        return value if np.isfinite(value) else 1e300

    start = np.log([1.0, 1.0 / mean_rate, 1.0, horizon])
    theta, fun, converged, nit, msg = maximise(objective, start, jac=False)
    return FitResult(
        model="paretonbd",
        params=dict(zip(PARAMS, map(float, theta), strict=True)),
        loglik=-fun * total,
        n=total,
        n_unique=len(ux),
        converged=converged,
        iterations=nit,
        message=msg,
    )


def p_alive(params: dict[str, float], x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
    """P(alive at T) = 1 / (1 + s/(r+s+x) · (α+T)^(r+x) · (β+T)^s · A0)."""
    r, alpha, s, beta = (params[k] for k in PARAMS)
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    with np.errstate(all="ignore"):
        log_odds = (
            np.log(s / (r + s + x))
            + (r + x) * np.log(alpha + T)
            + s * np.log(beta + T)
            + _log_a0((r, alpha, s, beta), x, t_x, T)
        )
    return 1.0 / (1.0 + np.exp(log_odds))


def expected_purchases_if_alive(
    params: dict[str, float], t: float | np.ndarray, x: np.ndarray, T: np.ndarray
) -> np.ndarray:
    """E[Y(T, T+t) | alive at T, x, T] = (r+x)(β+T)/((α+T)(s−1)) · [1 − ((β+T)/(β+T+t))^(s−1)]."""
    r, alpha, s, beta = (params[k] for k in PARAMS)
    x, T = (np.asarray(v, dtype=float) for v in (x, T))
    t = np.asarray(t, dtype=float)
    rate = (r + x) / (alpha + T)
    if abs(s - 1.0) < 1e-9:
        life = (beta + T) * np.log((beta + T + t) / (beta + T))
    else:
        life = (beta + T) / (s - 1.0) * (1.0 - ((beta + T) / (beta + T + t)) ** (s - 1.0))
    return rate * life


def expected_purchases(
    params: dict[str, float], t: float | np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray
) -> np.ndarray:
    """E[Y(T, T+t) | x, t_x, T]: `expected_purchases_if_alive` × `p_alive`."""
    return expected_purchases_if_alive(params, t, x, T) * p_alive(params, x, t_x, T)


_NODES, _WEIGHTS = roots_legendre(32)


def p_no_purchase_if_alive(
    params: dict[str, float], h: float, x: np.ndarray, T: np.ndarray
) -> np.ndarray:
    """P(no purchase in (T, T+h] | alive at T, x, T).

    Given alive at T, λ ~ gamma(r+x, α+T) and μ ~ gamma(s, β+T), independent. A purchase
    happens in the window when the first purchase time U (Lomax: the gamma mixture of
    exponentials) comes before h and before death: P = ∫₀ʰ g(u)·((β+T)/(β+T+u))^s du. With
    v = G(u) the integrand is smooth and bounded on [0, G(h)]: 32-point Gauss-Legendre.
    """
    r, alpha, s, beta = (params[k] for k in PARAMS)
    x, T = (np.asarray(v, dtype=float) for v in (x, T))
    shape, a, b = r + x, alpha + T, beta + T
    top = 1.0 - (a / (a + h)) ** shape  # G(h)
    v = 0.5 * top[..., None] * (_NODES + 1.0)  # nodes on [0, G(h)]
    u = a[..., None] * np.expm1(-np.log1p(-v) / shape[..., None])
    survive = (b[..., None] / (b[..., None] + u)) ** s
    bought = 0.5 * top * (survive * _WEIGHTS).sum(axis=-1)
    return 1.0 - bought


def p_purchase_in_new(params: dict[str, float], t: np.ndarray, h: np.ndarray) -> np.ndarray:
    """P(at least one purchase in (t, t+h]) for a customer whose first purchase is at 0.

    Given λ and μ the first purchase after t comes at t+u (density λe^(−λu)) and counts if the
    customer is still alive then (e^(−μ(t+u))); λ and μ are independent, so
        P = ∫₀^h E[λe^(−λu)] · E[e^(−μ(t+u))] du
          = ∫₀^h r/(α+u) · (α/(α+u))^r · (β/(β+t+u))^s du,
    a smooth integral taken by Gauss-Legendre quadrature.
    """
    r, alpha, s, beta = (params[k] for k in PARAMS)
    t, h = (np.asarray(v, dtype=float) for v in (t, h))
    nodes, weights = roots_legendre(48)
    u = (nodes[:, None] + 1.0) * 0.5 * h  # one column per (t, h)
    f = r / (alpha + u) * (alpha / (alpha + u)) ** r * (beta / (beta + t + u)) ** s
    return 0.5 * h * (weights @ f)
