"""From scored pairs to decisions: automatic clusters and a review queue.

Clusters are connected components of the pairs at or above `dedupe.auto_merge` (SciPy's
sparse connected components: linear in the number of pairs). A cluster that joins two
records which may never merge (a pair with a `blocked` reason, found transitively), or that
grows beyond `dedupe.max_cluster_size`, is not merged automatically: its pairs go to review.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components


@dataclass
class Clusters:
    """auto: one list of ids per cluster to merge; pairs: every scored pair with its status
    (auto | review | blocked | below) and cluster number (-1 when not in an auto cluster)."""

    auto: list[list[str]]
    pairs: pd.DataFrame


def _components(ids_l: np.ndarray, ids_r: np.ndarray, n: int) -> np.ndarray:
    graph = coo_matrix((np.ones(len(ids_l), dtype=np.int8), (ids_l, ids_r)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    return labels


def cluster_pairs(
    pairs: pa.Table | pd.DataFrame,
    *,
    auto_merge: float,
    review: float,
    max_cluster_size: int,
) -> Clusters:
    """Split scored pairs into automatic clusters and pairs to review."""
    df = pairs.to_pandas() if isinstance(pairs, pa.Table) else pairs.copy()
    if df.empty:
        df["status"] = pd.Series(dtype="string")
        df["cluster"] = pd.Series(dtype="int64")
        return Clusters([], df)
    nodes, inv = np.unique(
        np.concatenate([df["id_l"].to_numpy(), df["id_r"].to_numpy()]), return_inverse=True
    )
    li, ri = inv[: len(df)], inv[len(df) :]
    prob = df["probability"].to_numpy()
    blocked = df["blocked"].notna().to_numpy()
    # A held pair (a short name, 简称) may be the same customer but waits for a person.
    hold = df["hold"].notna().to_numpy() if "hold" in df else np.zeros(len(df), dtype=bool)
    strong = (prob >= auto_merge) & ~blocked & ~hold
    labels = _components(li[strong], ri[strong], len(nodes))
    sizes = np.bincount(labels, minlength=len(nodes))

    # A component is unsafe when a blocked pair (or any scored pair that may not merge)
    # falls inside it, or when it is too large.
    bad = np.zeros(len(sizes), dtype=bool)
    inside = labels[li] == labels[ri]
    bad[labels[li[inside & (blocked | hold)]]] = True
    bad |= sizes > max_cluster_size
    in_auto = (sizes[labels] >= 2) & ~bad[labels]

    status = np.where(blocked, "blocked", np.where(prob >= review, "review", "below"))
    same_auto = inside & in_auto[li] & in_auto[ri]
    status = np.where(same_auto & ~blocked, "auto", status)
    # Strong pairs of an unsafe cluster wait for a person.
    status = np.where(strong & ~same_auto, "review", status)
    df["status"] = status
    df["cluster"] = np.where(same_auto, labels[li], -1)

    auto_nodes = np.flatnonzero(in_auto)
    groups: dict[int, list[str]] = {}
    for node in auto_nodes:
        groups.setdefault(int(labels[node]), []).append(str(nodes[node]))
    auto = [sorted(members) for _, members in sorted(groups.items())]
    return Clusters(auto, df)


def cannot_link(a: dict, b: dict, rejected: set[tuple[str, str]]) -> str | None:
    """Why two feature rows may never be one customer (None when they may)."""
    if a.get("ctype_given") and b.get("ctype_given") and a.get("ctype") != b.get("ctype"):
        return "type"
    if (a.get("entity") or "") != (b.get("entity") or ""):
        return "branch"
    if (
        a.get("reg_valid")
        and b.get("reg_valid")
        and a.get("reg_id") != b.get("reg_id")
        and (a.get("org_code") or "~a") != (b.get("org_code") or "~b")
    ):
        return "registration_id"
    key = (min(a["unique_id"], b["unique_id"]), max(a["unique_id"], b["unique_id"]))
    if key in rejected:
        return "rejected"
    return None


def split_unsafe(
    clusters: Clusters, features: dict[str, dict], rejected: set[tuple[str, str]]
) -> Clusters:
    """Check every pair inside clusters of three or more (pairs the blocking rules never
    scored included); an unsafe cluster's pairs go to review instead."""
    keep: list[list[str]] = []
    demoted: set[str] = set()
    for members in clusters.auto:
        unsafe = False
        if len(members) > 2:
            for i, x in enumerate(members):
                for y in members[i + 1 :]:
                    if cannot_link(features[x], features[y], rejected):
                        unsafe = True
                        break
                if unsafe:
                    break
        if unsafe:
            demoted.update(members)
        else:
            keep.append(members)
    if not demoted:
        return clusters
    df = clusters.pairs.copy()
    hit = df["id_l"].isin(demoted) & (df["status"] == "auto")
    df.loc[hit, "status"] = "review"
    df.loc[hit, "cluster"] = -1
    return Clusters(keep, df)
