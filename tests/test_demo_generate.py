"""The demo generator: deterministic, truthful about what it planted, dirty where it should be."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
import pytest

from kehu.demo import generate
from kehu.demo.generate import DemoManifest
from kehu.errors import KehuError
from kehu.idcodes import org_code_check_char, resident_id_valid, uscc_valid


def _csv(path: Path, encoding: str = "utf-8") -> pd.DataFrame:
    return pd.read_csv(path, encoding=encoding, dtype=str, keep_default_na=False)


def _file(m: DemoManifest, stem: str) -> Path:
    return next(f.path for f in m.files if f.path.stem == stem)


def _truth(m: DemoManifest) -> dict[str, Any]:
    return json.loads(m.truth_path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> DemoManifest:
    return generate(tmp_path_factory.mktemp("mixed"), seed=11, size=0.2)


@pytest.fixture(scope="module")
def typed(tmp_path_factory: pytest.TempPathFactory) -> DemoManifest:
    return generate(tmp_path_factory.mktemp("typed"), seed=11, size=0.2, fmt="parquet")


@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory) -> DemoManifest:
    return generate(tmp_path_factory.mktemp("full"), seed=7, size=1.0, fmt="parquet")


# ---- determinism --------------------------------------------------------------------------------
def test_same_seed_same_bytes(mixed: DemoManifest, tmp_path: Path) -> None:
    again = generate(tmp_path / "again", seed=11, size=0.2)
    assert [f.path.name for f in again.files] == [f.path.name for f in mixed.files]
    for a, b in zip(mixed.files, again.files, strict=True):
        assert a.path.read_bytes() == b.path.read_bytes(), a.path.name
    assert again.truth_path.read_bytes() == mixed.truth_path.read_bytes()


def test_other_seed_other_data(mixed: DemoManifest, tmp_path: Path) -> None:
    other = generate(tmp_path / "other", seed=12, size=0.2)
    for a, b in zip(mixed.files, other.files, strict=True):
        assert a.path.read_bytes() != b.path.read_bytes(), a.path.name


def test_reference_date_not_today(typed: DemoManifest) -> None:
    orders = pd.concat(pq.read_table(f.path).to_pandas() for f in typed.files if f.kind == "orders")
    dates = orders["order_date"].dropna()
    assert dates.max() <= date(2026, 10, 31)
    assert dates.max() >= date(2026, 10, 1)
    assert dates.min() >= date(2023, 11, 1)
    assert typed.as_of == date(2026, 10, 31)


# ---- the truth file ----------------------------------------------------------------------------
def test_truth_ids_exist_in_the_exports(mixed: DemoManifest) -> None:
    truth = _truth(mixed)
    crm = _csv(_file(mixed, "01_crm_customers"), "gbk")
    erp = _csv(_file(mixed, "02_erp_customers"), "utf-8-sig")
    ids = set(crm["客户编号"]) | set(erp["客户编码"])
    assert truth["duplicates"], "no duplicates planted"
    for cluster in truth["duplicates"]:
        assert len(cluster) >= 2
        assert set(cluster) <= ids
    assert set(truth["churned"]) <= set(crm["客户编号"])
    assert set(truth["customer_type"]) == ids - {
        b["customer_id"] for b in truth["bad_rows"] if b.get("reason") == "missing_name"
    }
    for pair in truth["not_duplicates"]:
        assert set(pair["ids"]) <= ids
    assert len(truth["owners"]) >= 7 and set(truth["owners"].values()) == {
        "华东",
        "华北",
        "华南",
        "华中",
        "西南",
        "西北",
        "东北",
    }


def test_churned_customers_stop_ordering(typed: DemoManifest) -> None:
    truth = _truth(typed)
    entity = {}  # every id of a duplicate cluster belongs to its first (original) id
    for cluster in truth["duplicates"]:
        for cid in cluster:
            entity[cid] = cluster[0]
    orders = pd.concat(
        pq.read_table(f.path).to_pandas() for f in typed.files if f.kind == "orders"
    ).dropna(subset=["order_date"])
    orders["entity"] = orders["customer_id"].map(lambda c: entity.get(c, c))
    last = orders.groupby("entity")["order_date"].max()
    churned = {k: date.fromisoformat(v) for k, v in truth["churned"].items()}
    assert len(churned) >= 20
    for cid, day in churned.items():
        if cid in last.index:
            assert last[cid] <= day, cid
    # and they were real customers: most ordered in the year before they stopped
    active = sum(1 for c in churned if c in last.index)
    assert active >= 0.8 * len(churned)
    # won-back customers have a gap, then orders again near the end
    for cid, back in truth["won_back"].items():
        mine = orders.loc[orders["entity"] == cid, "order_date"]
        assert (mine >= date.fromisoformat(back)).any() or mine.empty


def test_planted_lookalikes_are_distinct_registrations(mixed: DemoManifest) -> None:
    truth = _truth(mixed)
    crm = _csv(_file(mixed, "01_crm_customers"), "gbk").set_index("客户编号")
    kinds = {p["kind"] for p in truth["not_duplicates"]}
    assert kinds == {"branch", "same_name_other_city"}
    for pair in truth["not_duplicates"]:
        a, b = (crm.loc[i] for i in pair["ids"])
        assert a["统一社会信用代码"] != b["统一社会信用代码"]
        assert a["城市"] != b["城市"]
        if pair["kind"] == "branch":
            assert b["客户名称"].startswith(a["客户名称"]) and b["客户名称"].endswith("分公司")


# ---- dirt ---------------------------------------------------------------------------------------
def test_crm_export_is_gbk_with_chinese_headers(mixed: DemoManifest) -> None:
    raw = _file(mixed, "01_crm_customers").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text = raw.decode("gbk")
    assert text.startswith('"客户编号","客户名称"')
    assert "￥" in text and "万" not in text.split("\n")[0]


def test_xlsx_ledger_has_excel_serial_dates(mixed: DemoManifest) -> None:
    import openpyxl

    path = _file(mixed, "04_finance_sales_ledger")
    book = openpyxl.load_workbook(path, read_only=True)
    rows = list(book.active.iter_rows(min_row=1, max_row=400))
    header = [c.value for c in rows[0]]
    col = header.index("下单日期")
    cells = [r[col] for r in rows[1:]]
    formatted = [c for c in cells if c.is_date]
    bare = [c for c in cells if isinstance(c.value, int | float) and not c.is_date]
    assert len(formatted) > 0.8 * len(cells)
    assert bare, "some dates must be bare serial numbers"
    assert all(40_000 < c.value < 47_000 for c in bare)  # 2009 … 2028
    money = header.index("订单金额")
    assert any(isinstance(r[money].value, float | int) for r in rows[1:])


def test_erp_orders_mix_money_and_date_styles(mixed: DemoManifest) -> None:
    df = _csv(_file(mixed, "05_erp_orders"))
    amounts = df["订单金额"]
    for pattern in (r"^[¥￥][\d,]+\.\d\d$", r"万$", r"元$", r"^\d+\.\d\d$"):
        assert amounts.str.contains(pattern).any(), pattern
    dates = df["下单日期"]
    for pattern in (r"^\d{4}-\d\d-\d\d$", r"^\d{4}/\d{1,2}/\d{1,2}$", r"年.*月.*日$", r"^\d{8}$"):
        assert dates.str.contains(pattern).any(), pattern


def test_erp_customers_carry_variant_names(mixed: DemoManifest) -> None:
    truth = _truth(mixed)
    crm = _csv(_file(mixed, "01_crm_customers"), "gbk").set_index("客户编号")
    erp = _csv(_file(mixed, "02_erp_customers"), "utf-8-sig").set_index("客户编码")
    pairs = [(crm.loc[c[0]], erp.loc[e]) for c in truth["duplicates"] for e in c if e in erp.index]
    differ = [(a, b) for a, b in pairs if a["客户名称"] != b["客户名称"]]
    assert 0.4 * len(pairs) < len(differ) < len(pairs)
    names = " ".join(b["客户名称"] for _, b in differ)
    assert re.search(r"[\u4e00-\u9fff]\([\u4e00-\u9fff]+\)", names) or "（" in names
    assert any(a["联系电话"] != b["电话"] for a, b in pairs)  # phones written differently
    assert re.search(r"[A-Z][a-z]+ [A-Z][a-z]+|[A-Z]+ [A-Z]+", names), "pinyin person names"


def test_bad_rows_are_planted(mixed: DemoManifest) -> None:
    truth = _truth(mixed)
    reasons = {b["reason"] for b in truth["bad_rows"]}
    assert reasons == {"unknown_customer", "bad_amount", "missing_date", "missing_name"}
    erp = _csv(_file(mixed, "05_erp_orders"))
    known = set(_csv(_file(mixed, "01_crm_customers"), "gbk")["客户编号"]) | set(
        _csv(_file(mixed, "02_erp_customers"), "utf-8-sig")["客户编码"]
    )
    for b in truth["bad_rows"]:
        if b["file"] != "05_erp_orders.csv":
            continue
        row = erp.iloc[b["row"] - 1]
        assert row["订单号"] == b["order_id"]
        if b["reason"] == "unknown_customer":
            assert row["客户编码"] not in known
        elif b["reason"] == "missing_date":
            assert row["下单日期"] == ""
        else:
            assert not re.search(r"\d", row["订单金额"])


def test_service_desk_export_has_english_headers_and_sla_misses(mixed: DemoManifest) -> None:
    df = _csv(_file(mixed, "07_service_tickets"), "utf-8-sig")
    assert list(df.columns)[:3] == ["Ticket ID", "Customer ID", "Category"]
    opened = pd.to_datetime(df["Created"], format="%Y/%m/%d %H:%M")
    first = pd.to_datetime(df["First Response"].replace("", None), format="%Y/%m/%d %H:%M")
    late = ((first - opened).dt.total_seconds() > 7200).mean()
    assert 0.03 < late < 0.4
    assert set(df["Category"]) == {"产品咨询", "售后服务", "投诉", "建议"}


# ---- shape and scale ----------------------------------------------------------------------------
def test_size_one_company(full: DemoManifest) -> None:
    crm = pq.read_table(_file(full, "01_crm_customers")).to_pandas()
    assert len(crm) >= 2000
    companies = crm[crm["customer_type"] == "company"]
    persons = crm[crm["customer_type"] == "person"]
    assert 0.05 < len(persons) / len(crm) < 0.25
    codes = companies["registration_id"].replace("", None).dropna()
    assert len(codes) > 0.9 * len(companies)
    assert all(uscc_valid(c) and org_code_check_char(c[8:16]) == c[16] for c in codes)
    ids = persons["registration_id"].replace("", None).dropna()
    assert all(resident_id_valid(i) for i in ids)
    assert crm["province"].nunique() >= 25 and crm["region"].nunique() == 7
    assert full.counts["orders"] > 25_000


def test_spend_is_long_tailed_and_seasonal(full: DemoManifest) -> None:
    orders = pd.concat(
        pq.read_table(f.path).to_pandas() for f in full.files if f.kind == "orders"
    ).dropna(subset=["order_date", "amount"])
    orders["amount"] = orders["amount"].astype(float)
    last = orders[orders["order_date"] > date(2025, 10, 31)]
    spend = last.groupby("customer_id")["amount"].sum()
    freq = last.groupby("customer_id").size()
    assert 0.03 < (spend >= 500_000).mean() < 0.25  # some high-value customers
    assert (spend < 200_000).mean() > 0.5  # many small ones
    assert (freq >= 10).mean() > 0.05
    top = spend.sort_values(ascending=False)
    assert top.iloc[: len(top) // 5].sum() / top.sum() > 0.6  # Pareto
    month = pd.to_datetime(orders["order_date"]).dt.month
    by_month = orders.groupby(month)["amount"].sum()
    assert by_month[2] < 0.7 * by_month.mean() and by_month[12] > 1.2 * by_month.mean()
    orders["profit"] = orders["amount"] - orders["cost"].astype(float)
    margin = orders.groupby("customer_id")["profit"].sum()
    assert (margin < 0).sum() > 10  # loss-making customers exist


def test_rows_scale_with_size(typed: DemoManifest, full: DemoManifest) -> None:
    for key in ("customers", "orders", "interactions", "tickets", "contacts"):
        ratio = full.counts[key] / typed.counts[key]
        assert 3.5 < ratio < 6.5, (key, ratio)


def test_n_orders_override(tmp_path: Path) -> None:
    m = generate(tmp_path, seed=1, size=0.2, n_orders=5000, fmt="parquet")
    assert m.counts["orders"] == 5000


def test_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(KehuError):
        generate(tmp_path, size=0)
    with pytest.raises(KehuError):
        generate(tmp_path, size=0.1, fmt="docx")


def test_parquet_is_typed(typed: DemoManifest) -> None:
    schema = pq.read_schema(_file(typed, "05_erp_orders"))
    assert str(schema.field("amount").type) == "decimal128(18, 2)"
    assert str(schema.field("order_date").type) == "date32[day]"
    t = pq.read_table(_file(typed, "06_crm_interactions"))
    assert set(t.column("kind").to_pylist()) <= {"visit", "call", "email", "meeting", "chat"}
    ledger = pq.read_table(_file(typed, "04_finance_sales_ledger")).to_pandas()
    amounts = ledger["amount"].dropna()
    assert all(a.as_tuple().exponent == -2 and a > 0 for a in amounts)


def test_industries_follow_the_shipped_gbt4754_table(mixed: DemoManifest) -> None:
    import csv

    from kehu.demo import names as N

    table = Path(__file__).resolve().parents[1] / "src/kehu/data/gbt4754_2017.csv"
    with table.open(encoding="utf-8") as fh:
        names = {r["code"]: r["name_zh"] for r in csv.DictReader(fh)}
    for ind in N.INDUSTRIES:
        assert names[ind.section + ind.division] == ind.division_name
    from kehu.ingest import industry

    written = set(_csv(_file(mixed, "01_crm_customers"), "gbk")["所属行业"]) - {""}
    assert all(industry.match_industry(t) is not None for t in written)


def test_xlsx_reads_the_same_with_calamine(mixed: DemoManifest) -> None:
    from python_calamine import CalamineWorkbook

    from kehu.demo.xlsx import column_letter

    assert [column_letter(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]
    path = _file(mixed, "10_sales_targets")
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert rows[0] == ["目标编号", "期间", "区域", "负责人", "目标金额"]
    total = [r for r in rows[1:] if r[1] == "2027" or r[1] == "2026"]
    assert len(total) == 1 and total[0][4] > 0
