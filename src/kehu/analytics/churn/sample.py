"""A seeded sample of customers for the churn model's training dates.

Training needs features at several past as-of dates, yet only `churn.max_train_rows` rows
are learnt from. When more than `churn.train_customers` customers have ordered by `as_of`,
the history tables are first restricted (semi-join, materialised once on the engine) to a
seeded random sample of that many customers, so each training date aggregates a fraction of
the rows. The sample is drawn in Python from the sorted ids: the same on every engine.
Scoring at `as_of` always covers every customer.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import ibis
import ibis.expr.types as ir
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# The tables the churn features read (kehu.analytics.churn.features), each by customer_id.
HISTORY_TABLES = ("orders", "interactions", "tickets", "surveys")


def sample_ids(ids: pa.Array, limit: int, seed: int = 7) -> pa.Array:
    """`limit` ids drawn without replacement from the sorted distinct `ids` (seeded)."""
    ids = pc.unique(ids.drop_null())
    ids = ids.take(pc.sort_indices(ids))
    if len(ids) <= limit:
        return ids
    keep = np.sort(np.random.default_rng(seed).choice(len(ids), size=limit, replace=False))
    return ids.take(pa.array(keep))


@contextmanager
def training_tables(
    tables: dict[str, ir.Table], as_of: date, limit: int
) -> Iterator[tuple[dict[str, ir.Table], dict[str, int] | None]]:
    """(tables restricted to the sample, {"customers", "population"}), or (tables, None)
    when at most `limit` customers have ordered by `as_of`. Cached tables are released on
    exit."""
    o = tables["orders"]
    ids = o.filter(o.order_date <= ibis.literal(as_of)).select("customer_id").distinct()
    population = ids.to_pyarrow()["customer_id"].combine_chunks()
    if len(population) <= limit:
        yield tables, None
        return
    chosen = ibis.memtable(pa.table({"customer_id": sample_ids(population, limit)}))
    cached: dict[str, ir.Table] = {}
    try:
        for name in HISTORY_TABLES:
            if name in tables:
                cached[name] = tables[name].semi_join(chosen, "customer_id").cache()
        yield {**tables, **cached}, {"customers": limit, "population": len(population)}
    finally:
        for table in cached.values():
            table.release()
