"""End to end: files the tests write, in each encoding and format, through `import_file`."""

from __future__ import annotations

import codecs
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import xlsxwriter
from ingest_helpers import table_rows, write_csv

from kehu.errors import KehuError
from kehu.ingest import import_file, import_records
from kehu.workspace import Workspace

CUSTOMERS_GBK = [
    "2024年客户清单(CRM 导出),,,,,,,,",
    "客户编号,客户名称,所属行业,成立时间,注册地址,联系人,联系电话,年营收（万元）,统一社会信用代码",
    "C001,北京华为科技有限公司,软件,2008年5月,北京市海淀区,张伟,138 1234 5678,12.5,"
    "91350100M000100Y43",
    'C002,上海某某贸易有限公司,批发业,2010/1/1,上海市,李娜,021-62345678转8,"1,200",',
    "C003,深圳某某电子有限公司,C39,20120305,广东省深圳市,王芳,+86 139-1234-5678,0.5,",
    "C004,某某火星公司,火星行业,2015-06-01,,赵强,138****5678,-,",
    " ,没有编号的公司,制造,,,,,,",
    "C005,杭州某某科技有限公司,互联网,2016年7月8日,浙江省杭州市,周杰,0571-88888888,3,",
    'C002,上海某某贸易有限公司(新),批发业,2010/1/1,上海市,李娜,021-62345678,"1,300",',
    ",,,,,,,,",
    '合计,,,,,,,"1,516.00",',
]
ORDERS_CSV = [
    "订单号,客户编号,下单日期,订单金额,成本,回款金额,应收日期,产品品类,备注",
    'SO-1,C001,2024-03-05,"¥1,234.50",800,1234.5,30天,传感器,',
    'SO-2,C002,2024年3月6日,12.5万,"80,000.00",,2024/4/6,控制器,加急',
    "SO-3,C003,20240307,(100.00),,,,传感器,退货",
    "SO-4,C999,2024-03-08,100,,,,传感器,",
    "SO-5,C001,2024-02-30,100,,,,传感器,",
    "SO-6,C005,2024/03/09 14:30:00,1.2345万元,,,,传感器,",
    "SO-7,C001,2024-03-10,$100,,,,传感器,",
    "SO-8,C005,45361,-,,,,传感器,",
]


@pytest.fixture
def crm(ws: Workspace, tmp_path: Path) -> Workspace:
    """A workspace with the GBK customers file imported."""
    path = write_csv(tmp_path / "customers.csv", CUSTOMERS_GBK, "gb18030")
    import_file(ws, path, "customers", source="crm")
    return ws


def test_gb18030_customers_with_dirt(ws: Workspace, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "客户.csv", CUSTOMERS_GBK, "gb18030")
    assert not path.read_bytes().startswith(codecs.BOM_UTF8)
    result = import_file(ws, path, "customers", source="crm")
    assert result.encoding == "gb18030" and result.header_row == 2
    assert result.read == 8 and result.blank_rows == 1
    assert result.loaded + result.rejected == result.read
    assert (result.inserted, result.updated, result.unchanged) == (5, 0, 0)
    reasons = {(r.row_number, r.reason_code) for r in result.rejects}
    assert reasons == {(4, "duplicate_key"), (7, "missing_required"), (11, "summary_row")}
    dup = next(r for r in result.rejects if r.reason_code == "duplicate_key")
    assert "第 9 行" in dup.reason_zh and "row 9 is kept" in dup.reason_en

    rows = {r[0]: r for r in ws.rows(
        "SELECT customer_id, name, industry_code, industry_name, founded_on, phone, "
        "annual_revenue, customer_type, registration_id, province FROM customers"
    )}  # fmt: skip
    assert rows["C001"][2:8] == (
        "I65", "软件和信息技术服务业", date(2008, 5, 1), "+8613812345678",
        Decimal("125000.00"), "company",
    )  # fmt: skip
    assert rows["C002"][1] == "上海某某贸易有限公司(新)"  # the kept (last) row
    assert rows["C002"][5] == "+862162345678" and rows["C002"][6] == Decimal("13000000.00")
    assert rows["C003"][2] == "C39" and rows["C003"][4] == date(2012, 3, 5)
    assert rows["C004"][2] is None and rows["C004"][3] == "火星行业"  # kept, reported
    assert rows["C004"][5] == "138****5678" and rows["C004"][6] is None
    findings = {f.code: f for f in result.findings}
    assert findings["industry_unmatched"].examples == ("火星行业",)
    assert findings["phone_unrecognised"].count == 1
    assert findings["unit_from_header"].column == "年营收（万元）"
    aliases = ws.rows("SELECT source, source_id, customer_id FROM customer_ids ORDER BY 2")
    assert aliases == [("crm", f"C00{i}", f"C00{i}") for i in range(1, 6)]


def test_rejects_are_kept_in_table_csv_and_log(crm: Workspace) -> None:
    imp = crm.rows("SELECT import_id, read, loaded, rejected, rejects_file, status FROM imports")
    [(import_id, read, loaded, rejected, rejects_file, status)] = imp
    assert (read, loaded, rejected, status) == (8, 5, 3, "committed")
    stored = crm.rows(
        "SELECT row_number, column_name, value, reason_code FROM rejects"
        " WHERE import_id = ? ORDER BY 1",
        [import_id],
    )
    assert stored == [
        (4, "客户编号", "C002", "duplicate_key"),
        (7, "客户编号", " ", "missing_required"),
        (11, "客户编号", "合计", "summary_row"),
    ]
    data = Path(rejects_file).read_bytes()
    assert Path(rejects_file).parent == crm.root / "rejects"
    assert data.startswith(codecs.BOM_UTF8)
    text = data.decode("utf-8-sig")
    assert "文件内编号重复" in text and "duplicate key in the file" in text


def test_second_import_changes_nothing(crm: Workspace, tmp_path: Path) -> None:
    before = table_rows(crm, "customers", "customer_id")
    stamps = crm.rows("SELECT customer_id, updated_at FROM customers ORDER BY 1")
    again = import_file(crm, tmp_path / "customers.csv", "customers", source="crm")
    assert (again.inserted, again.updated, again.unchanged, again.rejected) == (0, 0, 5, 3)
    assert table_rows(crm, "customers", "customer_id") == before
    assert crm.rows("SELECT customer_id, updated_at FROM customers ORDER BY 1") == stamps


def test_orders_utf8_amounts_exact_to_the_fen(crm: Workspace, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "orders.csv", ORDERS_CSV)
    result = import_file(crm, path, "orders", source="erp")
    assert result.read == 8 and result.loaded == 4 and result.rejected == 4
    assert result.unmapped_columns == ["备注"]
    codes = {r.row_number: r.reason_code for r in result.rejects}
    assert codes == {
        5: "unknown_customer", 6: "invalid_date", 8: "foreign_currency", 9: "missing_required"
    }  # fmt: skip
    got = {r[0]: r[1:] for r in crm.rows(
        "SELECT order_id, customer_id, order_date, amount, cost, paid_amount, due_date, source "
        "FROM orders"
    )}  # fmt: skip
    assert got["SO-1"] == ("C001", date(2024, 3, 5), Decimal("1234.50"), Decimal("800.00"),
                           Decimal("1234.50"), date(2024, 4, 4), "erp")  # fmt: skip
    assert got["SO-2"][2:4] == (Decimal("125000.00"), Decimal("80000.00"))
    assert got["SO-2"][5] == date(2024, 4, 6)
    assert got["SO-3"][1:3] == (date(2024, 3, 7), Decimal("-100.00"))
    assert got["SO-6"][1:3] == (date(2024, 3, 9), Decimal("12345.00"))
    assert "SO-8" not in got  # amount '-' is empty, and amount is required
    assert next(r for r in result.rejects if r.row_number == 9).value == "-"
    assert {f.code for f in result.findings} >= {"due_from_terms"}
    again = import_file(crm, path, "orders", source="erp")
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 4)


def test_changed_values_count_as_updates_and_empty_cells_never_erase(
    crm: Workspace, tmp_path: Path
) -> None:
    lines = [
        "订单号,客户编号,下单日期,订单金额,产品品类",
        "A1,C001,2024-01-01,100,传感器",
        "A2,C002,2024-01-02,200,阀门",
    ]
    path = write_csv(tmp_path / "o.csv", lines)
    import_file(crm, path, "orders")
    lines[1] = "A1,C001,2024-01-01,150,"  # amount changed, category blank
    write_csv(path, lines)
    result = import_file(crm, path, "orders")
    assert (result.inserted, result.updated, result.unchanged) == (0, 1, 1)
    assert crm.rows("SELECT amount, product_category FROM orders WHERE order_id = 'A1'") == [
        (Decimal("150.00"), "传感器")
    ]


def test_sources_are_separate_key_spaces(crm: Workspace, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "o.csv", ["订单号,客户编号,下单日期,订单金额", "X1,C001,2024-01-01,1"]
    )
    import_file(crm, path, "orders", source="erp")
    result = import_file(crm, path, "orders", source="shop")
    assert result.inserted == 1
    assert crm.scalar("SELECT count(*) FROM orders WHERE order_id = 'X1'") == 2


def test_child_ids_resolve_through_aliases_of_merged_customers(
    crm: Workspace, tmp_path: Path
) -> None:
    with crm.transaction() as cur:  # as a dedupe merge leaves it: C003 merged into C001
        cur.execute("DELETE FROM customers WHERE customer_id = 'C003'")
        cur.execute("UPDATE customer_ids SET customer_id = 'C001' WHERE source_id = 'C003'")
    path = write_csv(
        tmp_path / "o.csv", ["订单号,客户编号,下单日期,订单金额", "M1,C003,2024-01-01,1"]
    )
    result = import_file(crm, path, "orders", source="erp")  # other source: any-source alias
    assert result.loaded == 1
    assert crm.scalar("SELECT customer_id FROM orders WHERE order_id = 'M1'") == "C001"
    cust = write_csv(
        tmp_path / "c.csv", ["客户编号,客户名称,城市", "C003,深圳某某电子有限公司,深圳"]
    )
    result = import_file(crm, cust, "customers", source="crm")
    assert (result.inserted, result.updated) == (0, 1)  # updates the survivor
    assert crm.scalar("SELECT city FROM customers WHERE customer_id = 'C001'") == "深圳"


def test_same_id_from_another_system_is_another_customer(crm: Workspace, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "erp.csv", ["客户编码,客户名称", "C001,完全不同的公司"])
    result = import_file(crm, path, "customers", source="erp")
    assert result.inserted == 1
    assert (
        crm.scalar("SELECT name FROM customers WHERE customer_id = 'erp:C001'") == "完全不同的公司"
    )
    assert crm.scalar("SELECT customer_id FROM customer_ids WHERE source = 'erp'") == "erp:C001"
    orders = write_csv(
        tmp_path / "o.csv", ["订单号,客户编码,下单日期,订单金额", "E1,C001,2024-01-01,9"]
    )
    import_file(crm, orders, "orders", source="erp")
    assert crm.scalar("SELECT customer_id FROM orders WHERE order_id = 'E1'") == "erp:C001"


def test_utf8_bom_tsv_and_utf16(crm: Workspace, tmp_path: Path) -> None:
    lines = [
        "联系人编号\t客户编号\t姓名\t职位\t决策角色\t关键联系人\t手机",
        "P1\tC001\t张伟\t采购经理\t采购\t是\t13812345678",
    ]
    tsv = write_csv(tmp_path / "contacts.tsv", lines, "utf-8-sig")
    result = import_file(crm, tsv, "contacts")
    assert result.encoding == "utf-8 (BOM)" and result.file_format == "tsv" and result.inserted == 1
    lines.append("P2\tC002\t李娜\t总经理\t老板\t否\t021-62345678")
    utf16 = tmp_path / "contacts.txt"  # Excel's "Unicode text"
    utf16.write_bytes(codecs.BOM_UTF16_LE + "\r\n".join(lines).encode("utf-16-le"))
    result = import_file(crm, utf16, "contacts")
    assert result.encoding == "utf-16-le (BOM)"
    assert (result.inserted, result.unchanged) == (1, 1)
    assert crm.rows("SELECT contact_id, role, is_key, phone FROM contacts ORDER BY 1") == [
        ("P1", "采购", True, "+8613812345678"),
        ("P2", "高层", False, "+862162345678"),
    ]


def test_xlsx_with_title_rows_and_serial_dates(crm: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "ledger.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("销售台账")
    sheet.write(0, 0, "2024年3月销售台账")
    sheet.write_row(2, 0, ["订单号", "客户编号", "下单日期", "订单金额", "数量", "回款日期"])
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(3, 0, ["L1", "C001"])
    sheet.write_datetime(3, 2, datetime(2024, 3, 5), date_fmt)
    sheet.write_row(3, 3, [1234.5, 3])
    sheet.write_number(3, 5, 45370)  # a serial in a General-formatted cell
    sheet.write_row(4, 0, [1002, "C005", 45356, "¥88.80", "2件", "2024年3月20日"])
    sheet.write_row(5, 0, ["L3", "C005", "not a date", 1, 1, ""])
    book.close()
    result = import_file(crm, path, "orders", source="finance")
    assert result.file_format == "xlsx" and result.header_row == 3
    assert result.loaded == 2 and result.rejected == 1
    assert result.rejects[0].row_number == 6 and result.rejects[0].reason_code == "invalid_date"
    rows = crm.rows(
        "SELECT order_id, order_date, amount, quantity, paid_date FROM orders ORDER BY 1"
    )
    assert rows == [
        ("1002", date(2024, 3, 5), Decimal("88.80"), 2.0, date(2024, 3, 20)),
        ("L1", date(2024, 3, 5), Decimal("1234.50"), 3.0, date(2024, 3, 19)),
    ]


def test_parquet_with_typed_columns(crm: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "orders.parquet"
    table = pa.table(
        {
            "order_id": ["P1", "P2", "P3"],
            "customer_id": ["C001", "C002", None],
            "order_date": pa.array([date(2024, 1, 1), date(2024, 1, 2), date(2024, 1, 3)]),
            "amount": pa.array(
                [Decimal("10.005"), Decimal("20.10"), Decimal("1")], pa.decimal128(10, 3)
            ),
            "quantity": pa.array([1, 2, 3], pa.int64()),
            "cost": pa.array([0.1 + 0.2, 5.0, None]),
        }
    )
    pq.write_table(table, path)
    result = import_file(crm, path, "orders", source="dw")
    assert result.file_format == "parquet" and result.loaded == 2 and result.rejected == 1
    assert result.rejects[0].row_number == 4 and result.rejects[0].reason_code == "missing_required"
    assert crm.rows("SELECT order_id, amount, cost, quantity FROM orders ORDER BY 1") == [
        ("P1", Decimal("10.01"), Decimal("0.30"), 1.0),
        ("P2", Decimal("20.10"), Decimal("5.00"), 2.0),
    ]


def test_malformed_short_and_multiline_rows_keep_excel_row_numbers(
    crm: Workspace, tmp_path: Path
) -> None:
    lines = [
        "订单号,客户编号,下单日期,订单金额,备注",
        'R1,C001,2024-01-01,1,"第一行\n第二行"',  # one record on two lines: Excel row 2
        "R2,C001,2024-01-02,2,x,extra,fields",  # row 3: too many fields
        "R3,C001,2024-01-03,3",  # row 4: trailing cell missing (repaired)
        "R4,C001,2024-01-04,4,,,",  # row 5: trailing empty cells (repaired)
        "R5,C001,2024-13-04,5,",  # row 6: bad date
    ]
    path = write_csv(tmp_path / "o.csv", lines)
    result = import_file(crm, path, "orders")
    assert result.read == 5 and result.loaded == 3
    assert {r.row_number: r.reason_code for r in result.rejects} == {
        3: "malformed_row",
        6: "invalid_date",
    }
    assert crm.rows("SELECT order_id FROM orders ORDER BY 1") == [("R1",), ("R3",), ("R4",)]


def test_required_columns_missing_lists_found_and_needed(ws: Workspace, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "o.csv", ["单号,客户,时间", "1,2,3"])
    with pytest.raises(KehuError) as info:
        import_file(ws, path, "orders")
    err = info.value
    assert err.exit_code == 2
    for text in ("单号", "客户", "时间", "customer_id", "order_date", "amount"):
        assert text in err.en
    assert "客户编号" in err.zh and "下单日期" in err.zh
    assert ws.scalar("SELECT count(*) FROM imports") == 0


def test_unknown_kind_and_missing_file(ws: Workspace, tmp_path: Path) -> None:
    with pytest.raises(KehuError) as info:
        import_file(ws, tmp_path / "x.csv", "invoices")
    assert "customers" in info.value.en and info.value.exit_code == 2
    with pytest.raises(KehuError) as info:
        import_file(ws, tmp_path / "nope.csv", "orders")
    assert "nope.csv" in info.value.en


def test_mapping_file_maps_other_headers(ws: Workspace, tmp_path: Path) -> None:
    mapping = tmp_path / "map.toml"
    mapping.write_text(
        '[columns]\n"Acct" = "customer_id"\n"Legal Name" = "name"\n"Memo" = ""\n', "utf-8"
    )
    path = write_csv(tmp_path / "c.csv", ["Acct,Legal Name,Memo,Fax", "A1,某某有限公司,x,y"])
    result = import_file(ws, path, "customers", mapping=mapping)
    assert result.inserted == 1 and result.unmapped_columns == ["Fax"]
    assert ws.scalar("SELECT name FROM customers") == "某某有限公司"
    assert ws.scalar("SELECT unmapped_columns FROM imports") == '["Fax"]'


def test_dry_run_writes_nothing(crm: Workspace, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "orders.csv", ORDERS_CSV)
    imports = crm.scalar("SELECT count(*) FROM imports")
    result = import_file(crm, path, "orders", dry_run=True)
    assert result.status == "dry-run" and result.inserted == 4 and result.rejected == 4
    assert result.rejects_file is None
    assert crm.scalar("SELECT count(*) FROM orders") == 0
    assert crm.scalar("SELECT count(*) FROM imports") == imports
    assert not any((crm.root / "rejects").glob(f"{result.import_id}*"))


def test_import_records_push_api(crm: Workspace) -> None:
    records = [
        {
            "order_id": "W1",
            "customer_id": "C001",
            "order_date": date(2024, 5, 1),
            "amount": Decimal("9.99"),
        },
        {"订单号": "W2", "客户编号": "C002", "下单日期": "2024年5月2日", "订单金额": "¥1,000"},
        {"order_id": "W3", "customer_id": "C001", "order_date": "someday", "amount": 1.5},
    ]
    result = import_records(crm, "orders", records, source="shop")
    assert (result.read, result.loaded, result.rejected) == (3, 2, 1)
    assert result.rejects[0].row_number == 3 and result.file_format == "records"
    assert crm.rows("SELECT order_id, amount FROM orders ORDER BY 1") == [
        ("W1", Decimal("9.99")),
        ("W2", Decimal("1000.00")),
    ]
    again = import_records(crm, "orders", records, source="shop")
    assert again.unchanged == 2 and again.inserted == 0


def test_every_kind_imports(crm: Workspace) -> None:
    cases = {
        "interactions": {"记录编号": "I1", "客户编号": "C001", "沟通方式": "上门拜访",
                         "沟通时间": "2024/3/5 14:30"},
        "tickets": {"Ticket ID": "T1", "Customer ID": "C001", "Created": "2024-03-05 09:00:00",
                    "Priority": "紧急", "Status": "已解决", "Satisfaction": "非常满意"},
        "surveys": {"问卷编号": "S1", "客户编号": "C001", "调查日期": "2024-03-05", "NPS": "9",
                    "满意度": "4"},
        "opportunities": {"商机编号": "OP1", "客户编号": "C001", "创建日期": "2024-03-01",
                          "状态": "赢单", "预计金额": "50万"},
        "targets": {"目标编号": "TG1", "期间": "2026年第一季度", "区域": "华东",
                    "目标金额": "1.2亿"},
    }  # fmt: skip
    for kind, record in cases.items():
        result = import_records(crm, kind, [record], source="crm")
        assert result.loaded == 1, (kind, result.rejects)
    assert crm.scalar("SELECT kind FROM interactions") == "visit"
    assert crm.rows("SELECT priority, status, satisfaction FROM tickets") == [
        ("urgent", "resolved", 5)
    ]
    assert crm.rows("SELECT nps, csat FROM surveys") == [(9, 4)]
    assert crm.rows("SELECT status, amount FROM opportunities") == [("won", Decimal("500000.00"))]
    assert crm.rows("SELECT period, amount FROM targets") == [("2026-Q1", Decimal("120000000.00"))]


def test_scores_out_of_range_are_rejected(crm: Workspace) -> None:
    result = import_records(
        crm,
        "surveys",
        [{"问卷编号": "S9", "客户编号": "C001", "调查日期": "2024-03-05", "NPS": "11"}],
        source="crm",
    )
    assert result.rejected == 1 and result.rejects[0].reason_code == "number_out_of_range"
    assert "0" in result.rejects[0].reason_en and "10" in result.rejects[0].reason_en
