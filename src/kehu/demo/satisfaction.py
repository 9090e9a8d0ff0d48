"""Planted satisfaction drivers: a survey answered after a late ticket or a complaint scores
lower, by fixed amounts recorded in truth.json, so `kehu satisfaction` has something known to
recover — and a category with no effect (建议) that it must not report."""

from __future__ import annotations

from typing import Any

import numpy as np

from kehu.demo.events import TICKET_CATS, Arrays

WINDOW_DAYS = 90  # = the default [satisfaction] window_days
EFFECTS = {"sla_response": 3, "category:投诉": 2}  # NPS points taken off, each
NO_EFFECT = ("category:建议",)
_SPAN = 1 << 24  # > any day number: entity * _SPAN + day orders by entity, then day


def _any_before(ent: np.ndarray, day: np.ndarray, ev_ent: np.ndarray, ev_day: np.ndarray) -> Any:
    """For each survey (ent, day): is there an event of the same entity in the window?"""
    keys = np.sort(ev_ent.astype(np.int64) * _SPAN + ev_day)
    base = ent.astype(np.int64) * _SPAN
    lo = np.searchsorted(keys, base + day - WINDOW_DAYS, side="left")
    hi = np.searchsorted(keys, base + day, side="right")
    return hi > lo


def plant_satisfaction(ev: dict[str, Arrays], sla_minutes: int) -> dict[str, Any]:
    """Lower the planted surveys' NPS (and CSAT with it) in `ev`; the truth to record."""
    tk, sv = ev["tickets"], ev["surveys"]
    opened, first = tk["opened"], tk["first_response"]
    t_day = opened // 1440
    late = (first < 0) | (first - opened > sla_minutes)
    complaint = tk["category"].codes == TICKET_CATS.index("投诉")
    hit_late = _any_before(sv["ent"], sv["day"], tk["ent"][late], t_day[late])
    hit_complaint = _any_before(sv["ent"], sv["day"], tk["ent"][complaint], t_day[complaint])
    drop = EFFECTS["sla_response"] * hit_late + EFFECTS["category:投诉"] * hit_complaint
    nps = np.clip(sv["nps"] - drop, 0, 10)
    sv["csat"] = np.clip(sv["csat"] - np.round(0.4 * (sv["nps"] - nps)), 1, 5).astype(np.int64)
    sv["nps"] = nps.astype(np.int64)
    return {
        "window_days": WINDOW_DAYS,
        "nps_drop": EFFECTS,
        "no_effect": list(NO_EFFECT),
        "surveys_hit": {
            "sla_response": int(hit_late.sum()),
            "category:投诉": int(hit_complaint.sum()),
        },
    }
