"""KPI engine: each KPI per period (month / quarter / year), optionally per group, with the
change against the previous period. Formulas: docs/planning.md; SQL: kpi_sql.py.

`compute_kpis(ws, period, by, start, end)` returns long rows, one per (kpi, group, period):
{"kpi", "period", "period_start", "period_end", "by", "group", "value", "numerator",
"denominator", "previous", "previous_numerator", "previous_denominator", "change",
"change_pct", "unit", "higher_is_better", "partial", "days", "period_days",
"compared_start", "compared_end"}.
Rates are fractions (0.25 = 25 %), NPS is -100..100, times are hours, money is yuan.

A period that is not over at `end` (the data stop mid-period) is `partial`: its `days` so far
are compared with the same number of days at the start of the previous period
(period-to-date), not with the whole previous period; `compared_start`/`compared_end` say
which days `previous` covers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from kehu.analytics.kpi_sql import Ctx, cleanup, families, prepare
from kehu.analytics.stored import SNAPSHOT, data_end, snapshot_dates, table_exists
from kehu.calendar import Grain, Period, check_grain, period_range
from kehu.datafiles import read_toml
from kehu.errors import KehuError
from kehu.i18n import tr

if TYPE_CHECKING:
    from kehu.workspace import Workspace

BY_DIMENSIONS = ("region", "owner", "rfm_type", "value_tier")


@dataclass(frozen=True)
class Kpi:
    code: str
    zh: str
    en: str
    family: str
    num: str  # aggregate giving the numerator (or the value itself when den is None)
    den: str | None
    unit: str  # yuan | count | ratio | score | hours
    scale: float = 1.0
    higher_is_better: bool = True
    additive: bool = False  # a period sum: goals accumulate it over their window

    def label(self, lang: str) -> str:
        return tr(lang, self.zh, self.en)


# The KPIs are data (`kehu/data/kpis.toml`); a KPI without a denominator is its numerator.
KPIS: tuple[Kpi, ...] = tuple(Kpi(**{"den": None, **k}) for k in read_toml("kpis.toml")["kpi"])
KPI_BY_CODE = {k.code: k for k in KPIS}


def get_kpi(code: str) -> Kpi:
    """The KPI with this code, or a KehuError listing the codes."""
    try:
        return KPI_BY_CODE[code]
    except KeyError:
        raise KehuError(
            f"未知指标 {code!r}:可选 {', '.join(KPI_BY_CODE)}",
            f"unknown KPI {code!r}: use one of {', '.join(KPI_BY_CODE)}",
        ) from None


def check_by(by: str | None) -> str | None:
    if by is not None and by not in BY_DIMENSIONS:
        raise KehuError(
            f"无法按 {by!r} 分组:可选 {', '.join(BY_DIMENSIONS)}",
            f"cannot group by {by!r}: use one of {', '.join(BY_DIMENSIONS)}",
        )
    return by


def default_range(
    ws: Workspace, grain: str, start: date | None, end: date | None, periods: int | None = None
) -> tuple[date, date]:
    """[start, end] of a KPI query: end = data end, start = `kpi.periods` periods back."""
    end = end or data_end(ws)
    if start is None:
        n = periods or ws.settings.kpi.periods
        start = Period.containing(end, grain).shift(-(n - 1)).start  # type: ignore[arg-type]
    if start > end:
        raise KehuError(f"起始日期 {start} 晚于结束日期 {end}", f"start {start} is after end {end}")
    return start, end


def _period_table(ws: Workspace, periods: list[Period], start: date, end: date) -> pa.Table:
    snaps = snapshot_dates(ws)
    rows: dict[str, list[Any]] = {k: [] for k in (
        "label", "k_start", "p_start", "p_end", "before", "prev_start", "snap_as_of", "clv_as_of"
    )}  # fmt: skip
    for i, p in enumerate(periods):
        p_start = max(p.start, start) if i > 0 else p.start  # periods[0] = the extra previous
        p_end = min(p.end, end)
        at_or_before = [d for d in snaps if d <= p_end]
        rows["label"].append(p.label)
        rows["k_start"].append(p.start)
        rows["p_start"].append(p_start)
        rows["p_end"].append(p_end)
        rows["before"].append(p_start - timedelta(days=1))
        rows["prev_start"].append(p.prev().start)
        rows["snap_as_of"].append(
            at_or_before[-1] if at_or_before else (snaps[0] if snaps else None)
        )
        rows["clv_as_of"].append(at_or_before[-1] if at_or_before else None)
    schema = pa.schema([("label", pa.string())] + [(k, pa.date32()) for k in rows if k != "label"])
    return pa.table(rows, schema=schema)


def _group_join(by: str | None) -> tuple[str, str]:
    if by is None:
        return "NULL::VARCHAR", ""
    if by in ("region", "owner"):
        return f"c.{by}", "LEFT JOIN customers c ON c.customer_id = f.customer_id"
    return (
        f"s.{by}",
        "LEFT JOIN _kp pp ON pp.label = f.label "
        f"LEFT JOIN {SNAPSHOT} s ON s.customer_id = f.customer_id AND s.as_of = pp.snap_as_of",
    )


def _num(v: Any) -> float | None:
    return None if v is None else float(v)


def _has_payments(ws: Workspace) -> bool:
    return bool(
        ws.scalar(
            "SELECT EXISTS (SELECT 1 FROM orders WHERE paid_amount IS NOT NULL"
            " OR paid_date IS NOT NULL)"
        )
    )


def compute_kpis(
    ws: Workspace,
    period: str = "month",
    by: str | None = None,
    start: date | None = None,
    end: date | None = None,
    *,
    kpis: list[str] | None = None,
) -> list[dict[str, Any]]:
    """Every KPI (or those in `kpis`) per period in [start, end], per group of `by`.

    Defaults: end = the last day with data, start = `kpi.periods` periods before the end.
    The first and last periods are clipped to [start, end]. Each row carries the previous
    period's value and the change (the period before `start` is computed for that); a last
    period cut short by `end` is compared period-to-date (module docstring).
    """
    grain = check_grain(period)
    by = check_by(by)
    chosen = [get_kpi(c) for c in (kpis or [k.code for k in KPIS])]
    start, end = default_range(ws, grain, start, end)
    if by in ("rfm_type", "value_tier") and not table_exists(ws, SNAPSHOT):
        raise KehuError(
            f"按 {by} 分组需要客户快照:请先运行 `kehu analyze`",
            f"grouping by {by} needs a customer snapshot: run `kehu analyze` first",
        )
    rows = _compute(ws, grain, by, chosen, start, end)
    last = Period.containing(end, grain)
    if end < last.end:
        _period_to_date(ws, rows, last, by, chosen, end)
    return rows


def _period_to_date(
    ws: Workspace,
    rows: list[dict[str, Any]],
    last: Period,
    by: str | None,
    chosen: list[Kpi],
    end: date,
) -> None:
    """Re-base the partial last period's rows on the previous period's first `days` days."""
    days = (end - last.start).days + 1
    prev = last.prev()
    ptd_end = min(prev.start + timedelta(days=days - 1), prev.end)
    base = {
        (r["kpi"], r["group"]): r
        for r in _compute(ws, last.grain, by, chosen, prev.start, ptd_end)
        if r["period"] == prev.label
    }
    for r in rows:
        if r["period"] != last.label:
            continue
        b = base.get((r["kpi"], r["group"]))
        if b is None:  # the group had no facts in those days: a sum is 0, a rate unknown
            plain = KPI_BY_CODE[r["kpi"]].den is None and r["value"] is not None
            b = {"value": 0.0} if plain else {}
        previous = b.get("value")
        r.update(
            partial=True,
            days=days,
            compared_start=prev.start,
            compared_end=ptd_end,
            previous_numerator=b.get("numerator"),
            previous_denominator=b.get("denominator"),
        )
        set_change(r, previous)


def set_change(row: dict[str, Any], previous: float | None) -> None:
    """Fill previous / change / change_pct of a KPI row from the previous value."""
    value = row["value"]
    change = None if value is None or previous is None else value - previous
    row["previous"] = previous
    row["change"] = change
    row["change_pct"] = change / abs(previous) if change is not None and previous else None


def _compute(
    ws: Workspace,
    grain: Grain,
    by: str | None,
    chosen: list[Kpi],
    start: date,
    end: date,
) -> list[dict[str, Any]]:
    """The rows of every period meeting [start, end], each against the whole period before."""
    has_snapshot = table_exists(ws, SNAPSHOT)
    listed = period_range(start, end, grain)
    periods = [listed[0].prev(), *listed]
    ctx = Ctx(
        grain, periods[0].start, end, periods[0].prev().start, start, listed[0].start, ws.settings
    )
    fams = families(ws.settings)
    skip = set()
    if not has_snapshot:
        skip.add("clv")
    if any(k.family == "collection" for k in chosen) and not _has_payments(ws):
        skip.add("collection")
    grp_expr, join = _group_join(by)
    results: dict[str, dict[tuple[str, str | None], dict[str, Any]]] = {}
    cur = ws.cursor()
    cur.register("_kp", _period_table(ws, periods, start, end))
    todo = list(dict.fromkeys(k.family for k in chosen))
    try:
        needs = set().union(*(fams[n].needs for n in todo if n not in skip))
        prepare(cur, ws.engine.rewrite, ctx, needs)
        for name in todo:
            if name in skip:
                results[name] = {}
                continue
            fam = fams[name]
            aggs = ", ".join(f"{expr} AS {alias}" for alias, expr in fam.aggs.items())
            sql = f"""
                WITH f AS ({fam.sql(ctx)})
                SELECT f.label, {grp_expr} AS grp, {aggs}
                FROM f {join}
                GROUP BY ALL
            """
            res = cur.execute(ws.engine.rewrite(sql))
            cols = [d[0] for d in res.description]
            results[name] = {
                (r[0], r[1]): dict(zip(cols[2:], r[2:], strict=True)) for r in res.fetchall()
            }
    finally:
        cleanup(cur)
        cur.unregister("_kp")
        cur.close()
    return _assemble(chosen, periods, results, by, start, end, skip)


def _assemble(
    chosen: list[Kpi],
    periods: list[Period],
    results: dict[str, dict[tuple[str, str | None], dict[str, Any]]],
    by: str | None,
    start: date,
    end: date,
    skip: set[str],
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for kpi in chosen:
        facts = results[kpi.family]
        groups = sorted({g for _, g in facts}, key=lambda g: (g is None, g or ""))
        if by is None or not groups:
            groups = [None] if by is None else []
        for grp in groups:
            before: tuple[float | None, float | None, float | None] = (None, None, None)
            for i, p in enumerate(periods):
                agg = facts.get((p.label, grp), {})
                num = _num(agg.get(kpi.num))
                den = _num(agg.get(kpi.den)) if kpi.den else None
                if kpi.family in skip:
                    value = None
                elif kpi.den is None:
                    value = num or 0.0
                else:
                    value = (num or 0.0) / den * kpi.scale if den else None
                if i > 0:
                    row = {
                        "kpi": kpi.code,
                        "period": p.label,
                        "period_start": max(p.start, start),
                        "period_end": min(p.end, end),
                        "by": by,
                        "group": grp,
                        "value": value,
                        "numerator": num,
                        "denominator": den,
                        "previous_numerator": before[1],
                        "previous_denominator": before[2],
                        "unit": kpi.unit,
                        "higher_is_better": kpi.higher_is_better,
                        "partial": False,
                        "days": (min(p.end, end) - max(p.start, start)).days + 1,
                        "period_days": p.days,
                        "compared_start": periods[i - 1].start,
                        "compared_end": periods[i - 1].end,
                    }
                    set_change(row, before[0])
                    out.append(row)
                before = (value, num, den)
    return out


def kpi_value(
    rows: list[dict[str, Any]], kpi: str, period: str, group: str | None = None
) -> float | None:
    """Pick one value out of `compute_kpis` rows (None when absent)."""
    for r in rows:
        if r["kpi"] == kpi and r["period"] == period and r["group"] == group:
            return r["value"]
    return None


def format_value(value: float | None, unit: str, lang: str = "zh") -> str:
    """A KPI value for people: 12.5%, ¥1,234,567, 1.8 h, 35.2."""
    if value is None:
        return "—"
    if unit == "ratio":
        return f"{value * 100:.1f}%"
    if unit == "yuan":
        return f"¥{value:,.0f}"
    if unit == "count":
        return f"{value:,.0f}"
    if unit == "hours":
        return tr(lang, f"{value:.1f} 小时", f"{value:.1f} h")
    return f"{value:.1f}"


def partial_note(row: dict[str, Any], lang: str = "zh") -> str:
    """Why a partial period's change is period-to-date: "2026-Q4 未结束(31/92 天)…"."""
    a, b = (str(row[k])[:10] for k in ("compared_start", "compared_end"))  # date or ISO text
    return tr(
        lang,
        f"{row['period']} 尚未结束(已过 {row['days']}/{row['period_days']} 天):"
        f"环比对比上期同期 {a} 至 {b}",
        f"{row['period']} is not over ({row['days']} of {row['period_days']} days): "
        f"compared with the same days of the previous period, {a} to {b}",
    )


def format_change(change: float | None, unit: str, lang: str = "zh") -> str:
    """A change for people: +2.1 pp for rates, +12.0% relative otherwise is in change_pct."""
    if change is None:
        return "—"
    sign = "+" if change >= 0 else "−"
    mag = abs(change)
    if unit == "ratio":
        return tr(lang, f"{sign}{mag * 100:.1f} 个百分点", f"{sign}{mag * 100:.1f} pp")
    return sign + format_value(mag, unit, lang)
