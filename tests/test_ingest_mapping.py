"""Header aliases, units, mapping files and header-row detection."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from kehu.errors import KehuError
from kehu.ingest.mapping import (
    alias_conflicts,
    alias_index,
    display_header,
    header_score,
    load_mapping_file,
    map_headers,
    split_unit,
)
from kehu.ingest.read import choose_header
from kehu.store.schema import CUSTOMERS, DATA_TABLES, ORDERS

SEED_FIELDS = {
    "customers": {"客户编号": "customer_id", "客户ID": "customer_id", "客户代码": "customer_id",
                  "customer id": "customer_id", "Customer_ID": "customer_id",
                  "客户名称": "name", "公司名称": "name", "客户名": "name", "name": "name",
                  "所属行业": "industry_name", "行业": "industry_name",
                  "成立时间": "founded_on",
                  "成立日期": "founded_on", "注册地址": "address", "地址": "address",
                  "联系人": "contact_name", "联系方式": "phone", "联系电话": "phone",
                  "手机": "phone",
                  "电话": "phone", "负责人": "owner", "客户经理": "owner", "归属销售": "owner",
                  "省份": "province", "省": "province", "城市": "city", "市": "city",
                  "区县": "district",
                  "邮编": "postcode", "员工数": "employees", "员工人数": "employees",
                  "年营收": "annual_revenue", "营业收入": "annual_revenue",
                  "统一社会信用代码": "registration_id", "身份证号": "registration_id",
                  "合作起始时间": "cooperation_start", "行业地位": "industry_position"},
    "orders": {"订单号": "order_id", "订单编号": "order_id", "下单日期": "order_date",
               "订单日期": "order_date", "日期": "order_date", "订单金额": "amount",
               "金额": "amount", "销售额": "amount", "含税金额": "amount", "成本": "cost",
               "产品品类": "product_category",
               "品类": "product_category", "产品类别": "product_category", "产品": "product",
               "产品名称": "product", "数量": "quantity", "回款金额": "paid_amount",
               "已回款": "paid_amount", "实收金额": "paid_amount", "应收日期": "due_date",
               "到期日": "due_date", "账期": "due_date", "回款日期": "paid_date", "渠道": "channel",
               "销售": "owner", "客户编号": "customer_id"},
}  # fmt: skip


@pytest.mark.parametrize("table", DATA_TABLES, ids=lambda t: t.name)
def test_no_alias_points_at_two_columns(table: object) -> None:
    assert alias_conflicts(table) == []  # type: ignore[arg-type]


@pytest.mark.parametrize("table", [CUSTOMERS, ORDERS], ids=lambda t: t.name)
def test_seed_fields_map(table: object) -> None:
    index = alias_index(table)  # type: ignore[arg-type]
    matches = map_headers(list(SEED_FIELDS[table.name]), table)  # type: ignore[attr-defined]
    assert {m.header: m.column for m in matches} == SEED_FIELDS[table.name]  # type: ignore[attr-defined]
    assert index  # non-empty


@pytest.mark.parametrize("table", DATA_TABLES, ids=lambda t: t.name)
def test_every_column_has_a_chinese_header_that_maps_back(table: object) -> None:
    for column in table.columns:  # type: ignore[attr-defined]
        if column in ("source", "source_id"):
            continue
        header = display_header(table, column, "zh")  # type: ignore[arg-type]
        assert not header.isascii(), column
        [match] = map_headers([header], table)  # type: ignore[arg-type]
        assert match.column == column, header


def test_header_variants_width_case_space_punctuation() -> None:
    headers = [
        "客户 ID",
        "ＣＵＳＴＯＭＥＲ　ＩＤ",
        "customer-id",
        "订单金额（元）",
        "金额(万元)",
        "备注",
    ]
    columns = [m.column for m in map_headers(headers, ORDERS)]
    assert columns == ["customer_id", "customer_id", "customer_id", "amount", "amount", None]
    units = [m.unit for m in map_headers(headers, ORDERS)]
    assert units[3] == Decimal(1) and units[4] == Decimal(10000)


def test_split_unit() -> None:
    assert split_unit("订单金额（万元）") == ("订单金额", Decimal(10000))
    assert split_unit("金额(单位:亿元)") == ("金额", Decimal(10**8))
    assert split_unit("员工数(人)") == ("员工数", None)
    assert split_unit("客户名称") == ("客户名称", None)


def test_mapping_file(tmp_path: Path) -> None:
    path = tmp_path / "m.toml"
    path.write_text(
        '[columns]\n"Acct No" = "customer_id"\n"全称" = "name"\n"内部备注" = ""\n'
        '[options]\nheader_row = 2\nsheet = "客户"\n',
        encoding="utf-8",
    )
    mapping = load_mapping_file(path, CUSTOMERS)
    matches = map_headers(["acct no", "全称", "内部备注", "客户编号"], CUSTOMERS, mapping)
    assert [(m.column, m.via) for m in matches] == [
        ("customer_id", "mapping"), ("name", "mapping"), (None, "ignored"),
        ("customer_id", "alias"),
    ]  # fmt: skip
    assert mapping.options == {"header_row": 2, "sheet": "客户"}


def test_mapping_file_errors_name_the_problem(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[columns]\n"x" = "nonsense"\n', encoding="utf-8")
    with pytest.raises(KehuError) as info:
        load_mapping_file(bad, CUSTOMERS)
    assert "nonsense" in info.value.en and "customer_id" in info.value.en
    bad.write_text("[options]\nsheeet = 1\n", encoding="utf-8")
    with pytest.raises(KehuError) as info:
        load_mapping_file(bad, CUSTOMERS)
    assert "sheeet" in info.value.en
    with pytest.raises(KehuError):
        load_mapping_file(tmp_path / "missing.toml", CUSTOMERS)
    bad.write_text("not toml = = =", encoding="utf-8")
    with pytest.raises(KehuError):
        load_mapping_file(bad, CUSTOMERS)


def test_header_row_is_found_below_title_rows() -> None:
    rows = [
        ["2024年客户清单", "", ""],
        ["导出时间:2024-03-05", "", ""],
        [],
        ["客户编号", "客户名称", "联系电话"],
        ["C1", "北京某某有限公司", "13812345678"],
    ]

    def score(cells: list[str]) -> int:
        return header_score(cells, CUSTOMERS)

    assert choose_header(rows, score, None) == 3
    assert choose_header(rows, score, 1) == 0
    with pytest.raises(KehuError):
        choose_header(rows, score, 99)
