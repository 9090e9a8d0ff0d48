"""The push API: JSON batches of orders, interactions, tickets and surveys from integrations.

Records go through `Kehu.import_records` (the same mapping, cleaning, validation and rejects
as a file import; idempotent on the natural key; one transaction per batch), which first
resolves every record's customer the way the importer does and refuses a batch touching a
customer outside the caller's scope whole (`kehu.ingest.pushed`); the refusal and the push
are audited here, with the client's address.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kehu.access import audit
from kehu.app import RecordsOutsideScope
from kehu.errors import KehuError

if TYPE_CHECKING:
    from kehu.access.scope import Scope
    from kehu.web.services.state import WebState

PUSH_KINDS = ("orders", "interactions", "tickets", "surveys")


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
    try:
        result = state.kehu_as(scope.user).import_records(
            kind, records, source=source, dry_run=dry_run, scope=scope
        )
    except RecordsOutsideScope as refused:
        audit.record(
            state.ws,
            "access_denied",
            user=scope.user,
            target=f"push:{kind}",
            detail={"records": refused.records[:50]},
            ip=ip,
        )
        raise
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
