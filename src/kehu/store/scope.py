"""The row filter a read takes: which customers a caller may see.

`kehu.access.Scope` (a user's role, regions and owner names) is one; the domain's read
functions take any object with these two methods, so they filter without knowing users.
"""

from __future__ import annotations

from typing import Any, Protocol


class RowScope(Protocol):
    def customer_sql(self, alias: str = "c") -> tuple[str, list[Any]]:
        """A SQL predicate over a table with `region` and `owner` (customers)."""
        ...

    def customer_ids_sql(self) -> tuple[str, list[Any]]:
        """`customer_id IN (...)` for tables that point at a customer."""
        ...


def ids_where(scope: RowScope | None) -> tuple[str, list[Any]]:
    """The scope's predicate on `customer_id` (TRUE without a scope)."""
    if scope is None:
        return "TRUE", []
    cond, params = scope.customer_ids_sql()
    return cond, list(params)
