"""`clv.model = "auto"`: BG/NBD or Pareto/NBD, whichever predicts the workspace's own recent
purchases better.

Both models are fitted on the customers' (x, t_x, T) at a cut-off `holdout` time units
before as-of and predict each customer's purchases in (cut-off, as-of]; the actual count is
the growth of x between the two summaries (customers first seen after the cut-off are not
in the test). The model with the lower mean absolute error wins; BG/NBD on a tie, when the
cut-off leaves fewer than `min_repeat` repeat buyers, or when a fit fails.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from kehu.analytics.clv import bgnbd, paretonbd

MODELS = {"bgnbd": (bgnbd, bgnbd.fit_bgnbd), "paretonbd": (paretonbd, paretonbd.fit_pareto_nbd)}


def choose_model(
    now: pd.DataFrame, cut: pd.DataFrame, holdout: float, min_repeat: int
) -> tuple[str, dict[str, Any]]:
    """The winning model name and the evidence ({holdout, customers, mae per model})."""
    past = cut.dropna(subset=["x"])
    info: dict[str, Any] = {"holdout": holdout, "customers": len(past), "mae": {}}
    if int((past["x"] > 0).sum()) < min_repeat:
        return "bgnbd", {**info, "why": "few_repeat"}
    later = now.dropna(subset=["x"]).set_index("customer_id")["x"]
    actual = later.reindex(past["customer_id"]).to_numpy(float) - past["x"].to_numpy(float)
    actual = np.nan_to_num(actual, nan=0.0)
    x, t_x, T = (past[c].to_numpy(float) for c in ("x", "t_x", "T"))
    for name, (module, fit) in MODELS.items():
        try:
            res = fit(x, t_x, T)
        except (ValueError, FloatingPointError):
            continue
        with np.errstate(all="ignore"):
            pred = module.expected_purchases(res.params, holdout, x, t_x, T)
        if np.all(np.isfinite(pred)):
            info["mae"][name] = round(float(np.abs(pred - actual).mean()), 6)
    if not info["mae"]:
        return "bgnbd", {**info, "why": "fit_failed"}
    best = min(info["mae"], key=lambda k: (info["mae"][k], k != "bgnbd"))
    return best, info
