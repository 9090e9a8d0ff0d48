"""Segmentation by industry section, company size and region: the Python, SQL and Ibis forms
agree, and the list filters, KPIs `--by` and the report's tables give the hand-worked figures
of the four-customer workspace (tests/market_support.py)."""

from __future__ import annotations

import json

import duckdb
import ibis
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from market_support import AS_OF, tiny_workspace
from typer.testing import CliRunner

from kehu.analytics.segments import (
    SEGMENT_DIMENSIONS,
    resolve_segment,
    segment_expr,
    segment_key,
    segment_label,
    segment_sql,
)
from kehu.app import CustomerFilter
from kehu.cli import app as cli_app
from kehu.errors import KehuError

LIMITS = {"micro": 20, "small": 300, "medium": 1000}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):  # noqa: ANN001, ANN201
    k = tiny_workspace(tmp_path_factory.mktemp("segments"))
    yield k
    k.close()


rows = st.lists(
    st.fixed_dictionaries(
        {
            "industry_code": st.sampled_from([None, "", "C", "c39", " I65", "F51", "Z"]),
            "employees": st.one_of(st.none(), st.integers(0, 5000)),
            "customer_type": st.sampled_from([None, "company", "person"]),
            "region": st.sampled_from([None, "", "华东", "华北"]),
        }
    ),
    min_size=1,
    max_size=20,
)


@settings(max_examples=40, deadline=None)
@given(rows)
def test_python_sql_and_ibis_agree(records: list[dict]) -> None:  # type: ignore[type-arg]
    con = duckdb.connect()
    data = [{"customer_id": f"X{i}", **r} for i, r in enumerate(records)]
    con.execute(
        "CREATE TABLE c (customer_id VARCHAR, industry_code VARCHAR, employees INTEGER,"
        " customer_type VARCHAR, region VARCHAR)"
    )
    con.executemany(
        "INSERT INTO c VALUES (?, ?, ?, ?, ?)",
        [[d["customer_id"], d["industry_code"], d["employees"], d["customer_type"], d["region"]]
         for d in data],
    )  # fmt: skip
    backend = ibis.duckdb.from_connection(con)
    table = backend.table("c")
    for dim in SEGMENT_DIMENSIONS:
        expected = [segment_key(d, dim, LIMITS) for d in data]
        query = f"SELECT {segment_sql(dim, LIMITS)} FROM c ORDER BY customer_id"
        sql = [r[0] for r in con.execute(query).fetchall()]
        frame = table.select(table.customer_id, k=segment_expr(table, dim, LIMITS)).to_pyarrow()
        by_id = dict(zip(frame["customer_id"].to_pylist(), frame["k"].to_pylist(), strict=True))
        ordered = sorted(data, key=lambda d: d["customer_id"])
        assert sql == [segment_key(d, dim, LIMITS) for d in ordered], dim
        assert [by_id[d["customer_id"]] for d in data] == expected, dim


def test_keys_labels_and_typed_values() -> None:
    row = {"industry_code": "c39", "employees": 300, "customer_type": "company", "region": ""}
    assert segment_key(row, "industry", LIMITS) == "C"
    assert segment_key(row, "size", LIMITS) == "medium"  # 300 is not below the small limit
    assert segment_key(row, "region", LIMITS) is None
    assert segment_label("industry", "C", "zh") == "制造业"
    assert segment_label("industry", "C", "en") == "Manufacturing"
    assert segment_label("size", "medium", "en") == "Medium" and segment_label("size", None) == "—"
    assert resolve_segment("industry", "制造业") == "C" == resolve_segment("industry", "c")
    assert resolve_segment("industry", "manufacturing") == "C"
    assert resolve_segment("size", "小型企业") == "small" == resolve_segment("size", "Small")
    with pytest.raises(KehuError, match="C \\(制造业\\)"):
        resolve_segment("industry", "造船")
    with pytest.raises(KehuError, match="industry, size, region"):
        segment_sql("colour", LIMITS)


def test_list_filters(tiny) -> None:  # noqa: ANN001
    day, frame, total = tiny.customers(CustomerFilter(limit=None, sort="customer_id", desc=False))
    assert day == AS_OF and total == 4
    got = frame[["customer_id", "industry", "size", "region"]].values.tolist()
    assert got == [["A1", "C", "medium", "华东"], ["A2", "I", "small", "华东"],
                   ["A3", "F", "small", "华北"], ["A4", "G", "large", "华北"]]  # fmt: skip
    assert tiny.customers(CustomerFilter(industry="制造业"))[1].customer_id.tolist() == ["A1"]
    small = tiny.customers(CustomerFilter(size="small", sort="customer_id", desc=False))
    assert small[1].customer_id.tolist() == ["A2", "A3"] and small[2] == 2
    both = tiny.customers(CustomerFilter(size="small", region="华北"))
    assert both[1].customer_id.tolist() == ["A3"]
    assert tiny.customers(CustomerFilter(region="华南"))[2] == 0


def test_kpis_by_industry_and_size(tiny) -> None:  # noqa: ANN001
    def revenue(by: str) -> dict[str, float]:
        rows = tiny.kpis("year", by, None, AS_OF, kpis=["revenue"])
        return {r["group"]: r["value"] for r in rows if r["period"] == "2026"}

    # 2026 orders: A1 60,000 + 40,000 (C, medium), A2 100,000 (I, small), A3 90,000 (F, small),
    # A4 20,000 (G, large); A4's 10,000 of 2025 is not in 2026
    assert revenue("industry") == {"C": 100000, "F": 90000, "G": 20000, "I": 100000}
    assert revenue("size") == {"large": 20000, "medium": 100000, "small": 190000}
    assert revenue("region") == {"华东": 200000, "华北": 110000}


def test_cli_filters_and_kpis(tiny) -> None:  # noqa: ANN001
    runner = CliRunner()
    root = str(tiny.ws.root)
    out = runner.invoke(cli_app, ["-w", root, "customers", "--size", "小型企业", "--json"])
    assert out.exit_code == 0, out.output
    assert sorted(c["customer_id"] for c in json.loads(out.output)["customers"]) == ["A2", "A3"]
    text = runner.invoke(cli_app, ["-w", root, "--lang", "en", "customers", "--industry", "C"])
    assert text.exit_code == 0 and "A1" in text.output and "A2" not in text.output
    from rich.console import Console

    from kehu.cli.analyze_views import render_customers

    wide = Console(record=True, width=200)
    day, frame, total = tiny.customers(CustomerFilter(industry="C"))
    wide.print(render_customers(frame, "en", day, total))
    shown = wide.export_text()
    assert "Manufacturing" in shown and "Medium" in shown and "华东" in shown
    bad = runner.invoke(cli_app, ["-w", root, "customers", "--industry", "造船"])
    assert isinstance(bad.exception, KehuError) and bad.exception.exit_code == 2
    assert "C (制造业)" in str(bad.exception)
    args = [
        "--period",
        "year",
        "--by",
        "size",
        "--kpi",
        "revenue",
        "--to",
        "2026-09-30",
        "--show",
        "2",
    ]
    kpis = runner.invoke(cli_app, ["-w", root, "--lang", "en", "kpis", *args])
    assert kpis.exit_code == 0, kpis.output
    assert "Small" in kpis.output and "190,000" in kpis.output


def test_report_segment_tables(tiny, tmp_path) -> None:  # noqa: ANN001
    from kehu.analytics.market import segment_mix
    from kehu.monitor.report.build import write_report

    mix = segment_mix(tiny.ws, AS_OF, "zh")
    size = {r["key"]: (r["customers"], r["revenue"]) for r in mix["size"]}
    assert size == {"small": (2, 190000), "medium": (1, 100000), "large": (1, 20000)}
    industry = {r["label"]: r["share"] for r in mix["industry"]}
    assert industry["制造业"] == pytest.approx(100000 / 310000)
    out = write_report(tiny.ws, "2026-09", fmt="html", out=tmp_path / "r.html", lang="en")
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert out["sections"]["segments"]
    region = html[html.index('class="segment-region"') :]
    region = region[: region.index("</table>")]
    assert "华东" in region and "¥200,000" in region and "64.5%" in region  # 200,000 / 310,000
    assert "Small" in html[html.index('class="segment-size"') :]


def test_web_kpis_by_size(tiny) -> None:  # noqa: ANN001
    import warnings

    from kehu.access.auth import Auth
    from kehu.web.app import create_app

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    Auth(tiny.ws).add_user("boss", "admin", password="segments-password-59")
    token = Auth(tiny.ws).create_token("boss")
    client = TestClient(create_app(tiny.ws, background=False),
                        headers={"Authorization": f"Bearer {token}"})  # fmt: skip
    rows = client.get("/api/v1/kpis", params={"period": "year", "by": "size", "kpi": "revenue"})
    assert rows.status_code == 200, rows.text
    got = {r["group"]: r["value"] for r in rows.json() if r["period"] == "2026"}
    assert got == {"large": 20000, "medium": 100000, "small": 190000}
