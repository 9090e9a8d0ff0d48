"""Market and industry: revenue, customers, growth and share by GB/T 4754 section and
division, sales region and company size; penetration and white space against the imported
`market_potential` (region x industry x year: market size).

Revenue is the snapshot's `spend_12m` and growth compares it with `spend_prev_12m`, so every
figure matches the other views of that snapshot. Penetration compares the trailing 12 months
with the market size of the snapshot's year (else the latest earlier year imported).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from kehu.analytics.competition import customer_rows
from kehu.analytics.labels import label
from kehu.analytics.query import RowScope, customer_where, pick_as_of
from kehu.industries import industry_name

if TYPE_CHECKING:
    from kehu.config import MarketSettings
    from kehu.workspace import Workspace

DIMENSIONS = ("section", "division", "region", "size")


def size_band(employees: int | None, is_person: bool, limits: dict[str, int]) -> str:
    """micro | small | medium | large by employees (limits ascending), person, unknown."""
    if is_person:
        return "person"
    if employees is None:
        return "unknown"
    for band, limit in sorted(limits.items(), key=lambda kv: kv[1]):
        if employees < limit:
            return band
    return "large"


def _keys(c: dict[str, Any], limits: dict[str, int]) -> dict[str, str]:
    code = c["industry_code"] or ""
    return {
        "section": code[:1] or "—",
        "division": code if len(code) > 1 else "—",
        "region": c["region"] or "—",
        "size": size_band(c["employees"], c.get("customer_type") == "person", limits),
    }


def _label(dim: str, key: str, lang: str) -> str:
    if key == "—":
        return "—"
    if dim in ("section", "division"):
        return industry_name(key, lang) or key
    if dim == "size":
        return label("company_size", key, lang)
    return key


def segments(
    customers: list[dict[str, Any]], dim: str, limits: dict[str, int], lang: str = "zh"
) -> list[dict[str, Any]]:
    """Customers, active customers, revenue, growth and revenue share per value of `dim`."""
    groups: dict[str, dict[str, float]] = defaultdict(
        lambda: {"customers": 0, "active": 0, "revenue": 0.0, "revenue_prev": 0.0}
    )
    for c in customers:
        g = groups[_keys(c, limits)[dim]]
        g["customers"] += 1
        g["active"] += c["spend_12m"] > 0
        g["revenue"] += c["spend_12m"]
        g["revenue_prev"] += c["spend_prev_12m"]
    total = sum(g["revenue"] for g in groups.values())
    rows: list[dict[str, Any]] = []
    for key, g in groups.items():
        prev = g["revenue_prev"]
        rows.append(
            {
                "key": key,
                "label": _label(dim, key, lang),
                "customers": int(g["customers"]),
                "active": int(g["active"]),
                "revenue": g["revenue"],
                "revenue_prev": prev,
                "growth": g["revenue"] / prev - 1 if prev > 0 else None,
                "share": g["revenue"] / total if total > 0 else None,
            }
        )
    rows.sort(key=lambda r: (-r["revenue"], r["key"]))
    return rows


def market_year(ws: Workspace, as_of: date) -> int | None:
    """The snapshot's year if its market sizes are imported, else the latest earlier year."""
    return ws.scalar("SELECT max(year) FROM market_potential WHERE year <= ?", [as_of.year])


def _cells(ws: Workspace, year: int) -> list[dict[str, Any]]:
    """One row per (region, industry) of `year`, the latest import of each winning."""
    return ws.arrow(
        "SELECT region, industry_code, CAST(arg_max(market_size, updated_at) AS DOUBLE)"
        " AS market_size, arg_max(companies, updated_at) AS companies FROM market_potential"
        " WHERE year = ? GROUP BY region, industry_code ORDER BY region, industry_code",
        [year],
    ).to_pylist()


def _in_cell(cell: dict[str, Any]) -> Callable[[dict[str, Any]], bool]:
    """A section cell ('C') holds every division of it; a division cell only itself."""
    code = cell["industry_code"]

    def member(c: dict[str, Any]) -> bool:
        mine = c["industry_code"] or ""
        same = mine[:1] == code if len(code) == 1 else mine == code
        return same and c["region"] == cell["region"]

    return member


def penetration(
    customers: list[dict[str, Any]], cells: list[dict[str, Any]], settings: MarketSettings,
    lang: str = "zh",
) -> list[dict[str, Any]]:  # fmt: skip
    """Per market cell: our customers and revenue there, penetration (revenue / market size),
    customer coverage (customers / companies), the unserved potential and white space."""
    rows = []
    for cell in cells:
        member = _in_cell(cell)
        mine = [c for c in customers if member(c)]
        active = sum(1 for c in mine if c["spend_12m"] > 0)
        revenue = sum(c["spend_12m"] for c in mine)
        size = cell["market_size"]
        share = revenue / size if size > 0 else None
        coverage = active / cell["companies"] if cell["companies"] else None
        white = active <= settings.white_space_customers or (
            share is not None and share < settings.white_space_penetration
        )
        rows.append(
            {
                **cell,
                "industry_name": industry_name(cell["industry_code"], lang),
                "customers": len(mine),
                "active": active,
                "revenue": revenue,
                "penetration": share,
                "coverage": coverage,
                "potential": max(size - revenue, 0.0),
                "white_space": white and size > 0,
            }
        )
    rows.sort(key=lambda r: (-r["potential"], r["region"], r["industry_code"]))
    return rows


def market_view(
    ws: Workspace,
    as_of: date | None = None,
    *,
    scope: RowScope | None = None,
    owner: str | None = None,
    region: str | None = None,
    lang: str = "zh",
) -> dict[str, Any]:
    """Segments by every dimension, plus penetration and white space when market sizes exist
    (of the customers inside `scope` and of this owner / region)."""
    day = pick_as_of(ws, as_of)
    settings = ws.settings.market
    customers = customer_rows(ws, day, customer_where(scope, owner=owner, region=region))
    year = market_year(ws, day)
    cells = penetration(customers, _cells(ws, year), settings, lang) if year else []
    return {
        "as_of": day,
        "customers": len(customers),
        "revenue": sum(c["spend_12m"] for c in customers),
        "segments": {d: segments(customers, d, settings.size_limits, lang) for d in DIMENSIONS},
        "market_year": year,
        "cells": cells,
        "white_space": [c for c in cells if c["white_space"]],
    }
