"""Satisfaction drivers: which service, SLA and payment events go with detractors.

The unit is a survey response (NPS 0-10, else CSAT 1-5) on or before `as_of`. A response is a
detractor when its NPS is at most `[kpi] nps_detractor` (else its CSAT at most
`[satisfaction] csat_detractor`). A driver is an event of the responding customer in the
`window_days` before the survey: a ticket of a category, a ticket answered after
`[kpi] sla_response_hours` or resolved after `[kpi] sla_resolution_hours`, an order paid after
its due date. Per driver: the detractor rate of responses with it and without it, their
difference with Newcombe's hybrid score interval, Fisher's exact p and the Holm-adjusted p
over every driver shown. Only drivers with `min_support` responses on both sides are shown; a
driver is strong when its interval lies above zero and its adjusted p is below `alpha`.
"""

from __future__ import annotations

import math
from datetime import date
from typing import TYPE_CHECKING, Any

from scipy.stats import fisher_exact

from kehu.analytics.intervals import newcombe
from kehu.analytics.query import latest_as_of
from kehu.i18n import catalog

if TYPE_CHECKING:
    from kehu.workspace import Workspace

KINDS = ("category", "sla_response", "sla_resolution", "late_payment")
DRIVER_NAMES = catalog("satisfaction", "drivers")


def holm(ps: list[float]) -> list[float]:
    """Holm's step-down adjusted p-values, in the input order."""
    order = sorted(range(len(ps)), key=lambda i: ps[i])
    out = [0.0] * len(ps)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (len(ps) - rank) * ps[i]))
        out[i] = running
    return out


_RESPONSES = """
SELECT s.source || '/' || s.survey_id AS rid, s.customer_id, s.surveyed_on, s.nps, s.csat,
       c.region, c.owner
FROM surveys s JOIN customers c ON c.customer_id = s.customer_id
WHERE s.surveyed_on <= ? AND (s.nps IS NOT NULL OR s.csat IS NOT NULL)
"""

# (rid, kind, detail) for every driver event in the window before each response; the
# survey's day counts up to its end (a ticket opened that morning is before the answer)
_EVENTS = """
WITH r AS (
  SELECT s.source || '/' || s.survey_id AS rid, s.customer_id, s.surveyed_on,
         CAST(s.surveyed_on AS TIMESTAMP) + INTERVAL 1 DAY AS day_end
  FROM surveys s WHERE s.surveyed_on <= $as_of AND (s.nps IS NOT NULL OR s.csat IS NOT NULL)
), t AS (
  SELECT r.rid, t.category, t.opened_at, t.first_response_at, t.resolved_at, r.day_end
  FROM r JOIN tickets t ON t.customer_id = r.customer_id
   AND t.opened_at >= CAST(r.surveyed_on - $window AS TIMESTAMP) AND t.opened_at < r.day_end
)
SELECT rid, 'category' AS kind, category AS detail FROM t WHERE coalesce(category, '') <> ''
UNION ALL
SELECT rid, 'sla_response', NULL FROM t
WHERE date_diff('second', opened_at, least(coalesce(first_response_at, day_end), day_end))
      > $response * 3600
UNION ALL
SELECT rid, 'sla_resolution', NULL FROM t
WHERE date_diff('second', opened_at, least(coalesce(resolved_at, day_end), day_end))
      > $resolution * 3600
UNION ALL
SELECT r.rid, 'late_payment', NULL FROM r JOIN orders o ON o.customer_id = r.customer_id
WHERE o.due_date > r.surveyed_on - $window AND o.due_date < r.surveyed_on
  AND (o.paid_date > o.due_date
       OR (o.paid_date IS NULL AND o.paid_amount IS NOT NULL AND o.paid_amount < o.amount))
"""


def is_detractor(nps: int | None, csat: int | None, nps_max: int, csat_max: int) -> bool:
    return nps <= nps_max if nps is not None else csat is not None and csat <= csat_max


def driver_code(kind: str, detail: str | None) -> str:
    return f"category:{detail}" if kind == "category" else kind


def driver_label(ws: Workspace, code: str, lang: str = "zh") -> str:
    """What a user sees for a driver code ("category:投诉" -> 工单类别:投诉)."""
    kind, _, detail = code.partition(":")
    kpi = ws.settings.kpi
    hours = kpi.sla_resolution_hours if kind == "sla_resolution" else kpi.sla_response_hours
    return DRIVER_NAMES(kind, lang, detail=detail, hours=f"{hours:g}")


def responses(ws: Workspace, as_of: date) -> list[dict[str, Any]]:
    """Every response up to `as_of` with its detractor flag and the set of its drivers."""
    kpi, sat = ws.settings.kpi, ws.settings.satisfaction
    rows = ws.arrow(_RESPONSES, [as_of]).to_pylist()
    events = ws.read(
        _EVENTS,
        {
            "as_of": as_of,
            "window": sat.window_days,
            "response": kpi.sla_response_hours,
            "resolution": kpi.sla_resolution_hours,
        },
    ).fetchall()
    drivers: dict[str, set[str]] = {}
    for rid, kind, detail in events:
        drivers.setdefault(rid, set()).add(driver_code(kind, detail))
    for r in rows:
        r["detractor"] = is_detractor(r["nps"], r["csat"], kpi.nps_detractor, sat.csat_detractor)
        r["drivers"] = drivers.get(r["rid"], set())
    rows.sort(key=lambda r: r["rid"])
    return rows


def nps_of(rows: list[dict[str, Any]], promoter: int, detractor: int) -> dict[str, Any]:
    """NPS (-100..100) of the rows with an NPS answer, with its standard error."""
    scores = [r["nps"] for r in rows if r["nps"] is not None]
    n = len(scores)
    if n == 0:
        return {"n": 0, "nps": None, "se": None}
    pro = sum(s >= promoter for s in scores) / n
    det = sum(s <= detractor for s in scores) / n
    mean = pro - det
    return {"n": n, "nps": 100 * mean, "se": 100 * math.sqrt(max(pro + det - mean**2, 0) / n)}


def driver_table(
    rows: list[dict[str, Any]], min_support: int, alpha: float, confidence: float
) -> list[dict[str, Any]]:
    """One row per driver with enough support on both sides, strongest difference first."""
    out = []
    for code in sorted(set().union(*(r["drivers"] for r in rows)) if rows else []):
        inside = [r for r in rows if code in r["drivers"]]
        outside = [r for r in rows if code not in r["drivers"]]
        n1, n0 = len(inside), len(outside)
        if n1 < min_support or n0 < min_support:
            continue
        x1 = sum(r["detractor"] for r in inside)
        x0 = sum(r["detractor"] for r in outside)
        diff, low, high = newcombe(x1, n1, x0, n0, confidence)
        odds, p = fisher_exact([[x1, n1 - x1], [x0, n0 - x0]])
        kind, _, detail = code.partition(":")
        out.append({
            "driver": code, "kind": kind, "detail": detail or None,
            "responses": n1, "detractors": x1, "rate": x1 / n1,
            "responses_without": n0, "detractors_without": x0, "rate_without": x0 / n0,
            "difference": diff, "low": low, "high": high,
            "odds_ratio": float(odds), "p": float(p),
            "customers": sorted({r["customer_id"] for r in inside if r["detractor"]}),
        })  # fmt: skip
    for row, adjusted in zip(out, holm([r["p"] for r in out]), strict=True):
        row["p_adjusted"] = adjusted
        row["strong"] = adjusted < alpha and row["low"] > 0
    out.sort(key=lambda r: (not r["strong"], -r["difference"], r["driver"]))
    return out


def satisfaction_drivers(
    ws: Workspace, as_of: date | None = None, lang: str = "zh"
) -> dict[str, Any]:
    """The responses' NPS and detractor rate, and the driver table (module docstring)."""
    day = as_of or latest_as_of(ws) or ws.scalar("SELECT max(surveyed_on) FROM surveys")
    day = day or date.today()
    kpi, sat = ws.settings.kpi, ws.settings.satisfaction
    rows = responses(ws, day)
    detractors = sum(r["detractor"] for r in rows)
    return {
        "as_of": day,
        "responses": len(rows),
        "customers": len({r["customer_id"] for r in rows}),
        "detractors": detractors,
        "detractor_rate": detractors / len(rows) if rows else None,
        "nps": nps_of(rows, kpi.nps_promoter, kpi.nps_detractor)["nps"],
        "window_days": sat.window_days,
        "min_support": sat.min_support,
        "confidence": sat.confidence,
        "alpha": sat.alpha,
        "drivers": [
            {**d, "label": driver_label(ws, d["driver"], lang)}
            for d in driver_table(rows, sat.min_support, sat.alpha, sat.confidence)
        ],
    }
