"""Churn warning: the seed's rules + a LightGBM model trained on the workspace's history.

Public API (CONTRACTS.md): `compute_churn(ws_tables, as_of, settings) -> ChurnOutput`.
`kehu churn train` uses `train_attribute_model` on a labelled attribute table.
"""

import os

# LightGBM's OpenMP threads spin while waiting by default; on a busy machine (a laptop doing
# other work, a shared CI box) that makes training 10-25x slower. Must be set before the
# OpenMP runtime loads, i.e. before lightgbm is first imported.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from kehu.analytics.churn.compute import ChurnOutput, compute_churn  # noqa: E402

__all__ = ["ChurnOutput", "compute_churn"]
