"""`[regions]` in kehu.toml: a customer's sales region from its province when the file has none."""

from __future__ import annotations

from kehu.ingest import import_records
from kehu.workspace import Workspace


def test_region_filled_from_province_only_where_missing(ws: Workspace) -> None:
    ws.settings.regions = {"江苏": "华东", "广东省": "华南"}
    rows = [
        {"customer_id": "A", "name": "南京博达电子有限公司", "province": "江苏省"},
        {"customer_id": "B", "name": "深圳南山电子科技有限公司", "province": "Guangdong"},
        {"customer_id": "C", "name": "成都天府软件有限公司", "province": "四川"},  # not mapped
        {
            "customer_id": "D",
            "name": "苏州工业园区精工有限公司",
            "province": "江苏",
            "region": "华中",
        },
    ]
    result = import_records(ws, "customers", rows, source="crm")
    regions = dict(ws.rows("SELECT customer_id, region FROM customers ORDER BY customer_id"))
    assert regions == {"A": "华东", "B": "华南", "C": None, "D": "华中"}  # the file's value wins
    finding = next(f for f in result.findings if f.code == "region_from_province")
    assert finding.count == 2 and "[regions]" in finding.text("en")


def test_a_derived_region_never_overwrites_the_store(ws: Workspace) -> None:
    import_records(
        ws, "customers", [{"customer_id": "A", "name": "甲", "region": "华北"}], source="crm"
    )
    ws.settings.regions = {"江苏": "华东"}
    import_records(
        ws, "customers", [{"customer_id": "A", "name": "甲", "province": "江苏"}], source="crm"
    )
    assert ws.scalar("SELECT region FROM customers WHERE customer_id = 'A'") == "华北"


def test_without_regions_nothing_is_derived(ws: Workspace) -> None:
    result = import_records(
        ws, "customers", [{"customer_id": "A", "name": "甲", "province": "江苏"}], source="crm"
    )
    assert ws.scalar("SELECT region FROM customers") is None
    assert not [f for f in result.findings if f.code == "region_from_province"]
