"""KPIs for the web: `Kehu.kpis`, limited to the caller's scope.

Admins get any grouping. A manager's figures are the sum over their regions' groups
(numerators and denominators added, then divided), a rep's over their owner names; so a
rate is the rate of the scope's customers, not an average of rates. Results are cached and
invalidated on writes; `warm()` precomputes the dashboard's KPIs at start-up.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from kehu.errors import AccessDenied
from kehu.web.services.common import plain

if TYPE_CHECKING:
    from kehu.access.scope import Scope
    from kehu.web.services.state import WebState

CARD_KPIS = ("revenue", "new_customers", "active_customers", "nps")


def kpis(
    state: WebState,
    scope: Scope,
    period: str = "month",
    by: str | None = None,
    kpi_codes: tuple[str, ...] | None = None,
) -> list[dict[str, Any]]:
    """KPI rows (kpi, period, value, previous, change, change_pct, unit ...) for the scope."""

    group_by, members = scope.customer_filter() or (None, ())
    if group_by is not None and by not in (None, group_by):
        raise AccessDenied(
            f"您的角色只能按 {group_by} 查看指标", f"your role can group KPIs by {group_by} only"
        )
    key = ("kpis", scope.key, period, by, kpi_codes, state.generation("customers"))

    def compute() -> list[dict[str, Any]]:
        if group_by is None:
            return raw(state, period, by, kpi_codes)
        rows = [r for r in raw(state, period, group_by, kpi_codes) if r["group"] in members]
        if by is None:
            rows = _combine(rows)
        return rows

    return state.cached("activity", key, compute)


def raw(
    state: WebState, period: str, by: str | None, kpi_codes: tuple[str, ...] | None
) -> list[dict[str, Any]]:
    """`compute_kpis` for the whole workspace, cached: every manager's (or rep's) figures are
    cut from the one per-region (per-owner) computation."""

    def compute() -> list[dict[str, Any]]:
        rows = state.kehu.kpis(period, by, kpis=list(kpi_codes) if kpi_codes else None)
        return [{k: plain(v) for k, v in r.items()} for r in rows]

    key = ("kpi-raw", period, by, kpi_codes, state.generation("customers"))
    return state.cached("activity", key, compute)


def _combine(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Add up groups per (kpi, period): sums for plain values, ratio of sums for rates; the
    previous value the same way from each group's previous sums (period-to-date when partial).
    """
    from kehu.app import get_kpi, set_change

    acc: dict[tuple[str, str], dict[str, Any]] = {}
    sums: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    fields = ("value", "previous", "numerator", "denominator", "previous_numerator",
              "previous_denominator")  # fmt: skip
    for r in rows:
        k = (r["kpi"], r["period"])
        acc.setdefault(k, {**r, "group": None, "by": None})
        s = sums[k]
        for field in fields:
            if r.get(field) is not None:
                s[field] += float(r[field])
                s[field + "_n"] += 1

    def total(s: dict[str, float], field: str) -> float | None:
        return s.get(field) if s.get(field + "_n") else None

    out: list[dict[str, Any]] = []
    for k, row in acc.items():
        s, kpi = sums[k], get_kpi(row["kpi"])
        for field in fields[2:]:
            row[field] = total(s, field)
        if kpi.den is None:
            row["value"], previous = total(s, "value"), total(s, "previous")
        else:
            num, den = row["numerator"] or 0.0, row["denominator"]
            row["value"] = num / den * kpi.scale if den else None
            p_num, p_den = row["previous_numerator"] or 0.0, row["previous_denominator"]
            previous = p_num / p_den * kpi.scale if p_den else None
        set_change(row, previous)
        out.append(row)
    return out


def kpi_cards(state: WebState, scope: Scope, lang: str) -> list[dict[str, Any]]:
    """The latest period of the headline KPIs, formatted, with the trend vs the previous."""
    from kehu.app import format_value, get_kpi

    rows = kpis(state, scope, "month", None, CARD_KPIS)
    latest: dict[str, dict[str, Any]] = {}
    series: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        latest[row["kpi"]] = row
        series[row["kpi"]].append({"period": row["period"], "value": row["value"]})
    cards = []
    for code in CARD_KPIS:
        r = latest.get(code)
        if r is None or r["value"] is None:
            continue  # no data for this KPI (e.g. no surveys for NPS): no card
        kpi = get_kpi(code)
        change = r.get("change")
        direction = None if not change else ("up" if change > 0 else "down")
        pct = r.get("change_pct")
        if kpi.unit == "ratio" and change is not None:
            pct = None  # rates show the change in points below
        cards.append(
            {
                "code": code,
                "label": kpi.label(lang),
                "value": r["value"],
                "text": format_value(r["value"], kpi.unit, lang),
                "period": r["period"],
                "previous": r.get("previous"),
                "change": pct,
                "points": change * 100 if kpi.unit == "ratio" and change is not None else None,
                "direction": direction,
                "good": None if direction is None else (direction == "up") == kpi.higher_is_better,
                "series": series[code],
                "partial": bool(r.get("partial")),
                "days": r.get("days"),
                "period_days": r.get("period_days"),
            }
        )
    return cards
