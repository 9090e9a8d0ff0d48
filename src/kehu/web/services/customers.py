"""Customers: the scoped list (filters, sort, search, pages), detail, and Excel export."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from kehu.access.masking import mask_records
from kehu.app import resolve_segment
from kehu.errors import KehuError
from kehu.web.services.common import plain, plain_tree, query
from kehu.web.services.listing import (
    CUSTOMER_FIELDS,
    FILTER_COLUMNS,
    SEGMENT_FIELDS,
    SNAPSHOT_FIELDS,
    ensure_list,
)

if TYPE_CHECKING:
    from kehu.access.scope import Scope
    from kehu.web.services.state import WebState

SORTABLE = (
    "customer_id",
    "name",
    "region",
    "owner",
    "industry_name",
    "recency_days",
    "orders_12m",
    "spend_12m",
    "value_score",
    "value_tier",
    "rfm_type",
    "lifecycle",
    "clv_historical",
    "predicted_clv",
    "p_alive",
    "churn_risk",
    "last_order_date",
)
# filter -> column; values may be comma-separated for "any of" (the sorted indexes keep them)
EQUALITY_FILTERS = FILTER_COLUMNS
# the list table's columns (listing.py builds it), less the start of cooperation and profits
LIST_COLUMNS = tuple(
    c
    for c in (*CUSTOMER_FIELDS, *SNAPSHOT_FIELDS)
    if c not in {"cooperation_start", "profit_12m", "profit_historical"}
)


@dataclass(frozen=True)
class CustomerQuery:
    """What the customers table shows: filters, search text, sort and page."""

    q: str | None = None
    filters: tuple[tuple[str, str], ...] = ()
    min_churn: float | None = None
    min_value: float | None = None
    sort: str = "value_score"
    desc: bool = True
    page: int = 1
    page_size: int = 50
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @classmethod
    def build(
        cls,
        *,
        q: str | None = None,
        sort: str | None = None,
        order: str | None = None,
        page: int = 1,
        page_size: int | None = None,
        max_page_size: int = 500,
        default_page_size: int = 50,
        min_churn: float | None = None,
        min_value: float | None = None,
        **filters: str | None,
    ) -> CustomerQuery:
        """Validate raw request values (unknown sort keys and filters are user errors)."""
        sort = sort or "value_score"
        if sort not in SORTABLE:
            raise KehuError(
                f"不能按 {sort} 排序;可选:{', '.join(SORTABLE)}",
                f"cannot sort by {sort}; choose one of {', '.join(SORTABLE)}",
            )
        unknown = [k for k in filters if k not in EQUALITY_FILTERS]
        if unknown:
            raise KehuError(f"未知筛选条件 {unknown}", f"unknown filters {unknown}")
        size = min(max(int(page_size or default_page_size), 1), max_page_size)
        clean = tuple(
            sorted((k, _segment_keys(k, v)) for k, v in filters.items() if v and v.strip())
        )
        text = (q or "").strip() or None
        return cls(
            q=text[:100] if text else None,
            filters=clean,
            min_churn=min_churn,
            min_value=min_value,
            sort=sort,
            desc=(order or ("asc" if sort in ("name", "customer_id") else "desc")) != "asc",
            page=max(int(page or 1), 1),
            page_size=size,
        )

    def equalities(self, scope: Scope) -> list[tuple[str, list[str]]]:
        """(column, any of these values) per filter; the scope's own comes first, as the
        access floor states it (no values: no customer)."""
        kept = scope.customer_filter()
        out = [] if kept is None else [(kept[0], list(kept[1]))]
        for key, raw in self.filters:
            values = [v for v in (s.strip() for s in raw.split(",")) if v]
            if values:
                out.append((key, values))
        return out

    def bounds(self) -> tuple[list[str], list[Any]]:
        """The minimum churn risk and value score asked for, as conditions."""
        parts: list[str] = []
        params: list[Any] = []
        for column, least in (("churn_risk", self.min_churn), ("value_score", self.min_value)):
            if least is not None:
                parts.append(f"{column} >= ?")
                params.append(float(least))
        return parts, params

    def where(self, scope: Scope) -> tuple[str, list[Any]]:
        parts, params = _any_of(self.equalities(scope))
        more, more_params = self.bounds()
        parts += more
        params += more_params
        if self.q:
            for term in _search_terms(self.q):
                parts.append("search_text LIKE ?")
                params.append(f"%{term}%")
        return " AND ".join(parts) or "TRUE", params

    def order_by(self) -> str:
        direction = "DESC" if self.desc else "ASC"
        return f"{self.sort} {direction} NULLS LAST, customer_id"

    def key(self) -> tuple[Any, ...]:
        return (self.q, self.filters, self.min_churn, self.min_value, self.sort, self.desc)


def _any_of(equalities: list[tuple[str, list[str]]]) -> tuple[list[str], list[Any]]:
    """`column IN (?, …)` per equality (`FALSE` for one without values)."""
    parts, params = [], []
    for column, values in equalities:
        parts.append(f"{column} IN ({', '.join('?' for _ in values)})" if values else "FALSE")
        params.extend(values)
    return parts, params


def _segment_keys(key: str, raw: str) -> str:
    """An industry or size filter as keys, whether a code or a label was typed (as the CLI)."""
    if key not in SEGMENT_FIELDS:
        return raw.strip()
    return ",".join(resolve_segment(key, v) for v in raw.split(",") if v.strip())


def _search_terms(text: str) -> list[str]:
    """Split a search into terms; a phone-like term matches on its digits only."""
    whole = re.sub(r"\D", "", text)
    if len(whole) >= 4 and re.fullmatch(r"[\d+\-() ]+", text.strip()):
        return [whole]  # a phone number typed with spaces or dashes
    terms = []
    for raw in text.lower().split():
        digits = re.sub(r"\D", "", raw)
        if len(digits) >= 4 and re.fullmatch(r"[\d+\-() ]+", raw):
            terms.append(digits)
        else:
            terms.append(raw.replace("%", "").replace("_", ""))
    return [t for t in terms if t]


PAGE_WINDOW = 5


def list_customers(state: WebState, scope: Scope, cq: CustomerQuery) -> dict[str, Any]:
    """One page of the customers the scope may see, with the total count."""
    table = ensure_list(state)
    where, params = cq.where(scope)

    def count() -> int:
        return int(state.ws.scalar(f"SELECT count(*) FROM {table} WHERE {where}", params) or 0)

    # Pages are fetched in windows of PAGE_WINDOW pages: a top-N of 250 rows costs what a
    # top-N of 50 does, and people page forward, so one query serves the next pages too.
    first = (cq.page - 1) * cq.page_size
    window = first // (cq.page_size * PAGE_WINDOW)
    start = window * cq.page_size * PAGE_WINDOW

    def rows_window() -> list[dict[str, Any]]:
        rows = query(
            state.ws,
            f"SELECT {', '.join(LIST_COLUMNS)} FROM {table} WHERE {where}"
            f" ORDER BY {cq.order_by()} LIMIT ? OFFSET ?",
            [*params, cq.page_size * PAGE_WINDOW, start],
        )
        return mask_records(rows, scope)

    if cq.q is None:
        return _list_fast(state, scope, cq)
    total = state.cached("customers", ("count", scope.key, cq.key()), count)
    chunk = state.cached(
        "customers", ("rows", scope.key, cq.key(), cq.page_size, window), rows_window
    )
    items = chunk[first - start : first - start + cq.page_size]
    return _page(cq, total, items)


def _page(cq: CustomerQuery, total: int, items: list[dict[str, Any]]) -> dict[str, Any]:
    """One page of the customer list with its paging and sort facts."""
    return {
        "total": total,
        "page": cq.page,
        "page_size": cq.page_size,
        "pages": max((total + cq.page_size - 1) // cq.page_size, 1),
        "sort": cq.sort,
        "order": "desc" if cq.desc else "asc",
        "items": items,
    }


def _fast_where(state: WebState, scope: Scope, cq: CustomerQuery) -> tuple[str, list[Any]] | None:
    """The filter over a sorted index, or None when it can match nothing (an unknown value:
    ENUM columns only hold the values that exist)."""
    known: dict[str, set[str]] = state._list_known  # type: ignore[attr-defined]
    equalities = [(c, [v for v in values if v in known[c]]) for c, values in cq.equalities(scope)]
    if any(not values for _, values in equalities):
        return None
    parts, params = _any_of(equalities)
    more, more_params = cq.bounds()
    return " AND ".join(parts + more) or "TRUE", params + more_params


def _list_fast(state: WebState, scope: Scope, cq: CustomerQuery) -> dict[str, Any]:
    """A page without a text search: sorted index scan + rows by position (see listing)."""
    from kehu.web.services.listing import ensure_order

    index = ensure_order(state, cq.sort, cq.desc)
    cond = _fast_where(state, scope, cq)
    first = (cq.page - 1) * cq.page_size

    def count() -> int:
        if cond is None:
            return 0
        return int(state.ws.scalar(f"SELECT count(*) FROM {index} WHERE {cond[0]}", cond[1]) or 0)

    def page() -> list[dict[str, Any]]:
        if cond is None:
            return []
        rids = [
            r[0]
            for r in state.ws.rows(
                f"SELECT rid FROM {index} WHERE {cond[0]} LIMIT ? OFFSET ?",
                [*cond[1], cq.page_size, first],
            )
        ]
        if not rids:
            return []
        import pyarrow as pa

        table = state._list_rows.take(pa.array(rids, pa.int64()))  # type: ignore[attr-defined]
        rows = [{c: plain(r.get(c)) for c in LIST_COLUMNS} for r in table.to_pylist()]
        return mask_records(rows, scope)

    total = state.cached("customers", ("count", scope.key, cq.key()[:4]), count)
    items = state.cached("customers", ("fast", scope.key, cq.key(), cq.page, cq.page_size), page)
    return _page(cq, total, items)


def iter_customers(
    state: WebState, scope: Scope, cq: CustomerQuery, limit: int
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """All matching rows (up to `limit`) for an export, masked like the page."""
    table = ensure_list(state)
    where, params = cq.where(scope)
    rows = query(
        state.ws,
        f"SELECT {', '.join(LIST_COLUMNS)} FROM {table} WHERE {where}"
        f" ORDER BY {cq.order_by()} LIMIT ?",
        [*params, int(limit)],
    )
    masked = mask_records(rows, scope)
    return list(LIST_COLUMNS), [tuple(r[c] for c in LIST_COLUMNS) for r in masked]


def filter_options(state: WebState, scope: Scope) -> dict[str, list[str]]:
    """Distinct values for the list's filter menus, within the scope."""
    table = ensure_list(state)
    cond, params = CustomerQuery().where(scope)

    def compute() -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for col in ("region", "owner", "industry_name", "customer_type", "province", "industry",
                    "size"):  # fmt: skip
            rows = state.ws.rows(
                f"SELECT DISTINCT {col} FROM {table} WHERE {cond} AND {col} IS NOT NULL"
                f" ORDER BY 1 LIMIT 500",
                params,
            )
            out[col] = [r[0] for r in rows]
        return out

    return state.cached("customers", ("options", scope.key), compute)


def get_customer(state: WebState, scope: Scope, customer_id: str) -> dict[str, Any]:
    """The customer's full record; `NotFoundError` when absent or outside the scope."""
    return plain_tree(state.kehu.customer_record(customer_id, scope=scope))


def query_as_dict(cq: CustomerQuery) -> dict[str, Any]:
    out = {k: plain(v) for k, v in asdict(cq).items() if k not in ("filters", "extra")}
    out.update(dict(cq.filters))
    return out
