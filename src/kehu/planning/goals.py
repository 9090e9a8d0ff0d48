"""SMART goals on KPIs: a metric, a target, a deadline, an owner and an optional scope.

Targets: `200` (absolute), `85%` (absolute rate), `+10%` / `-5%` (relative to the baseline),
`+5pp` (percentage points on a rate), `+30` (a delta in the metric's unit). The baseline is
the metric before the goal starts: for additive metrics (revenue, new customers) the sum over
a window as long as the goal's just before it; otherwise the value of the period before.

Progress (documented in docs/planning.md) is measured per period of the goal's grain:
- additive metrics accumulate from the start; projected = cumulative x total days / elapsed
  days (a straight line through the origin);
- other metrics use the value of each period; projected = the least-squares line through
  the baseline and the period values, read at the deadline's period.
Status: pending (not started), on_track (projected / target >= plan.goal_on_track, inverted
for lower-is-better metrics), at_risk, achieved (met at the deadline, or an additive metric
already past its target), missed (the deadline passed unmet), no_data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from kehu.analytics.kpis import BY_DIMENSIONS, Kpi, compute_kpis, format_value, get_kpi
from kehu.analytics.stored import data_end
from kehu.calendar import Grain, Period, check_grain, period_range
from kehu.errors import KehuError, NotFoundError
from kehu.i18n import tr

if TYPE_CHECKING:
    from kehu.workspace import Workspace

_REL = re.compile(r"^([+-])\s*(\d+(?:\.\d+)?)\s*%$")
_PP = re.compile(r"^([+-])\s*(\d+(?:\.\d+)?)\s*pp$", re.IGNORECASE)
_DELTA = re.compile(r"^([+-])\s*(\d+(?:\.\d+)?)$")
_PCT = re.compile(r"^(\d+(?:\.\d+)?)\s*%$")
_NUM = re.compile(r"^(\d+(?:\.\d+)?)\s*(万|亿)?$")


@dataclass(frozen=True)
class TargetSpec:
    kind: str  # absolute | relative | delta
    value: float

    def resolve(self, baseline: float | None) -> float:
        if self.kind == "absolute":
            return self.value
        if baseline is None:
            raise KehuError(
                "相对目标需要基线,但目标开始前没有该指标的数据;请改用绝对目标值",
                "a relative target needs a baseline, but the metric has no data before the "
                "start; give an absolute target instead",
            )
        if self.kind == "relative":
            return baseline * (1.0 + self.value)
        return baseline + self.value


def parse_target(text: str, kpi: Kpi) -> TargetSpec:
    """Read a target as typed (see the module docstring)."""
    s = str(text).strip().replace(",", "").replace(",", "")
    if m := _REL.match(s):
        return TargetSpec("relative", float(m[2]) / 100 * (1 if m[1] == "+" else -1))
    if m := _PP.match(s):
        if kpi.unit != "ratio":
            raise KehuError(
                f"pp(百分点)只适用于比率类指标,{kpi.code} 不是",
                f"pp (percentage points) only applies to rates; {kpi.code} is not one",
            )
        return TargetSpec("delta", float(m[2]) / 100 * (1 if m[1] == "+" else -1))
    if m := _DELTA.match(s):
        return TargetSpec("delta", float(m[2]) * (1 if m[1] == "+" else -1))
    if m := _PCT.match(s):
        scale = 100.0 if kpi.unit == "ratio" else 1.0
        return TargetSpec("absolute", float(m[1]) / scale)
    if m := _NUM.match(s):
        mult = {"万": 1e4, "亿": 1e8}.get(m[2] or "", 1.0)
        value = float(m[1]) * mult
        if kpi.unit == "ratio" and value > 1:
            raise KehuError(
                f"{kpi.code} 是比率:请写 0.85 或 85%",
                f"{kpi.code} is a rate: write 0.85 or 85%",
            )
        return TargetSpec("absolute", value)
    raise KehuError(
        f"无法识别的目标值 {text!r}:例如 200、85%、+10%、+5pp",
        f"cannot read the target {text!r}: e.g. 200, 85%, +10%, +5pp",
    )


def parse_scope(text: str | None) -> tuple[str | None, str | None]:
    """`region=华东` -> ("region", "华东")."""
    if not text:
        return None, None
    key, sep, value = text.partition("=")
    key, value = key.strip(), value.strip()
    if not sep or key not in BY_DIMENSIONS or not value:
        raise KehuError(
            f"范围 {text!r} 无效:写成 key=value,key 可选 {', '.join(BY_DIMENSIONS)}",
            f"bad scope {text!r}: write key=value with key one of {', '.join(BY_DIMENSIONS)}",
        )
    if key in ("rfm_type", "value_tier"):  # accept 高价值客户 / High value / high_value
        from kehu.analytics.labels import resolve

        value = resolve(key, value)
    return key, value


# ---- measuring ------------------------------------------------------------------------------


def _series(
    ws: Workspace, kpi: Kpi, grain: Grain, scope: tuple[str | None, str | None], a: date, b: date
) -> list[dict[str, Any]]:
    """Per-period values of the metric in [a, b] for the scope (missing groups -> 0 / None)."""
    key, value = scope
    rows = compute_kpis(ws, grain, key, a, b, kpis=[kpi.code])
    by_label = {r["period"]: r for r in rows if r["group"] == value}
    out = []
    for p in period_range(a, b, grain):
        r = by_label.get(p.label)
        v = r["value"] if r else (0.0 if kpi.den is None else None)
        out.append({"period": p.label, "start": max(p.start, a), "end": min(p.end, b), "value": v})
    return out


def baseline_value(
    ws: Workspace,
    kpi: Kpi,
    grain: Grain,
    scope: tuple[str | None, str | None],
    start: date,
    deadline: date,
) -> float | None:
    """The metric before the goal: additive -> sum over an equally long window before start;
    otherwise the value of the full period before the start's period."""
    if kpi.additive:
        length = (deadline - start).days + 1
        a, b = start - timedelta(days=length), start - timedelta(days=1)
        series = _series(ws, kpi, grain, scope, a, b)
        return float(sum(r["value"] or 0.0 for r in series))
    prev = Period.containing(start, grain).prev()
    series = _series(ws, kpi, grain, scope, prev.start, prev.end)
    return series[-1]["value"] if series else None


def _meets(value: float, target: float, higher: bool) -> bool:
    return value >= target if higher else value <= target


def _pace_ok(projected: float, target: float, higher: bool, ratio: float) -> bool:
    if higher:
        if target <= 0:
            return projected >= target
        return projected / target >= ratio
    if projected <= 0:
        return True
    return target / projected >= ratio


def _line_at(points: list[tuple[float, float]], x: float) -> float:
    """Least-squares line through points, evaluated at x (one point: that value)."""
    if len(points) == 1:
        return points[0][1]
    n = len(points)
    mx = sum(p[0] for p in points) / n
    my = sum(p[1] for p in points) / n
    sxx = sum((p[0] - mx) ** 2 for p in points)
    if sxx == 0:
        return my
    slope = sum((p[0] - mx) * (p[1] - my) for p in points) / sxx
    return my + slope * (x - mx)


def evaluate(
    goal: dict[str, Any], kpi: Kpi, series: list[dict[str, Any]], on_track: float
) -> list[dict[str, Any]]:
    """Progress rows (one per period in `series`) with cumulative, expected, projected, status."""
    start, deadline, target = goal["start_date"], goal["deadline"], goal["target"]
    higher = kpi.higher_is_better
    total_days = (deadline - start).days + 1
    grain = goal["grain"]
    deadline_x = len(period_range(start, deadline, grain)) - 1
    baseline = goal.get("baseline")
    points: list[tuple[float, float]] = [(-1.0, baseline)] if baseline is not None else []
    cumulative = 0.0
    out = []
    for x, r in enumerate(series):
        value = r["value"]
        closed = r["end"] >= deadline
        row = {**r, "actual": value, "cumulative": None, "expected": None, "projected": None}
        if kpi.additive:
            cumulative += value or 0.0
            elapsed = (r["end"] - start).days + 1
            row["cumulative"] = cumulative
            row["expected"] = target * elapsed / total_days
            row["projected"] = cumulative * total_days / elapsed
            measured = cumulative
        else:
            if value is not None:
                points.append((float(x), float(value)))
            if baseline is not None:
                row["expected"] = baseline + (target - baseline) * (x + 1) / (deadline_x + 1)
            row["projected"] = _line_at(points, float(deadline_x)) if points else None
            measured = value
        if closed:
            status = (
                "no_data"
                if measured is None
                else ("achieved" if _meets(measured, target, higher) else "missed")
            )
        elif kpi.additive and higher and measured >= target:
            status = "achieved"
        elif row["projected"] is None:
            status = "no_data"
        else:
            status = (
                "on_track" if _pace_ok(row["projected"], target, higher, on_track) else ("at_risk")
            )
        row["status"] = status
        out.append(row)
    return out


# ---- storage --------------------------------------------------------------------------------

_GOAL_COLUMNS = (
    "goal_id", "name", "metric", "scope_key", "scope_value", "target_spec", "baseline", "target",
    "start_date", "deadline", "grain", "owner", "status", "actual", "projected",
    "evaluated_as_of", "created_at",
)  # fmt: skip


def add_goal(
    ws: Workspace,
    metric: str,
    target: str | float,
    deadline: date,
    owner: str,
    *,
    scope: str | None = None,
    name: str | None = None,
    start: date | None = None,
    grain: str | None = None,
) -> dict[str, Any]:
    """Record a goal; relative targets are resolved against the baseline now."""
    kpi = get_kpi(metric)
    g = check_grain(grain or ws.settings.plan.goal_grain)
    scope_kv = parse_scope(scope)
    if start is None:
        start = Period.containing(min(data_end(ws), deadline), g).start
    if deadline < start:
        raise KehuError(
            f"截止日期 {deadline} 早于开始日期 {start}",
            f"the deadline {deadline} is before the start {start}",
        )
    if not owner:
        raise KehuError("目标需要负责人(--owner)", "a goal needs an owner (--owner)")
    spec = parse_target(str(target), kpi)
    baseline = baseline_value(ws, kpi, g, scope_kv, start, deadline)
    value = spec.resolve(baseline)
    now = datetime.now()
    with ws.transaction() as cur:
        (goal_id,) = cur.execute("SELECT coalesce(max(goal_id), 0) + 1 FROM goals").fetchone() or (
            1,
        )
        cur.execute(
            "INSERT INTO goals (goal_id, name, metric, scope_key, scope_value, target_spec,"
            " baseline, target, start_date, deadline, grain, owner, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [goal_id, name, metric, scope_kv[0], scope_kv[1], str(target), baseline, value,
             start, deadline, g, owner, now, now],
        )  # fmt: skip
    return get_goal(ws, goal_id)


def _rows(ws: Workspace, where: str = "", params: list[Any] | None = None) -> list[dict]:
    cur = ws.read(
        f"SELECT {', '.join(_GOAL_COLUMNS)} FROM goals {where} ORDER BY goal_id", params or []
    )
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def get_goal(ws: Workspace, goal_id: int) -> dict[str, Any]:
    rows = _rows(ws, "WHERE goal_id = ?", [goal_id])
    if not rows:
        raise NotFoundError(f"没有编号为 {goal_id} 的目标", f"no goal with id {goal_id}")
    return rows[0]


def list_goals(ws: Workspace, owner: str | None = None) -> list[dict[str, Any]]:
    """Goals as stored (status = the last evaluation)."""
    if owner:
        return _rows(ws, "WHERE owner = ?", [owner])
    return _rows(ws)


def remove_goal(ws: Workspace, goal_id: int) -> None:
    get_goal(ws, goal_id)
    with ws.transaction() as cur:
        cur.execute("DELETE FROM goal_progress WHERE goal_id = ?", [goal_id])
        cur.execute("DELETE FROM goals WHERE goal_id = ?", [goal_id])


def scope_text(key: str, value: str | None, lang: str) -> str:
    """A goal's scope for people: '客户类型:高价值客户', not 'rfm_type=high_value'."""
    from kehu.analytics.labels import label as code_label
    from kehu.planning.labels import DIMENSIONS, label

    shown = code_label(key, value, lang) if key in ("rfm_type", "value_tier") else value
    return f"{label(DIMENSIONS, key, lang)}{tr(lang, ':', ': ')}{shown}"


def goal_title(goal: dict[str, Any], lang: str) -> str:
    """The goal's name, or a generated one: 'New customers (region=华东) → 200 by 2027-03-31'."""
    if goal.get("name"):
        return goal["name"]
    kpi = get_kpi(goal["metric"])
    scope = (
        f"({scope_text(goal['scope_key'], goal['scope_value'], lang)})"
        if goal.get("scope_key")
        else ""
    )
    target = format_value(goal["target"], kpi.unit, lang)
    return tr(
        lang,
        f"{kpi.zh}{scope} 于 {goal['deadline']} 前达到 {target}",
        f"{kpi.en}{' ' + scope if scope else ''} reaches {target} by {goal['deadline']}",
    )


def progress(
    ws: Workspace, goal_id: int | None = None, as_of: date | None = None, *, save: bool = True
) -> list[dict[str, Any]]:
    """Evaluate goals at `as_of` (default: the data's last day); each with its period rows."""
    as_of = as_of or data_end(ws)
    goals = [get_goal(ws, goal_id)] if goal_id is not None else list_goals(ws)
    out = []
    for goal in goals:
        kpi = get_kpi(goal["metric"])
        end = min(as_of, goal["deadline"])
        if end < goal["start_date"]:
            periods: list[dict[str, Any]] = []
            status, actual, projected = "pending", None, None
        else:
            series = _series(
                ws,
                kpi,
                goal["grain"],
                (goal["scope_key"], goal["scope_value"]),
                goal["start_date"],
                end,
            )
            periods = evaluate(goal, kpi, series, ws.settings.plan.goal_on_track)
            last = periods[-1]
            status = last["status"]
            actual = last["cumulative"] if kpi.additive else last["actual"]
            projected = last["projected"]
        report = {**goal, "status": status, "actual": actual, "projected": projected,
                  "evaluated_as_of": as_of, "unit": kpi.unit, "periods": periods}  # fmt: skip
        out.append(report)
    if save and out:
        _save(ws, out, as_of)
    return out


def _save(ws: Workspace, reports: list[dict[str, Any]], as_of: date) -> None:
    now = datetime.now()
    with ws.transaction() as cur:
        for rep in reports:
            gid = rep["goal_id"]
            cur.execute(
                "UPDATE goals SET status = ?, actual = ?, projected = ?, evaluated_as_of = ?,"
                " updated_at = ? WHERE goal_id = ?",
                [rep["status"], rep["actual"], rep["projected"], as_of, now, gid],
            )
            cur.execute("DELETE FROM goal_progress WHERE goal_id = ?", [gid])
            for p in rep["periods"]:
                cur.execute(
                    "INSERT INTO goal_progress (goal_id, period, period_start, period_end, actual,"
                    " cumulative, expected, projected, status, as_of, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [gid, p["period"], p["start"], p["end"], p["actual"], p["cumulative"],
                     p["expected"], p["projected"], p["status"], as_of, now, now],
                )  # fmt: skip


def goals_status(ws: Workspace, as_of: date | None = None) -> list[dict[str, Any]]:
    """Every goal's current status (no write): what alerts and reports read."""
    rows = progress(ws, as_of=as_of, save=False)
    return [{k: v for k, v in r.items() if k != "periods"} for r in rows]
