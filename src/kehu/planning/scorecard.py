"""Scorecards (seed 002 绩效评估; seed 000 将客户留存率、转化率等指标纳入绩效考核).

Per rep (a customer's `owner`) and per team (a sales region, or `scorecard.teams`), for one
calendar period (`scorecard.grain`, default the last complete one before the data's last day):

- attainment = revenue ÷ target: a rep's target is the period's target rows naming the rep
  without a customer; a region's the rows naming only the region, else the sum of its reps'
  rows; a configured team's the sum of its reps' targets. Target rows of shorter periods inside
  the period (months of a quarter) add up;
- revenue, new customers, retention and NPS are the KPIs of the same name (`kehu kpis --by
  owner` / `--by region`: one definition), SLA is `response_sla_rate`; revenue is scored by its
  growth against the period before;
- churned revenue = what last period's buyers who bought nothing this period spent last
  period (the complement of retention's cohort, in money), scored by its share of the cohort's
  revenue;
- on time = tasks (of the task's owner / region) due in the period and not cancelled, done by
  their due date, over those due.

Each metric scores 0–100 on its absolute rubric `scorecard.<metric>` (value at `zero` → 0, at
`full` → 100, linear, clipped); the score is the weighted mean over the metrics that have data
(a rep without surveys is not scored on NPS: the weights of the rest are renormalised, and
`counted` says which were). Ranks are per kind (reps, teams), best score first; trend = score
minus the same unit's score of the period before.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from kehu.analytics.kpis import compute_kpis, format_value
from kehu.analytics.stored import data_end
from kehu.calendar import Period, check_grain
from kehu.config import SCORECARD_METRICS
from kehu.errors import KehuError
from kehu.i18n import pairs, tr
from kehu.spreadsheet import excel_writer

if TYPE_CHECKING:
    from kehu.access.scope import Scope
    from kehu.config import ScorecardSettings
    from kehu.workspace import Workspace

METRICS = SCORECARD_METRICS
# scorecard metric -> the KPI whose numerator / denominator it sums
_KPIS = {
    "revenue": "revenue",
    "new_customers": "new_customers",
    "retention": "retention_rate",
    "nps": "nps",
    "sla": "response_sla_rate",
}
_SUMS = (
    "revenue", "revenue_prev", "new_customers", "kept", "cohort", "nps_net", "nps_n", "sla_ok",
    "tickets", "target", "churned_revenue", "cohort_revenue", "due", "on_time",
)  # fmt: skip


@dataclass
class ScoreRow:
    """One rep's or team's scorecard for a period."""

    kind: str  # rep | team
    unit: str
    region: str | None  # a rep's home region (managers of it see the rep); a region team's own
    values: dict[str, float | None]  # what the page shows (money in yuan, rates as fractions)
    points: dict[str, float | None]  # metric -> 0..100 on its rubric (None: no data)
    score: float | None
    previous_score: float | None = None
    rank: int | None = None
    ranked: int = 0  # how many of this kind have a score

    @property
    def trend(self) -> float | None:
        if self.score is None or self.previous_score is None:
            return None
        return round(self.score - self.previous_score, 1)

    @property
    def counted(self) -> list[str]:
        return [m for m in METRICS if self.points.get(m) is not None]

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "unit": self.unit,
            "region": self.region,
            "values": self.values,
            "points": self.points,
            "score": self.score,
            "previous_score": self.previous_score,
            "trend": self.trend,
            "rank": self.rank,
            "ranked": self.ranked,
            "counted": self.counted,
        }


@dataclass
class Scorecards:
    """Every scorecard of a period (those a scope may see)."""

    period: str
    previous: str
    start: date
    end: date  # the period's end, or the data's last day when the period is not over
    partial: bool
    weights: dict[str, float]
    rubric: ScorecardSettings
    rows: list[ScoreRow] = field(default_factory=list)

    def of(self, kind: str) -> list[ScoreRow]:
        """Rows of one kind, best rank first (unscored last, by name)."""
        rows = [r for r in self.rows if r.kind == kind]
        return sorted(rows, key=lambda r: (r.rank is None, r.rank or 0, r.unit))

    def to_json(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "previous": self.previous,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "partial": self.partial,
            "weights": self.weights,
            "rubric": {m: getattr(self.rubric, m).model_dump() for m in METRICS},
            "reps": [r.to_json() for r in self.of("rep")],
            "teams": [r.to_json() for r in self.of("team")],
        }


def pick_period(ws: Workspace, period: str | None, grain: str | None) -> Period:
    """The period asked for, else the last complete one of the grain before the data's end."""
    if period:
        return Period.parse(period)
    g = check_grain(grain or ws.settings.scorecard.grain)
    end = data_end(ws)
    current = Period.containing(end, g)
    return current if end >= current.end else current.prev()


def _kpi_sums(ws: Workspace, p: Period, end: date, by: str) -> pd.DataFrame:
    """Per group of `by` and period label (p and the one before): the KPI sums."""
    rows = compute_kpis(ws, p.grain, by, p.prev().start, end, kpis=list(_KPIS.values()))
    out: dict[tuple[str, str], dict[str, float]] = {}
    for r in rows:
        if r["group"] is None:
            continue
        d = out.setdefault((r["period"], str(r["group"])), {})
        num, den = r["numerator"] or 0.0, r["denominator"] or 0.0
        if r["kpi"] == "revenue":
            d["revenue"], d["revenue_prev"] = num, r["previous_numerator"] or 0.0
        elif r["kpi"] == "new_customers":
            d["new_customers"] = num
        elif r["kpi"] == "retention_rate":
            d["kept"], d["cohort"] = num, den
        elif r["kpi"] == "nps":
            d["nps_net"], d["nps_n"] = num, den
        else:
            d["sla_ok"], d["tickets"] = num, den
    if not out:
        return pd.DataFrame()
    index = pd.MultiIndex.from_tuples(list(out), names=["period", "unit"])
    return pd.DataFrame(list(out.values()), index=index)


def _own_sums(ws: Workspace, p: Period, end: date, by: str) -> pd.DataFrame:
    """Per group and period (p and the one before): churned revenue, tasks due / on time."""
    frames = []
    for q in (p.prev(), p):
        q_end = min(q.end, end)
        churn = ws.read(
            f"""
            WITH prev AS (
                SELECT customer_id, sum(amount)::DOUBLE AS amt FROM orders
                WHERE order_date BETWEEN ? AND ? GROUP BY 1
            ), cur AS (
                SELECT DISTINCT customer_id FROM orders WHERE order_date BETWEEN ? AND ?
            )
            SELECT c.{by} AS unit, sum(prev.amt) AS cohort_revenue,
                   sum(CASE WHEN cur.customer_id IS NULL THEN prev.amt ELSE 0 END)
                       AS churned_revenue
            FROM prev JOIN customers c ON c.customer_id = prev.customer_id
            LEFT JOIN cur ON cur.customer_id = prev.customer_id
            WHERE c.{by} IS NOT NULL AND c.{by} <> '' GROUP BY 1
            """,
            [q.prev().start, q.prev().end, q.start, q_end],
        ).df()
        tasks = ws.read(
            f"""
            SELECT {by} AS unit, count(*)::DOUBLE AS due,
                   count(*) FILTER (WHERE status = 'done'
                       AND CAST(closed_at AS DATE) <= due_date)::DOUBLE AS on_time
            FROM tasks
            WHERE due_date BETWEEN ? AND ? AND status <> 'cancelled'
              AND {by} IS NOT NULL AND {by} <> ''
            GROUP BY 1
            """,
            [q.start, q_end],
        ).df()
        targets = _targets(ws, q, by)
        goal = pd.DataFrame(
            {
                "unit": pd.Series(list(targets), dtype=object),
                "target": pd.Series(list(targets.values()), dtype="float64"),
            }
        )
        both = churn.merge(tasks, on="unit", how="outer").merge(goal, on="unit", how="outer")
        frames.append(both.assign(period=q.label))
    out = pd.concat(frames, ignore_index=True)
    return out.set_index(["period", "unit"])


def _targets(ws: Workspace, q: Period, by: str) -> dict[str, float]:
    """Targets of the units of `by` over the period (rows of periods inside it add up)."""
    rows = ws.rows(
        "SELECT period, region, owner, amount::DOUBLE FROM targets"
        " WHERE coalesce(customer_id, '') = '' AND amount IS NOT NULL"
    )
    own: dict[str, float] = {}  # rows naming the unit alone (region rows without an owner)
    split: dict[str, float] = {}  # a region's owner rows: used when it has no row of its own
    for label, region, owner, amount in rows:
        try:
            tp = Period.parse(str(label))
        except KehuError:
            continue
        if tp.start < q.start or tp.end > q.end:
            continue
        if by == "owner" and owner:
            own[owner] = own.get(owner, 0.0) + amount
        elif by == "region" and region:
            bucket = split if owner else own
            bucket[region] = bucket.get(region, 0.0) + amount
    if by == "region":
        return {**{k: v for k, v in split.items() if k not in own}, **own}
    return own


def _points(value: float | None, zero: float, full: float) -> float | None:
    if value is None:
        return None
    return round(min(1.0, max(0.0, (value - zero) / (full - zero))) * 100.0, 1)


def _ratio(num: float, den: float) -> float | None:
    return num / den if den else None


def _row_values(s: dict[str, float], months: int) -> dict[str, float | None]:
    """What a scorecard shows, from the unit's sums (NaN = no row = 0 for counts)."""
    g = {k: (0.0 if pd.isna(s.get(k)) else float(s[k])) for k in _SUMS}
    target = s.get("target")
    has_target = target is not None and not pd.isna(target) and target > 0
    return {
        "revenue": round(g["revenue"], 2),
        "revenue_prev": round(g["revenue_prev"], 2),
        "revenue_growth": (g["revenue"] / g["revenue_prev"] - 1.0) if g["revenue_prev"] else None,
        "target": round(g["target"], 2) if has_target else None,
        "attainment": g["revenue"] / g["target"] if has_target else None,
        "new_customers": g["new_customers"],
        "new_per_month": g["new_customers"] / months,
        "retention": _ratio(g["kept"], g["cohort"]),
        "churned_revenue": round(g["churned_revenue"], 2),
        "churned_share": _ratio(g["churned_revenue"], g["cohort_revenue"]),
        "nps": 100.0 * g["nps_net"] / g["nps_n"] if g["nps_n"] else None,
        "on_time": _ratio(g["on_time"], g["due"]),
        "tasks_due": g["due"],
        "sla": _ratio(g["sla_ok"], g["tickets"]),
    }


# the value each metric's rubric scores
_SCORED = {
    "attainment": "attainment", "revenue_growth": "revenue_growth",
    "new_customers": "new_per_month", "retention": "retention",
    "churned_revenue": "churned_share", "nps": "nps", "on_time": "on_time", "sla": "sla",
}  # fmt: skip


def score_values(
    values: dict[str, float | None], rubric: ScorecardSettings
) -> tuple[dict[str, float | None], float | None]:
    """Points per metric and the weighted score over the metrics with data."""
    points: dict[str, float | None] = {}
    total = weight = 0.0
    for m in METRICS:
        r = getattr(rubric, m)
        points[m] = _points(values[_SCORED[m]], r.zero, r.full)
        if points[m] is not None and r.weight > 0:
            total += r.weight * float(points[m] or 0.0)
            weight += r.weight
    return points, (round(total / weight, 1) if weight else None)


def _home_regions(ws: Workspace) -> dict[str, str]:
    """A rep's region: the users table's, else the region holding most of its customers."""
    out = dict(
        ws.rows(
            "SELECT owner, region FROM (SELECT owner, region, row_number() OVER"
            " (PARTITION BY owner ORDER BY count(*) DESC, region) AS rn FROM customers"
            " WHERE coalesce(owner, '') <> '' AND region IS NOT NULL GROUP BY 1, 2) WHERE rn = 1"
        )
    )
    for name, display, region in ws.rows(
        "SELECT user_name, display_name, region FROM users WHERE role = 'rep'"
        " AND region IS NOT NULL AND coalesce(active, true)"
    ):
        for n in (name, display):
            if n and n in out:
                out[n] = region.split(",")[0].strip()
    return out


def _sums(ws: Workspace, p: Period, end: date, by: str) -> pd.DataFrame:
    kpi = _kpi_sums(ws, p, end, by)
    own = _own_sums(ws, p, end, by)
    return kpi.join(own, how="outer") if len(kpi) else own


def scorecards(ws: Workspace, period: str | None = None, grain: str | None = None) -> Scorecards:
    """Every rep's and team's scorecard of the period, ranked, with the trend."""
    p = pick_period(ws, period, grain)
    last = data_end(ws)
    end = min(p.end, max(last, p.start))
    settings = ws.settings.scorecard
    reps = _sums(ws, p, end, "owner")
    if settings.teams:
        member = {r: t for t, rs in settings.teams.items() for r in rs}
        teams = reps.reset_index()
        teams["unit"] = teams["unit"].map(member)
        teams = teams.dropna(subset=["unit"]).groupby(["period", "unit"]).sum(min_count=1)
        # a configured team's target is its reps' targets (already in the sums)
    else:
        teams = _sums(ws, p, end, "region")
    homes = _home_regions(ws)
    out = Scorecards(
        period=p.label,
        previous=p.prev().label,
        start=p.start,
        end=end,
        partial=end < p.end,
        weights={m: getattr(settings, m).weight for m in METRICS},
        rubric=settings,
    )
    for kind, frame in (("rep", reps), ("team", teams)):
        units = sorted({u for (_, u) in frame.index if frame.loc[(p.label, u)].notna().any()}
                       if p.label in frame.index.get_level_values(0) else set())  # fmt: skip
        for unit in units:
            values = _row_values(frame.loc[(p.label, unit)].to_dict(), p.months)
            points, score = score_values(values, settings)
            prev_score = None
            if (p.prev().label, unit) in frame.index:
                before = _row_values(frame.loc[(p.prev().label, unit)].to_dict(), p.months)
                prev_score = score_values(before, settings)[1]
            region = homes.get(unit) if kind == "rep" else (None if settings.teams else unit)
            out.rows.append(ScoreRow(kind, unit, region, values, points, score, prev_score))
    _rank(out.rows)
    return out


def _rank(rows: list[ScoreRow]) -> None:
    """Rank per kind, best score first; equal scores share a rank."""
    for kind in ("rep", "team"):
        scored = sorted(
            (r for r in rows if r.kind == kind and r.score is not None),
            key=lambda r: (-(r.score or 0.0), r.unit),
        )
        for i, r in enumerate(scored):
            same = i > 0 and scored[i - 1].score == r.score
            r.rank = scored[i - 1].rank if same else i + 1
            r.ranked = len(scored)


def visible(cards: Scorecards, scope: Scope | None, teams: dict[str, list[str]]) -> Scorecards:
    """The rows a scope may see: everything for admins; a manager its regions' teams and the
    reps whose home region is one of them; a rep its own row only."""
    if scope is None or scope.sees_all:
        return cards
    regions = set(scope.regions)

    def ok(r: ScoreRow) -> bool:
        if scope.role == "rep":
            return r.kind == "rep" and r.unit in scope.owners
        if scope.role != "manager":
            return False
        if r.kind == "rep" or not teams:
            return r.region in regions
        members = teams.get(r.unit, [])
        homes = {x.region for x in cards.rows if x.kind == "rep" and x.unit in members}
        return bool(homes) and homes <= regions

    return Scorecards(
        cards.period, cards.previous, cards.start, cards.end, cards.partial, cards.weights,
        cards.rubric, [r for r in cards.rows if ok(r)],
    )  # fmt: skip


# ---- for people: one table of a kind, in the CLI, the web and the workbook --------------------

UNITS = {
    "revenue": "yuan", "target": "yuan", "attainment": "ratio", "revenue_growth": "ratio",
    "new_customers": "count", "retention": "ratio", "churned_revenue": "yuan", "nps": "score",
    "on_time": "ratio", "sla": "ratio",
}  # fmt: skip
COLUMNS = ("revenue", "target", *METRICS)  # the values a scorecard table shows, in order


def shown(values: dict[str, float | None], key: str, lang: str) -> str:
    """A scorecard value for people (growth signed)."""
    text = format_value(values.get(key), UNITS[key], lang)
    value = values.get(key)
    return f"+{text}" if key == "revenue_growth" and value is not None and value >= 0 else text


def metric_label(key: str, lang: str) -> str:
    """The zh/en name of a scorecard metric or column."""
    names = {**pairs("economics", "metrics"), **pairs("economics", "columns")}
    zh, en = names[key]
    return tr(lang, zh, en)


def write_xlsx(cards: Scorecards, path: Path, lang: str = "zh") -> Path:
    """The review meeting's workbook: reps, teams (figures and points) and the rubric."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    sheets = pairs("economics", "sheets")
    with excel_writer(path) as xw:
        book = xw.book
        pct = book.add_format({"num_format": "0.0%"})
        money = book.add_format({"num_format": "#,##0"})
        for kind, sheet in (("rep", "reps"), ("team", "teams")):
            rows = []
            for r in cards.of(kind):
                row: dict[str, Any] = {
                    metric_label("rank", lang): r.rank,
                    metric_label(kind, lang): r.unit,
                    metric_label("region", lang): r.region,
                }
                for key in COLUMNS:
                    row[metric_label(key, lang)] = r.values.get(key)
                for m in METRICS:
                    row[f"{metric_label(m, lang)} · {metric_label('points', lang)}"] = r.points[m]
                row[metric_label("score", lang)] = r.score
                row[metric_label("previous_score", lang)] = r.previous_score
                row[metric_label("trend", lang)] = r.trend
                rows.append(row)
            name = tr(lang, *sheets[sheet])
            frame = pd.DataFrame(rows, columns=_header(kind, lang))
            frame.to_excel(xw, sheet_name=name, index=False)
            ws_ = xw.sheets[name]
            for i, key in enumerate(COLUMNS, start=3):
                fmt = pct if UNITS[key] == "ratio" else money if UNITS[key] == "yuan" else None
                ws_.set_column(i, i, 14, fmt)
            ws_.freeze_panes(1, 2)
        rubric = [
            {
                metric_label("metric", lang): metric_label(m, lang),
                metric_label("weight", lang): cards.weights[m],
                metric_label("zero", lang): getattr(cards.rubric, m).zero,
                metric_label("full", lang): getattr(cards.rubric, m).full,
            }
            for m in METRICS
        ]
        pd.DataFrame(rubric).to_excel(xw, sheet_name=tr(lang, *sheets["rubric"]), index=False)
    return path


def _header(kind: str, lang: str) -> list[str]:
    return [
        metric_label("rank", lang), metric_label(kind, lang), metric_label("region", lang),
        *(metric_label(k, lang) for k in COLUMNS),
        *(f"{metric_label(m, lang)} · {metric_label('points', lang)}" for m in METRICS),
        metric_label("score", lang), metric_label("previous_score", lang),
        metric_label("trend", lang),
    ]  # fmt: skip
