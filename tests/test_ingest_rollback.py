"""One transaction per import: a failure half-way leaves the store exactly as before."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from ingest_helpers import snapshot, write_csv

from kehu.ingest import export_table, import_file
from kehu.store.migrate import create_sql
from kehu.store.schema import ORDERS
from kehu.workspace import Workspace


def _customers(path: Path, n: int, prefix: str = "C") -> Path:
    lines = ["客户编号,客户名称,城市"] + [
        f"{prefix}{i:03d},客户{i}有限公司,城市{i}" for i in range(n)
    ]
    return write_csv(path, lines)


def _exports(ws: Workspace, folder: Path) -> dict[str, bytes]:
    out = {}
    for table in ("customers", "customer_ids", "orders", "imports", "rejects"):
        path = folder / f"{table}.csv"
        export_table(ws, table, path)
        out[table] = path.read_bytes()
    return out


@pytest.fixture
def loaded(ws: Workspace, tmp_path: Path) -> Workspace:
    import_file(ws, _customers(tmp_path / "base.csv", 5), "customers")
    ws.settings.ingest.chunk_rows = 2  # many small chunks, so there is a "late chunk"
    return ws


def test_interrupted_load_rolls_back_everything(loaded: Workspace, tmp_path: Path) -> None:
    before = snapshot(loaded)
    files_before = _exports(loaded, tmp_path / "before")
    lines = (
        ["客户编号,客户名称,城市"]
        + [f"C{i:03d},新名字{i},新城市" for i in range(9)]
        + [",缺编号,x"]
    )
    path = write_csv(tmp_path / "more.csv", lines)
    calls = []

    def progress(stage: str, done: int, total: int | None) -> None:
        if stage == "load":
            calls.append(done)
            if len(calls) == 3:  # inserts and updates already written in earlier chunks
                raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        import_file(loaded, path, "customers", progress=progress)
    assert calls == [2, 4, 6]
    assert snapshot(loaded) == before
    assert _exports(loaded, tmp_path / "after") == files_before
    assert not list((loaded.root / "rejects").glob("*.tmp"))


def test_constraint_violation_in_a_late_chunk_rolls_back(loaded: Workspace, tmp_path: Path) -> None:
    # A database-level rule the importer does not know about (here: a CHECK on the amount)
    # fails while the third chunk of inserts is written.
    sql = create_sql(ORDERS)
    with loaded.transaction() as cur:
        cur.execute("DROP TABLE orders")
        cur.execute(sql[: sql.rindex(")")] + ",\n  CHECK (amount < 1000)\n)")
    import_file(
        loaded,
        write_csv(
            tmp_path / "o1.csv", ["订单号,客户编号,下单日期,订单金额", "A,C000,2024-01-01,1"]
        ),
        "orders",
    )
    before = snapshot(loaded)
    lines = ["订单号,客户编号,下单日期,订单金额"] + [
        f"B{i},C00{i % 5},2024-01-02,{i}" for i in range(5)
    ]
    lines.append("BIG,C001,2024-01-03,5000")  # row 7 lands in the third chunk of two rows
    with pytest.raises(duckdb.ConstraintException):
        import_file(loaded, write_csv(tmp_path / "o2.csv", lines), "orders")
    assert snapshot(loaded) == before


def test_taken_source_id_is_rejected_not_merged(loaded: Workspace, tmp_path: Path) -> None:
    with loaded.transaction() as cur:  # another system's customer already holds 'erp:C004'
        cur.execute(
            "INSERT INTO customers (customer_id, name, source, source_id) "
            "VALUES ('erp:C004', '别人的客户', 'web', 'w1')"
        )
    result = import_file(loaded, _customers(tmp_path / "erp.csv", 5), "customers", source="erp")
    assert result.inserted == 4 and result.rejected == 1
    assert result.rejects[0].reason_code == "id_conflict" and result.rejects[0].value == "C004"
    assert (
        loaded.scalar("SELECT name FROM customers WHERE customer_id = 'erp:C004'") == "别人的客户"
    )


def test_rejects_and_log_are_part_of_the_transaction(loaded: Workspace, tmp_path: Path) -> None:
    before = snapshot(loaded)
    lines = ["订单号,客户编号,下单日期,订单金额"] + [
        f"O{i},C00{i % 5},2024-01-0{i % 9 + 1},{i}" for i in range(7)
    ]
    lines.append("BAD,C999,2024-01-01,1")
    path = write_csv(tmp_path / "o.csv", lines)

    def boom(stage: str, done: int, total: int | None) -> None:
        if stage == "load" and done >= 4:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        import_file(loaded, path, "orders", progress=boom)
    assert snapshot(loaded) == before
    result = import_file(loaded, path, "orders")  # the same file then loads completely
    assert (result.inserted, result.rejected) == (7, 1)


_KILL = """
import os, sys
from kehu.ingest import importer
from kehu.workspace import Workspace

def die(*args, **kwargs):
    os._exit(9)  # as kill -9 would, just before COMMIT: nothing may be left behind

importer._log_import = die
ws = Workspace.open(sys.argv[1])
importer.import_file(ws, sys.argv[2], "customers")
"""


def test_killed_import_leaves_no_rejects_file(loaded: Workspace, tmp_path: Path) -> None:
    import subprocess
    import sys

    root = loaded.root
    loaded.close()
    lines = ["客户编号,客户名称,城市", "C001,新名字,新城市", ",缺编号,x"]
    path = write_csv(tmp_path / "bad.csv", lines)
    done = subprocess.run(
        [sys.executable, "-c", _KILL, str(root), str(path)], capture_output=True, text=True
    )
    assert done.returncode == 9, done.stderr
    rejects = root / "rejects"
    assert not rejects.exists() or list(rejects.iterdir()) == []
    ws = Workspace.open(root)
    try:
        assert ws.scalar("SELECT count(*) FROM rejects") == 0
        assert ws.scalar("SELECT name FROM customers WHERE customer_id = 'C001'") == "客户1有限公司"
        result = import_file(ws, path, "customers")  # the same file again: now it commits
        assert result.rejected == 1 and Path(result.rejects_file or "").is_file()
        assert [p.name for p in rejects.iterdir()] == [Path(result.rejects_file).name]
    finally:
        ws.close()


def test_failed_import_leaves_no_rejects_file(
    loaded: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kehu.ingest import importer

    def fail(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database gone")

    monkeypatch.setattr(importer, "_log_import", fail)
    path = write_csv(tmp_path / "bad.csv", ["客户编号,客户名称", "C001,新名字", ",缺编号"])
    with pytest.raises(RuntimeError, match="database gone"):
        import_file(loaded, path, "customers")
    rejects = loaded.root / "rejects"
    assert not rejects.exists() or list(rejects.iterdir()) == []
