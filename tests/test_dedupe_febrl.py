"""Acceptance on public data: FEBRL person records through `kehu import` + `kehu dedupe`.

tests/data/febrl/ holds FEBRL1 whole (1,000 records) and slices of FEBRL2 (persons 0-799)
and FEBRL4 (A + B as one file, persons 0-499), already written as customers exports by
`bench.febrl.to_customers`. The truth is in the id: rec-N-org and rec-N-dup-k are person N.
Full-size figures next to Splink: `python bench/bench_dedupe_febrl.py` (docs/dedupe.md).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

from kehu.cli import main
from kehu.dedupe.evaluate import bcubed, components, linkage_scores, pair_scores

DATA = Path(__file__).parent / "data" / "febrl"


def truth_clusters(ids: list[str]) -> list[list[str]]:
    groups: dict[str, list[str]] = {}
    for rid in ids:
        groups.setdefault("-".join(rid.split("-")[:2]), []).append(rid)
    return [g for g in groups.values() if len(g) > 1]


def kehu(args: list[str], monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(sys, "argv", ["kehu", *args])
    try:
        main()
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


@pytest.mark.slow
@pytest.mark.parametrize("name", ["febrl1", "febrl2", "febrl4"])
def test_febrl_pair_f1(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    export = DATA / f"{name}_customers.csv"
    ws = str(tmp_path / "ws")
    assert kehu(["-w", ws, "init"], monkeypatch) == 0
    assert kehu(["-w", ws, "import", str(export), "--kind", "customers"], monkeypatch) == 0
    out = tmp_path / "pairs.csv"
    assert kehu(["-w", ws, "dedupe", "--dry-run", "-o", str(out)], monkeypatch) == 0
    ids = pd.read_csv(export, dtype=str)["customer_id"].tolist()
    pairs = pd.read_csv(out, dtype={"id_l": str, "id_r": str})
    scores = linkage_scores(pairs, truth_clusters(ids), ids)
    assert scores["default"]["f1"] >= 0.99, scores
    assert scores["default"]["precision"] >= 0.995, scores
    assert scores["bcubed"]["f1"] >= 0.99, scores
    # No automatic merge joins two different persons.
    assert scores["auto"]["precision"] == 1.0, scores


def test_linkage_metrics_by_hand() -> None:
    truth = [["a", "b", "c"], ["d", "e"]]
    # Found a-b, b-c (implies a-c) and a wrong d-f; missed d-e.
    found = [("a", "b"), ("b", "c"), ("d", "f")]
    s = pair_scores(found, truth)
    assert (s["tp"], s["precision"], s["recall"]) == (2, round(2 / 3, 4), 0.5)
    clusters = components(found, ["a", "b", "c", "d", "e", "f"])
    assert sorted(map(sorted, clusters)) == [["a", "b", "c"], ["d", "f"], ["e"]]
    b3 = bcubed(clusters, truth)
    # precision: a,b,c 1 each; d 1/2, f 1/2, e 1 -> 5/6; recall: a,b,c 1; d 1/2, e 1/2, f 1.
    assert b3["precision"] == round(5 / 6, 4)
    assert b3["recall"] == round(5 / 6, 4)
