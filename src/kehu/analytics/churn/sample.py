"""An engine-independent sample of customers for the churn model's training dates.

Training needs features at several past as-of dates, yet only `churn.max_train_rows` rows
are learnt from. When more than `churn.train_customers` customers have ordered by `as_of`,
the history tables are first restricted (semi-join, materialised once on the engine) to the
customers whose MD5(customer_id) falls below a cut-off chosen to keep about that many, so each
training date aggregates a fraction of the rows. MD5 in hex is the same on DuckDB and Spark, so both
engines pick the same customers, and the same customers at every training date. Scoring at
`as_of` always covers every customer.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import ibis
import ibis.expr.types as ir

# The tables the churn features read (kehu.analytics.churn.features), each by customer_id.
HISTORY_TABLES = ("orders", "interactions", "tickets", "surveys")
_DIGITS = 8  # hex digits of the cut-off: 16^8 steps are fine enough for any sample size


def md5_cutoff(limit: int, population: int) -> str:
    """The hex cut-off below which an MD5 digest falls with probability limit / population."""
    share = min(1.0, limit / population) if population else 1.0
    return format(min(int(share * 16**_DIGITS), 16**_DIGITS - 1), f"0{_DIGITS}x")


def in_sample(customer_id: ir.Value, cutoff: str) -> ir.BooleanValue:
    """True for the customers in the sample (lower-case hex MD5 of the id below `cutoff`)."""
    return customer_id.cast("string").hexdigest("md5").lower() < ibis.literal(cutoff)


@contextmanager
def training_tables(
    tables: dict[str, ir.Table], as_of: date, limit: int
) -> Iterator[tuple[dict[str, ir.Table], dict[str, int] | None]]:
    """(tables restricted to the sample, {"customers", "population"}), or (tables, None)
    when there are at most `limit` customers. The population is the customers table (else
    the customers with orders by `as_of`); the sampled ids are picked there (MD5 over a few
    10^5 ids) and the history tables semi-joined to them. Cached tables are released on exit."""
    if "customers" in tables:
        ids = tables["customers"].select("customer_id")
    else:
        o = tables["orders"]
        ids = o.filter(o.order_date <= ibis.literal(as_of)).select("customer_id").distinct()
    population = int(ids.count().to_pyarrow().as_py() or 0)
    if population <= limit:
        yield tables, None
        return
    chosen = ids.filter(in_sample(ids.customer_id, md5_cutoff(limit, population))).cache()
    cached: dict[str, ir.Table] = {}
    try:
        for name in HISTORY_TABLES:
            if name in tables:
                cached[name] = tables[name].semi_join(chosen, "customer_id").cache()
        size = int(chosen.count().to_pyarrow().as_py() or 0)
        yield {**tables, **cached}, {"customers": size, "population": population}
    finally:
        for table in (*cached.values(), chosen):
            table.release()
