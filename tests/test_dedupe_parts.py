"""Pieces of the dedupe pipeline on their own: EM on pattern counts, clustering rules."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from kehu.dedupe.cluster import cannot_link, cluster_pairs, split_unsafe
from kehu.dedupe.em import run_session


def test_em_recovers_m_and_lambda_from_pattern_counts() -> None:
    rng = np.random.default_rng(0)
    m_true = [np.array([0.1, 0.9]), np.array([0.2, 0.8]), np.array([0.05, 0.95])]
    u_true = [np.array([0.95, 0.05]), np.array([0.9, 0.1]), np.array([0.99, 0.01])]
    n_match, n_non = 2_000, 18_000
    rows = []
    for n, probs in ((n_match, m_true), (n_non, u_true)):
        cols = [rng.choice(2, size=n, p=p) for p in probs]
        rows.append(np.stack(cols, axis=1))
    data = np.concatenate(rows)
    patterns, counts = np.unique(data, axis=0, return_counts=True)
    start = [np.array([0.5, 0.5])] * 3
    m, lam, iterations = run_session(
        patterns, counts.astype(float), start, u_true, 0.3, [0, 1, 2], prior_pairs=0.0
    )
    assert abs(lam - 0.1) < 0.01
    for est, true in zip(m, m_true, strict=True):
        assert np.allclose(est, true, atol=0.03)
    assert iterations < 50


def test_em_never_collapses_an_unseen_level_to_zero() -> None:
    patterns = np.array([[1], [0]])
    counts = np.array([100.0, 10_000.0])
    m, _, _ = run_session(
        patterns, counts, [np.array([0.1, 0.9])], [np.array([0.99, 0.01])], 0.01, [0]
    )
    assert m[0][0] > 0 and np.isfinite(np.log(m[0])).all()


def _pairs(rows: list[tuple[str, str, float, str | None]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["id_l", "id_r", "probability", "blocked"]).assign(
        match_weight=0.0, agreed=""
    )


def test_clusters_review_and_blocked() -> None:
    pairs = _pairs(
        [
            ("a", "b", 0.999, None),
            ("b", "c", 0.995, None),
            ("d", "e", 0.90, None),
            ("f", "g", 0.999, "branch"),
            ("x", "y", 0.50, None),
        ]
    )
    res = cluster_pairs(pairs, auto_merge=0.99, review=0.8, max_cluster_size=20)
    assert res.auto == [["a", "b", "c"]]
    status = dict(
        zip(
            zip(res.pairs["id_l"], res.pairs["id_r"], strict=True), res.pairs["status"], strict=True
        )
    )
    assert status == {
        ("a", "b"): "auto",
        ("b", "c"): "auto",
        ("d", "e"): "review",
        ("f", "g"): "blocked",
        ("x", "y"): "below",
    }


def test_blocked_pair_inside_a_chain_sends_the_cluster_to_review() -> None:
    pairs = _pairs([("a", "b", 0.999, None), ("b", "c", 0.999, None), ("a", "c", 0.95, "branch")])
    res = cluster_pairs(pairs, auto_merge=0.99, review=0.8, max_cluster_size=20)
    assert res.auto == []
    assert set(res.pairs["status"]) == {"review", "blocked"}
    small = cluster_pairs(pairs.iloc[:2], auto_merge=0.99, review=0.8, max_cluster_size=2)
    assert small.auto == []  # too large for max_cluster_size


def test_unscored_cannot_link_pair_found_by_split_unsafe() -> None:
    pairs = _pairs([("a", "b", 0.999, None), ("b", "c", 0.999, None)])
    res = cluster_pairs(pairs, auto_merge=0.99, review=0.8, max_cluster_size=20)
    feats = {
        "a": {"unique_id": "a", "entity": "head", "ctype": "company", "ctype_given": True},
        "b": {"unique_id": "b", "entity": "head", "ctype": "company", "ctype_given": True},
        "c": {
            "unique_id": "c",
            "entity": "branch:深圳分公司",
            "ctype": "company",
            "ctype_given": True,
        },
    }
    assert cannot_link(feats["a"], feats["c"], set()) == "branch"
    safe = split_unsafe(res, feats, set())
    assert safe.auto == [] and (safe.pairs["status"] == "review").all()
    feats["c"]["entity"] = "head"
    assert split_unsafe(res, feats, set()).auto == [["a", "b", "c"]]
    assert split_unsafe(res, feats, {("a", "c")}).auto == []


def test_splinks_connection_gets_the_dedupe_then_the_engine_memory_limit(tmp_path: Path) -> None:
    from kehu.dedupe.match import new_connection, splink_settings
    from kehu.workspace import Workspace, default_memory_limit

    def applied(ws: Workspace) -> str:
        con = new_connection(splink_settings(ws))
        try:
            return str(con.execute("SELECT current_setting('memory_limit')").fetchone()[0])
        finally:
            con.close()

    with Workspace.init(tmp_path / "ws") as ws:
        assert splink_settings(ws).memory_limit == default_memory_limit()  # never DuckDB's 80%
        ws.settings.engine.memory_limit = "3GB"
        assert splink_settings(ws).memory_limit == "3GB"
        assert applied(ws) == "2.7 GiB"  # 3 GB as DuckDB writes it
        ws.settings.dedupe.memory_limit = "1GB"
        assert splink_settings(ws).memory_limit == "1GB"
        assert ws.settings.dedupe.memory_limit == "1GB"  # the settings are not changed
