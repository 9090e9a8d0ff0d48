"""A hand-made workspace that pins each rule of `kehu.analytics.classes` (and the lifecycle's
非客户 / 永远流失) at its boundaries: one customer on each side of every cut-off.

As of `AS_OF`: the 12-month window is days 0-364 before it, the year before days 365-729.
"Steady" repeat customers buy 370 days ago (the year before; a gap under 365 days) and 30
and 10 days ago.
"""

from __future__ import annotations

from typing import Any

from analytics_data import AS_OF, at, customer, days_before, insert, order

from kehu.config import Settings
from kehu.workspace import Workspace

STRATEGIC_INDUSTRIES = ["C"]


def _steady(cid: str, prev: float, cur: float, category: str = "硬件") -> list[dict[str, Any]]:
    """Orders of a repeat customer: `prev` in the year before, `cur` (in two halves) now."""
    return [
        order(cid, days_before(370), f"{prev:.2f}", product_category=category),
        order(cid, days_before(30), f"{cur / 2:.2f}", product_category=category),
        order(cid, days_before(10), f"{cur / 2:.2f}", product_category=category),
    ]


def _tickets(cid: str, now: int, before: int) -> list[dict[str, Any]]:
    days = [20 + i for i in range(now)] + [400 + i for i in range(before)]
    return [
        {"source": "crm", "ticket_id": f"{cid}-T{i}", "customer_id": cid, "category": "售后服务",
         "opened_at": at(days_before(d)), "resolved_at": at(days_before(d - 1)),
         "status": "closed"}
        for i, d in enumerate(days)
    ]  # fmt: skip


# customer -> (lifecycle, relationship_phase) the rules must give
LIFE_AND_PHASE: dict[str, tuple[str, str]] = {
    "NC_365": ("non_customer", "none"),  # first record 365 days ago, never bought
    "NC_364": ("prospect", "cultivation"),  # 364 days: still a prospect
    "NC_OPP": ("target", "cultivation"),  # old record but an open opportunity
    "GONE_730": ("lost_forever", "termination"),
    "GONE_729": ("lost", "termination"),
    "FIRST": ("first_purchase", "cultivation"),
    "AT_RISK": ("at_risk", "retention"),  # nothing the year before, yet at risk first
    "WON_BACK": ("won_back", "growth"),
    "WON_BACK_DOWN": ("won_back", "retention"),  # back, but spending far less than before
    "UP_25": ("repeat", "growth"),  # +25 % exactly
    "UP_24": ("repeat", "return"),
    "DOWN_25": ("repeat", "retention"),  # -25 % exactly
    "DOWN_24": ("repeat", "return"),
    "LOAD_2": ("repeat", "retention"),  # 2 tickets more than the year before, spend flat
    "LOAD_1": ("repeat", "return"),
    "LOAD_3_OVER_2": ("repeat", "return"),
    "LOAD_BUT_UP": ("repeat", "growth"),  # more tickets, but spend up 25 %
}

# customer -> (key_class, key_basis)
KEY: dict[str, tuple[str, str | None]] = {
    "BIG": ("high_value", None),
    "BIG_DUAL": ("dual", "benchmark"),
    "REF": ("key", "reference"),
    "LEADER": ("key", "position:leader"),
    "MAJOR": ("regular", None),
    "IND": ("key", "industry:C39"),
    "IND_OTHER": ("regular", None),
    "BENCH_REF": ("key", "benchmark,reference"),
}

# customer -> (category_count, share_of_wallet)
DEPTH: dict[str, tuple[int, float | None]] = {
    "DEPTH3": (3, None),  # three categories this year, a fourth only the year before
    "SOW_EST": (1, 0.4),  # the customer's estimate wins over the wallet size
    "SOW_WALLET": (1, 0.25),  # 250 of a 1000 wallet
    "SOW_CAP": (1, 1.0),  # 250 of a 100 wallet: capped
}


def settings_for(ws: Workspace) -> Settings:
    s = ws.settings.model_copy(deep=True)
    s.classes.strategic_industries = STRATEGIC_INDUSTRIES
    return s


def build(ws: Workspace) -> None:
    custs = [
        customer("NC_365", cooperation_start=days_before(365)),
        customer("NC_364", cooperation_start=days_before(364)),
        customer("NC_OPP", cooperation_start=days_before(800)),
        customer("BIG_DUAL", is_benchmark=True),
        customer("REF", is_reference=True),
        customer("LEADER", industry_position="leader"),
        customer("MAJOR", industry_position="major"),
        customer("IND", industry_code="C39"),
        customer("IND_OTHER", industry_code="F51"),
        customer("BENCH_REF", is_benchmark=True, is_reference=True),
        customer("SOW_EST", share_of_wallet=0.4, wallet_size=100),
        customer("SOW_WALLET", wallet_size=1000),
        customer("SOW_CAP", wallet_size=100),
    ]
    named = {c["customer_id"] for c in custs}
    custs += [customer(cid) for cid in [*LIFE_AND_PHASE, *KEY, *DEPTH] if cid not in named]
    orders = [
        order("GONE_730", days_before(730)),
        order("GONE_729", days_before(729)),
        order("FIRST", days_before(10)),
        *(order("AT_RISK", days_before(d)) for d in (100, 90, 80)),
        *(order("WON_BACK", days_before(d)) for d in (800, 20)),
        order("WON_BACK_DOWN", days_before(1200)),
        order("WON_BACK_DOWN", days_before(400), "1000.00"),
        order("WON_BACK_DOWN", days_before(20), "100.00"),
        *_steady("UP_25", 100, 125),
        *_steady("UP_24", 100, 124),
        *_steady("DOWN_25", 100, 75),
        *_steady("DOWN_24", 100, 76),
        *_steady("LOAD_2", 100, 100),
        *_steady("LOAD_1", 100, 100),
        *_steady("LOAD_3_OVER_2", 100, 100),
        *_steady("LOAD_BUT_UP", 100, 125),
        *_steady("BIG", 10000, 10000),
        *_steady("BIG_DUAL", 10000, 10000),
        *(_steady(cid, 100, 100) for cid in KEY if not cid.startswith("BIG")),
        order("DEPTH3", days_before(400), product_category="耗材"),
        *(order("DEPTH3", days_before(10 + i), product_category=c)
          for i, c in enumerate(("硬件", "软件", "服务"))),
        *(order(cid, days_before(10), "250.00", product_category="硬件")
          for cid in ("SOW_EST", "SOW_WALLET", "SOW_CAP")),
    ]  # fmt: skip
    flat: list[dict[str, Any]] = []
    for item in orders:
        flat.extend(item if isinstance(item, list) else [item])
    insert(ws, "customers", custs)
    insert(ws, "orders", flat)
    insert(
        ws,
        "tickets",
        [*_tickets("LOAD_2", 2, 0), *_tickets("LOAD_1", 1, 0),
         *_tickets("LOAD_3_OVER_2", 3, 2), *_tickets("LOAD_BUT_UP", 3, 0)],
    )  # fmt: skip
    insert(
        ws,
        "opportunities",
        [{"source": "crm", "opportunity_id": "P1", "customer_id": "NC_OPP", "status": "open",
          "amount": 5000, "created_on": days_before(30)}],
    )  # fmt: skip


__all__ = ["AS_OF", "DEPTH", "KEY", "LIFE_AND_PHASE", "build", "settings_for"]
