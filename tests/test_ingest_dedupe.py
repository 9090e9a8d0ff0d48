"""`--dedupe`: likely duplicates of existing customers are rejected, not created."""

from __future__ import annotations

from pathlib import Path

import pytest
from ingest_helpers import write_csv

from kehu.ingest import import_file
from kehu.workspace import Workspace

CRM = [
    "客户编号,客户名称,联系电话,注册地址,统一社会信用代码",
    "C1,北京华夏精密机械有限公司,13812345678,北京市海淀区中关村大街1号,91110108MA01ABCD1X",
    "C2,上海东方贸易有限公司,13987654321,上海市浦东新区世纪大道100号,",
    "C3,深圳南山电子科技有限公司,13700001111,广东省深圳市南山区科技园,",
]
ERP = [
    "客户编码,客户名称,电话,地址,税号",
    "E1,华夏精密机械(北京)有限公司,138-1234-5678,北京市海淀区中关村大街1号,91110108MA01ABCD1X",
    "E2,杭州西湖食品有限公司,13600002222,浙江省杭州市西湖区文三路9号,",
]


@pytest.mark.slow
def test_likely_duplicates_are_rejected(ws: Workspace, tmp_path: Path) -> None:
    import_file(ws, write_csv(tmp_path / "crm.csv", CRM), "customers", source="crm")
    result = import_file(
        ws, write_csv(tmp_path / "erp.csv", ERP), "customers", source="erp", dedupe=True
    )
    assert result.loaded + result.rejected == result.read == 2
    rejected = {r.value: r for r in result.rejects}
    assert set(rejected) == {"E1"} and rejected["E1"].reason_code == "likely_duplicate"
    assert "C1" in rejected["E1"].reason_en
    assert ws.scalar("SELECT count(*) FROM customers") == 4


def _merged(ws: Workspace, tmp_path: Path) -> tuple[Path, Path, Path]:
    """CRM C1 + C4 (the same firm twice in one system) and ERP E1 merged into C1."""
    from kehu.dedupe.review import merge_pair

    crm = write_csv(tmp_path / "crm.csv", [*CRM, "C4,华夏精密机械有限公司,,北京海淀中关村大街1号,"])
    erp = write_csv(tmp_path / "erp.csv", ERP, "gb18030")
    assert import_file(ws, crm, "customers", source="crm").inserted == 4
    assert import_file(ws, erp, "customers", source="erp").inserted == 2
    merge_pair(ws, "C1", "C4", keep="C1")
    merge_pair(ws, "C1", "E1", keep="C1")
    return crm, erp, tmp_path


def test_reimport_after_a_merge_changes_nothing(ws: Workspace, tmp_path: Path) -> None:
    crm, erp, _ = _merged(ws, tmp_path)
    before = ws.rows("SELECT * FROM customers ORDER BY customer_id")
    for path, source, n in ((crm, "crm", 4), (erp, "erp", 2)):
        result = import_file(ws, path, "customers", source=source)
        assert (result.inserted, result.updated, result.rejected) == (0, 0, 0), result.rejects
        assert result.unchanged == n
    assert ws.rows("SELECT * FROM customers ORDER BY customer_id") == before


def test_a_real_change_after_a_merge_still_updates_the_survivor(
    ws: Workspace, tmp_path: Path
) -> None:
    _merged(ws, tmp_path)
    name = ws.scalar("SELECT name FROM customers WHERE customer_id = 'C1'")
    changed = [ERP[0], ERP[1].replace("138-1234-5678", "139-0000-0001"), ERP[2]]
    path = write_csv(tmp_path / "erp2.csv", changed)
    result = import_file(ws, path, "customers", source="erp")
    assert (result.updated, result.unchanged) == (1, 1)
    row = ws.rows("SELECT name, phone FROM customers WHERE customer_id = 'C1'")[0]
    # Only what changed in the source since the merge: the survivor keeps its own name.
    assert row == (name, "+8613900000001")
    again = import_file(ws, path, "customers", source="erp")
    assert (again.updated, again.unchanged) == (0, 2)
