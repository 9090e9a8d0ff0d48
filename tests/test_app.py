"""The typed entry point: a Python user's whole session through `Kehu`, on real data."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest

from kehu.app import Kehu
from kehu.errors import KehuError

AS_OF = date(2024, 6, 30)


def _orders(customer: str, every: int, until: date, amount: int) -> list[dict[str, str]]:
    day, out = date(2023, 1, 5), []
    while day <= until:
        out.append(
            {
                "order_id": f"{customer}-{day.isoformat()}",
                "customer_id": customer,
                "order_date": day.isoformat(),
                "amount": str(amount),
            }
        )
        day += timedelta(days=every)
    return out


@pytest.fixture
def kehu(tmp_path: Path) -> Kehu:
    app = Kehu.init(tmp_path / "ws", actor="analyst")
    customers = [
        {"customer_id": "A", "name": "南京博达电子有限公司", "region": "华东", "owner": "张丽"},
        {"customer_id": "B", "name": "北京华夏精密机械有限公司", "region": "华北", "owner": "王强"},
        {"customer_id": "C", "name": "深圳南山电子科技有限公司", "region": "华南", "owner": "王强"},
    ]
    assert app.import_records("customers", customers, source="crm").loaded == 3
    orders = [
        *_orders("A", 14, AS_OF, 52_000),  # buys every two weeks, up to the end
        *_orders("B", 30, date(2023, 5, 1), 8_000),  # stopped fourteen months ago
        *_orders("C", 60, AS_OF, 3_000),
    ]
    assert app.import_records("orders", orders, source="erp").loaded == len(orders)
    return app


def test_a_session_through_the_entry_point(kehu: Kehu, tmp_path: Path) -> None:
    with kehu:
        result = kehu.analyze(AS_OF)
        assert (result.as_of, result.customers) == (AS_OF, 3)
        snap = {r["customer_id"]: r for r in kehu.snapshot().to_pyarrow().to_pylist()}
        assert snap["A"]["recency_days"] < snap["B"]["recency_days"]
        assert snap["A"]["spend_12m"] > snap["C"]["spend_12m"] > 0
        assert snap["B"]["orders_12m"] == 0
        view = kehu.customer_360("A")
        assert "南京博达" in str(view)
        assert kehu.plan().created > 0
        assert kehu.run_alerts(send=False) is not None
        assert all(a["status"] == "open" for a in kehu.alerts("open"))
        year = kehu.kpis("year", start=date(2024, 1, 1), end=AS_OF)
        assert year and all(str(r["period"]).startswith("2024") for r in year)
        assert kehu.dedupe(dry_run=True).merges == []
        out = tmp_path / "customers.xlsx"
        assert kehu.export_table("customers", out) == 3
        assert openpyxl.load_workbook(out).active.max_row == 4  # header + 3 rows
        # the actor is who the logs name
        users = kehu.ws.rows("SELECT DISTINCT user_name FROM imports")
        assert users == [("analyst",)]


def test_open_names_a_missing_workspace(tmp_path: Path) -> None:
    with pytest.raises(KehuError) as info:
        Kehu.open(tmp_path / "nowhere")
    assert "kehu init" in info.value.en
