"""Reading within a scope (`kehu.access.rows`): every table shows the scope's rows only,
nothing is copied, the stored workspace is untouched, and reports and the quality check
taking a scope show exactly that."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from test_web_support import seeded_dir, seeded_ws  # noqa: F401

from kehu.access.auth import Auth
from kehu.access.rows import ScopedWorkspace, scoped
from kehu.access.scope import Scope, scope_for
from kehu.app import CustomerFilter
from kehu.errors import AccessDenied
from kehu.monitor.report.build import resolve_period, write_report
from kehu.monitor.report.data import collect
from kehu.quality import quality_report
from kehu.workspace import Workspace


def _scope(ws: Workspace, user: str) -> Scope:
    found = Auth(ws).get_user(user)
    assert found is not None
    return scope_for(found, ws.settings.web)


def _count(ws: Workspace, table: str, where: str = "TRUE") -> int:
    return int(ws.scalar(f'SELECT count(*) FROM "{table}" WHERE {where}'))


def _customer_rows(ws: Workspace, table: str, owner_sql: str) -> int:
    return _count(
        ws, table, f"customer_id IN (SELECT customer_id FROM customers WHERE {owner_sql})"
    )


def test_a_rep_sees_only_their_customers_and_rows(seeded_ws: Workspace) -> None:  # noqa: F811
    ws = seeded_ws
    with ws.transaction() as cur:
        cur.execute(
            "INSERT INTO targets (source, target_id, period, region, amount, created_at,"
            " updated_at) VALUES ('plan', 'T1', '2026', '华东', 1000, now(), now())"
        )
        cur.execute(
            "INSERT INTO analytics_runs (as_of, computed_at, customers, engine)"
            " VALUES (DATE '2020-01-01', now(), 60, 'duckdb')"
        )
    totals = {t: _count(ws, t) for t in ("customers", "orders", "targets", "analytics_runs")}
    mine = {t: _customer_rows(ws, t, "owner = '张伟'") for t in ("orders", "customer_snapshot")}
    assert 0 < mine["orders"] < totals["orders"]
    with scoped(ws, _scope(ws, "zhang")) as view:
        assert isinstance(view, ScopedWorkspace)
        assert _count(view, "customers") == _count(ws, "customers", "owner = '张伟'") > 0
        assert {r[0] for r in view.rows("SELECT DISTINCT owner FROM customers")} == {"张伟"}
        assert _count(view, "orders") == mine["orders"]
        assert _count(view, "customer_snapshot") == mine["customer_snapshot"]
        assert _count(view, "targets") == 0  # no customer of theirs: a company-wide figure
        assert _count(view, "users") == 0
        assert _count(view, "analytics_runs") == totals["analytics_runs"]  # shared, whole
        assert view.table("customers").count().execute() == _count(view, "customers")
        with pytest.raises(AccessDenied), view.transaction():
            pass
        # the stored workspace and its other readers see everything meanwhile
        assert {t: _count(ws, t) for t in totals} == totals
    assert {t: _count(ws, t) for t in totals} == totals


def test_a_manager_sees_their_region_and_an_admin_everything(
    seeded_ws: Workspace,  # noqa: F811
) -> None:
    ws = seeded_ws
    with scoped(ws, _scope(ws, "east_mgr")) as view:
        assert {r[0] for r in view.rows("SELECT DISTINCT region FROM customers")} == {"华东"}
        assert _count(view, "orders") == _customer_rows(ws, "orders", "region = '华东'")
    with scoped(ws, _scope(ws, "admin")) as view:
        assert view is ws
    with scoped(ws, None) as view:
        assert view is ws


def test_names_with_quotes_are_literals_not_sql(seeded_ws: Workspace) -> None:  # noqa: F811
    ws = seeded_ws
    tricky = "O'Brien') OR TRUE OR ('"
    with ws.transaction() as cur:
        first_two = "SELECT customer_id FROM customers ORDER BY customer_id LIMIT 2"
        cur.execute(f"UPDATE customers SET owner = ? WHERE customer_id IN ({first_two})", [tricky])
    scope = Scope(user="x", role="rep", owners=(tricky,))
    with scoped(ws, scope) as view:
        assert _count(view, "customers") == 2


def test_reports_and_quality_take_a_scope(seeded_ws: Workspace, tmp_path: Path) -> None:  # noqa: F811
    ws = seeded_ws
    zhang = _scope(ws, "zhang")
    runs = _count(ws, "report_runs")
    out = tmp_path / "r.html"
    info = write_report(ws, fmt="html", lang="en", out=out, scope=zhang)
    html = out.read_text(encoding="utf-8")
    others = [r[0] for r in ws.rows("SELECT name FROM customers WHERE owner <> '张伟'")]
    mine = [r[0] for r in ws.rows("SELECT name FROM customers WHERE owner = '张伟'")]
    assert not [n for n in others if n in html]
    assert info["period"] and _count(ws, "report_runs") == runs  # not the workspace's report
    whole = write_report(ws, fmt="html", lang="en", out=tmp_path / "all.html")
    assert _count(ws, "report_runs") == runs + 1 and whole["period"] == info["period"]
    with scoped(ws, zhang) as view:
        p, kind = resolve_period(view, None, None)
        part = collect(view, p, kind, "en")
    full = collect(ws, p, kind, "en")
    snap = part["meta"]["snapshot"]
    assert snap == full["meta"]["snapshot"] is not None
    where = f"as_of = DATE '{snap}'"
    assert full["meta"]["customers"] == _count(ws, "customer_snapshot", where)
    assert part["meta"]["customers"] == _count(
        ws, "customer_snapshot", f"{where} AND owner = '张伟'"
    )
    assert 0 < part["meta"]["customers"] < full["meta"]["customers"]
    assert {r["owner"] for r in part["watchlist"]["rows"]} <= {"张伟"}
    assert part["pareto"]["customers"] == part["meta"]["customers"]
    assert part["backtest"] == {"available": False}  # workspace-wide figures: admins only
    rep = quality_report(ws, datetime(2026, 10, 1).date(), scope=zhang)
    every = quality_report(ws, datetime(2026, 10, 1).date())
    rows = {t["table"]: t["rows"] for t in rep["tables"]}
    assert (
        rows["customers"]
        == len(mine)
        < {t["table"]: t["rows"] for t in every["tables"]}["customers"]
    )
    assert rows["orders"] == _customer_rows(ws, "orders", "owner = '张伟'")


def test_kehu_reads_take_a_scope(seeded_ws: Workspace) -> None:  # noqa: F811
    from kehu.app import Kehu
    from kehu.errors import NotFoundError

    app, zhang = Kehu(seeded_ws), _scope(seeded_ws, "zhang")
    ws = seeded_ws
    _, frame, total = app.customers(CustomerFilter(limit=None), scope=zhang)
    assert set(frame["owner"]) == {"张伟"} and total == len(frame)
    assert total == _count(ws, "customers", "owner = '张伟'")
    theirs = ws.scalar("SELECT min(customer_id) FROM customers WHERE owner <> '张伟'")
    assert app.customer_360(theirs)["customer_id"] == theirs
    with pytest.raises(NotFoundError):
        app.customer_360(theirs, scope=zhang)
    mine = ws.scalar("SELECT min(customer_id) FROM customers WHERE owner = '张伟'")
    assert app.customer_360(mine, scope=zhang)["customer_id"] == mine
    rows = [r for r in app.kpis("month", scope=zhang) if r["kpi"] == "revenue"]
    last = rows[-1]
    expected = ws.scalar(
        "SELECT coalesce(sum(amount), 0) FROM orders WHERE order_date BETWEEN ? AND ?"
        " AND customer_id IN (SELECT customer_id FROM customers WHERE owner = '张伟')",
        [last["period_start"], last["period_end"]],
    )
    assert last["value"] == pytest.approx(float(expected))
    whole = [r for r in app.kpis("month") if r["kpi"] == "revenue"][-1]
    assert whole["value"] > last["value"]


def test_names_with_marks_and_quotes_stay_values(ws: Workspace) -> None:
    """A scope's names are written into the views as literals: a `?` or a quote in one (a
    display name is typed by people) can neither break the view nor widen it."""
    with ws.transaction() as cur:
        for cid, owner in (("A", "张?"), ("B", "') OR TRUE OR ('"), ("C", "李娜")):
            cur.execute(
                "INSERT INTO customers (customer_id, name, owner) VALUES (?, ?, ?)",
                [cid, "客户" + cid, owner],
            )
    rep = Scope(user="r", role="rep", owners=("张?", "') OR TRUE OR ('"))
    with scoped(ws, rep) as view:
        assert sorted(r[0] for r in view.rows("SELECT customer_id FROM customers")) == ["A", "B"]
    odd = Scope(user="r", role="rep", owners=("O'Brien?",))
    with scoped(ws, odd) as view:
        assert _count(view, "customers") == 0
