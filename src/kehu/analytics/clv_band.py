"""The 95 % band of one customer's expected purchases and predicted CLV (the 360 view).

The snapshot run of that as-of keeps the purchase model's parameters and the covariance of
their logarithms (`clv.params.purchase.cov_log`, kehu.analytics.clv.uncertainty); the
customer's (x, t_x, T) come from their own orders up to as-of. The band of predicted CLV is
the band of the discounted expected purchases scaled onto the stored CLV (spend and margin
are held at their estimates: the band shows the purchase model's uncertainty).
"""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np

from kehu.analytics.clv import bgnbd, paretonbd, purchase_summary, uncertainty
from kehu.analytics.clv.compute import purchase_curve

if TYPE_CHECKING:
    from kehu.workspace import Workspace


def run_params(ws: Workspace, as_of: date) -> dict[str, Any] | None:
    """The CLV model info stored with the snapshot of `as_of` (None without a fit)."""
    text = ws.scalar("SELECT summary_json FROM analytics_runs WHERE as_of = ?", [as_of])
    if not text:
        return None
    params = (json.loads(text).get("clv") or {}).get("params") or {}
    return params if params.get("purchase") else None


def customer_band(
    ws: Workspace, customer_id: str, as_of: date | str, snapshot: dict[str, Any] | None
) -> dict[str, Any] | None:
    """{expected_purchases: [point, low, high], predicted_clv: [point, low, high], level,
    model, horizon, time_unit}; None when the run kept no covariance or the customer has no
    purchase at as-of."""
    if not isinstance(as_of, date):  # a web row carries the date as text
        as_of = date.fromisoformat(str(as_of)[:10])
    info = run_params(ws, as_of) or {}
    fit = info.get("purchase") or {}
    cov = fit.get("cov_log")
    if not cov:
        return None
    orders = ws.arrow(
        "SELECT customer_id, order_date, amount FROM orders"
        " WHERE customer_id = ? AND order_date <= ?",
        [customer_id, as_of],
    )
    if orders.num_rows == 0:
        return None
    settings = ws.settings.clv.model_copy(
        update={k: info[k] for k in ("time_unit", "horizon", "discount_rate") if k in info}
    )
    row = purchase_summary(orders, as_of, settings.time_unit).dropna(subset=["x"])
    if row.empty:
        return None
    x, t_x, T = (row[c].to_numpy(float) for c in ("x", "t_x", "T"))
    model = fit["model"]
    module = paretonbd if model == "paretonbd" else bgnbd
    params = {k: float(fit[k]) for k in module.PARAMS}

    def expected(p: dict[str, float]) -> np.ndarray:
        return module.expected_purchases(p, settings.horizon, x, t_x, T)

    def discounted(p: dict[str, float]) -> np.ndarray:
        return purchase_curve(model, p, settings, x, T)[1] * module.p_alive(p, x, t_x, T)

    with np.errstate(all="ignore"):
        e = uncertainty.band(expected, model, params, cov)
        d = uncertainty.band(discounted, model, params, cov)
    out: dict[str, Any] = {
        "level": 0.95,
        "model": model,
        "horizon": settings.horizon,
        "time_unit": settings.time_unit,
        "expected_purchases": [round(float(v[0]), 4) for v in e],
        "predicted_clv": None,
    }
    clv = (snapshot or {}).get("predicted_clv")
    if clv is not None and float(d[0][0]) > 0:
        out["predicted_clv"] = [round(float(clv) * float(v[0]) / float(d[0][0]), 2) for v in d]
    return out
