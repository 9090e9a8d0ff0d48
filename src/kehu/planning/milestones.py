"""Milestones per goal (seed 000 阶段性目标拆解…共享甘特图): quarters, each broken into months.

A goal's window (start date → deadline) is cut at calendar quarters, and each quarter at its
months (a milestone is the part of the period inside the window). A milestone's `expected` is
where the goal's straight line stands on its last day — the line `kehu goals progress` draws:
for an additive KPI (revenue, new customers) the target × elapsed days ÷ window days; for a
level KPI with a baseline, baseline + (target − baseline) × elapsed share; without a baseline
only the last milestone has one (the target). `actual` is the goal's progress on the last
period ending inside the milestone (the cumulative figure for additive KPIs). Status: `met` or
`missed` once the milestone is over (`no_data` without an actual), `current` while it runs,
`planned` before.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from kehu.analytics.kpis import get_kpi
from kehu.calendar import period_range
from kehu.charts import Chart

STATUSES = ("met", "missed", "current", "planned", "no_data")


def _day(value: Any) -> date:
    """A date, also from the ISO text of a JSON-ified goal row."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _expected(goal: dict[str, Any], additive: bool, end: date) -> float | None:
    start, deadline, target = (
        _day(goal["start_date"]),
        _day(goal["deadline"]),
        float(goal["target"]),
    )
    share = ((end - start).days + 1) / ((deadline - start).days + 1)
    if additive:
        return round(target * share, 2)
    if goal.get("baseline") is not None:
        base = float(goal["baseline"])
        return round(base + (target - base) * share, 4)
    return target if end >= deadline else None


def _actual(periods: list[dict[str, Any]], additive: bool, start: date, end: date) -> Any:
    inside = [p for p in periods if start <= _day(p["end"]) <= end]
    if not inside:
        return None
    last = inside[-1]
    return last["cumulative"] if additive else last["actual"]


def _status(expected: Any, actual: Any, higher: bool, start: date, end: date, today: date) -> str:
    if today < start:
        return "planned"
    if today < end:
        return "current"
    if actual is None or expected is None:
        return "no_data"
    return "met" if (actual >= expected if higher else actual <= expected) else "missed"


def milestones(goal: dict[str, Any], as_of: date) -> list[dict[str, Any]]:
    """The goal's quarter milestones, each followed by its month milestones.

    `goal` is a row of `goals.progress` (with its `periods`)."""
    kpi = get_kpi(goal["metric"])
    periods = goal.get("periods") or []
    out = []
    first, last = _day(goal["start_date"]), _day(goal["deadline"])
    for level_period in period_range(first, last, "quarter"):
        for level, p in (("quarter", level_period), *(
            ("month", m) for m in level_period.month_periods()
        )):  # fmt: skip
            start, end = max(p.start, first), min(p.end, last)
            if start > end:
                continue
            expected = _expected(goal, kpi.additive, end)
            actual = _actual(periods, kpi.additive, start, end)
            out.append(
                {
                    "goal_id": goal["goal_id"],
                    "level": level,
                    "period": p.label,
                    "start": start,
                    "end": end,
                    "expected": expected,
                    "actual": actual,
                    "unit": kpi.unit,
                    "status": _status(expected, actual, kpi.higher_is_better, start, end, as_of),
                }
            )
    return out


def timeline(goals: list[dict[str, Any]], title: str = "") -> Chart:
    """The Gantt-style timeline: one bar per goal's quarter milestone, coloured by status.

    Each goal carries `title` and `milestones` (from `milestones`)."""
    rows, spans = [], []
    for g in goals:
        for m in g["milestones"]:
            if m["level"] != "quarter":
                continue
            rows.append(f"{g['title'][:24]} · {m['period']}")
            after = _day(m["end"]).toordinal() + 1
            spans.append((str(m["start"])[:10], date.fromordinal(after).isoformat(), m["status"]))
    return Chart("timeline", title, kind="gantt", categories=rows, spans=spans)
