"""Cohort retention: customers grouped by the period of their first order, beside the
purchase model's expectation for them.

A cohort's retention in period k is the share of its customers with an order (amount > 0)
in the k-th calendar period after the first; its revenue retention is the cohort's net
revenue in period k over its revenue in period 0. Both come from one grouped pass over the
orders on the engine (Ibis: DuckDB, lake tables or Spark), point-in-time at `as_of`; only
periods that ended by `as_of` are shown. The expectation is the share the purchase model
fitted with the snapshot (BG/NBD or Pareto/NBD) expects to buy in that period, averaged over
the cohort's own first-order days (a customer who started late in the month has less of
period 1 behind it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Literal

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from kehu.analytics.clv import bgnbd, paretonbd
from kehu.analytics.clv.summary import UNIT_DAYS
from kehu.analytics.clv_band import run_params
from kehu.analytics.labels import label
from kehu.analytics.sources import on_or_before
from kehu.analytics.stored import SNAPSHOT, snapshot_dates
from kehu.calendar import Period
from kehu.errors import KehuError
from kehu.i18n import catalog

if TYPE_CHECKING:
    from kehu.workspace import Workspace

CohortGrain = Literal["month", "quarter"]
SPLITS = ("region", "channel", "tier")
MODELS = {"bgnbd": bgnbd, "paretonbd": paretonbd}
_PER_YEAR = {"month": 12, "quarter": 4}
T = catalog("cohorts")


def check_choice(grain: str | None, split: str | None) -> tuple[CohortGrain | None, str | None]:
    """A user's `--grain` and `--by`, validated (a clear error naming the value)."""
    if grain is not None and grain not in _PER_YEAR:
        raise KehuError(*T.pair("bad_grain", value=grain))
    if split is not None and split not in SPLITS:
        raise KehuError(*T.pair("bad_split", value=split))
    return grain, split  # type: ignore[return-value]


def group_label(split: str | None, group: str | None, lang: str) -> str:
    """What a user sees for a split value: a tier's label, the data's own region or channel,
    a note for customers without one."""
    if not group:
        return T("unknown_group", lang)
    return label("value_tier", group, lang) if split == "tier" else group


@dataclass(frozen=True)
class PurchaseFit:
    """The purchase model the expectation comes from."""

    model: str  # bgnbd | paretonbd
    params: dict[str, float]
    unit_days: float  # days per time unit of the parameters
    snapshot: date | None = None


@dataclass
class CohortRow:
    """One cohort (and split value): its size and one value per period k = 0, 1, …
    (None where period k has not ended by as_of)."""

    cohort: str  # period label, 2027-03 / 2027-Q1
    group: str | None  # the split value ("" when the customer has none)
    customers: int
    retention: list[float | None]
    revenue_retention: list[float | None]
    expected: list[float | None]  # the purchase model's share; None at k = 0 or without a fit


@dataclass
class Cohorts:
    """The retention and revenue-retention matrices as of a date."""

    as_of: date
    grain: CohortGrain
    split: str | None
    periods: int
    rows: list[CohortRow] = field(default_factory=list)
    fit: PurchaseFit | None = None  # None when the snapshot kept no purchase model

    def frame(self, kind: Literal["retention", "revenue_retention", "expected"]) -> pd.DataFrame:
        """One matrix: a row per cohort (and group), a column per period k = 0, 1, …"""
        index = [row.cohort if self.split is None else (row.cohort, row.group) for row in self.rows]
        values = [[np.nan if v is None else v for v in getattr(row, kind)] for row in self.rows]
        out = pd.DataFrame(values, index=index, columns=list(range(self.periods + 1)))
        out.insert(0, "customers", [row.customers for row in self.rows])
        return out

    def gap(self) -> float | None:
        """Mean |actual − expected| over the cells that have both (k ≥ 1)."""
        gaps = [
            abs(a - e)
            for row in self.rows
            for a, e in zip(row.retention[1:], row.expected[1:], strict=True)
            if a is not None and e is not None
        ]
        return float(np.mean(gaps)) if gaps else None


def _index(d: ir.DateValue, grain: CohortGrain) -> ir.IntegerValue:
    """A running period number (months or quarters since year 0)."""
    if grain == "quarter":
        return d.year() * 4 + d.quarter() - 1
    return d.year() * 12 + d.month() - 1


def _period(index: int, grain: CohortGrain) -> Period:
    months = index * (3 if grain == "quarter" else 1)
    return Period(date(months // 12, months % 12 + 1, 1), grain)


def _firsts(orders: ir.Table, tables: dict[str, ir.Table], split: str | None) -> ir.Table:
    """customer_id, first (first order day), grp (the split value, or NULL)."""
    bought = orders.filter(orders.amount > 0)
    first = bought.group_by("customer_id").aggregate(first=bought.order_date.min())
    if split == "region":
        cust = tables["customers"].select("customer_id", grp=tables["customers"].region)
        return first.left_join(cust, "customer_id").select("customer_id", "first", "grp")
    if split == "channel":  # the channel of the first day's orders (the least, for ties)
        day = bought.join(first, [bought.customer_id == first.customer_id]).filter(
            lambda t: t.order_date == t.first
        )
        return day.group_by(["customer_id", "first"]).aggregate(grp=day.channel.min())
    if split == "tier":
        return first.left_join(tables["tiers"], "customer_id").select("customer_id", "first", "grp")
    return first.mutate(grp=ibis.null(str))


def cohort_facts(
    tables: dict[str, ir.Table], as_of: date, grain: CohortGrain, split: str | None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(cells, starts): cells = (cohort, grp, k, customers, revenue) from one grouped pass;
    starts = (first, grp, n), the number of customers per first-order day."""
    orders = on_or_before(tables["orders"], "order_date", as_of)
    firsts = _firsts(orders, tables, split)
    joined = orders.join(firsts, [orders.customer_id == firsts.customer_id])
    joined = joined.mutate(
        cohort=_index(joined["first"], grain), k=_index(joined.order_date, grain)
    ).mutate(k=lambda t: t.k - t.cohort)
    cells = joined.group_by(["cohort", "grp", "k"]).aggregate(
        customers=joined.customer_id.nunique(where=joined.amount > 0),
        revenue=joined.amount.sum(),
    )
    starts = firsts.group_by(["first", "grp"]).aggregate(n=firsts.customer_id.count())
    cells_df, starts_df = cells.to_pandas(), starts.to_pandas()
    for frame in (cells_df, starts_df):  # a customer without the split value: group ""
        frame["grp"] = frame["grp"].fillna("").astype(str)
    return cells_df, starts_df


def expected_share(
    fit: PurchaseFit,
    first_days: np.ndarray,
    weights: np.ndarray,
    period: Period,
) -> float:
    """The share of customers (first orders on `first_days`, weighted) expected to buy in
    `period`: the model's P(purchase in (t, t+h]) with t from each first day to the
    period's start and h its length, in the model's time unit."""
    starts = (np.datetime64(period.start) - first_days).astype("timedelta64[D]").astype(float)
    p = MODELS[fit.model].p_purchase_in_new(
        fit.params, starts / fit.unit_days, np.full(len(starts), period.days / fit.unit_days)
    )
    return float(np.average(p, weights=weights))


def snapshot_fit(ws: Workspace, as_of: date) -> tuple[PurchaseFit | None, date | None]:
    """The purchase model of the latest snapshot by as_of, and that snapshot's date."""
    dates = [d for d in snapshot_dates(ws) if d <= as_of]
    if not dates:
        return None, None
    info = run_params(ws, dates[-1]) or {}
    fit = info.get("purchase") or {}
    if fit.get("model") not in MODELS:
        return None, dates[-1]
    unit = UNIT_DAYS[info.get("time_unit", "week")]
    module = MODELS[fit["model"]]
    params = {k: float(fit[k]) for k in module.PARAMS}
    return PurchaseFit(fit["model"], params, unit, dates[-1]), dates[-1]


def _tiers(ws: Workspace, snapshot: date | None) -> ir.Table:
    """customer_id → value tier of the snapshot (empty without one)."""
    frame = pd.DataFrame({"customer_id": pd.Series(dtype=str), "grp": pd.Series(dtype=str)})
    if snapshot is not None:
        frame = ws.arrow(
            f"SELECT customer_id, value_tier AS grp FROM {SNAPSHOT} WHERE as_of = ?", [snapshot]
        ).to_pandas()
    return ibis.memtable(frame)


def cohort_retention(
    ws: Workspace,
    as_of: date,
    *,
    grain: CohortGrain | None = None,
    split: str | None = None,
    engine: str = "duckdb",
) -> Cohorts:
    """The workspace's latest `cohorts.cohorts` cohorts, `cohorts.periods` periods each,
    beside the purchase model of the snapshot in force at as_of."""
    settings = ws.settings.cohorts
    fit, snapshot = snapshot_fit(ws, as_of)
    eng = ws.engine_named(engine)
    tables = {name: eng.table(name) for name in ("orders", "customers")}
    if split == "tier":
        tables["tiers"] = _tiers(ws, snapshot)
    return build_cohorts(
        tables, as_of, grain or settings.grain, split, settings.cohorts, settings.periods, fit
    )


def build_cohorts(
    tables: dict[str, ir.Table],
    as_of: date,
    grain: CohortGrain,
    split: str | None,
    cohorts: int,
    periods: int,
    fit: PurchaseFit | None,
) -> Cohorts:
    """The latest `cohorts` cohorts with `periods` periods after the first."""
    cells, starts = cohort_facts(tables, as_of, grain, split)
    out = Cohorts(as_of, grain, split, periods, [], fit)
    if cells.empty:
        return out
    per_year = _PER_YEAR[grain]
    starts["cohort"] = [
        d.year * per_year + (d.month - 1) * per_year // 12 for d in pd.to_datetime(starts["first"])
    ]
    keys = sorted({(int(c), str(g)) for c, g in zip(cells["cohort"], cells["grp"], strict=True)})
    latest = set(sorted({c for c, _ in keys})[-cohorts:])
    by_cell = cells.set_index(["cohort", "grp", "k"])
    # no column beyond the last period any shown cohort has completed
    ended = [k for k in range(1, periods + 1) if _period(min(latest) + k, grain).end <= as_of]
    out.periods = max(ended, default=0)
    out.rows = [_row(c, g, as_of, by_cell, starts, out) for c, g in keys if c in latest]
    return out


def _row(
    c: int, g: str, as_of: date, by_cell: pd.DataFrame, starts: pd.DataFrame, out: Cohorts
) -> CohortRow:
    """One cohort's curves; periods not ended by as_of stay None."""
    mine = starts[(starts["cohort"] == c) & (starts["grp"] == g)]
    size = int(mine["n"].sum())
    first_days = pd.to_datetime(mine["first"]).to_numpy().astype("datetime64[D]")
    weights = mine["n"].to_numpy(float)
    base = _value(by_cell, (c, g, 0), "revenue")
    retention: list[float | None] = []
    revenue: list[float | None] = []
    expected: list[float | None] = []
    for k in range(out.periods + 1):
        period = _period(c + k, out.grain)
        if k > 0 and period.end > as_of:
            retention.append(None)
            revenue.append(None)
            expected.append(None)
            continue
        retention.append(_value(by_cell, (c, g, k), "customers") / size if size else None)
        rev = _value(by_cell, (c, g, k), "revenue")
        revenue.append(rev / base if base > 0 else None)
        expected.append(
            expected_share(out.fit, first_days, weights, period)
            if out.fit and k > 0 and size
            else None
        )
    return CohortRow(
        _period(c, out.grain).label,
        None if out.split is None else g,
        size,
        retention,
        revenue,
        expected,
    )


def _value(cells: pd.DataFrame, key: tuple[int, str, int], column: str) -> float:
    try:
        v = cells.loc[key, column]
    except KeyError:
        return 0.0
    return float(v) if not pd.isna(v) else 0.0
