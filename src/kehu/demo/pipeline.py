"""The demo's sales pipeline: each deal's outcome drawn from known drivers, and its stage
history (13_crm_opportunity_stages), with the drivers and the future of the open deals in
truth.json["pipeline"].

Drawn from a generator of its own, so planting it never moves the other files' rows. A deal
wins with probability sigmoid(logit): a base, the customer's buying history (prospects never
win: they have no orders), the rep's skill, the industry section and the deal's size. Won deals
pass every open stage; lost ones drop out at some stage and stall longer in each, so a later
stage and a short time in it both mean a better chance, as in a real CRM.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from kehu.demo.columns import Cat, strings
from kehu.demo.events import OPEN_STAGES
from kehu.demo.names import INDUSTRIES
from kehu.demo.records import Records
from kehu.demo.world import PROSPECT, World

BASE = -0.2
HISTORY = 0.55  # per unit of log(orders per year): loyal buyers close more
SIZE = -0.45  # per unit of log(amount / the customer's usual order): big asks close less
REP_SD = 0.7  # spread of the reps' skill (logit)
INDUSTRY_SD = 0.45  # spread of the industry sections' effect (logit)
STAGE_DAYS = (10.0, 14.0, 18.0, 14.0)  # mean days a won deal spends in each open stage
STALL = 1.8  # lost deals stay this many times longer in each stage
LOST_AT = (0.35, 0.3, 0.2, 0.15)  # the last open stage a lost deal reached
WON, LOST = len(OPEN_STAGES), len(OPEN_STAGES) + 1
STAGE_NAMES = np.array([*OPEN_STAGES, "赢单", "输单"])


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def plant(rng: np.random.Generator, w: World, ev: dict[str, Any], rec: Records) -> dict[str, Any]:
    """Redraw the deals' outcomes, stages and close dates from the drivers (in `ev` and the
    opportunities frame), add the stage-history frame; returns the truth."""
    op = ev["opportunities"]
    ent, created, amount = op["ent"], op["day"], op["amount_yuan"].astype(float)
    n = len(ent)
    sections = sorted({i.section for i in INDUSTRIES})
    section_effect = dict(zip(sections, rng.normal(0, INDUSTRY_SD, len(sections)), strict=True))
    section_of = np.array([section_effect[i.section] for i in INDUSTRIES])
    rep_effect = rng.normal(0, REP_SD, len(w.reps.name))
    industry = w.industry[ent]
    logit = (
        BASE
        + HISTORY * np.log(np.maximum(w.lam[ent], 0.1))
        + SIZE * np.log(amount / np.maximum(w.aov[ent], 1.0))
        + rep_effect[w.owner[ent]]
        + np.where(industry >= 0, section_of[np.maximum(industry, 0)], 0.0)
    )
    p = np.where(w.state[ent] == PROSPECT, 0.0, sigmoid(logit))
    won = rng.random(n) < p
    last = np.where(won, len(OPEN_STAGES) - 1, _pick(rng, LOST_AT, n))
    means = np.array(STAGE_DAYS)[None, :] * np.where(won, 1.0, STALL)[:, None]
    days = np.maximum(1, np.round(rng.gamma(2.0, means / 2.0))).astype(np.int64)
    days[np.arange(4)[None, :] > last[:, None]] = 0  # stages never reached
    entered = created[:, None] + np.concatenate(
        [np.zeros((n, 1), np.int64), np.cumsum(days, axis=1)], axis=1
    )  # entered[:, k]: the day it entered open stage k; entered[:, 4]: the day it closed
    closed = entered[:, 4]
    is_open = closed > w.as_of
    # the stage a deal is in on the export day: the last one entered by then
    reached = (entered[:, :4] <= w.as_of) & (np.arange(4)[None, :] <= last[:, None])
    current = np.where(is_open, reached.sum(axis=1) - 1, np.where(won, WON, LOST))
    status = np.where(is_open, 0, np.where(won, 1, 2))
    op["status"] = Cat(status, np.array(["open", "won", "lost"]))
    op["stage"] = Cat(current, STAGE_NAMES)
    op["closed"] = np.where(is_open, -1, closed)
    rec.opportunities["status"] = op["status"]
    rec.opportunities["stage"] = op["stage"]
    rec.opportunities["closed_on"] = op["closed"]
    ids = strings(rec.opportunities["opportunity_id"])
    rec.opportunity_stages = _history(ids, entered, last, won, is_open, w.as_of)
    return _truth(w, ids, p, won, is_open, closed, amount, rep_effect, section_effect)


def _pick(rng: np.random.Generator, weights: tuple[float, ...], n: int) -> np.ndarray:
    return rng.choice(len(weights), size=n, p=np.array(weights) / sum(weights))


def _history(
    ids: np.ndarray,
    entered: np.ndarray,
    last: np.ndarray,
    won: np.ndarray,
    is_open: np.ndarray,
    as_of: int,
) -> dict[str, Any]:
    """One row per stage entered by the export day, in deal and date order."""
    n = len(ids)
    stage = np.broadcast_to(np.arange(5), (n, 5)).copy()
    stage[:, 4] = np.where(won, WON, LOST)
    reached = np.arange(5)[None, :] <= last[:, None]
    reached[:, 4] = ~is_open
    reached &= entered <= as_of
    rows, cols = np.nonzero(reached)
    return {
        "opportunity_id": ids[rows],
        "stage": Cat(stage[rows, cols].astype(np.int32), STAGE_NAMES),
        "entered_on": entered[rows, cols],
    }


def _truth(
    w: World,
    ids: np.ndarray,
    p: np.ndarray,
    won: np.ndarray,
    is_open: np.ndarray,
    closed: np.ndarray,
    amount: np.ndarray,
    rep_effect: np.ndarray,
    section_effect: dict[str, float],
) -> dict[str, Any]:
    """The drivers, and what becomes of the deals still open on the export day."""
    day = np.datetime64("1970-01-01") + closed.astype("timedelta64[D]")
    return {
        "drivers": {"base": BASE, "history": HISTORY, "size": SIZE},
        "rep_effect": {
            str(name): round(float(x), 4) for name, x in zip(w.reps.name, rep_effect, strict=True)
        },
        "industry_effect": {k: round(float(v), 4) for k, v in section_effect.items()},
        "closed_win_rate": round(float(won[~is_open].mean()), 4) if (~is_open).any() else None,
        "open": {
            str(ids[i]): {
                "won": bool(won[i]),
                "closed_on": str(day[i]),
                "amount": float(amount[i]),
                "p_planted": round(float(p[i]), 4),
            }
            for i in np.flatnonzero(is_open)
        },
    }
