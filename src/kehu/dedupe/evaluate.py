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


def _prf(tp: int, predicted: int, actual: int) -> dict[str, float]:
    p = tp / predicted if predicted else 1.0
    r = tp / actual if actual else 1.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f1, 4), "tp": tp}


def pair_scores(
    predicted: Iterable[tuple[str, str]], truth: Sequence[Sequence[str]]
) -> dict[str, float]:
    """Pair precision / recall / F1 of predicted duplicate pairs against true clusters."""
    pred = {(min(a, b), max(a, b)) for a, b in predicted if a != b}
    true = _pairs(truth)
    return _prf(len(pred & true), len(pred), len(true))


def components(pairs: Iterable[tuple[str, str]], ids: Sequence[str]) -> list[list[str]]:
    """Connected components of `pairs` over `ids` (singletons included)."""
    index = {n: i for i, n in enumerate(ids)}
    edges = [(index[a], index[b]) for a, b in pairs if a in index and b in index]
    graph = coo_matrix(
        ([1] * len(edges), ([e[0] for e in edges], [e[1] for e in edges])),
        shape=(len(ids), len(ids)),
    )
    _, labels = connected_components(graph, directed=False)
    groups: dict[int, list[str]] = {}
    for n, lab in zip(ids, labels, strict=True):
        groups.setdefault(int(lab), []).append(n)
    return list(groups.values())


def bcubed(predicted: Sequence[Sequence[str]], truth: Sequence[Sequence[str]]) -> dict[str, float]:
    """B-cubed cluster precision / recall / F1 (Bagga & Baldwin), averaged over every record
    that appears in either clustering (records missing from one count as singletons)."""
    pred_of = {n: frozenset(c) for c in predicted for n in c}
    true_of = {n: frozenset(c) for c in truth for n in c}
    nodes = set(pred_of) | set(true_of)
    if not nodes:
        return {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    p_sum = r_sum = 0.0
    for n in nodes:
        pc = pred_of.get(n, frozenset([n]))
        tc = true_of.get(n, frozenset([n]))
        common = len(pc & tc)
        p_sum += common / len(pc)
        r_sum += common / len(tc)
    p, r = p_sum / len(nodes), r_sum / len(nodes)
    return {
        "precision": round(p, 4),
        "recall": round(r, 4),
        "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0,
    }


def linkage_scores(
    pairs: pd.DataFrame, truth: Sequence[Sequence[str]], ids: Sequence[str]
) -> dict[str, Any]:
    """Every figure for one scored run (`pairs` as written by `kehu dedupe -o`: id_l, id_r,
    probability, status): pairs at the default thresholds (auto + review, never blocked),
    automatic pairs only, pairs at p >= 0.5 (not blocked), the pairs implied by the default
    clusters (connected components) and B-cubed over those clusters."""
    ok = pairs["blocked"].isna() if "blocked" in pairs else pd.Series(True, index=pairs.index)
    default = pairs[pairs["status"].isin(["auto", "review"]) & ok]
    auto = pairs[pairs["status"] == "auto"]
    p50 = pairs[(pairs["probability"] >= 0.5) & ok]

    def tuples(df: pd.DataFrame) -> list[tuple[str, str]]:
        return list(zip(df["id_l"].astype(str), df["id_r"].astype(str), strict=True))

    clusters = components(tuples(default), list(ids))
    return {
        "true_pairs": len(_pairs(truth)),
        "default": pair_scores(tuples(default), truth),
        "auto": pair_scores(tuples(auto), truth),
        "p50": pair_scores(tuples(p50), truth),
        "implied": pair_scores(_pairs(clusters), truth),
        "bcubed": bcubed(clusters, truth),
    }
