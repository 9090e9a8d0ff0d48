"""The push API: JSON batches of orders, interactions, tickets and surveys from integrations.

Records go through `kehu.ingest.import_records` (the same mapping, cleaning, validation and
rejects as a file import; idempotent on the natural key; one transaction per batch). Before
that, every record's customer is resolved the way the importer resolves it and checked
against the caller's scope: a batch touching a customer outside the scope is refused whole.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kehu.access import audit
from kehu.errors import AccessDenied, KehuError

if TYPE_CHECKING:
    from kehu.access.scope import Scope
    from kehu.web.services.state import WebState

PUSH_KINDS = ("orders", "interactions", "tickets", "surveys")
CUSTOMER_KEYS = ("customer_id", "客户编号", "客户ID", "客户id", "customer id", "CustomerID")


def _customer_ref(record: dict[str, Any]) -> str | None:
    for key in CUSTOMER_KEYS:
        value = record.get(key)
        if value not in (None, ""):
            return str(value).strip()
    return None


def resolve_customer_ids(state: WebState, source: str, refs: list[str]) -> dict[str, str]:
    """ref -> canonical customer_id, via customer_ids(source, source_id) first."""
    if not refs:
        return {}
    marks = ", ".join("?" for _ in refs)
    mapped = dict(
        state.ws.rows(
            f"SELECT source_id, customer_id FROM customer_ids"
            f" WHERE source = ? AND source_id IN ({marks})",
            [source, *refs],
        )
    )
    return {ref: mapped.get(ref) or ref for ref in refs}


def push_records(
    state: WebState,
    scope: Scope,
    kind: str,
    records: list[dict[str, Any]],
    *,
    source: str | None = None,
    dry_run: bool = False,
    ip: str | None = None,
) -> dict[str, Any]:
    """Import one batch; returns the import result (counts, rejects)."""
    scope.require("push")
    if kind not in PUSH_KINDS:
        raise KehuError(
            f"不支持推送 {kind};可选 {', '.join(PUSH_KINDS)}",
            f"cannot push {kind}; use one of {', '.join(PUSH_KINDS)}",
        )
    limit = state.settings.web.push_max_records
    if len(records) > limit:
        raise KehuError(
            f"一批最多 {limit} 条记录(收到 {len(records)} 条),请分批推送",
            f"at most {limit} records per batch (got {len(records)}); split the batch",
        )
    source = source or state.settings.workspace.default_source
    if not scope.sees_all:
        refs = [_customer_ref(r) for r in records]
        missing = [i for i, ref in enumerate(refs) if ref is None]
        if missing:
            raise KehuError(
                f"第 {missing[:10]} 条记录缺少 customer_id",
                f"records {missing[:10]} have no customer_id",
            )
        resolved = resolve_customer_ids(state, source, sorted({r for r in refs if r}))
        known = state.kehu.customers_among(sorted(set(resolved.values())))
        allowed = state.kehu.customers_among(sorted(known), scope=scope)
        outside = [
            i
            for i, ref in enumerate(refs)
            if ref is not None and resolved[ref] in known and resolved[ref] not in allowed
        ]
        if outside:
            audit.record(
                state.ws,
                "access_denied",
                user=scope.user,
                target=f"push:{kind}",
                detail={"records": outside[:50]},
                ip=ip,
            )
            raise AccessDenied(
                f"第 {outside[:10]} 条记录属于您无权访问的客户,整批未导入",
                f"records {outside[:10]} belong to customers outside your access; "
                "nothing was imported",
            )
    result = state.kehu_as(scope.user).import_records(kind, records, source=source, dry_run=dry_run)
    out = result.to_json()
    out["rejects"] = [
        {
            "row": r.row_number,
            "column": r.column,
            "value": r.value,
            "reason_code": r.reason_code,
            "reason_zh": r.reason_zh,
            "reason_en": r.reason_en,
        }
        for r in (result.rejects or [])[:500]
    ]
    if not dry_run:
        audit.record(
            state.ws,
            "push",
            user=scope.user,
            target=kind,
            detail={k: out.get(k) for k in ("import_id", "read", "loaded", "rejected")},
            ip=ip,
        )
        state.changed("activity")
    return out
