"""One source of truth: a workspace whose orders live only in Parquet gives the same figures
as one whose orders were imported — snapshot, KPIs, goals, targets, plan, alerts, report and
quality — because every stage reads the orders through the engine."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from ingest_helpers import write_csv

from kehu.analytics.kpis import compute_kpis
from kehu.analytics.query import customer_360
from kehu.analytics.snapshot import analyze
from kehu.calendar import Period
from kehu.errors import KehuError
from kehu.ingest import export_table, import_file
from kehu.monitor.alerts import run_alerts
from kehu.monitor.report.data import collect
from kehu.planning.goals import add_goal, goals_status
from kehu.planning.plan import make_plan
from kehu.planning.targets import split_targets, target_progress
from kehu.quality.report import quality_report
from kehu.workspace import Workspace

AS_OF = date(2026, 9, 30)


@pytest.fixture(scope="module")
def twins(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Workspace, Workspace]]:
    """The same small demo twice: orders imported into the workspace, and orders only in a
    Parquet folder the workspace's `[engine.tables]` points at."""
    from kehu.jobs.demo import run_demo

    base = tmp_path_factory.mktemp("lake")
    imported = base / "imported"
    out = run_demo(imported, seed=3, size=0.1, analyze=False, as_of=AS_OF)
    assert out.get("ok", True), out
    lake = base / "lake"
    shutil.copytree(imported, lake)
    ws_lake = Workspace.open(lake)
    exported = export_table(ws_lake, "orders", lake / "lake" / "orders" / "part-0.parquet")
    with ws_lake.transaction() as cur:
        cur.execute("DELETE FROM orders")
    ws_lake.settings.engine.tables = {"orders": "lake/orders"}
    ws_lake.save_settings()
    ws_lake.close()
    a, b = Workspace.open(imported), Workspace.open(lake)
    assert exported > 500
    assert b.cursor().execute("SELECT count(*) FROM orders").fetchone()[0] == 0
    for ws in (a, b):
        analyze(ws, AS_OF)
        add_goal(ws, "revenue", "+10%", date(2026, 12, 31), "张经理", start=date(2026, 7, 1))
        split_targets(ws, 1_000_000, "2026-Q3", "region", write=True, out=ws.root / "t.xlsx")
    yield a, b
    a.close()
    b.close()


def _figures(rows: list[dict[str, Any]], *keys: str) -> list[tuple[Any, ...]]:
    return sorted(tuple(r[k] for k in keys) for r in rows)


def test_the_lake_holds_every_order(twins: tuple[Workspace, Workspace], tmp_path: Path) -> None:
    a, b = twins
    count = "SELECT count(*), sum(amount) FROM orders"
    assert b.rows(count) == a.rows(count)
    assert export_table(b, "orders", tmp_path / "o.csv") == a.rows(count)[0][0]  # from the lake
    assert b.engine.location("orders") is not None
    assert a.engine.location("orders") is None


def test_same_snapshot(twins: tuple[Workspace, Workspace]) -> None:
    a, b = twins
    sql = (
        "SELECT customer_id, spend_12m, orders_total, rfm_type, value_tier, predicted_clv,"
        " churn_risk FROM customer_snapshot WHERE as_of = ? ORDER BY customer_id"
    )
    left, right = a.rows(sql, [AS_OF]), b.rows(sql, [AS_OF])
    assert len(left) > 100
    assert sum(1 for r in left if r[1]) > 100  # customers with revenue
    assert left == right


@pytest.mark.parametrize("grain", ["month", "quarter"])
def test_same_kpis(twins: tuple[Workspace, Workspace], grain: str) -> None:
    a, b = twins
    keys = ("kpi", "period", "group", "value", "previous")
    left = compute_kpis(a, grain, start=date(2026, 1, 1), end=AS_OF)
    right = compute_kpis(b, grain, start=date(2026, 1, 1), end=AS_OF)
    revenue = [r["value"] for r in left if r["kpi"] == "revenue"]
    assert revenue and min(revenue) > 0  # the case that read 0 before the engine contract
    assert _figures(right, *keys) == _figures(left, *keys)


def test_same_kpis_by_region(twins: tuple[Workspace, Workspace]) -> None:
    a, b = twins
    left = compute_kpis(a, "quarter", "region", kpis=["revenue", "active_customers"])
    right = compute_kpis(b, "quarter", "region", kpis=["revenue", "active_customers"])
    assert len({r["group"] for r in left}) > 1
    assert _figures(right, "kpi", "period", "group", "value") == _figures(
        left, "kpi", "period", "group", "value"
    )


def test_same_goals_and_targets(twins: tuple[Workspace, Workspace]) -> None:
    a, b = twins
    keys = ("metric", "target", "status", "actual", "projected")
    left = goals_status(a, AS_OF)
    assert left and left[0]["actual"] > 0
    assert _figures(goals_status(b, AS_OF), *keys) == _figures(left, *keys)
    keys = ("unit", "target", "actual", "attainment", "projected")
    left = target_progress(a, "2026-Q3", date(2026, 9, 15))
    assert sum(r["actual"] for r in left) > 0
    assert _figures(target_progress(b, "2026-Q3", date(2026, 9, 15)), *keys) == _figures(
        left, *keys
    )


def test_same_plan(twins: tuple[Workspace, Workspace]) -> None:
    a, b = twins
    left, right = make_plan(a, AS_OF, dry_run=True), make_plan(b, AS_OF, dry_run=True)
    assert left.candidates > 0
    assert (right.candidates, right.by_playbook, right.by_band) == (
        left.candidates,
        left.by_playbook,
        left.by_band,
    )


def test_same_alerts(twins: tuple[Workspace, Workspace]) -> None:
    a, b = twins
    left, right = run_alerts(a, AS_OF, send=False), run_alerts(b, AS_OF, send=False)
    assert left.findings > 0
    assert (right.findings, right.by_rule) == (left.findings, left.by_rule)


def test_same_report_figures(twins: tuple[Workspace, Workspace]) -> None:
    a, b = twins
    period = Period.parse("2026-Q3")
    left, right = (collect(ws, period, "quarterly", "en") for ws in (a, b))
    for part in ("kpis", "rfm_type", "value_tier", "pareto", "clv", "watchlist", "targets"):
        assert right[part] == left[part], part
    assert left["meta"]["customers"] == right["meta"]["customers"] > 100


def test_same_quality_and_360(twins: tuple[Workspace, Workspace]) -> None:
    a, b = twins
    left, right = quality_report(a, AS_OF), quality_report(b, AS_OF)
    orders = next(t for t in left["tables"] if t["table"] == "orders")
    assert orders["rows"] > 500
    assert right["tables"] == left["tables"]
    keys = ("code", "count")
    assert _figures(right["findings"], *keys) == _figures(left["findings"], *keys)
    cid = a.scalar("SELECT customer_id FROM orders GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
    left_360 = customer_360(a, cid, as_of=AS_OF)
    assert len(left_360["orders"]) > 1
    assert customer_360(b, cid, as_of=AS_OF) == left_360


def test_a_misnamed_lake_table_is_refused(tmp_path: Path) -> None:
    ws = Workspace.init(tmp_path / "w")
    ws.settings.engine.tables = {"order": "lake/orders"}
    ws.save_settings()
    ws.close()
    with pytest.raises(KehuError, match="did you mean orders"):
        Workspace.open(tmp_path / "w")


def test_an_import_appends_to_the_lake_and_never_rewrites_it(tmp_path: Path) -> None:
    ws = Workspace.init(tmp_path / "w")
    ws.settings.engine.tables = {"orders": "lake/orders/*.parquet"}
    customers = ["客户编号,客户名称", "C001,北京某某科技有限公司", "C002,上海某某贸易有限公司"]
    import_file(ws, write_csv(tmp_path / "c.csv", customers), "customers")
    lines = [
        "订单号,客户编号,下单日期,订单金额",
        "A1,C001,2024-01-01,100",
        "A2,C002,2024-01-02,200",
    ]
    first = import_file(ws, write_csv(tmp_path / "o.csv", lines), "orders")
    assert (first.inserted, first.updated, first.rejected) == (2, 0, 0)
    files = sorted((tmp_path / "w" / "lake" / "orders").glob("*.parquet"))
    assert len(files) == 1
    assert ws.cursor().execute("SELECT count(*) FROM orders").fetchone()[0] == 0
    assert ws.rows("SELECT order_id, amount FROM orders ORDER BY 1") == [
        ("A1", Decimal("100.00")),
        ("A2", Decimal("200.00")),
    ]
    lines.append("A3,C001,2024-02-01,50")
    second = import_file(ws, write_csv(tmp_path / "o.csv", lines), "orders")
    assert (second.inserted, second.unchanged) == (1, 2)  # the stored lines are recognised
    assert len(list(files[0].parent.glob("*.parquet"))) == 2
    assert ws.scalar("SELECT sum(amount) FROM orders") == Decimal("350.00")
    lines[1] = "A1,C001,2024-01-01,999"
    with pytest.raises(KehuError, match="never rewrites"):
        import_file(ws, write_csv(tmp_path / "o.csv", lines), "orders")
    assert len(list(files[0].parent.glob("*"))) == 2  # nothing half-written is left behind
    ws.close()


def test_a_scope_reads_a_lake_table_through_its_view(twins: tuple[Workspace, Workspace]) -> None:
    """A rep's reads of lake orders show their customers' orders only, as in the workspace
    whose orders were imported (the lake is not reached around the scope's view)."""
    from kehu.access.rows import scoped
    from kehu.access.scope import Scope

    a, b = twins
    owner = a.scalar("SELECT owner FROM customers GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
    rep = Scope(user="rep", role="rep", owners=(owner,))
    query = "SELECT count(*), sum(amount), count(DISTINCT customer_id) FROM orders"
    mine = a.rows(
        f"{query} WHERE customer_id IN (SELECT customer_id FROM customers WHERE owner = ?)",
        [owner],
    )[0]
    assert 0 < mine[0] < a.scalar("SELECT count(*) FROM orders")
    for ws in (a, b):
        with scoped(ws, rep) as view:
            assert view.rows(query)[0] == mine
            cid = view.scalar("SELECT customer_id FROM orders LIMIT 1")
            assert view.scalar("SELECT owner FROM customers WHERE customer_id = ?", [cid]) == owner
