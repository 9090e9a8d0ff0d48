"""Shared machinery for the CLV maximum-likelihood fits.

Every model is fitted the same way: the weighted mean negative log-likelihood is minimised
over log-parameters with L-BFGS-B (positivity for free), and the result is a `FitResult`.
The purchase models first compress identical rows into unique rows with weights (a customer
base has fewer distinct (x, t_x, T) triples than customers); Gamma-Gamma does not, its
(x, m̄) rows being nearly all distinct.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import minimize

FLAT_GRADIENT = 1e-7  # |∂(mean −ℓ)/∂ ln θ| below which an L-BFGS-B stop is final
Objective = Callable[[np.ndarray], tuple[float, np.ndarray]] | Callable[[np.ndarray], float]


@dataclass
class FitResult:
    """Fitted parameters, the total log-likelihood and how the optimiser ended."""

    model: str
    params: dict[str, float]
    loglik: float
    n: float  # customers (sum of weights)
    n_unique: int  # distinct rows the likelihood was evaluated on
    converged: bool
    iterations: int
    message: str
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (what `kehu analyze --json` shows under `clv.params`)."""
        return {
            "model": self.model,
            **{k: float(v) for k, v in self.params.items()},
            "loglik": float(self.loglik),
            "n": int(round(self.n)),
            "n_unique": self.n_unique,
            "converged": bool(self.converged),
            "iterations": self.iterations,
            **self.extra,
        }


def wsum(w: np.ndarray, v: np.ndarray) -> float:
    """Σ w·v. Not np.dot: OpenBLAS's threaded ddot is slow on a busy machine."""
    return float((w * v).sum())


def lse_share(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(ln(e^a + e^b), e^a / (e^a + e^b)) with one exp and one log1p per element."""
    d = b - a
    with np.errstate(invalid="ignore"):
        e = np.exp(-np.abs(d))  # in [0, 1]; 0 where b = −inf
    lse = np.maximum(a, b) + np.log1p(e)
    share_a = np.where(d > 0, e, 1.0) / (1.0 + e)
    return lse, share_a


def unique_rows(columns: Sequence[np.ndarray]) -> tuple[list[np.ndarray], np.ndarray]:
    """Distinct rows of the stacked columns in lexicographic order and, per input row, the
    index of its row.

    Each column is factorised with sorted codes (hash, then a sort of its few distinct
    values), the codes are combined into one integer whose order is the rows' lexicographic
    order, and that integer is sorted once: a lexsort of float rows costs several times more.
    """
    arrays = [np.asarray(c, dtype=float) for c in columns]
    n = len(arrays[0])
    if any(len(a) != n for a in arrays):
        raise ValueError("all columns must have the same length")
    key = np.zeros(n, dtype=np.int64)
    sizes: list[int] = []
    for a in arrays:
        codes, uniques = pd.factorize(a, sort=True)
        if (codes < 0).any():
            raise ValueError("columns must not contain NaN")
        if sizes and np.prod(sizes, dtype=float) * len(uniques) >= 2.0**62:
            key, _ = pd.factorize(key, sort=True)  # re-number before the product overflows
            sizes = [int(key.max()) + 1 if n else 0]
        key = key * len(uniques) + codes
        sizes.append(len(uniques))
    uniq_keys, inverse = np.unique(key, return_inverse=True)
    first = np.empty(len(uniq_keys), dtype=np.intp)
    first[inverse[::-1]] = np.arange(n - 1, -1, -1)
    return [a[first] for a in arrays], inverse.astype(np.intp, copy=False)


def compress(
    columns: Sequence[np.ndarray], weights: np.ndarray | None = None
) -> tuple[list[np.ndarray], np.ndarray]:
    """Unique rows of the stacked columns (sorted) and the summed weight of each.

    Sorted so that the likelihood sums run in the same order whatever the order of the input
    rows (an engine returns them in any order): the fit is then identical bit for bit."""
    uniq, inverse = unique_rows(columns)
    w = np.ones(len(inverse)) if weights is None else np.asarray(weights, dtype=float)
    if len(w) != len(inverse):
        raise ValueError("weights must have one value per row")
    return uniq, np.bincount(inverse, weights=w, minlength=len(uniq[0]))


def purchase_histories(
    x: np.ndarray, t_x: np.ndarray, T: np.ndarray, weights: np.ndarray | None = None
) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray], np.ndarray]:
    """The distinct (x, t_x, T) histories a purchase model is fitted on, with their weights;
    a clear error for no customers or an impossible history."""
    (ux, ut, uT), w = compress([x, t_x, T], weights)
    if len(ux) == 0 or w.sum() <= 0:
        raise ValueError("no customers to fit")
    if np.any(ux < 0) or np.any(ut < 0) or np.any(ut > uT + 1e-9):
        raise ValueError("need x >= 0 and 0 <= t_x <= T")
    return (ux, ut, uT), w


def maximise(
    objective: Objective,
    start: np.ndarray,
    *,
    jac: bool,
    bounds_log: tuple[float, float] = (-12.0, 12.0),
    maxiter: int = 1000,
) -> tuple[np.ndarray, float, bool, int, str]:
    """Minimise a mean negative log-likelihood over log-parameters.

    Returns (parameters, minimum, converged, iterations, message). Unless the gradient is
    already flat (every component below `FLAT_GRADIENT`), L-BFGS-B is restarted once from its
    own optimum: a guard against an early stop on a flat ridge (at 5·10^5 customers the
    restart costs six evaluations and moves the mean log-likelihood by 10^-14 when flat).
    """
    bounds = [bounds_log] * len(start)
    opts = {"maxiter": maxiter, "ftol": 1e-13, "gtol": 1e-9}
    res = minimize(objective, start, jac=jac, method="L-BFGS-B", bounds=bounds, options=opts)
    best, nit = res, int(res.nit)
    flat = jac and np.all(np.isfinite(res.jac)) and float(np.max(np.abs(res.jac))) < FLAT_GRADIENT
    if not flat:
        res2 = minimize(objective, res.x, jac=jac, method="L-BFGS-B", bounds=bounds, options=opts)
        nit += int(res2.nit)
        best = res2 if res2.fun <= res.fun else res
    at_bound = bool(np.any(np.isclose(best.x, bounds_log[0]) | np.isclose(best.x, bounds_log[1])))
    converged = bool(best.success) and np.isfinite(best.fun) and not at_bound
    message = str(best.message)
    if at_bound:
        message = "a parameter reached its bound (the data do not identify the model)"
    return np.exp(best.x), float(best.fun), converged, nit, message
