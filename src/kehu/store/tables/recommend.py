"""System tables of next-best-product (kehu.analytics.recommend): every `kehu recommend`
run's holdout evaluation, and the newest lists per (as_of, level) for the 360 page, the
account plans and the plan's cross-sell tasks.

Like the snapshot, the lists are analytics output recomputed by each run, so a merge does
not re-point them (the next run lists the merged customer once).
"""

from __future__ import annotations

from kehu.store.schema import Table, register_table

RECOMMEND_RUNS = register_table(
    Table(
        "recommend_runs",
        {
            "run_at": "TIMESTAMP NOT NULL",
            "as_of": "DATE NOT NULL",
            "level": "VARCHAR NOT NULL",
            "model": "VARCHAR",
            "customers_evaluated": "BIGINT",
            "recall_at_5": "DOUBLE",
            "popularity_recall_at_5": "DOUBLE",
            "hit_at_5": "DOUBLE",
            "popularity_hit_at_5": "DOUBLE",
            "result_json": "VARCHAR",
        },
        key=("run_at", "level"),
        audit=False,
    )
)

# rank 1 = best; `because` is a bought item whose buyers also bought `item` (share of them),
# null when no buyer of the customer's items bought it (then share = its buyers' share).
CROSS_SELL = register_table(
    Table(
        "cross_sell",
        {
            "as_of": "DATE NOT NULL",
            "level": "VARCHAR NOT NULL",
            "customer_id": "VARCHAR NOT NULL",
            "rank": "INTEGER NOT NULL",
            "item": "VARCHAR NOT NULL",
            "score": "DOUBLE",
            "because": "VARCHAR",
            "share": "DOUBLE",
            "model": "VARCHAR",
        },
        key=("as_of", "level", "customer_id", "rank"),
        audit=False,
    )
)
