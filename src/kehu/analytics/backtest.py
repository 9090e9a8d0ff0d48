"""`backtest`: predict at a past as-of from what was known then, compare with what happened.

1. The as-of must leave a full horizon of later orders (default: the latest such date,
   last order day − horizon); before the first order, in the future or without later data
   it is refused with a `KehuError`.
2. `compute_snapshot` at that as-of (every source through `as_of_view`: no later order,
   ticket, survey or interaction is read) gives kehu's churn risk, value tier and region.
3. The textbook baselines are fitted on the same (x, t_x, T) at as-of: BG/NBD and
   Pareto/NBD (probability of no purchase within the horizon, expected purchases in it;
   Pareto/NBD fitted on at most PARETO_FIT_ROWS customers) with Gamma-Gamma spend for
   revenue; the naive baseline is "last period's behaviour": the purchases and revenue of
   (as_of − h, as_of] predict those of the next h days, and the churn probability of a
   customer silent (or not) in that period is the rate at which customers silent (or not)
   in the period before stayed silent in it.
4. One pass over the orders of (as_of − 2h, as_of + h] gives the outcomes and the naive
   inputs; `backtest_metrics.evaluate` computes the figures, overall, per value tier and
   per region.
"""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import ibis
import numpy as np
import pandas as pd

from kehu.analytics.backtest_metrics import evaluate
from kehu.analytics.clv import bgnbd, gammagamma, p_no_purchase, paretonbd
from kehu.analytics.clv.summary import UNIT_DAYS
from kehu.analytics.features import Windows
from kehu.analytics.numeric import when
from kehu.analytics.purchases import purchase_facts
from kehu.analytics.snapshot import Progress, compute_snapshot
from kehu.config import Settings
from kehu.errors import KehuError
from kehu.i18n import catalog

if TYPE_CHECKING:
    import ibis.expr.types as ir

# score name -> frame column; "kehu" is the snapshot's own figure.
CHURN_SCORES = {
    "kehu": "churn_risk",
    "bgnbd": "bgnbd_p_none",
    "bgnbd_expected": "bgnbd_poisson",
    "paretonbd": "paretonbd_p_none",
    "naive": "naive_p_none",
}
PURCHASE_MODELS = {"bgnbd": "bgnbd_purchases", "paretonbd": "paretonbd_purchases",
                   "naive": "last_purchases"}  # fmt: skip
REVENUE_MODELS = {"bgnbd": "bgnbd_revenue", "paretonbd": "paretonbd_revenue",
                  "naive": "last_revenue"}  # fmt: skip
# What users read for each score / model name (CLI, web page, report).
NAMES = catalog("backtest")


def score_names(lang: str) -> dict[str, str]:
    """Display names of the churn scores and the purchase models in `lang`."""
    keys = [*CHURN_SCORES, "bgnbd_model", "paretonbd_model", "naive_model"]
    return {k: NAMES(k, lang) for k in keys}


SNAPSHOT_PICK = ("customer_id", "churn_risk", "value_tier", "region", "lifecycle")
PARETO_FIT_ROWS = 50_000
FACT_COLUMNS = ("customer_id", "x", "t_x_days", "T_days", "m_repeat", "m_all")


def order_bounds(orders: ir.Table) -> tuple[date | None, date | None]:
    """First and last order day."""
    row = orders.aggregate(lo=orders.order_date.min(), hi=orders.order_date.max()).execute()
    lo, hi = row["lo"].iloc[0], row["hi"].iloc[0]
    as_date = lambda v: None if pd.isna(v) else pd.Timestamp(v).date()  # noqa: E731
    return as_date(lo), as_date(hi)


def resolve_as_of(
    as_of: date | None, horizon_days: int, first: date | None, last: date | None, today: date
) -> date:
    """The as-of to test (default: last order day − horizon), or a KehuError saying why the
    asked one cannot be tested."""
    if first is None or last is None:
        raise KehuError(
            "工作区还没有订单,无法回测", "the workspace has no orders: nothing to backtest"
        )
    latest = last - timedelta(days=horizon_days)
    if as_of is None:
        as_of = latest
        if as_of < first:
            raise KehuError(
                f"订单只覆盖 {first} 至 {last},不足一个 {horizon_days} 天的预测期;"
                "请用 --horizon 缩短预测期",
                f"the orders span {first} to {last}, shorter than a {horizon_days}-day horizon;"
                " choose a shorter --horizon",
            )
        return as_of
    if as_of > today:
        raise KehuError(
            f"回测日期 {as_of} 在未来;请选择 {first} 至 {latest} 之间的日期",
            f"the backtest date {as_of} is in the future; choose a date from {first} to {latest}",
        )
    if as_of < first:
        raise KehuError(
            f"回测日期 {as_of} 早于第一笔订单({first});请选择 {first} 至 {latest} 之间的日期",
            f"the backtest date {as_of} is before the first order ({first}); choose a date"
            f" from {first} to {latest}",
        )
    if as_of > latest:
        raise KehuError(
            f"{as_of} 之后不足 {horizon_days} 天的订单数据(最后一笔订单 {last}),无法检验;"
            f"请选择不晚于 {latest} 的日期,或用 --horizon 缩短预测期",
            f"there are fewer than {horizon_days} days of orders after {as_of} (last order"
            f" {last}): nothing to compare with; choose a date on or before {latest}, or a"
            " shorter --horizon",
        )
    return as_of


def outcomes(orders: ir.Table, as_of: date, horizon_days: int) -> ir.Table:
    """Per customer: purchase occasions (days netting ≥ 0) and revenue in the next h days,
    the last h days, and the h days before those."""
    h = timedelta(days=horizon_days)
    o = orders.filter(
        (orders.order_date > ibis.literal(as_of - 2 * h))
        & (orders.order_date <= ibis.literal(as_of + h))
    )
    days = o.group_by(["customer_id", "order_date"]).agg(v=o.amount.sum().cast("float64"))
    d, buy = days.order_date, days.v >= 0
    nxt = d > ibis.literal(as_of)
    last = (d > ibis.literal(as_of - h)) & ~nxt
    prev = d <= ibis.literal(as_of - h)
    return days.group_by("customer_id").agg(
        next_purchases=when(nxt & buy).count(),
        next_revenue=when(nxt, days.v).sum(),
        last_purchases=when(last & buy).count(),
        last_revenue=when(last, days.v).sum(),
        prev_purchases=when(prev & buy).count(),
    )


def _fit_sample(n: int) -> np.ndarray | slice:
    """Rows the Pareto/NBD fit uses: all, or PARETO_FIT_ROWS of them (fixed seed; the
    facts are in customer_id order, so the sample is the same on every run)."""
    if n <= PARETO_FIT_ROWS:
        return slice(None)
    return np.sort(np.random.default_rng(13).choice(n, PARETO_FIT_ROWS, replace=False))


def _fit_models(facts: pd.DataFrame, unit: float, h: float) -> tuple[dict[str, Any], pd.DataFrame]:
    """BG/NBD, Pareto/NBD and Gamma-Gamma fitted on the as-of facts, and their predictions."""
    x = facts["x"].to_numpy(float)
    t_x = facts["t_x_days"].to_numpy(float) / unit
    T = facts["T_days"].to_numpy(float) / unit
    pred = pd.DataFrame(index=facts.index)
    params: dict[str, Any] = {}
    for name, module, fit in (
        ("bgnbd", bgnbd, bgnbd.fit_bgnbd),
        ("paretonbd", paretonbd, paretonbd.fit_pareto_nbd),
    ):
        try:
            # Pareto/NBD has no analytic gradient: beyond PARETO_FIT_ROWS customers it is
            # fitted on a seeded sample of them (and still predicts for everyone).
            pick = _fit_sample(len(x)) if name == "paretonbd" else slice(None)
            res = fit(x[pick], t_x[pick], T[pick])
        except (ValueError, FloatingPointError):
            pred[f"{name}_p_none"] = np.nan
            pred[f"{name}_purchases"] = np.nan
            continue
        params[name] = res.to_dict()
        with np.errstate(all="ignore"):
            pred[f"{name}_p_none"] = p_no_purchase(name, res.params, h, x, t_x, T)
            pred[f"{name}_purchases"] = module.expected_purchases(res.params, h, x, t_x, T)
    spend = facts["m_all"].to_numpy(float)
    try:
        gg = gammagamma.fit_gamma_gamma(x, facts["m_repeat"].to_numpy(float))
        if gg.params["q"] > 1.0:
            params["gammagamma"] = gg.to_dict()
            spend = gammagamma.expected_spend(gg.params, x, facts["m_repeat"].to_numpy(float))
    except ValueError:
        pass
    spend = np.clip(np.nan_to_num(spend, nan=0.0), 0.0, None)
    for name in ("bgnbd", "paretonbd"):
        pred[f"{name}_revenue"] = pred[f"{name}_purchases"].to_numpy(float) * spend
    pred["bgnbd_poisson"] = np.exp(-pred["bgnbd_purchases"].to_numpy(float))
    return params, pred


def _naive(
    frame: pd.DataFrame, first_days: pd.Series, as_of: date, horizon_days: int
) -> np.ndarray:
    """P(silent in the next h days | silent or not in the last h), estimated from how the
    customers known at as_of − h moved from the period before into the last one."""
    silent_last = frame["last_purchases"].to_numpy() == 0
    known = (first_days <= pd.Timestamp(as_of - timedelta(days=horizon_days))).to_numpy()
    silent_prev = frame["prev_purchases"].to_numpy() == 0
    p = np.empty(len(frame))
    base = float(silent_last[known].mean()) if known.any() else float(silent_last.mean())
    for state in (True, False):
        cohort = known & (silent_prev == state)
        rate = float(silent_last[cohort].mean()) if cohort.any() else base
        p[silent_last == state] = rate
    return p


def run_backtest(
    tables: dict[str, ir.Table],
    settings: Settings,
    as_of: date | None = None,
    horizon_days: int | None = None,
    *,
    today: date | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Every backtest figure for `as_of` and a horizon (default churn.horizon_days)."""
    started = time.perf_counter()
    horizon_days = int(horizon_days or settings.churn.horizon_days)
    if horizon_days <= 0:
        raise KehuError("预测期(天)必须大于 0", "the horizon (days) must be greater than 0")
    orders = tables["orders"]
    first, last = order_bounds(orders)
    as_of = resolve_as_of(as_of, horizon_days, first, last, today or date.today())
    timings: dict[str, float] = {}
    # kehu's risk is asked about the horizon under test, like a snapshot set up for it.
    settings = settings.model_copy(deep=True)
    settings.churn.horizon_days = horizon_days

    t0 = time.perf_counter()
    rows, info, _ = compute_snapshot(tables, as_of, settings, progress=progress)
    snap = rows.select([c for c in SNAPSHOT_PICK if c in rows.column_names]).to_pandas()
    snap["customer_id"] = snap["customer_id"].astype(str)
    timings["snapshot"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    facts = purchase_facts(orders, Windows.of(as_of, settings))
    facts = facts.select(*FACT_COLUMNS, "first_day").to_pyarrow().to_pandas()
    facts = facts.dropna(subset=["x"]).sort_values("customer_id", kind="stable")
    facts = facts.reset_index(drop=True)
    facts["customer_id"] = facts["customer_id"].astype(str)
    seen = outcomes(orders, as_of, horizon_days).to_pyarrow().to_pandas()
    seen["customer_id"] = seen["customer_id"].astype(str)
    timings["outcomes"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    unit = UNIT_DAYS[settings.clv.time_unit]
    params, pred = _fit_models(facts, unit, horizon_days / unit)
    frame = pd.concat([facts[["customer_id"]], pred], axis=1)
    frame = frame.merge(seen, on="customer_id", how="left").merge(
        snap, on="customer_id", how="left"
    )
    for col in ("next_purchases", "next_revenue", "last_purchases", "last_revenue",
                "prev_purchases"):  # fmt: skip
        frame[col] = frame[col].fillna(0).astype(float)
    frame["churned"] = (frame["next_purchases"] == 0).astype(float)
    frame["naive_p_none"] = _naive(frame, pd.to_datetime(facts["first_day"]), as_of, horizon_days)
    # A customer the snapshot scored no risk for (no churn stage) is judged at the base rate.
    frame["churn_risk"] = frame["churn_risk"].astype(float).fillna(float(frame["churned"].mean()))
    timings["fit"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    figures = evaluate(frame, CHURN_SCORES, PURCHASE_MODELS, REVENUE_MODELS)
    timings["metrics"] = time.perf_counter() - t0
    timings["total"] = time.perf_counter() - started
    purchase_fit = (info.get("clv", {}).get("params") or {}).get("purchase") or {}
    return {
        "as_of": as_of.isoformat(),
        "horizon_days": horizon_days,
        "data_from": first.isoformat() if first else None,
        "data_to": last.isoformat() if last else None,
        "customers": len(frame),
        "kehu_purchase_model": purchase_fit.get("model"),
        "churn_source": (info.get("churn") or {}).get("source"),
        "best_purchase_model": best_purchase_model(figures["overall"]),
        "models": params,
        **figures,
        "timings": {k: round(v, 3) for k, v in timings.items()},
    }


def best_purchase_model(overall: dict[str, Any]) -> str | None:
    """The purchase model (BG/NBD or Pareto/NBD) with the lower per-customer mean absolute
    error of purchases in the horizon; BG/NBD on a tie or when only it is available."""
    maes = {
        name: overall["purchases"][name]["mae"]
        for name in ("bgnbd", "paretonbd")
        if overall["purchases"].get(name, {}).get("mae") is not None
    }
    if not maes:
        return None
    return min(maes, key=lambda k: (maes[k], k != "bgnbd"))
