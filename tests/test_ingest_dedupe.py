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
