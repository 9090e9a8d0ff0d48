"""The analytics headline of a demo run, scored against what the generator planted.

Reads only the `customer_snapshot` table (the public contract of the analytics floor) and
`truth.json`: segment counts, the Pareto share, how many customers carry a high churn risk,
and how well that risk ranks the customers the generator really made churn (ROC AUC).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import numpy as np
from rich.console import Console
from rich.table import Table

from kehu.analytics.coherence import watch_counts
from kehu.i18n import catalog

if TYPE_CHECKING:
    from kehu.demo.generate import DemoManifest
    from kehu.workspace import Workspace

HIGH_RISK = 0.5

MSG = catalog("headline")


def roc_auc(score: np.ndarray, label: np.ndarray) -> float | None:
    """Rank-based ROC AUC (ties get their average rank); None without both classes."""
    pos = int(label.sum())
    neg = len(label) - pos
    if pos == 0 or neg == 0:
        return None
    order = np.argsort(score, kind="mergesort")
    ranks = np.empty(len(score))
    s = score[order]
    i = 0
    while i < len(s):
        j = i
        while j + 1 < len(s) and s[j + 1] == s[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2.0 + 1.0
        i = j + 1
    return float((ranks[label].sum() - pos * (pos + 1) / 2.0) / (pos * neg))


def headline(ws: Workspace, manifest: DemoManifest) -> dict[str, Any] | None:
    """Counts and checks from the newest snapshot; None when there is none."""
    as_of = ws.scalar("SELECT max(as_of) FROM customer_snapshot")
    if as_of is None:
        return None
    snap = ws.arrow(
        "SELECT customer_id, rfm_type, value_tier, spend_12m, churn_risk, orders_12m, lifecycle "
        "FROM customer_snapshot WHERE as_of = ?",
        [as_of],
    ).to_pandas()
    out: dict[str, Any] = {"as_of": str(as_of), "customers": len(snap)}
    for col in ("rfm_type", "value_tier"):
        out[col] = {str(k): int(v) for k, v in snap[col].value_counts().items()}
    spend = np.sort(snap["spend_12m"].fillna(0).astype(float).to_numpy())[::-1]
    top = max(1, int(round(len(spend) * 0.2)))
    out["top20_share"] = round(float(spend[:top].sum() / spend.sum()), 3) if spend.sum() else None
    risk = snap["churn_risk"].astype(float).fillna(0).to_numpy()
    # lost customers are not "at risk": counted apart as win-back candidates (coherence rule 1)
    counts = watch_counts(snap, HIGH_RISK)
    out["high_churn_risk"] = counts["at_risk"]
    out["lost"] = counts["lost"]
    truth = json.loads(manifest.truth_path.read_text(encoding="utf-8"))
    churned = set(truth.get("churned", {}))
    # score only customers still buying in the last year: long-lost ones are trivial
    active = snap["orders_12m"].fillna(0).to_numpy() > 0
    label = snap["customer_id"].isin(churned).to_numpy()
    auc = roc_auc(risk[active], label[active])
    out["churn_auc"] = round(auc, 3) if auc is not None else None
    out["churned_scored"] = int(label[active].sum())
    return out


def render_headline(console: Console, head: dict[str, Any], lang: str) -> None:
    from kehu.analytics.labels import label

    t = Table(title=MSG("title", lang, as_of=head["as_of"]), show_header=False)
    t.add_column()
    t.add_column(justify="right")
    t.add_row(MSG("customers", lang), f"{head['customers']:,}")
    if head.get("top20_share") is not None:
        t.add_row(MSG("top20", lang), f"{head['top20_share']:.0%}")
    t.add_row(MSG("high_risk", lang, p=HIGH_RISK), f"{head['high_churn_risk']:,}")
    if head.get("lost") is not None:
        t.add_row(MSG("lost", lang), f"{head['lost']:,}")
    if head.get("churn_auc") is not None:
        t.add_row(MSG("auc", lang), f"{head['churn_auc']:.2f}")
    for kind in ("rfm_type", "value_tier"):
        parts = " · ".join(f"{label(kind, k, lang)} {v:,}" for k, v in head[kind].items())
        t.add_row(MSG(kind, lang), parts)
    console.print(t)
