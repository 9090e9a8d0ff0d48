"""An import in batches is the same import: tiny and huge `[ingest] batch_rows` give the same
tables, counts, findings and rejects (with the file's own row numbers). The other ingest tests
run with tiny batches too: `pytest --batch-rows 3 tests/test_ingest_*.py`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from ingest_helpers import write_csv

from kehu.demo import generate
from kehu.ingest import import_file
from kehu.ingest.result import ImportResult
from kehu.store.schema import DATA_TABLES
from kehu.workspace import Workspace

AUDIT = {"created_at", "updated_at", "import_id"}


def _tables(ws: Workspace) -> dict[str, list[tuple[Any, ...]]]:
    out = {}
    for name in [*(t.name for t in DATA_TABLES), "customer_ids", "rejects"]:
        cols = [
            r[0]
            for r in ws.con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ?"
                " ORDER BY ordinal_position",
                [name],
            ).fetchall()
            if r[0] not in AUDIT
        ]
        listed = ", ".join(f'"{c}"' for c in cols)
        rows = ws.con.execute(f'SELECT {listed} FROM "{name}"').fetchall()
        out[name] = sorted(rows, key=repr)
    return out


def _summary(r: ImportResult) -> tuple[Any, ...]:
    findings = [(f.code, f.column, f.count, f.examples, f.text_en) for f in r.findings]
    rejects = [(x.row_number, x.column, x.value, x.reason_code, x.reason_en) for x in r.rejects]
    return (r.read, r.loaded, r.inserted, r.updated, r.unchanged, r.rejected, r.blank_rows,
            r.unmapped_columns, findings, rejects)  # fmt: skip


def _import_all(root: Path, batch_rows: int, files: list[tuple[Path, str, str]]) -> Any:
    ws = Workspace.init(root)
    ws.settings.ingest.batch_rows = batch_rows
    results = [_summary(import_file(ws, p, kind, source=src)) for p, kind, src in files]
    again = [_summary(import_file(ws, p, kind, source=src)) for p, kind, src in files]
    tables = _tables(ws)
    ws.close()
    return results, again, tables


@pytest.mark.slow
def test_demo_in_tiny_batches_is_the_demo_in_one(tmp_path: Path) -> None:
    demo = generate(tmp_path / "exports", seed=11, n_orders=3000, fmt="mixed")
    files = [(f.path, f.kind, f.source) for f in demo.files]
    one = _import_all(tmp_path / "one", 10**6, files)
    tiny = _import_all(tmp_path / "tiny", 37, files)
    assert one[0] == tiny[0]  # first import: counts, findings, rejects
    assert one[1] == tiny[1]  # re-import: an upsert, the same either way
    assert one[2] == tiny[2]  # every table, the rejects included
    assert sum(r[1] for r in one[0]) > 3000  # the demo was loaded, not rejected
    assert all(r[4] == r[1] for r in one[1] if r[1])  # re-import changes nothing


def test_rejects_across_batches_keep_their_rows(ws: Workspace, tmp_path: Path) -> None:
    customers = write_csv(
        tmp_path / "c.csv", ["客户编号,客户名称"] + [f"C{i},客户{i}有限公司" for i in range(4)]
    )
    import_file(ws, customers, "customers", source="crm")
    lines = [
        "订单号,客户编号,下单日期,金额",
        "SO-1,C0,2024-01-05,100",  # row 2: repeated at row 9, the later one is kept
        "SO-2,C1,2024-01-06,200",
        "SO-3,X9,2024-01-07,300",  # row 4: unknown customer
        ",,,",  # row 5: blank
        "SO-4,C2,2024-13-01,400",  # row 6: bad date
        "SO-5,C3,2024-01-09,500",
        "SO-6,C0,2024-01-10,600",
        "SO-1,C2,2024-01-11,700",  # row 9
        "合计,,,2800",  # row 10: a totals row
    ]
    path = write_csv(tmp_path / "o.csv", lines)
    ws.settings.ingest.batch_rows = 2
    result = import_file(ws, path, "orders", source="erp")
    got = [(r.row_number, r.reason_code) for r in result.rejects]
    assert got == [
        (2, "duplicate_key"),
        (4, "unknown_customer"),
        (6, "invalid_date"),
        (10, "summary_row"),
    ]
    assert result.rejects[0].value == "SO-1" and "9" in result.rejects[0].reason_en
    assert result.rejects[1].value == "X9"
    assert (result.read, result.loaded, result.rejected, result.blank_rows) == (8, 4, 4, 1)
    kept = ws.con.execute("SELECT customer_id, amount FROM orders WHERE order_id = 'SO-1'")
    assert [(c, float(a)) for c, a in kept.fetchall()] == [("C2", 700.0)]


def test_arrow_rows_are_freed_inside_the_import_transaction(tmp_path: Path) -> None:
    """`load.over` leaves nothing of its Arrow rows behind before COMMIT: a batched import
    holds one batch, not every batch of the file (a registered view would keep them all)."""
    import duckdb
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from kehu.ingest import load

    con = duckdb.connect()
    con.execute("CREATE TABLE t (x DOUBLE CHECK (x < 10))")
    cur = con.cursor()
    cur.execute("BEGIN")
    before = pa.total_allocated_bytes()
    for _ in range(5):  # 8 MB of Arrow each (allocated by Arrow, not numpy)
        rows = pa.table({"x": pc.add(pa.array(np.random.default_rng(0).random(10**6)), 1.0)})
        load.over(cur, rows, f"INSERT INTO t SELECT x FROM {load.ROWS} WHERE x > $lo", {"lo": 0})
        del rows
    assert pa.total_allocated_bytes() - before < 4 * 2**20
    counted = load.over(cur, pa.table({"x": [1.0, 2.0]}), f"SELECT count(*) AS n FROM {load.ROWS}")
    assert counted.to_pylist() == [{"n": 2}]
    with pytest.raises(duckdb.ConstraintException):  # a failing write says why, as before
        load.over(cur, pa.table({"x": [20.0]}), f"INSERT INTO t SELECT x FROM {load.ROWS}")
    cur.execute("ROLLBACK")
    assert con.execute("SELECT count(*) FROM t").fetchone() == (0,)
