"""Satisfaction improvement measures: one per strong driver and region, and whether the NPS
of the customers it hit moved after it.

A measure is planned on the drivers' date for the customers of one sales region whose survey
responses carried the driver; its owner is the region's lead (`planning.owners`), else the
rep holding most of those customers. The effect compares those customers' NPS in the
`follow_days` before the measure with the `follow_days` after it (up to `as_of`): the
difference with a normal interval from the two NPS standard errors.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from kehu.analytics.intervals import z_of
from kehu.analytics.satisfaction import (
    driver_label,
    nps_of,
    responses,
    satisfaction_drivers,
)
from kehu.datafiles import read_toml
from kehu.errors import KehuError, NotFoundError
from kehu.i18n import catalog, normalize_lang
from kehu.planning.owners import load_team

if TYPE_CHECKING:
    from kehu.workspace import Workspace

STATUSES = ("open", "done", "cancelled")
MEASURE_COLUMNS = (
    "measure_id", "driver", "region", "owner", "planned_on", "due_date", "status", "action_zh",
    "action_en", "customers", "difference", "p_adjusted", "planned_by",
)  # fmt: skip


def measure_texts() -> dict[str, dict[str, str]]:
    """kind -> {"zh", "en"} templates (data/satisfaction.toml)."""
    return read_toml("satisfaction.toml")


def _action(ws: Workspace, driver: dict[str, Any], n: int) -> tuple[str, str]:
    kind = driver["kind"]
    kpi = ws.settings.kpi
    hours = kpi.sla_resolution_hours if kind == "sla_resolution" else kpi.sla_response_hours
    text = measure_texts()[kind]
    fields = {"detail": driver["detail"] or "", "hours": f"{hours:g}", "n": n}
    return text["zh"].format(**fields), text["en"].format(**fields)


def plan_measures(ws: Workspace, as_of: date | None = None, actor: str = "") -> list[dict]:
    """Store a measure per strong driver and region with no open measure yet; the new ones."""
    view = satisfaction_drivers(ws, as_of)
    day: date = view["as_of"]
    rows = responses(ws, day)
    team = load_team(ws, ws.settings.plan)
    sql = "SELECT driver, coalesce(region, '') FROM satisfaction_measures WHERE status = 'open'"
    open_now = {(d, r) for d, r in ws.rows(sql)}
    next_id = int(ws.scalar("SELECT coalesce(max(measure_id), 0) FROM satisfaction_measures"))
    due = day + timedelta(days=ws.settings.satisfaction.due_days)
    made = []
    for driver in (d for d in view["drivers"] if d["strong"]):
        hit = [r for r in rows if driver["driver"] in r["drivers"]]
        for region in sorted({r["region"] or "" for r in hit}):
            if (driver["driver"], region) in open_now:
                continue
            mine = [r for r in hit if (r["region"] or "") == region]
            customers = sorted({r["customer_id"] for r in mine})
            reps = Counter(r["owner"] for r in mine if r["owner"])
            owner = team.region_leads.get(region) or (reps.most_common(1)[0][0] if reps else None)
            zh, en = _action(ws, driver, len(customers))
            next_id += 1
            made.append({
                "measure_id": next_id, "driver": driver["driver"], "region": region or None,
                "owner": owner, "planned_on": day, "due_date": due, "status": "open",
                "action_zh": zh, "action_en": en, "customers": json.dumps(customers),
                "difference": driver["difference"], "p_adjusted": driver["p_adjusted"],
                "planned_by": actor or None,
            })  # fmt: skip
    if made:
        with ws.transaction() as cur:
            cols = ", ".join(MEASURE_COLUMNS)
            marks = ", ".join("?" * len(MEASURE_COLUMNS))
            cur.executemany(
                f"INSERT INTO satisfaction_measures ({cols}, created_at, updated_at)"
                f" VALUES ({marks}, now(), now())",
                [[m[c] for c in MEASURE_COLUMNS] for m in made],
            )
    return made


def list_measures(ws: Workspace, status: str | None = None) -> list[dict[str, Any]]:
    """Stored measures, newest first (`customers` as a list)."""
    if status is not None and status not in STATUSES:
        raise KehuError(
            f"措施状态 {status!r} 无效:可选 open、done、cancelled",
            f"unknown measure status {status!r}: use open, done or cancelled",
        )
    cur = ws.read(
        f"SELECT {', '.join(MEASURE_COLUMNS)} FROM satisfaction_measures"
        " WHERE ? IS NULL OR status = ? ORDER BY planned_on DESC, measure_id DESC",
        [status, status],
    )
    names = [d[0] for d in cur.description]
    out = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    for m in out:
        m["customers"] = json.loads(m["customers"] or "[]")
    return out


def close_measure(ws: Workspace, measure_id: int, status: str = "done") -> None:
    if status not in ("done", "cancelled"):
        raise KehuError(
            f"状态应为 done 或 cancelled:{status}", f"status must be done or cancelled: {status}"
        )
    if not ws.scalar("SELECT 1 FROM satisfaction_measures WHERE measure_id = ?", [measure_id]):
        raise NotFoundError(f"找不到措施 {measure_id}", f"measure {measure_id} not found")
    with ws.transaction() as cur:
        cur.execute(
            "UPDATE satisfaction_measures SET status = ?, updated_at = ? WHERE measure_id = ?",
            [status, datetime.now(), measure_id],
        )


def measure_effect(ws: Workspace, measure: dict[str, Any], as_of: date) -> dict[str, Any]:
    """NPS of the measure's customers before vs after its date, with the difference's
    interval; `moved` is up | down | unclear | no_data."""
    sat, kpi = ws.settings.satisfaction, ws.settings.kpi
    start: date = measure["planned_on"]
    who = set(measure["customers"])
    rows = [r for r in responses(ws, as_of) if r["customer_id"] in who]
    lo, hi = start - timedelta(days=sat.follow_days), start + timedelta(days=sat.follow_days)
    before = nps_of([r for r in rows if lo <= r["surveyed_on"] < start], kpi.nps_promoter,
                    kpi.nps_detractor)  # fmt: skip
    after = nps_of([r for r in rows if start < r["surveyed_on"] <= hi], kpi.nps_promoter,
                   kpi.nps_detractor)  # fmt: skip
    out: dict[str, Any] = {"before": before, "after": after, "difference": None, "low": None,
                           "high": None, "moved": "no_data"}  # fmt: skip
    if before["n"] and after["n"]:
        diff = after["nps"] - before["nps"]
        half = z_of(sat.confidence) * math.hypot(before["se"], after["se"])
        moved = "up" if diff - half > 0 else "down" if diff + half < 0 else "unclear"
        out.update(difference=diff, low=diff - half, high=diff + half, moved=moved)
    return out


MOVED = catalog("satisfaction", "moved")


def satisfaction_view(ws: Workspace, as_of: date | None = None, lang: str = "zh") -> dict:
    """Drivers, and every measure with its action in `lang` and its effect up to the date."""
    view = satisfaction_drivers(ws, as_of, lang)
    en = normalize_lang(lang) == "en"
    visible = {r[0] for r in ws.rows("SELECT customer_id FROM customers")}  # the scope's
    measures = []
    for m in list_measures(ws):
        m["customers"] = [c for c in m["customers"] if c in visible]
        if not m["customers"]:
            continue
        effect = measure_effect(ws, m, view["as_of"])
        measures.append({
            **m, "action": m["action_en"] if en else m["action_zh"],
            "driver_label": driver_label(ws, m["driver"], lang),
            "effect": effect, "moved_label": MOVED(effect["moved"], lang),
            "effect_text": effect_text(effect, MOVED(effect["moved"], lang)),
        })  # fmt: skip
    return {**view, "measures": measures}


def _signed(value: float | None) -> str:
    return "—" if value is None else f"{value:+.0f}"


def effect_text(effect: dict[str, Any], moved: str) -> str:
    """ "-100 → +50: clearly up (+150 [+81, +219])" — the NPS before and after a measure."""
    text = f"{_signed(effect['before']['nps'])} → {_signed(effect['after']['nps'])}: {moved}"
    if effect["difference"] is not None:
        text += f" ({_signed(effect['difference'])} [{_signed(effect['low'])}, "
        text += f"{_signed(effect['high'])}])"
    return text
