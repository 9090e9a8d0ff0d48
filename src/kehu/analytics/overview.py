"""The overview's headline cards: figures of the latest snapshot beside the previous one.

Each card is one aggregate over the snapshot rows of a date, with its change and whether
that change is good (more at-risk customers is not). The at-risk count uses the watch-list's
condition (`coherence.watch_sql`), so the card and the watch-list count the same customers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kehu.analytics.coherence import watch_sql
from kehu.analytics.stored import SNAPSHOT, snapshot_dates

if TYPE_CHECKING:
    from kehu.workspace import Workspace

CARD_METRICS = (
    # code, SQL aggregate over the snapshot rows of one date, higher-is-better
    ("customers_active", "count(*) FILTER (WHERE orders_12m > 0)", True),
    ("spend_12m", "coalesce(sum(spend_12m), 0)", True),
    ("predicted_clv", "coalesce(sum(predicted_clv), 0)", True),
    ("high_value", "count(*) FILTER (WHERE rfm_type = 'high_value')", True),
    ("key_accounts", "count(*) FILTER (WHERE value_tier IN ('strategic', 'core'))", True),
    ("at_risk", f"count(*) FILTER (WHERE {watch_sql(0.6)})", False),  # lost ones excluded
)


def snapshot_cards(ws: Workspace) -> list[dict[str, Any]]:
    """One card per metric: value at the latest snapshot, the previous snapshot's, the
    relative change (None from zero), its direction and whether it is good."""
    pair = snapshot_dates(ws)[::-1][:2]  # newest first
    if not pair:
        return []
    aggs = ", ".join(f"{sql} AS {code}" for code, sql, _ in CARD_METRICS)
    values = [ws.rows(f"SELECT {aggs} FROM {SNAPSHOT} WHERE as_of = ?", [d])[0] for d in pair]
    cards = []
    for i, (code, _, good_up) in enumerate(CARD_METRICS):
        value = float(values[0][i] or 0)
        before = float(values[1][i] or 0) if len(values) > 1 else None
        change = None if before in (None, 0) else (value - before) / abs(before)
        direction = None
        if before is not None and value != before:
            direction = "up" if value > before else "down"
        cards.append(
            {
                "code": code,
                "value": value,
                "previous": before,
                "change": change,
                "direction": direction,
                "good": None if direction is None else (direction == "up") == good_up,
                "as_of": pair[0],
                "previous_as_of": pair[1] if len(pair) > 1 else None,
            }
        )
    return cards
