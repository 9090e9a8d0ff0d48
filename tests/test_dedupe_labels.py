"""Learning from review: merge / reject decisions become labelled pairs, and the next
`kehu dedupe` re-estimates m and the automatic threshold from them."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from kehu.cli import main
from kehu.dedupe.labels import MATCH, NON_MATCH, safe_auto_merge, supervised_m
from kehu.dedupe.model import COMPARISONS
from kehu.dedupe.review import merge_pair, reject_pair
from kehu.dedupe.run import run_dedupe
from kehu.ingest import import_records
from kehu.workspace import Workspace

BRANDS = (
    "博达 华信 恒通 瑞丰 鼎盛 宏远 金源 天成 永安 新科 东辰 海纳 "
    "联创 中科 国信 盛世 远景 正大 长城 华美 万达 精诚 同创"
)


def _records() -> list[dict[str, str]]:
    """Pairs of one company each: same name and phone, the postcode typed differently."""
    out = []
    for i, brand in enumerate(BRANDS.split()):
        name = f"南京{brand}电子有限公司"
        phone = f"025-8444{i:04d}"
        out.append({"customer_id": f"A{i:02d}", "name": name, "phone": phone, "postcode": "210000"})
        out.append(
            {"customer_id": f"B{i:02d}", "name": name, "phone": phone, "postcode": f"3{i:05d}"}
        )
    return out


def test_decisions_become_labels_and_move_m(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = Workspace.init(tmp_path / "ws")
    try:
        import_records(ws, "customers", _records(), source="crm")
        first = run_dedupe(ws, dry_run=True)
        n = len(BRANDS.split())
        for i in range(n - 1):
            merge_pair(ws, f"A{i:02d}", f"B{i:02d}")
        reject_pair(ws, f"A{n - 1:02d}", f"B{n - 1:02d}", note="two companies")
        rows = ws.rows("SELECT label, source, pattern FROM dedupe_labels ORDER BY id_l")
        assert [r[0] for r in rows].count(MATCH) == n - 1
        assert [r[:2] for r in rows][-1] == (NON_MATCH, "reject")
        pattern = json.loads(rows[0][2])
        assert pattern["postcode"] == 0 and pattern["phone"] == 2  # else level; exact phone

        res = run_dedupe(ws, dry_run=True)
        learned = res.learning
        assert learned["applied"] and learned["labels"] == n
        before, after = learned["m_changes"]["postcode"]["else"]
        assert after > before + 0.3  # the labelled duplicates all disagree on postcode
        # A pair like the rejected one (same name and phone) is no longer merged without
        # review: the automatic threshold rose above its score.
        assert learned["auto_merge"] is not None and learned["auto_merge"] > 0.99
        assert res.changes["auto_records"][0] == first.auto_records
    finally:
        ws.close()
    # The CLI says what the labels changed, in the user's language.
    for lang, words in (
        ("en", "learned from 23 reviewed pairs"),
        ("zh", "已从 23 对人工复核结果学习"),
    ):
        monkeypatch.setattr(
            sys, "argv", ["kehu", "-w", str(tmp_path / "ws"), "--lang", lang, "dedupe", "--dry-run"]
        )
        try:
            main()
        except SystemExit as exc:
            assert not exc.code
        out = capsys.readouterr().out
        assert words in out and "postcode" in out, out


def test_supervised_m_follows_the_labels() -> None:
    names = list(COMPARISONS)
    m = [np.full(len(levels), 1.0 / len(levels)) for _, levels in COMPARISONS.values()]
    phone = names.index("phone")
    top = len(m[phone]) - 1
    labels = [({"phone": top}, MATCH)] * 40 + [({"phone": 0}, MATCH)] * 10
    new = supervised_m(m, labels, prior_pairs=10)
    assert new[phone][top] > m[phone][top] and new[phone][0] < new[phone][top]
    assert abs(new[phone].sum() - 1) < 1e-9
    # Comparisons without labels keep their m; the fixed branch comparison never moves.
    assert np.allclose(new[names.index("email")], m[names.index("email")])
    ent = names.index("entity")
    assert np.allclose(supervised_m(m, [({"entity": 0}, MATCH)] * 50, 1)[ent], m[ent])
    u = [np.full(len(x), 1.0 / len(x)) for x in m]
    assert safe_auto_merge(0.99, [], m, u, 0.5) == 0.99
