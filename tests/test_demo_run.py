"""`kehu demo` end to end: every generated row is loaded or rejected, the planted bad rows are
the rejected ones, a second run changes nothing, and the folder rules hold."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kehu.errors import KehuError
from kehu.jobs.demo import run_demo
from kehu.workspace import Workspace


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("demo") / "ws"
    return run_demo(root, seed=5, size=0.2, analyze=False)


def test_every_row_is_accounted_for(imported: dict[str, Any]) -> None:
    assert imported["ok"], imported
    assert len(imported["files"]) == 13  # 10 exports + competitors, market potential, stages
    for f in imported["files"]:
        assert f["status"] == "committed", f
        assert f["loaded"] + f["rejected"] == f["read"] == f["rows"], f
        # nothing but the planted faults is rejected: the rest of the dirt must clean up
        assert f["rejected"] == f["planted_bad_rows"], f


def test_planted_bad_rows_are_the_rejected_ones(imported: dict[str, Any]) -> None:
    truth = json.loads(Path(imported["truth"]).read_text(encoding="utf-8"))
    ws = Workspace.open(imported["workspace"])
    try:
        rejects = ws.rows("SELECT file, row_number, reason_code FROM rejects")
        orders = {r[0] for r in ws.rows("SELECT order_id FROM orders")}
        customers = {r[0] for r in ws.rows("SELECT customer_id FROM customers")}
    finally:
        ws.close()
    by_file: dict[str, set[int]] = {}
    for file, row, _code in rejects:
        by_file.setdefault(Path(file).name, set()).add(row)
    assert truth["bad_rows"]
    for bad in truth["bad_rows"]:
        assert bad["file"] in by_file, bad
        if "order_id" in bad:
            assert bad["order_id"] not in orders
        else:
            assert bad["customer_id"] not in customers
    assert sum(len(v) for v in by_file.values()) == len(truth["bad_rows"])


def test_store_matches_the_truth(imported: dict[str, Any]) -> None:
    truth = json.loads(Path(imported["truth"]).read_text(encoding="utf-8"))
    ws = Workspace.open(imported["workspace"])
    try:
        ids = {r[0] for r in ws.rows("SELECT customer_id FROM customers")}
        types = dict(ws.rows("SELECT customer_id, customer_type FROM customers"))
        total = ws.scalar("SELECT count(*) FROM orders")
    finally:
        ws.close()
    assert set(truth["customer_type"]) <= ids
    wrong = [c for c, t in truth["customer_type"].items() if types.get(c) != t]
    assert not wrong, wrong[:5]
    assert total == imported["generated"]["orders"]


def test_second_run_reuses_the_workspace_and_inserts_nothing(imported: dict[str, Any]) -> None:
    again = run_demo(imported["workspace"], seed=5, size=0.2, analyze=False)
    assert again["ok"]
    for f in again["files"]:
        assert f["inserted"] == 0, f
        assert f["loaded"] + f["rejected"] == f["read"], f
    assert again["store"] == imported["store"]


def test_refuses_a_folder_with_other_files(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(KehuError) as err:
        run_demo(tmp_path, size=0.1, analyze=False)
    assert err.value.exit_code == 2
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert not (tmp_path / "kehu.toml").exists()


@pytest.mark.slow
def test_cli_full_pipeline_json(tmp_path: Path) -> None:
    from kehu.cli import app

    result = CliRunner().invoke(
        app, ["--lang", "en", "demo", str(tmp_path / "d"), "--size", "0.1", "--json"]
    )
    out = json.loads(result.stdout[result.stdout.index("{") :])
    failed = [s for s in out["steps"] if s["status"] == "failed"]
    failed += [f for f in out["files"] if f["status"] == "failed"]
    assert result.exit_code == 0 and not failed, failed
    assert out["store"]["customers"] >= 200
    steps = {s["step"]: s["status"] for s in out["steps"]}
    assert steps["generate"] == "ok"
    assert steps["analyze"] in ("ok", "skipped")
    if steps["analyze"] == "ok":
        head = out["headline"]
        assert head["customers"] >= 200
        assert sum(head["rfm_type"].values()) == head["customers"]


def test_cli_refuses_other_folder_with_exit_2(tmp_path: Path) -> None:
    from kehu.cli import main

    (tmp_path / "x.csv").write_text("a,b\n", encoding="utf-8")
    import sys

    argv = sys.argv
    sys.argv = ["kehu", "demo", str(tmp_path), "--size", "0.1"]
    try:
        with pytest.raises(SystemExit) as exc:
            main()
    finally:
        sys.argv = argv
    assert exc.value.code == 2


def test_bad_options_leave_the_folder_alone(tmp_path: Path) -> None:
    target = tmp_path / "new"
    with pytest.raises(KehuError):
        run_demo(target, size=0.1, fmt="docx", analyze=False)
    with pytest.raises(KehuError):
        run_demo(target, size=0, analyze=False)
    assert not target.exists()


def test_planted_competition_is_what_the_store_resolves(imported: dict[str, Any]) -> None:
    """Incumbents (typed by full or short name), lost-to winners, mentions and market cells."""
    from kehu.analytics.competition import Matcher, load_competitors

    truth = json.loads(Path(imported["truth"]).read_text(encoding="utf-8"))
    planted = truth["competition"]
    ws = Workspace.open(imported["workspace"])
    try:
        matcher = Matcher(load_competitors(ws))
        typed = dict(
            ws.rows("SELECT customer_id, incumbent_supplier FROM customers WHERE source = 'crm'")
        )
        lost = ws.rows("SELECT lost_to FROM opportunities WHERE lost_to IS NOT NULL")
        notes = ws.rows("SELECT summary FROM interactions")
        cells = ws.scalar("SELECT count(*) FROM market_potential")
        shares = dict(
            ws.rows(
                "SELECT customer_id, share_of_wallet FROM customers"
                " WHERE share_of_wallet IS NOT NULL"
            )
        )
    finally:
        ws.close()
    assert {c.competitor_id for c in matcher.competitors.values()} == set(planted["competitors"])
    resolved = {cid: matcher.resolve(text) for cid, text in typed.items() if text}
    found = {cid: c.competitor_id for cid, c in resolved.items()}
    assert {cid: found.get(cid) for cid in planted["incumbent"]} == planted["incumbent"]
    # the rest are the second CRM records of planted duplicates (merged by dedupe later)
    copies = {i for cluster in truth["duplicates"] for i in cluster[1:]}
    assert set(found) - set(planted["incumbent"]) <= copies
    counts: dict[str, int] = {}
    for (name,) in lost:
        comp = matcher.resolve(name)
        counts[comp.competitor_id] = counts.get(comp.competitor_id, 0) + 1
    assert counts == {k: v for k, v in planted["lost_to"].items() if v}
    assert sum(1 for (text,) in notes if matcher.mentions(text)) == planted["mentions"] > 0
    assert cells == len(planted["market_potential"])
    # the reps' estimates are noisy but near the planted share (rounded to 5%, sd 8 points)
    true = planted["share_of_wallet"]
    errors = [abs(shares[c] - true[c]) for c in shares if c in true]
    assert errors and sum(errors) / len(errors) < 0.1
