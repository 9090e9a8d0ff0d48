"""Exact integer allocation of a total by weights, within per-unit bounds.

`allocate(total, weights, lo, hi)` returns integers a_u with sum(a) == total and
lo_u <= a_u <= hi_u, as close as integers can be to the bounded proportional split
x_u = clip(lam * w_u, lo_u, hi_u) where lam solves sum(x) == total (water-filling: units that
hit a floor or a cap are fixed there and the rest is redistributed by weight, iterating until
no free unit crosses a bound). Rounding uses the largest-remainder
method (Hamilton): floor every x_u, then give the missing units one each to the largest
fractional parts (ties: the earlier unit), never crossing a bound.
"""

from __future__ import annotations

import numpy as np

from kehu.errors import KehuError

INF = np.iinfo(np.int64).max // 4


def _water_fill(total: float, w: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """x = clip(lam * w, lo, hi) with sum(x) == total (every w > 0, total feasible).

    Iterate: share what is left by weight among the free units; if the units over their caps
    exceed by at least as much as the units under their floors fall short, the capped ones
    are certainly capped in the solution (lam can only grow), so fix them at the cap;
    otherwise fix the floored ones at the floor. Each round fixes at least one unit.
    """
    x = np.zeros(len(w))
    free = np.ones(len(w), dtype=bool)
    fixed_sum = 0.0
    while free.any():
        wf = w[free]
        share = (total - fixed_sum) * (wf / wf.sum())
        over = share - hi[free]
        under = lo[free] - share
        excess = over[over > 0].sum()
        deficit = under[under > 0].sum()
        idx = np.flatnonzero(free)
        if excess <= 0 and deficit <= 0:
            x[idx] = share
            break
        if excess >= deficit:
            hit = idx[over > 0]
            x[hit] = hi[hit]
        else:
            hit = idx[under > 0]
            x[hit] = lo[hit]
        free[hit] = False
        fixed_sum += float(x[hit].sum())
    return x


def allocate(
    total: int,
    weights: np.ndarray,
    lo: np.ndarray | None = None,
    hi: np.ndarray | None = None,
) -> np.ndarray:
    """Integers summing to `total`, proportional to `weights` within [lo, hi] (see module)."""
    w = np.asarray(weights, dtype="float64")
    n = len(w)
    lo_i = np.zeros(n, dtype="int64") if lo is None else np.asarray(lo, dtype="int64")
    hi_i = np.full(n, INF, dtype="int64") if hi is None else np.asarray(hi, dtype="int64")
    if n == 0:
        if total != 0:
            raise KehuError("没有可分配的单元", "there is nothing to allocate to")
        return np.zeros(0, dtype="int64")
    if np.any(w < 0) or np.any(~np.isfinite(w)):
        raise KehuError("分配权重不能为负数", "allocation weights must be finite and >= 0")
    if np.any(lo_i > hi_i):
        raise KehuError("下限高于上限", "a floor is above its cap")
    if w.sum() <= 0:  # nothing to go by: equal shares
        w = np.ones(n)
    positive = w > 0
    min_total = int(np.sum(lo_i, dtype=object))
    if np.any(hi_i[positive] >= INF):
        max_total = INF
    else:
        max_total = int(
            np.sum(hi_i[positive], dtype=object) + np.sum(lo_i[~positive], dtype=object)
        )
    if total < min_total or total > max_total:
        raise InfeasibleError(total, min_total, max_total)
    x = lo_i.astype("float64")
    if positive.any():
        x[positive] = _water_fill(
            float(total - lo_i[~positive].sum()), w[positive],
            lo_i[positive].astype("float64"), hi_i[positive].astype("float64"),
        )  # fmt: skip
    return _round(total, x, lo_i, hi_i)


def _round(total: int, x: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Largest-remainder rounding of x (sum ~ total) to integers in [lo, hi] summing to total."""
    base = np.clip(np.floor(x).astype("int64"), lo, hi)
    diff = int(total - base.sum())
    index = np.arange(len(x))
    while diff != 0:
        rem = x - base
        if diff > 0:
            room = np.flatnonzero(base < hi)
            order = room[np.lexsort((index[room], -rem[room]))]
            step = order[:diff]
            base[step] += 1
        else:
            room = np.flatnonzero(base > lo)
            order = room[np.lexsort((index[room], rem[room]))]
            step = order[:-diff]
            base[step] -= 1
        if len(step) == 0:  # cannot happen when the bounds are feasible
            raise InfeasibleError(total, int(np.sum(lo, dtype=object)), INF)
        diff = int(total - base.sum())
    return base


def allocate_rows(totals: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """Split each integer of `totals` by the same `shares` (largest remainder per row).

    Vectorised form of `allocate(total_i, shares)` for many rows (e.g. each unit's target
    over the months); rows whose float rounding is off fall back to `allocate`.
    """
    totals = np.asarray(totals, dtype="int64")
    w = np.asarray(shares, dtype="float64")
    w = w / w.sum() if w.sum() > 0 else np.full(len(w), 1.0 / len(w))
    x = totals[:, None].astype("float64") * w[None, :]
    base = np.floor(x).astype("int64")
    need = totals - base.sum(axis=1)
    m = len(w)
    ok = (need >= 0) & (need <= m)
    order = np.argsort(-(x - base), axis=1, kind="stable")  # largest remainder, earlier first
    inc = (np.arange(m)[None, :] < need[:, None]).astype("int64") * ok[:, None]
    add = np.zeros_like(base)
    np.put_along_axis(add, order, inc, axis=1)
    out = base + add
    for i in np.flatnonzero(~ok):
        out[i] = allocate(int(totals[i]), w)
    return out


class InfeasibleError(KehuError):
    """The total cannot be split within the floors and caps."""

    def __init__(self, total: int, min_total: int, max_total: int) -> None:
        self.total, self.min_total, self.max_total = total, min_total, max_total
        cap = "∞" if max_total >= INF else str(max_total)
        super().__init__(
            f"总额 {total} 无法在下限/上限内分配:可行范围为 [{min_total}, {cap}]"
            "(调整 --floor/--cap 或总额)",
            f"the total {total} cannot be split within the floors and caps: the feasible "
            f"range is [{min_total}, {cap}] (change --floor/--cap or the total)",
        )
