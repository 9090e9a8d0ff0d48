"""Point-in-time views of the canonical tables: only records dated on or before `as_of`.

Every analytics function reads its inputs through `as_of_view`, so a snapshot for a past date
never sees later orders, tickets or opportunities (history can be rebuilt, models back-tested).
Pure Ibis: the same filters run on DuckDB and on Spark.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import ibis
import ibis.expr.types as ir

# The canonical tables the analytics read (names as in kehu.store.schema).
SOURCE_TABLES = (
    "customers",
    "contacts",
    "orders",
    "interactions",
    "tickets",
    "surveys",
    "opportunities",
)

# Each dated table and the column that dates it (a DATE or a TIMESTAMP).
DATE_COLUMNS: dict[str, str] = {
    "orders": "order_date",
    "interactions": "occurred_at",
    "tickets": "opened_at",
    "surveys": "surveyed_on",
    "opportunities": "created_on",
}


def source_tables(engine: Any) -> dict[str, ir.Table]:
    """The canonical tables the analytics read, from an engine (`ws.engine`, a Spark engine)
    or any Ibis backend, as a dict of Ibis tables."""
    return {name: engine.table(name) for name in SOURCE_TABLES}


def end_of_day(as_of: date) -> datetime:
    """The first instant after `as_of` (timestamps strictly before it belong to the day)."""
    return datetime.combine(as_of + timedelta(days=1), time.min)


def on_or_before(table: ir.Table, column: str, as_of: date) -> ir.Table:
    """Rows of `table` whose `column` (date or timestamp) falls on or before `as_of`."""
    col = table[column]
    if col.type().is_timestamp():
        return table.filter(col < ibis.literal(end_of_day(as_of)))
    return table.filter(col <= ibis.literal(as_of))


def as_of_view(tables: dict[str, ir.Table], as_of: date) -> dict[str, ir.Table]:
    """Every dated table filtered to records on or before `as_of`; others unchanged."""
    view = dict(tables)
    for name, column in DATE_COLUMNS.items():
        if name in view:
            view[name] = on_or_before(view[name], column, as_of)
    return view


def first_seen(tables: dict[str, ir.Table], skip: tuple[str, ...] = ()) -> ir.Table:
    """Per customer, the earliest date of any record (cooperation start included).

    A customer whose first trace is after `as_of` did not exist yet at `as_of` and is left out
    of that snapshot; customers with no dated record at all are always in. Tables in `skip`
    are left out (the caller takes their first dates from a pass it makes anyway).
    """
    customers = tables["customers"]
    result = customers.select("customer_id", seen=customers.cooperation_start)
    for name, column in DATE_COLUMNS.items():
        if name in skip:
            continue
        t = tables[name]
        col = t[column]
        day = col.date() if col.type().is_timestamp() else col
        firsts = t.group_by("customer_id").agg(first=day.min())
        joined = result.left_join(firsts, result.customer_id == firsts.customer_id)
        result = joined.select(
            customer_id=result.customer_id, seen=ibis.least(result.seen, firsts.first)
        )
    return result


@dataclass(frozen=True)
class Availability:
    """Which optional data a workspace has at `as_of` (indicators without data are skipped)."""

    orders: bool = False
    costs: bool = False
    payments: bool = False
    opportunities: bool = False
    tickets: bool = False

    @classmethod
    def of(cls, view: dict[str, ir.Table]) -> Availability:
        """Probe the (point-in-time) tables; a handful of cheap counts."""
        orders = view["orders"]

        def has(expr: ir.Table) -> bool:
            return bool(expr.limit(1).count().execute())

        return cls(
            orders=has(orders),
            costs=has(orders.filter(orders.cost.notnull())),
            payments=has(orders.filter(orders.paid_amount.notnull() | orders.paid_date.notnull())),
            opportunities=has(view["opportunities"]),
            tickets=has(view["tickets"]),
        )
