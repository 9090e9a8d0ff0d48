"""Targets that add up: imported targets whose levels disagree for the same period.

A target row's level is the finest unit it names: customer (customer_id), owner, region, or
company (none). For every period, each level's total is compared with the total of the
coarsest level present (company, else region, else owner); when one level has the period
only as its parts (the four quarters of 2026, the three months of a quarter), their sum
stands for it. Per region, owner (or customer) rows that name the region are compared with
that region's row. A gap counts when it exceeds `quality.target_tolerance` of the reference
(and at least one yuan).
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from kehu.calendar import GRAINS, Period
from kehu.errors import KehuError
from kehu.i18n import tr

if TYPE_CHECKING:
    from kehu.workspace import Workspace

LEVELS = ("company", "region", "owner", "customer")
LEVEL_LABELS = {
    "company": ("公司", "company"),
    "region": ("区域", "region"),
    "owner": ("负责人", "owner"),
    "customer": ("客户", "customer"),
}


def _level(region: Any, owner: Any, customer: Any) -> str:
    if customer:
        return "customer"
    if owner:
        return "owner"
    return "region" if region else "company"


def _rolled_up(direct: dict[str, float], periods: dict[str, Period]) -> dict[str, float]:
    """Totals of coarser periods whose every part this level has (at one grain)."""
    out: dict[str, float] = {}
    for i, fine in enumerate(GRAINS):
        for coarse in GRAINS[i + 1 :]:
            parts: dict[Period, list[str]] = defaultdict(list)
            for label in direct:
                p = periods[label]
                if p.grain == fine:
                    parts[Period.containing(p.start, coarse)].append(label)
            for whole, labels in parts.items():
                if whole.label in direct or whole.label in out:
                    continue
                if len(labels) == whole.months // periods[labels[0]].months:
                    out[whole.label] = sum(direct[lab] for lab in labels)
    return out


def target_gaps(ws: Workspace, tolerance: float | None = None) -> list[dict[str, Any]]:
    """Every (period, level[, region]) whose target total disagrees with the reference level.

    Rows: period, unit (a region or None), level, amount, reference_level, reference,
    gap (= amount − reference), gap_pct, rolled_up (the amount or reference is a sum of parts).
    """
    tol = ws.settings.quality.target_tolerance if tolerance is None else tolerance
    rows = ws.rows("SELECT period, region, owner, customer_id, amount FROM targets")
    periods: dict[str, Period] = {}
    direct: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    regional: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for label, region, owner, customer, amount in rows:
        try:
            periods.setdefault(label, Period.parse(label))
        except KehuError:
            continue  # an unreadable period is reported by the period check
        level = _level(region, owner, customer)
        direct[level][label] += float(amount)
        if region and level != "company":
            regional[(label, region)][level] += float(amount)
    totals: dict[str, dict[str, tuple[float, bool]]] = defaultdict(dict)
    for level, by_period in direct.items():
        for label, amount in by_period.items():
            totals[label][level] = (amount, False)
        for label, amount in _rolled_up(by_period, periods).items():
            periods.setdefault(label, Period.parse(label))
            totals[label][level] = (amount, True)
    out = []
    for label, levels in totals.items():
        out += _compare(label, None, levels, tol)
    for (label, region), amounts in regional.items():
        out += _compare(label, region, {k: (v, False) for k, v in amounts.items()}, tol)
    return sorted(out, key=lambda g: (periods[g["period"]], g["unit"] or "", g["level"]))


def _compare(
    period: str, unit: str | None, levels: dict[str, tuple[float, bool]], tol: float
) -> list[dict[str, Any]]:
    present = [lv for lv in LEVELS if lv in levels]
    if len(present) < 2:
        return []
    ref_level = present[0]
    reference, ref_rolled = levels[ref_level]
    out = []
    for level in present[1:]:
        amount, rolled = levels[level]
        gap = amount - reference
        if abs(gap) <= max(1.0, tol * abs(reference)):
            continue
        out.append(
            {
                "period": period,
                "unit": unit,
                "level": level,
                "amount": round(amount, 2),
                "reference_level": ref_level,
                "reference": round(reference, 2),
                "gap": round(gap, 2),
                "gap_pct": round(gap / reference, 4) if reference else None,
                "rolled_up": rolled or ref_rolled,
            }
        )
    return out


def gap_text(g: dict[str, Any], lang: str) -> str:
    """One gap for people: '2026-Q4 华南:负责人目标合计 ¥11,260,000 ≠ 区域目标 ¥10,150,000(…)'."""
    lv = tr(lang, *LEVEL_LABELS[g["level"]])
    ref = tr(lang, *LEVEL_LABELS[g["reference_level"]])
    where = g["period"] + (f" {g['unit']}" if g["unit"] else "")
    sign = "+" if g["gap"] >= 0 else "−"
    gap = f"{sign}¥{abs(g['gap']):,.0f}"
    parts = tr(lang, "(按子期间合计)", " (sum of sub-periods)") if g["rolled_up"] else ""
    return tr(
        lang,
        f"{where}:{lv}目标合计 ¥{g['amount']:,.0f} ≠ {ref}目标 ¥{g['reference']:,.0f}"
        f"(差 {gap}){parts}",
        f"{where}: {lv} targets add up to ¥{g['amount']:,.0f}, {ref} target is "
        f"¥{g['reference']:,.0f} (gap {gap}){parts}",
    )
