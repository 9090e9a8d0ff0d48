"""Overview numbers: snapshot summary, distributions, Pareto curve, flows and watch-list.

The domain computes each over the customers the scope may see (`Kehu`, analytics/overview.py);
here they are made JSON-ready, labelled and cached per scope until the next write.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from kehu.app import ABSENT, OVERVIEW_DIMENSIONS, label
from kehu.errors import KehuError
from kehu.web.services.common import plain_tree

if TYPE_CHECKING:
    from kehu.access.scope import Scope
    from kehu.web.services.state import WebState

DIMENSIONS = OVERVIEW_DIMENSIONS


def summary(state: WebState, scope: Scope) -> dict[str, Any]:
    """Headline totals and the count per code of each dimension."""
    return state.cached(
        "customers",
        ("summary", scope.key),
        lambda: plain_tree(state.kehu.overview_summary(scope=scope)),
    )


def with_labels(dims: dict[str, list[dict[str, Any]]], lang: str) -> dict[str, list[dict]]:
    return {
        dim: [{**item, "label": label(dim, item["code"], lang)} for item in items]
        for dim, items in dims.items()
    }


def pareto(state: WebState, scope: Scope, points: int = 100) -> dict[str, Any]:
    """Cumulative share of revenue (and profit) by the top x% of customers."""
    return state.cached(
        "customers", ("pareto", scope.key, points), lambda: state.kehu.pareto(points, scope=scope)
    )


def _code(code: str) -> str:
    """The API has named a customer missing from one of the two snapshots "none" since v1."""
    return "none" if code == ABSENT else code


def flows(
    state: WebState,
    scope: Scope,
    date_from: date | None = None,
    date_to: date | None = None,
    dimension: str = "lifecycle",
) -> dict[str, Any]:
    """Migration matrix between two snapshot dates (客户流转), the domain's flows: customers
    and their revenue at the later date per link, most customers first."""
    if dimension not in DIMENSIONS:
        raise KehuError(
            f"维度 {dimension} 无效,可选 {', '.join(DIMENSIONS)}",
            f"unknown dimension {dimension}; use one of {', '.join(DIMENSIONS)}",
        )
    dates = state.kehu.snapshot_dates()[::-1]  # newest first
    if len(dates) < 2 and (date_from is None or date_to is None):
        return {
            "from": None,
            "to": dates[0].isoformat() if dates else None,
            "dimension": dimension,
            "dates": [d.isoformat() for d in dates],
            "links": [],
        }
    date_to = date_to or dates[0]
    date_from = date_from or next((d for d in dates if d < date_to), dates[-1])
    for d in (date_from, date_to):
        if d not in dates:
            raise KehuError(
                f"{d} 没有客户快照;可选日期:{', '.join(x.isoformat() for x in dates[:12])}",
                f"no snapshot on {d}; dates available: "
                f"{', '.join(x.isoformat() for x in dates[:12])}",
            )

    def compute() -> dict[str, Any]:
        data = state.kehu.flows(date_from, date_to, dimension, scope=scope)
        cells = sorted(data["cells"], key=lambda c: (-c["customers"], c["from"], c["to"]))
        return {
            "from": date_from.isoformat(),
            "to": date_to.isoformat(),
            "dimension": dimension,
            "dates": [d.isoformat() for d in dates],
            "links": [
                {
                    "from": _code(c["from"]),
                    "to": _code(c["to"]),
                    "customers": c["customers"],
                    "revenue": c["revenue_to"],
                }  # fmt: skip
                for c in cells
            ],
        }

    return state.cached("customers", ("flows", scope.key, date_from, date_to, dimension), compute)


def watchlist(state: WebState, scope: Scope, lang: str, limit: int | None = None) -> list[dict]:
    """Customers most at risk of churning, with their reasons, valuable ones first."""
    limit = limit or state.settings.web.watchlist_size
    return state.cached(
        "customers",
        ("watchlist", scope.key, limit, lang),
        lambda: plain_tree(state.kehu.watchlist(limit, lang=lang, scope=scope)),
    )


def snapshot_cards(state: WebState, scope: Scope) -> list[dict[str, Any]]:
    """Headline figures of the latest snapshot with the change since the previous one."""

    def compute() -> list[dict[str, Any]]:
        return plain_tree(state.kehu.overview_cards(scope=scope))

    return state.cached("customers", ("cards", scope.key), compute)
