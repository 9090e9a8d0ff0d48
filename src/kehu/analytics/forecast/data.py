"""What the win model reads: deals, their stage history, the buyers' monthly orders (all
pulled once through the engine) and the stage order of this workspace's sales process."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from kehu.workspace import Workspace

DEALS = """
SELECT o.opportunity_id AS deal, o.customer_id, o.stage, o.status, o.owner,
       CAST(o.amount AS DOUBLE) AS amount, o.created_on, o.closed_on,
       c.region, upper(substr(c.industry_code, 1, 1)) AS section, c.name AS customer_name
FROM opportunities o LEFT JOIN customers c USING (customer_id)
"""
STAGES = "SELECT opportunity_id AS deal, stage, entered_on FROM opportunity_stages"
ORDERS = """
SELECT customer_id, date_trunc('month', order_date)::DATE AS month, count(*) AS orders,
       sum(CAST(amount AS DOUBLE)) AS revenue
FROM orders GROUP BY ALL
"""
TARGETS = """
SELECT period, coalesce(region, '') AS region, coalesce(owner, '') AS owner,
       CAST(amount AS DOUBLE) AS amount
FROM targets WHERE coalesce(customer_id, '') = ''
"""  # a customer's own target is no region's or rep's


@dataclass
class Pipeline:
    """A workspace's deals and what the features need, as pandas frames."""

    deals: pd.DataFrame  # deal, customer_id, stage, status, owner, amount, created_on, ...
    stages: pd.DataFrame  # deal, stage, entered_on (the stage history; may be empty)
    orders: pd.DataFrame  # customer_id, month, orders, revenue
    targets: pd.DataFrame  # period, region, owner, amount
    stage_order: list[str]  # the open stages, earliest first
    customers: int = 0  # how many customer codes (`cust_i`) there are
    owners: int = 0  # how many owner codes (`owner_i`)
    cache: dict[Any, pd.DataFrame] = field(default_factory=dict)  # weekly training snapshots

    @property
    def last_day(self) -> pd.Timestamp:
        """The latest date the deals know of (the default as-of)."""
        days = [self.deals["created_on"].max(), self.deals["closed_on"].max()]
        if len(self.stages):
            days.append(self.stages["entered_on"].max())
        return pd.Timestamp(max(d for d in days if pd.notna(d)))


def _frame(ws: Workspace, sql: str, dates: tuple[str, ...]) -> pd.DataFrame:
    df = ws.read(sql).df()
    for col in dates:
        df[col] = pd.to_datetime(df[col])
    return df


def load(ws: Workspace) -> Pipeline:
    """Read the deals, stage history, monthly orders and targets of a workspace."""
    deals = _frame(ws, DEALS, ("created_on", "closed_on"))
    deals["status"] = deals["status"].fillna("open").str.lower()
    deals["owner"] = deals["owner"].fillna("")
    deals["region"] = deals["region"].fillna("")
    stages = _frame(ws, STAGES, ("entered_on",))
    targets = ws.read(TARGETS).df()
    return pipeline(deals, stages, _frame(ws, ORDERS, ("month",)), targets)


def pipeline(
    deals: pd.DataFrame, stages: pd.DataFrame, orders: pd.DataFrame, targets: pd.DataFrame
) -> Pipeline:
    """The frames with integer codes (`deal_i`, `cust_i`, `owner_i`) the features count by."""
    deals = deals.reset_index(drop=True)
    deals["deal_i"] = np.arange(len(deals))
    customers = pd.Index(pd.unique(pd.concat([deals["customer_id"], orders["customer_id"]])))
    deals["cust_i"] = customers.get_indexer(deals["customer_id"])
    deals["owner_i"] = pd.factorize(deals["owner"])[0]
    orders = orders.assign(cust_i=customers.get_indexer(orders["customer_id"]))
    stages = stages.assign(deal_i=pd.Index(deals["deal"]).get_indexer(stages["deal"]))
    stages = stages[stages["deal_i"] >= 0].sort_values(["deal_i", "entered_on"], kind="stable")
    return Pipeline(
        deals,
        stages.reset_index(drop=True),
        orders,
        targets,
        stage_order(deals, stages),
        customers=len(customers),
        owners=int(deals["owner_i"].max()) + 1 if len(deals) else 0,
    )


def stage_order(deals: pd.DataFrame, stages: pd.DataFrame) -> list[str]:
    """The open stages in the order deals pass them: by the mean position of a stage in the
    deals' histories (a closed deal's final stage, 赢单 / 输单, is not an open stage)."""
    final = set(deals.loc[deals["status"] != "open", "stage"].dropna())
    open_now = deals.loc[deals["status"] == "open", "stage"].dropna()
    if len(stages):
        seq = stages.sort_values(["deal", "entered_on"])
        seq = seq.assign(pos=seq.groupby("deal").cumcount())
        mean = seq[~seq["stage"].isin(final - set(open_now))].groupby("stage")["pos"].mean()
        ordered = list(mean.sort_values(kind="stable").index)
    else:
        ordered = []
    return ordered + sorted(set(open_now) - set(ordered))


def stage_index(stage: pd.Series, order: list[str]) -> np.ndarray:
    """Each stage's position in the sales process (NaN when unknown)."""
    pos = {s: float(i) for i, s in enumerate(order)}
    return stage.map(pos).astype(float).to_numpy()
