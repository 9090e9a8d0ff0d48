"""Churn warning: the seed's rules + a LightGBM model trained on the workspace's history.

Public API (CONTRACTS.md): `compute_churn(ws_tables, as_of, settings) -> ChurnOutput`.
`kehu churn train` uses `train_attribute_model` on a labelled attribute table.
"""

from kehu.analytics.churn.compute import ChurnOutput, compute_churn

__all__ = ["ChurnOutput", "compute_churn"]
