"""The deals open on a day, with what was known about them then: stage and days in it, age,
amount, the customer's orders and past deals, the owner's record, the industry section, the
days left in the period (trees split on ranks, so amounts stay in yuan); and, for a past day,
whether the deal was won by the period's end."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kehu.analytics.forecast.data import Pipeline, stage_index
from kehu.calendar import Grain, Period

FEATURES = (
    "stage",
    "days_in_stage",
    "age",
    "amount",
    "days_left",
    "quarter_left",
    "customer_orders",
    "customer_revenue",
    "customer_won",
    "customer_lost",
    "owner_win_rate",
    "owner_closed",
    "section",
)
PRIOR_WEIGHT = 5.0  # an owner's win rate is shrunk toward the base rate by this many deals


def open_on(p: Pipeline, day: pd.Timestamp) -> pd.DataFrame:
    """The deals open at the end of `day` (created by then, not closed by then)."""
    d = p.deals
    alive = (d["created_on"] <= day) & (d["closed_on"].isna() | (d["closed_on"] > day))
    return d[alive]


def _stage_on(p: Pipeline, deals: pd.DataFrame, day: pd.Timestamp) -> tuple[pd.Series, pd.Series]:
    """Each deal's last stage entered by `day` and when; a deal without history is in its
    stored stage since creation if it is still open, else unknown."""
    h = p.stages
    rows = np.flatnonzero((h["entered_on"] <= day).to_numpy())
    last = np.full(len(p.deals), -1)
    np.maximum.at(last, h["deal_i"].to_numpy()[rows], rows)  # history is in date order
    at = last[deals["deal_i"].to_numpy()]
    known = at >= 0
    if len(h):
        names, days = h["stage"].to_numpy(object)[at], h["entered_on"].to_numpy()[at]
    else:  # no stage history imported
        names, days = np.full(len(at), None), np.full(len(at), np.datetime64("NaT", "ns"))
    stage = pd.Series(np.where(known, names, None), index=deals.index)
    entered = pd.Series(days, index=deals.index).where(known)
    bare = ~known & (deals["status"] == "open").to_numpy()
    stage = stage.where(~bare, deals["stage"])
    entered = entered.where(~bare, deals["created_on"])
    return stage, entered


def _count(codes: np.ndarray, size: int, weights: np.ndarray | None = None) -> np.ndarray:
    return np.bincount(codes, weights=weights, minlength=size).astype(float)


def _history(p: Pipeline, deals: pd.DataFrame, day: pd.Timestamp) -> dict[str, np.ndarray]:
    """The customer's orders in the 12 months up to `day` and its deals closed before it;
    the owner's closed deals and smoothed win rate before it."""
    since = pd.Timestamp(Period.containing(day.date(), "month").shift(-11).start)
    o = p.orders
    m = ((o["month"] >= since) & (o["month"] <= day)).to_numpy()
    customers = max(p.customers, 1)
    cust_o = o["cust_i"].to_numpy()[m]
    n_orders = _count(cust_o, customers, o["orders"].to_numpy(float)[m])
    revenue = _count(cust_o, customers, o["revenue"].to_numpy(float)[m])
    d = p.deals
    done = (d["closed_on"] <= day).to_numpy()
    won = done & (d["status"] == "won").to_numpy()
    cust_d, owner_d = d["cust_i"].to_numpy(), d["owner_i"].to_numpy()
    owners = max(p.owners, 1)
    base = float(won.sum() / done.sum()) if done.any() else 0.5
    owner_n = _count(owner_d[done], owners)
    owner_w = _count(owner_d[won], owners)
    c, r = deals["cust_i"].to_numpy(), deals["owner_i"].to_numpy()
    return {
        "customer_orders": n_orders[c],
        "customer_revenue": revenue[c],
        "customer_won": _count(cust_d[won], customers)[c],
        "customer_lost": _count(cust_d[done & ~won], customers)[c],
        "owner_win_rate": (owner_w[r] + PRIOR_WEIGHT * base) / (owner_n[r] + PRIOR_WEIGHT),
        "owner_closed": owner_n[r],
    }


def snapshot(p: Pipeline, day: pd.Timestamp, grain: Grain) -> pd.DataFrame:
    """The deals open on `day` with their features; `won` (by the end of the period holding
    `day`) is filled where the deals' outcomes are known."""
    deals = open_on(p, day)
    end = pd.Timestamp(Period.containing(day.date(), grain).end)
    stage, entered = _stage_on(p, deals, day)
    won = (deals["status"] == "won") & (deals["closed_on"] <= end)
    out = pd.DataFrame(
        {
            "deal": deals["deal"],
            "customer_id": deals["customer_id"],
            "customer_name": deals["customer_name"].fillna(""),
            "owner": deals["owner"],
            "region": deals["region"],
            "stage_name": stage,
            "stage": stage_index(stage, p.stage_order),
            "days_in_stage": (day - entered).dt.days.astype(float),
            "age": (day - deals["created_on"]).dt.days.astype(float),
            "amount": deals["amount"].fillna(0.0),
            "days_left": float((end - day).days),
            # B2B deals bunch at quarter ends (the sales push), whatever period is forecast
            "quarter_left": float(
                (pd.Timestamp(Period.containing(day.date(), "quarter").end) - day).days
            ),
            "section": deals["section"].fillna(""),
            **_history(p, deals, day),
            "won": won.astype(float),
            "as_of": day,
            "period_end": end,
        },
        index=deals.index,
    )
    return out.reset_index(drop=True)


def training_days(first: pd.Timestamp, until: pd.Timestamp, grain: Grain) -> list[pd.Timestamp]:
    """Weekly days from `first` whose period ended by `until`, so every label is known."""
    days = pd.date_range(first, until, freq="7D")
    return [d for d in days if pd.Timestamp(Period.containing(d.date(), grain).end) <= until]


def samples(p: Pipeline, until: pd.Timestamp, grain: Grain) -> pd.DataFrame:
    """Every (week, open deal) pair whose outcome by its period's end was known on `until`."""
    first = p.deals["created_on"].min()
    if pd.isna(first):
        return pd.DataFrame(columns=[*FEATURES, "won"])
    frames = []
    for d in training_days(first, until, grain):
        if (d, grain) not in p.cache:  # a day's snapshot does not depend on `until`
            p.cache[d, grain] = snapshot(p, d, grain)
        frames.append(p.cache[d, grain])
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=[*FEATURES])
