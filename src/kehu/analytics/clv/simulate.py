"""Draw customer bases from the BG/NBD generative process (for tests and benchmarks).

Each customer buys as a Poisson process with rate λ ~ gamma(r, α) and, after each repeat
purchase, drops out with probability p ~ beta(a, b); observation runs for T time units after
the first purchase. Times can be rounded to whole days, as order dates are.
"""

from __future__ import annotations

import numpy as np


def simulate_bgnbd(
    n: int,
    params: dict[str, float],
    T: np.ndarray | float,
    *,
    seed: int = 0,
    unit_days: float | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x, t_x, T) for n customers; `unit_days` rounds times to days of that unit."""
    rng = np.random.default_rng(seed)
    T = np.broadcast_to(np.asarray(T, dtype=float), (n,)).copy()
    lam = rng.gamma(params["r"], 1.0 / params["alpha"], n)
    p = rng.beta(params["a"], params["b"], n)
    x = np.zeros(n)
    t_x = np.zeros(n)
    now = np.zeros(n)
    active = np.ones(n, dtype=bool)
    while active.any():
        idx = np.flatnonzero(active)
        now[idx] += rng.exponential(1.0 / np.maximum(lam[idx], 1e-300))
        beyond = now[idx] > T[idx]
        active[idx[beyond]] = False
        bought = idx[~beyond]
        x[bought] += 1
        t_x[bought] = now[bought]
        dies = rng.random(len(bought)) < p[bought]
        active[bought[dies]] = False
    if unit_days is not None:
        T = np.floor(T * unit_days) / unit_days
        t_x = np.minimum(np.floor(t_x * unit_days) / unit_days, T)
    return x, t_x, T
