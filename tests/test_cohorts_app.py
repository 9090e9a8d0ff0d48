"""`kehu cohorts` through `Kehu`: point-in-time, row-level scope, the zh/en table, the
workbook, bad input; on the analysed demo the expectation from the snapshot's fit."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from typer.testing import CliRunner

from kehu.access.scope import Scope
from kehu.analytics.clv import bgnbd
from kehu.app import Kehu
from kehu.cli import app
from kehu.cli.common import parse_date
from kehu.errors import KehuError
from kehu.workspace import Workspace

# A1 and A2 start in 2026-01 (华东, 华北), A3 in 2026-02 (华东); A1 buys again in February and
# March, A2 in March; A3 in March.
FILES = {
    "customers": "customer id,customer name,region,owner\n"
    "A1,甲制造有限公司,华东,张伟\nA2,乙软件有限公司,华北,李娜\nA3,丙贸易有限公司,华东,张伟\n",
    "orders": "order id,customer id,order date,amount\n"
    "O1,A1,2026-01-05,1000\nO2,A2,2026-01-20,3000\nO3,A1,2026-02-03,500\n"
    "O4,A3,2026-02-14,800\nO5,A1,2026-03-09,250\nO6,A2,2026-03-30,600\nO7,A3,2026-03-02,400\n",
}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Kehu:
    root = tmp_path_factory.mktemp("cohorts")
    k = Kehu.init(root)
    for kind, text in FILES.items():
        path = root / f"{kind}.csv"
        path.write_text(text, encoding="utf-8")
        assert k.import_file(path, kind).rejected == 0
    return k


def test_matrices_point_in_time_and_scope(tiny: Kehu) -> None:
    out = tiny.cohorts(parse_date("2026-03-31"))
    jan, feb = out.rows
    assert (jan.customers, jan.retention, jan.revenue_retention) == (
        2,
        [1.0, 0.5, 1.0],
        [1.0, 500 / 4000, 850 / 4000],
    )
    assert feb.retention == [1.0, 1.0, None]
    assert out.fit is None and all(e is None for r in out.rows for e in r.expected)
    # As of 2026-03-15 March has not ended: its column is left out.
    assert tiny.cohorts(parse_date("2026-03-15")).rows[0].retention == [1.0, 0.5]
    east = tiny.cohorts(
        parse_date("2026-03-31"), scope=Scope(user="m", role="manager", regions=("华东",))
    )
    assert [(r.cohort, r.customers) for r in east.rows] == [("2026-01", 1), ("2026-02", 1)]
    assert east.rows[0].retention == [1.0, 1.0, 1.0]


def test_cli_zh_en_json_xlsx_and_bad_input(tiny: Kehu, tmp_path: Path) -> None:
    runner = CliRunner()
    ws = str(tiny.ws.root)
    zh = runner.invoke(app, ["-w", ws, "cohorts", "--as-of", "2026-03-31", "--by", "region"])
    assert zh.exit_code == 0, zh.output
    assert (
        "首购月同期群留存" in zh.output
        and "华北" in zh.output
        and "没有可用的购买模型" in zh.output
    )
    xlsx = tmp_path / "c.xlsx"
    en = runner.invoke(
        app, ["-w", ws, "--lang", "en", "cohorts", "--as-of", "2026-03-31", "--xlsx", str(xlsx)]
    )
    assert en.exit_code == 0, en.output
    assert "Retention of first-order cohorts by month" in en.output
    book = openpyxl.load_workbook(xlsx)
    assert book.sheetnames == ["retention", "revenue retention"]
    assert book["retention"]["D2"].value == 0.5  # January's k=1
    out = runner.invoke(app, ["-w", ws, "cohorts", "--as-of", "2026-03-31", "--json"])
    assert json.loads(out.stdout)["rows"][1]["customers"] == 1
    for option, value, words in (
        ("--by", "owner", "region, channel or tier"),
        ("--grain", "year", "month or quarter"),
    ):
        bad = runner.invoke(app, ["-w", ws, "cohorts", option, value])
        assert isinstance(bad.exception, KehuError) and bad.exception.exit_code == 2
        assert words in bad.exception.message("en") and value in bad.exception.message("en")


def test_demo_expectation_uses_the_snapshot_fit(analysed_demo: Workspace) -> None:
    k = Kehu(analysed_demo)
    out = k.cohorts(split="tier")
    assert out.fit is not None and out.fit.model == "bgnbd"
    sizes = analysed_demo.rows(
        "SELECT strftime(order_date, '%Y-%m') AS m, count(*) FROM ("
        " SELECT customer_id, min(order_date) AS order_date FROM orders WHERE amount > 0"
        " GROUP BY 1) GROUP BY 1"
    )
    shown = {}
    for row in out.rows:
        shown[row.cohort] = shown.get(row.cohort, 0) + row.customers
    assert {c: n for c, n in sizes if c in shown} == shown
    row = out.rows[0]
    assert row.expected[1] is not None and 0 < row.expected[1] < 1
    # Expected shares fall with k (the longer since the first order, the fewer alive).
    values = [v for v in row.expected[1:] if v is not None]
    p0 = bgnbd.p_purchase_in_new(out.fit.params, np.array([0.0]), np.array([31 / 7]))[0]
    assert max(values) <= p0 + 1e-9
    assert {r.group for r in out.rows} <= {"", "strategic", "key", "core", "potential", "basic"}
