"""Acceptance: precision of automatic merges >= 0.99 and recall of automatic + review
>= 0.95, per customer type, on the demo company (whose generator knows the duplicates) and
on a synthetic set with planted duplicates and hard non-duplicates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kehu.dedupe.evaluate import evaluate, resolve_truth
from kehu.dedupe.run import run_dedupe
from kehu.workspace import Workspace

pytestmark = pytest.mark.slow


def _assert_thresholds(report: dict) -> None:
    for kind in ("company", "person"):
        m = report[kind]
        assert m["true_pairs"] > 0, kind
        assert m["precision_auto"] >= 0.99, (kind, m)
        assert m["recall_auto_review"] >= 0.95, (kind, m)


def test_demo_company_duplicates(tmp_path: Path) -> None:
    from kehu.demo.generate import generate
    from kehu.ingest import import_file

    manifest = generate(tmp_path / "exports", seed=7, size=1.0)
    ws = Workspace.init(tmp_path / "ws")
    try:
        for f in manifest.files:
            if f.kind == "customers":
                import_file(ws, f.path, f.kind, source=f.source)
        truth = json.loads(manifest.truth_path.read_text(encoding="utf-8"))
        res = run_dedupe(ws, dry_run=True)
        clusters, types = resolve_truth(ws, truth["duplicates"], truth["customer_type"])
        report = evaluate(clusters, res.clusters, res.pairs, types)
        _assert_thresholds(report)
        # The planted non-duplicates (branches, same name in another city) never merge.
        auto = {frozenset(c) for c in res.clusters}
        for item in truth.get("not_duplicates", []):
            ids = [i for i in item["ids"]]
            assert not any(set(ids) <= c for c in auto), item
    finally:
        ws.close()


def test_synthetic_duplicates(tmp_path: Path) -> None:
    from kehu.dedupe.synthetic import generate
    from kehu.ingest import import_records

    data = generate(1500, seed=3)
    ws = Workspace.init(tmp_path / "ws")
    try:
        records = data.records.drop(columns=["entity_id"]).astype(object)
        records = records.where(records.notna(), None).to_dict("records")
        import_records(ws, "customers", records, source="crm")
        res = run_dedupe(ws, dry_run=True)
        assert res.trained
        clusters, types = resolve_truth(ws, data.clusters, data.customer_type)
        _assert_thresholds(evaluate(clusters, res.clusters, res.pairs, types))
    finally:
        ws.close()
