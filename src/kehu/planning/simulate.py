"""What-if targets (`kehu targets simulate`): the chance each region or rep reaches its share
of a total, under the current split and under the split that gives the best chance.

A unit's sales in the period are simulated (Monte Carlo, seeded) as the sum of its customers'
repeat buying — Poisson(expected purchases scaled to the period) orders of the customer's
average order value, from the latest snapshot's CLV model — and its prospects' open deals,
each won with the pipeline forecast's probability (customers who already buy are left out of
the pipeline: their deals are part of the buying the CLV model expects). P(the total is
reached) does not depend on the split; the split decides whether every unit can make its own
share. The best split maximises Π P(unit reaches its share) on the normal approximation of
each unit's sales (mean Σλv + Σpa, variance Σλv² + Σp(1−p)a²): the Lagrange condition
φ(z)/Φ(z) = λσ for every unit, solved by bisection on λ, with shares ≥ 0 and a rep whose
open tasks already fill the period's capacity held at its expected sales (no stretch).
Both splits are then scored on the same simulated draws.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.special import log_ndtr

from kehu.analytics.forecast.runs import latest as latest_forecast
from kehu.analytics.stored import snapshot_dates
from kehu.calendar import Period
from kehu.errors import KehuError
from kehu.planning import capacity
from kehu.planning.allocate import allocate
from kehu.planning.targets import split_targets

if TYPE_CHECKING:
    from kehu.workspace import Workspace

SEED = 68
UNIT_DAYS = {"day": 1.0, "week": 7.0, "month": 365.25 / 12}
CHUNK = 256  # customers simulated at a time (bounds the memory at draws × CHUNK)


@dataclass
class Sources:
    """Per unit, what its sales are drawn from: customers (expected orders in the period and
    the value of one) and prospects' open deals (probability and amount)."""

    units: list[str]
    cust_unit: np.ndarray
    rate: np.ndarray
    value: np.ndarray
    deal_unit: np.ndarray
    p: np.ndarray
    amount: np.ndarray

    def moments(self) -> tuple[np.ndarray, np.ndarray]:
        """Each unit's expected sales and their standard deviation."""
        k = len(self.units)
        mean = np.bincount(self.cust_unit, self.rate * self.value, k) + np.bincount(
            self.deal_unit, self.p * self.amount, k
        )
        var = np.bincount(self.cust_unit, self.rate * self.value**2, k) + np.bincount(
            self.deal_unit, self.p * (1 - self.p) * self.amount**2, k
        )
        return mean, np.sqrt(var)

    def draws(self, n: int, seed: int = SEED) -> np.ndarray:
        """(n, units) simulated sales."""
        rng = np.random.default_rng(seed)
        out = np.zeros((n, len(self.units)))
        for start in range(0, len(self.rate), CHUNK):
            part = slice(start, start + CHUNK)
            counts = rng.poisson(self.rate[part], (n, len(self.rate[part])))
            out += (counts * self.value[part]) @ self._onehot(self.cust_unit[part])
        for start in range(0, len(self.p), CHUNK):
            part = slice(start, start + CHUNK)
            won = rng.random((n, len(self.p[part]))) < self.p[part]
            out += (won * self.amount[part]) @ self._onehot(self.deal_unit[part])
        return out

    def _onehot(self, unit: np.ndarray) -> np.ndarray:
        return np.eye(len(self.units))[unit]


def _log_mills(z: np.ndarray) -> np.ndarray:
    """log(φ(z) / Φ(z)), decreasing in z."""
    return -0.5 * z**2 - 0.5 * np.log(2 * np.pi) - log_ndtr(z)


def _z_for(log_y: np.ndarray) -> np.ndarray:
    """The z with log(φ(z)/Φ(z)) = log_y (vectorised bisection)."""
    lo = -np.exp(log_y) - 10.0
    hi = np.sqrt(2.0 * np.maximum(0.0, -log_y)) + 10.0
    for _ in range(100):
        mid = (lo + hi) / 2
        above = _log_mills(mid) > log_y
        lo, hi = np.where(above, mid, lo), np.where(above, hi, mid)
    return (lo + hi) / 2


def best_split(
    total: float, mean: np.ndarray, sd: np.ndarray, cap: np.ndarray | None = None
) -> np.ndarray:
    """Shares (≥ 0, ≤ cap, summing to `total`) maximising Π Φ((mean − share) / sd); caps are
    dropped when they cannot hold the total."""
    k = len(mean)
    if not k:
        return np.zeros(0)
    hi = np.full(k, np.inf) if cap is None else np.asarray(cap, float)
    if hi.sum() < total:
        hi = np.full(k, np.inf)
    scale = max(1.0, float(np.max(sd)), float(np.max(np.abs(mean))))
    s = np.maximum(sd, 1e-9 * scale)

    def shares(log_lam: float) -> np.ndarray:
        return np.clip(mean - s * _z_for(log_lam + np.log(s)), 0.0, hi)

    a, b = -750.0, 700.0
    for _ in range(200):
        m = (a + b) / 2
        a, b = (m, b) if shares(m).sum() < total else (a, m)
    t = shares(b)
    return t * (total / t.sum()) if t.sum() > 0 else np.full(k, total / k)


def chance(draws: np.ndarray, shares: np.ndarray) -> tuple[np.ndarray, float]:
    """Each unit's P(sales ≥ its share) and P(every unit reaches its share), on the draws."""
    reached = draws >= shares[None, :] - 1e-9
    return reached.mean(axis=0), float(reached.all(axis=1).mean())


def exact(total: int, shares: np.ndarray) -> np.ndarray:
    """Whole-yuan shares summing exactly to `total` (largest remainder)."""
    return allocate(total, np.maximum(shares, 0.0)).astype(float)


_UNIT = {"region": "nullif(trim(c.region), '')", "owner": "nullif(trim(c.owner), '')"}
_CUSTOMERS = """
SELECT {unit} AS unit, s.customer_id, coalesce(s.expected_purchases, 0) AS purchases,
       coalesce(CAST(s.avg_order_value AS DOUBLE), 0) AS value
FROM customer_snapshot s JOIN customers c USING (customer_id)
WHERE s.as_of = ? AND {unit} IS NOT NULL
"""


def sources(ws: Workspace, period: Period, by: str, units: list[str]) -> tuple[Sources, date]:
    """The latest snapshot's customers and the latest forecast's prospect deals, by unit
    (`units` first, then any unit only these know)."""
    dates = snapshot_dates(ws)
    if not dates:
        raise KehuError(
            "还没有客户快照:请先运行 `kehu analyze`",
            "no customer snapshot yet: run `kehu analyze` first",
        )
    clv = ws.settings.clv
    scale = period.days / (clv.horizon * UNIT_DAYS[clv.time_unit])
    cust = ws.read(_CUSTOMERS.format(unit=_UNIT[by]), [dates[-1]]).df()
    buyers = set(cust.loc[cust["purchases"] > 0, "customer_id"])
    run = latest_forecast(ws, ws.settings.forecast) or {"deals": []}
    deals = [d for d in run["deals"] if d["customer_id"] not in buyers]
    unit_of = dict(
        ws.rows(f"SELECT customer_id, {_UNIT[by]} FROM customers c WHERE {_UNIT[by]} IS NOT NULL")
    )
    deals = [d for d in deals if d["customer_id"] in unit_of]
    deal_units = [unit_of[d["customer_id"]] for d in deals]
    names = list(dict.fromkeys([*units, *cust["unit"], *deal_units]))
    index = {u: i for i, u in enumerate(names)}
    return (
        Sources(
            names,
            cust["unit"].map(index).to_numpy(int),
            cust["purchases"].to_numpy(float) * scale,
            cust["value"].to_numpy(float),
            np.array([index[u] for u in deal_units], int),
            np.array([d["p"] for d in deals], float),
            np.array([d["amount"] for d in deals], float),
        ),
        dates[-1],
    )


def _full_reps(ws: Workspace, period: Period, names: list[str]) -> set[str]:
    """Reps whose open tasks due in the period already fill their capacity for it."""
    cap = ws.settings.capacity
    if not capacity.limited(cap):
        return set()
    labels = {capacity.period_of(cap, m.start) for m in period.month_periods()}
    load: dict[str, float] = {}
    for (rep, label), value in capacity.open_load(ws, cap).items():
        if label in labels:
            load[rep] = load.get(rep, 0.0) + value
    full = set()
    for rep in names:
        room = capacity.capacity_of(cap, rep)
        if room is not None and load.get(rep, 0.0) >= room * len(labels):
            full.add(rep)
    return full


def simulate_targets(
    ws: Workspace, total: Decimal | float | str, period: str, by: str = "region"
) -> dict[str, Any]:
    """The chance of each unit's share and of the total, under the current split
    (`kehu targets split`'s) and under the best one."""
    if by not in _UNIT:
        raise KehuError(
            f"无法按 {by!r} 模拟:可选 region、owner",
            f"cannot simulate by {by!r}: use region or owner",
        )
    split = split_targets(ws, total, period, by, rounding="yuan", write=False)
    current = {r["unit"]: float(r["target"]) for r in split.rows}
    src, as_of = sources(ws, split.period, by, list(current))
    mean, sd = src.moments()
    full = _full_reps(ws, split.period, src.units) if by == "owner" else set()
    cap = np.array([m if u in full else np.inf for u, m in zip(src.units, mean, strict=True)])
    amount = int(split.total)
    now = np.array([current.get(u, 0.0) for u in src.units])
    best = exact(amount, best_split(amount, mean, sd, cap))
    draws = src.draws(ws.settings.targets.simulations)
    p_now, all_now = chance(draws, now)
    p_best, all_best = chance(draws, best)
    rows = [
        {
            "unit": u,
            "expected": round(float(mean[i]), 2),
            "sd": round(float(sd[i]), 2),
            "current": now[i],
            "p_current": round(float(p_now[i]), 4),
            "best": best[i],
            "p_best": round(float(p_best[i]), 4),
            "full": u in full,
        }
        for i, u in enumerate(src.units)
    ]
    return {
        "period": split.period.label,
        "by": by,
        "total": amount,
        "snapshot": as_of.isoformat(),
        "simulations": len(draws),
        "prospect_deals": len(src.p),
        "expected": round(float(mean.sum()), 2),
        "p_total": round(float((draws.sum(axis=1) >= amount).mean()), 4),
        "p_all_current": round(all_now, 4),
        "p_all_best": round(all_best, 4),
        "rows": rows,
    }
