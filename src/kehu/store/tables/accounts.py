"""System table of key-account plans (大客户计划): the parts of a plan a team edits.

The facts of a plan (decision chain, deals, risks) are read live from the data; this table
keeps what people decide: the year's goals, the account team (RACI), actions and notes.
"""

from __future__ import annotations

from kehu.store.schema import MONEY, Table, register_table

ACCOUNT_PLANS = register_table(
    Table(
        "account_plans",
        {
            "plan_id": "BIGINT NOT NULL",
            "customer_id": "VARCHAR NOT NULL",
            "year": "INTEGER NOT NULL",
            "status": "VARCHAR NOT NULL",  # draft | agreed
            "revenue_goal": MONEY,
            "share_goal": "DOUBLE",  # share of wallet to reach (0-1)
            "categories": "VARCHAR",  # JSON list: categories to grow
            "team": "VARCHAR",  # JSON list of {"name", "role", "raci"}
            "actions": "VARCHAR",  # JSON list of {"text", "owner", "due", "done"}
            "notes": "VARCHAR",
            "updated_by": "VARCHAR",
        },
        # not keyed by (customer_id, year): a merge re-points both customers' plans to the
        # survivor, and the latest edited one is then read
        key=("plan_id",),
        indexes=(("customer_id", "year"),),
        refers_to_customer=True,
    )
)
