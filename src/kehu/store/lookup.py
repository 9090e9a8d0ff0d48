"""Customer ids as a user types them: the id itself, or a source system's id (after merges too)."""

from __future__ import annotations

from typing import Any, Protocol

from kehu.errors import NotFoundError


class Reader(Protocol):
    """What a lookup needs of a workspace: one value, or rows, of a query."""

    def scalar(self, sql: str, params: list[Any] | None = None) -> Any: ...

    def rows(self, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]: ...


def resolve_customer_id(ws: Reader, text: str) -> str:
    """The customer_id `text` names: a customer id, else the one customer its alias points at."""
    if ws.scalar("SELECT 1 FROM customers WHERE customer_id = ?", [text]):
        return text
    rows = ws.rows(
        "SELECT DISTINCT a.customer_id FROM customer_ids a JOIN customers c USING (customer_id) "
        "WHERE a.source_id = ?",
        [text],
    )
    if len(rows) == 1:
        return str(rows[0][0])
    raise NotFoundError(f"找不到客户 {text}", f"customer {text} not found")
