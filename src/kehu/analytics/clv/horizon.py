"""The purchase model's probability of no purchase within a horizon (the churn baseline).

P(X(T, T+h) = 0 | x, t_x, T) = (1 − p_alive) + p_alive · P(no purchase in h | alive):
a customer already dead buys nothing, one alive buys nothing with the model's own
probability (`p_no_purchase_if_alive` of BG/NBD or Pareto/NBD). This is exact, not
1 − p_alive: BG/NBD's p_alive is 1 for every customer without a repeat purchase.
"""

from __future__ import annotations

import numpy as np

from kehu.analytics.clv import bgnbd, paretonbd


def p_no_purchase(
    model: str, params: dict[str, float], h: float, x: np.ndarray, t_x: np.ndarray, T: np.ndarray
) -> np.ndarray:
    """P(no purchase in (T, T+h] | x, t_x, T) under `model` ("bgnbd" or "paretonbd"); h, t_x
    and T in the time unit the parameters were fitted in."""
    module = paretonbd if model == "paretonbd" else bgnbd
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    with np.errstate(all="ignore"):
        alive = module.p_alive(params, x, t_x, T)
        quiet = module.p_no_purchase_if_alive(params, h, x, T)
    return np.clip(1.0 - alive + alive * quiet, 0.0, 1.0)
