"""Which customers pushed records name, resolved as the import will resolve them.

A batch pushed within a scope is checked before it is imported, and the check has to see the
customer the importer will write to: the records' headers are mapped with the import's
aliases and their ids resolved by the importer's own lookup (`load.resolve_customers`: the
source's alias, the id itself, an id one customer carries under any source).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

import pyarrow as pa

from kehu.errors import AccessDenied, KehuError
from kehu.ingest.headers import header_columns
from kehu.ingest.load import resolve_customers

if TYPE_CHECKING:
    from kehu.workspace import Workspace


class RowScope(Protocol):
    """What the check needs of an access scope (`kehu.access.scope.Scope`)."""

    def allows(self, region: str | None, owner: str | None) -> bool: ...


class RecordsOutsideScope(AccessDenied):
    """A pushed batch names customers outside the pusher's scope; `records` are their
    positions in the batch (from 0)."""

    def __init__(self, records: list[int]) -> None:
        super().__init__(
            f"第 {records[:10]} 条记录属于您无权访问的客户,整批未导入",
            f"records {records[:10]} belong to customers outside your access; nothing was imported",
        )
        self.records = records


def pushed_customers(
    ws: Workspace, kind: str, records: list[dict[str, Any]], source: str
) -> list[tuple[str | None, str | None]]:
    """(the id a record names, the stored customer it resolves to) per record: (None, None)
    when it names none, (id, None) when no stored customer answers to it."""
    headers = list(dict.fromkeys(str(k) for r in records for k in r))
    keys = [h for h, column in header_columns(headers, kind).items() if column == "customer_id"]
    refs = [
        next((str(r[k]).strip() for k in keys if r.get(k) not in (None, "")), None) for r in records
    ]
    cur = ws.cursor()
    try:
        resolved = resolve_customers(cur, pa.array(refs, pa.string()), source).to_pylist()
    finally:
        cur.close()
    return list(zip(refs, resolved, strict=True))


def check_pushed(
    ws: Workspace, kind: str, records: list[dict[str, Any]], source: str, scope: RowScope
) -> None:
    """Refuse a batch (`KehuError`, `RecordsOutsideScope`) with a record that names no
    customer or a stored customer outside `scope`; unknown customers are the import's to
    reject, row by row."""
    pairs = pushed_customers(ws, kind, records, source)
    missing = [i for i, (ref, _) in enumerate(pairs) if ref is None]
    if missing:
        raise KehuError(
            f"第 {missing[:10]} 条记录缺少 customer_id",
            f"records {missing[:10]} have no customer_id",
        )
    ids = sorted({cid for _, cid in pairs if cid is not None})
    where = {
        cid: (region, owner)
        for cid, region, owner in ws.rows(
            "SELECT customer_id, region, owner FROM customers"
            " WHERE customer_id IN (SELECT unnest(?))",
            [ids],
        )
    }
    outside = [
        i for i, (_, cid) in enumerate(pairs) if cid is not None and not scope.allows(*where[cid])
    ]
    if outside:
        raise RecordsOutsideScope(outside)
