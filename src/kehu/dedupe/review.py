"""The review queue: pairs between `dedupe.review` and `dedupe.auto_merge`, decided by a
person — merge (`kehu dedupe merge A B`) or reject (remembered, never proposed again)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from kehu.dedupe.labels import MATCH, NON_MATCH, record_label
from kehu.dedupe.merge import MergeRecord, merge_clusters
from kehu.engines.sql import select
from kehu.errors import KehuError, NotFoundError
from kehu.store.lookup import resolve_customer_id

if TYPE_CHECKING:
    from kehu.workspace import Workspace

# Customer fields shown side by side in the review.
REVIEW_FIELDS = (
    "name",
    "customer_type",
    "registration_id",
    "phone",
    "email",
    "contact_name",
    "province",
    "city",
    "district",
    "address",
    "postcode",
    "founded_on",
    "birth_date",
    "industry_name",
    "owner",
    "source",
    "source_id",
    "updated_at",
)


def pending_pairs(ws: Workspace, limit: int | None = None) -> list[dict[str, Any]]:
    """Pairs waiting for review, most likely first, each with both records' fields."""
    sql = (
        "SELECT id_l, id_r, probability, agreed, hold FROM dedupe_pairs p "
        "WHERE status = 'review' "
        "AND EXISTS (SELECT 1 FROM customers c WHERE c.customer_id = p.id_l) "
        "AND EXISTS (SELECT 1 FROM customers c WHERE c.customer_id = p.id_r) "
        "ORDER BY probability DESC, id_l, id_r"
    )
    pairs = ws.rows(sql + " LIMIT ?", [int(limit)]) if limit else ws.rows(sql)
    if not pairs:
        return []
    ids = sorted({i for a, b, *_ in pairs for i in (a, b)})
    cols = ("customer_id", *REVIEW_FIELDS)
    among = "customer_id IN (SELECT unnest(?))"
    records = {
        r[0]: dict(zip(cols, r, strict=True))
        for r in ws.rows(select("customers", cols, where=among), [ids])
    }
    return [
        {
            "id_l": a,
            "id_r": b,
            "probability": p,
            "agreed": [x for x in (agreed or "").split(",") if x],
            "hold": hold,
            "left": records[a],
            "right": records[b],
        }
        for a, b, p, agreed, hold in pairs
    ]


def _pair(a: str, b: str) -> tuple[str, str]:
    if a == b:
        raise KehuError("两个编号相同", "the two ids are the same")
    return (a, b) if a < b else (b, a)


def merge_pair(
    ws: Workspace, a: str, b: str, *, keep: str | None = None, user: str | None = None
) -> MergeRecord:
    """Merge two customers now (a person's decision), remembered in dedupe_decisions."""
    a, b = resolve_customer_id(ws, a), resolve_customer_id(ws, b)
    left, right = _pair(a, b)
    if keep is not None:
        keep = resolve_customer_id(ws, keep)
        if keep not in (a, b):
            raise KehuError(f"--keep 必须是 {a} 或 {b}", f"--keep must be {a} or {b}")
    now = datetime.now()
    with ws.transaction() as cur:
        _decide(cur, left, right, "merge", user, now)
        records = merge_clusters(
            cur,
            [[left, right]],
            ws.settings.dedupe,
            method="manual",
            keep=keep,
            user=user,
            default_source=ws.settings.workspace.default_source,
            now=now,
        )
    return records[0]


def reject_pair(
    ws: Workspace, a: str, b: str, *, user: str | None = None, note: str | None = None
) -> dict[str, Any]:
    """Mark two customers as different: the pair is never proposed again."""
    left, right = _pair(a, b)
    for cid in (left, right):
        known = ws.scalar("SELECT 1 FROM customers WHERE customer_id = ?", [cid]) or ws.scalar(
            "SELECT 1 FROM merge_customer_rows WHERE customer_id = ?", [cid]
        )
        if not known:
            raise NotFoundError(f"找不到客户 {cid}", f"no customer {cid}")
    with ws.transaction() as cur:
        _decide(cur, left, right, "reject", user, datetime.now(), note)
        cur.execute(
            "UPDATE dedupe_pairs SET status = 'rejected', blocked = 'rejected' "
            "WHERE id_l = ? AND id_r = ?",
            [left, right],
        )
    return {"id_l": left, "id_r": right, "decision": "reject"}


def _decide(
    cur: Any,
    a: str,
    b: str,
    decision: str,
    user: str | None,
    now: datetime,
    note: str | None = None,
) -> None:
    cur.execute(
        "INSERT INTO dedupe_decisions (id_l, id_r, decision, decided_at, user_name, note) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET decision = excluded.decision, "
        "decided_at = excluded.decided_at, user_name = excluded.user_name, note = excluded.note",
        [a, b, decision, now, user, note],
    )
    record_label(cur, a, b, MATCH if decision == "merge" else NON_MATCH, decision, now)


def merge_log(ws: Workspace, limit: int = 50) -> list[dict[str, Any]]:
    """The latest merges, newest first."""
    cols = (
        "merge_id",
        "created_at",
        "method",
        "survivor_id",
        "merged_ids",
        "probability",
        "status",
        "user_name",
        "undone_at",
    )
    rows = ws.rows(select("merges", cols, order_by="seq DESC", limit=limit))
    return [dict(zip(cols, r, strict=True)) for r in rows]
