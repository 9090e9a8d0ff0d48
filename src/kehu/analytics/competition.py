"""Competitors: who else supplies each customer, our share of its wallet, win/loss per rival.

Sources: the `competitors` list (names and aliases), `customers.incumbent_supplier`,
`share_of_wallet` and `wallet_size`, `opportunities.competitor` / `lost_to` / `lost_reason`,
and competitor names found in interaction notes, ticket descriptions and survey comments.
Revenue is the snapshot's `spend_12m`, so figures agree with every other page of that date.

Share of wallet (decision 54): the rep's estimate when given, else spend_12m / wallet_size
(capped at 100%); the wallet is wallet_size when given, else spend_12m / share. The rival's
part is wallet x (1 - share).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from kehu.analytics.query import RowScope, customer_where, pick_as_of

if TYPE_CHECKING:
    from kehu.workspace import Workspace

# An SQL predicate over `customers c` with its parameters (`customer_where`).
Where = tuple[str, list[Any]]
_ALIAS_SPLIT = re.compile(r"[;;,,、|]+")
MIN_KEY = 2  # a one-character alias would match inside unrelated words
MENTION_SOURCES = (
    ("interaction", "interactions", "summary", "CAST(occurred_at AS DATE)"),
    ("ticket", "tickets", "description", "CAST(opened_at AS DATE)"),
    ("survey", "surveys", "comment", "surveyed_on"),
)


@dataclass(frozen=True)
class Competitor:
    competitor_id: str
    name: str
    keys: tuple[str, ...]  # folded name, aliases and id, longest first
    price_position: str | None = None
    listed: bool = True  # False: named on a customer or deal but not in the competitors list


def fold(text: str) -> str:
    """Case- and space-insensitive form used to compare names (text is NFKC on import)."""
    return re.sub(r"\s+", "", text).casefold()


def load_competitors(ws: Workspace) -> list[Competitor]:
    """The imported competitor list (one entry per id, the latest import winning)."""
    rows = ws.arrow(
        "SELECT competitor_id, arg_max(name, updated_at) AS name,"
        " arg_max(aliases, updated_at) AS aliases,"
        " arg_max(price_position, updated_at) AS price_position"
        " FROM competitors GROUP BY competitor_id ORDER BY competitor_id"
    ).to_pylist()
    out = []
    for r in rows:
        names = [r["name"], r["competitor_id"], *_ALIAS_SPLIT.split(r["aliases"] or "")]
        keys = {fold(n) for n in names if n and len(fold(n)) >= MIN_KEY}
        out.append(
            Competitor(
                r["competitor_id"],
                r["name"],
                tuple(sorted(keys, key=lambda k: (-len(k), k))),
                r["price_position"],
            )
        )
    return out


class Matcher:
    """Resolves a written competitor name to the list, and finds names inside free text."""

    def __init__(self, competitors: list[Competitor]) -> None:
        self.competitors = {c.competitor_id: c for c in competitors}
        self._exact = {k: c for c in competitors for k in c.keys}
        self._contained = sorted(self._exact.items(), key=lambda kv: (-len(kv[0]), kv[0]))

    def resolve(self, written: str | None) -> Competitor | None:
        """The listed competitor a name means (exact, else the longest name it contains);
        an unknown name becomes an unlisted competitor of its own."""
        if not written or not written.strip():
            return None
        key = fold(written)
        found = self._exact.get(key) or next((c for k, c in self._contained if k in key), None)
        if found is not None:
            return found
        unlisted = Competitor(written.strip(), written.strip(), (key,), listed=False)
        self.competitors.setdefault(unlisted.competitor_id, unlisted)
        return self.competitors[unlisted.competitor_id]

    def mentions(self, text: str | None) -> list[Competitor]:
        """Every listed competitor named in a note (each once)."""
        if not text:
            return []
        key = fold(text)
        seen: dict[str, Competitor] = {}
        for k, c in self._contained:
            if c.listed and k in key:
                seen.setdefault(c.competitor_id, c)
        return list(seen.values())


def wallet_of(spend: float, share: float | None, wallet_size: float | None) -> dict[str, Any]:
    """Share of wallet, its basis, the wallet and the part held by other suppliers."""
    basis = None
    if share is not None:
        basis = "estimate"
    elif wallet_size and wallet_size > 0:
        share, basis = min(1.0, spend / wallet_size), "wallet"
    wallet = wallet_size if wallet_size and wallet_size > 0 else None
    if wallet is None and share:
        wallet = spend / share
    others = wallet * (1 - share) if wallet is not None and share is not None else None
    return {"share_of_wallet": share, "sow_basis": basis, "wallet": wallet, "others_spend": others}


def customer_rows(ws: Workspace, as_of: date, where: Where = ("TRUE", [])) -> list[dict[str, Any]]:
    """The customers `where` selects with their snapshot spend, tier and competitor fields."""
    cond, params = where
    return ws.arrow(
        "SELECT c.customer_id, c.name, c.customer_type, c.region, c.owner, c.industry_code,"
        " c.industry_name,"
        " c.employees, c.incumbent_supplier, c.share_of_wallet,"
        " CAST(c.wallet_size AS DOUBLE) AS wallet_size,"
        " CAST(coalesce(s.spend_12m, 0) AS DOUBLE) AS spend_12m,"
        " CAST(coalesce(s.spend_prev_12m, 0) AS DOUBLE) AS spend_prev_12m, s.value_tier"
        " FROM customers c LEFT JOIN customer_snapshot s"
        "   ON s.customer_id = c.customer_id AND s.as_of = ?"
        f" WHERE {cond} ORDER BY c.customer_id",
        [as_of, *params],
    ).to_pylist()


def find_mentions(
    ws: Workspace, matcher: Matcher, as_of: date, where: Where = ("TRUE", [])
) -> list[dict[str, Any]]:
    """Competitor names in notes, tickets and survey comments up to `as_of`, newest first."""
    cond, params = where
    out = []
    for source, table, column, day in MENTION_SOURCES:
        rows = ws.rows(
            f"SELECT t.customer_id, {day} AS day, t.{column} FROM {table} t"
            " JOIN customers c ON c.customer_id = t.customer_id"
            f" WHERE t.{column} IS NOT NULL AND {day} <= ? AND {cond}",
            [as_of, *params],
        )
        for cid, day_value, text in rows:
            for comp in matcher.mentions(text):
                out.append(
                    {
                        "competitor_id": comp.competitor_id,
                        "customer_id": cid,
                        "source": source,
                        "date": day_value,
                        "text": text,
                    }
                )
    out.sort(key=lambda m: (m["date"], m["customer_id"]), reverse=True)
    return out


def _deals(ws: Workspace, as_of: date, where: Where) -> list[dict[str, Any]]:
    cond, params = where
    return ws.arrow(
        "SELECT o.opportunity_id, o.customer_id, o.status, CAST(o.amount AS DOUBLE) AS amount,"
        " o.competitor, o.lost_to, o.lost_reason FROM opportunities o"
        " JOIN customers c ON c.customer_id = o.customer_id"
        f" WHERE o.created_on <= ? AND (o.competitor IS NOT NULL OR o.lost_to IS NOT NULL)"
        f" AND {cond}",
        [as_of, *params],
    ).to_pylist()


def _blank(comp: Competitor) -> dict[str, Any]:
    return {
        "competitor_id": comp.competitor_id,
        "name": comp.name,
        "listed": comp.listed,
        "price_position": comp.price_position,
        "customers": set(),
        "incumbent_at": 0,
        "mentioned_at": set(),
        "regions": defaultdict(int),
        "industries": defaultdict(int),
        "revenue_at_stake": 0.0,
        "others_spend": 0.0,
        "pipeline_at_stake": 0.0,
        "open_deals": 0,
        "won": 0,
        "lost": 0,
        "lost_to_amount": 0.0,
        "lost_reasons": defaultdict(int),
    }


def competitor_view(
    ws: Workspace,
    as_of: date | None = None,
    *,
    scope: RowScope | None = None,
    owner: str | None = None,
    region: str | None = None,
) -> dict[str, Any]:
    """Per competitor: customers covered (incumbent, bidding or mentioned), regions and
    industries, our 12-month revenue there, the wallet it holds, open pipeline it contests,
    and our wins and losses against it; plus the per-customer rows and the mentions."""
    day = pick_as_of(ws, as_of)
    where = customer_where(scope, owner=owner, region=region)
    matcher = Matcher(load_competitors(ws))
    customers = {r["customer_id"]: r for r in customer_rows(ws, day, where)}
    stats: dict[str, dict[str, Any]] = {}

    def entry(comp: Competitor) -> dict[str, Any]:
        return stats.setdefault(comp.competitor_id, _blank(comp))

    covered: dict[str, set[str]] = defaultdict(set)  # competitor -> customers
    for cid, c in customers.items():
        c.update(wallet_of(c["spend_12m"], c["share_of_wallet"], c["wallet_size"]))
        comp = matcher.resolve(c["incumbent_supplier"])
        c["competitor_id"] = comp.competitor_id if comp else None
        c["competitor_name"] = comp.name if comp else None
        if comp is None:
            continue
        e = entry(comp)
        e["incumbent_at"] += 1
        e["others_spend"] += c["others_spend"] or 0.0
        covered[comp.competitor_id].add(cid)
    for deal in _deals(ws, day, where):
        rival = matcher.resolve(deal["competitor"])
        winner = matcher.resolve(deal["lost_to"]) if deal["status"] == "lost" else None
        for comp in {c.competitor_id: c for c in (rival, winner) if c}.values():
            e = entry(comp)
            covered[comp.competitor_id].add(deal["customer_id"])
            amount = deal["amount"] or 0.0
            if deal["status"] == "open" or deal["status"] is None:
                e["open_deals"] += 1
                e["pipeline_at_stake"] += amount
            elif deal["status"] == "won":
                e["won"] += 1
            elif deal["status"] == "lost":
                e["lost"] += 1
                if winner is not None and winner.competitor_id == comp.competitor_id:
                    e["lost_to_amount"] += amount
                    e["lost_reasons"][deal["lost_reason"] or "—"] += 1
    mentions = find_mentions(ws, matcher, day, where)
    for m in mentions:
        comp = matcher.competitors[m["competitor_id"]]
        entry(comp)["mentioned_at"].add(m["customer_id"])
        covered[comp.competitor_id].add(m["customer_id"])
    for cid_set_key, cids in covered.items():
        e = stats[cid_set_key]
        e["customers"] = cids
        for cid in cids:
            c = customers[cid]
            e["regions"][c["region"] or "—"] += 1
            e["industries"][(c["industry_code"] or "—")[:1]] += 1
            e["revenue_at_stake"] += c["spend_12m"]
    for comp in matcher.competitors.values():
        if comp.listed:
            entry(comp)
    rows = [_finish(e) for e in stats.values()]
    rows.sort(key=lambda r: (-r["revenue_at_stake"], -r["customers"], r["competitor_id"]))
    mention_count: dict[str, int] = defaultdict(int)
    for m in mentions:
        mention_count[m["customer_id"]] += 1
    listed = [
        c for c in customers.values() if c["competitor_id"] or mention_count[c["customer_id"]]
    ]
    for c in listed:
        c["mentions"] = mention_count[c["customer_id"]]
    return {"as_of": day, "competitors": rows, "customers": listed, "mentions": mentions}


def _finish(e: dict[str, Any]) -> dict[str, Any]:
    closed = e["won"] + e["lost"]
    return {
        **e,
        "customers": len(e["customers"]),
        "mentioned_at": len(e["mentioned_at"]),
        "regions": dict(sorted(e["regions"].items(), key=lambda kv: (-kv[1], kv[0]))),
        "industries": dict(sorted(e["industries"].items(), key=lambda kv: (-kv[1], kv[0]))),
        "lost_reasons": dict(sorted(e["lost_reasons"].items(), key=lambda kv: (-kv[1], kv[0]))),
        "win_rate": e["won"] / closed if closed else None,
    }
