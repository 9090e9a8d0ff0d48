"""Measure a dedupe run against known duplicates (the demo's truth.json, synthetic sets).

Pairwise metrics, by customer type:
- precision of automatic merges: of all record pairs put in one automatic cluster, the
  share that truly are one customer;
- recall of automatic + review: of all true duplicate pairs, the share connected by
  automatic or review pairs (what a person would see or get merged).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from itertools import combinations
from typing import Any

import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components


def _pairs(groups: Iterable[Sequence[str]]) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    for g in groups:
        for a, b in combinations(sorted(set(g)), 2):
            out.add((a, b))
    return out


def evaluate(
    truth_clusters: Sequence[Sequence[str]],
    auto_clusters: Sequence[Sequence[str]],
    pairs: pd.DataFrame,
    customer_type: Mapping[str, str],
) -> dict[str, Any]:
    """Precision (automatic) and recall (automatic + review), overall and per type."""
    true_pairs = _pairs(truth_clusters)
    auto_pairs = _pairs(auto_clusters)
    linked = pairs[pairs["status"].isin(["auto", "review"])]
    nodes = sorted({*linked["id_l"], *linked["id_r"], *(i for p in true_pairs for i in p)})
    index = {n: i for i, n in enumerate(nodes)}
    graph = coo_matrix(
        (
            [1] * len(linked),
            ([index[a] for a in linked["id_l"]], [index[b] for b in linked["id_r"]]),
        ),
        shape=(len(nodes), len(nodes)),
    )
    _, labels = connected_components(graph, directed=False)
    found = {p for p in true_pairs if labels[index[p[0]]] == labels[index[p[1]]]}

    def metrics(kind: str | None) -> dict[str, Any]:
        def keep(p: tuple[str, str]) -> bool:
            return kind is None or customer_type.get(p[0]) == kind

        t = {p for p in true_pairs if keep(p)}
        a = {p for p in auto_pairs if keep(p)}
        f = {p for p in found if keep(p)}
        tp_auto = len(a & t)
        return {
            "true_pairs": len(t),
            "auto_pairs": len(a),
            "auto_correct": tp_auto,
            "precision_auto": round(tp_auto / len(a), 4) if a else 1.0,
            "recall_auto": round(tp_auto / len(t), 4) if t else 1.0,
            "recall_auto_review": round(len(f) / len(t), 4) if t else 1.0,
            "missed": sorted(t - f)[:20],
            "wrong_auto": sorted(a - t)[:20],
        }

    return {"all": metrics(None), "company": metrics("company"), "person": metrics("person")}


def resolve_truth(
    ws: Any, clusters: Sequence[Sequence[str]], customer_type: Mapping[str, str]
) -> tuple[list[list[str]], dict[str, str]]:
    """Map ids as written in the files to store ids (through customer_ids)."""
    alias: dict[str, str] = {}
    for source_id, customer_id in ws.rows("SELECT source_id, customer_id FROM customer_ids"):
        alias.setdefault(source_id, customer_id)
    for (cid,) in ws.rows("SELECT customer_id FROM customers"):
        alias.setdefault(cid, cid)
    out = []
    types: dict[str, str] = {}
    for cluster in clusters:
        ids = [alias[i] for i in cluster if i in alias]
        ids = list(dict.fromkeys(ids))
        if len(ids) >= 2:
            out.append(ids)
    for written, kind in customer_type.items():
        if written in alias:
            types[alias[written]] = kind
    return out, types
