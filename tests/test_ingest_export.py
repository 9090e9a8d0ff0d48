"""`export_table`: every format round-trips through `import_file`."""

from __future__ import annotations

import codecs
from datetime import date
from decimal import Decimal
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from ingest_helpers import table_rows
from python_calamine import CalamineWorkbook

from kehu.errors import KehuError, NotFoundError
from kehu.ingest import export_table, import_records, table_names
from kehu.workspace import Workspace


@pytest.fixture
def filled(ws: Workspace) -> Workspace:
    import_records(
        ws,
        "customers",
        [
            {"客户编号": "C1", "客户名称": "北京甲有限公司", "所属行业": "软件",
             "成立时间": "2008-05-01",
             "年营收": "1.5亿", "行业标杆": "是", "联系电话": "13812345678"},
            {"客户编号": "C2", "客户名称": "张三", "员工人数": "50-99人"},
        ],
        source="crm",
    )  # fmt: skip
    import_records(
        ws,
        "orders",
        [{"订单号": "O1", "客户编号": "C1", "下单日期": "2024-03-05", "订单金额": "1,234.56"}],
        source="crm",
    )
    return ws


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet"])
@pytest.mark.parametrize("headers", ["code", "zh"])
def test_export_then_import_into_a_fresh_store(
    filled: Workspace, tmp_path: Path, suffix: str, headers: str
) -> None:
    for table in ("customers", "orders"):
        path = tmp_path / f"{table}{suffix}"
        assert export_table(filled, table, path, headers=headers) == filled.scalar(
            f"SELECT count(*) FROM {table}"
        )
    fresh = Workspace.init(tmp_path / "fresh")
    try:
        from kehu.ingest import import_file

        for table in ("customers", "orders"):
            result = import_file(fresh, tmp_path / f"{table}{suffix}", table, source="crm")
            assert result.rejected == 0, result.rejects
        for table, order in (("customers", "customer_id"), ("orders", "order_id")):
            assert table_rows(fresh, table, order) == table_rows(filled, table, order)
    finally:
        fresh.close()


def test_csv_is_utf8_with_bom_and_two_decimals(filled: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "o.csv"
    export_table(filled, "orders", path)
    data = path.read_bytes()
    assert data.startswith(codecs.BOM_UTF8)
    text = data.decode("utf-8-sig")
    assert "1234.56" in text and "2024-03-05" in text


def test_xlsx_cells_are_typed(filled: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "c.xlsx"
    export_table(filled, "customers", path, headers="zh")
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    header = rows[0]
    c1 = dict(zip(header, rows[1], strict=True))
    assert c1["客户名称"] == "北京甲有限公司"
    assert c1["成立时间"] == date(2008, 5, 1)
    assert c1["年营收"] == 150000000.0
    assert c1["行业标杆"] is True
    assert c1["行业代码"] == "I65"


def test_parquet_keeps_types(filled: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "o.parquet"
    export_table(filled, "orders", path)
    table = pq.read_table(path)
    assert table.column("amount").to_pylist() == [Decimal("1234.56")]
    assert table.column("order_date").to_pylist() == [date(2024, 3, 5)]


def test_system_tables_export_too(filled: Workspace, tmp_path: Path) -> None:
    assert {"imports", "rejects", "customer_ids"} <= set(table_names(filled))
    assert export_table(filled, "imports", tmp_path / "imports.csv") == 2


def test_unknown_table_and_format(filled: Workspace, tmp_path: Path) -> None:
    with pytest.raises(NotFoundError) as info:
        export_table(filled, "nope", tmp_path / "x.csv")
    assert "customers" in info.value.en and info.value.exit_code == 2
    with pytest.raises(KehuError):
        export_table(filled, "customers", tmp_path / "x.txt")
