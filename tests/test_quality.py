"""`kehu quality`: each kind of finding is raised on data that has it, and only then."""

from __future__ import annotations

import json
from datetime import date

from typer.testing import CliRunner

from kehu.ingest import import_records
from kehu.quality import quality_report
from kehu.workspace import Workspace

TODAY = date(2026, 6, 30)


def _codes(report: dict) -> dict[tuple[str, str], dict]:
    return {(f["code"], f["table"]): f for f in report["findings"]}


def _seed(ws: Workspace) -> None:
    ws.con.execute("""
        INSERT INTO customers (customer_id, name, customer_type, registration_id, industry_name,
                               industry_code, employees, founded_on, email, phone, created_at,
                               updated_at) VALUES
        ('C1', '杭州恒达贸易有限公司', 'company', '91330100MA2B3C4D5X', '批发业', NULL, -3,
         DATE '1850-01-01', 'bad-email', '+8613800000000', TIMESTAMP '2026-06-01 00:00:00',
         TIMESTAMP '2026-06-01 00:00:00'),
        ('C2', '杭州恒达贸易有限公司', 'company', NULL, '批发业', 'F51', 10, DATE '2030-01-01',
         'a@b.cn', '+8613800000001', TIMESTAMP '2020-01-01 00:00:00',
         TIMESTAMP '2020-01-01 00:00:00'),
        ('C3', '王伟', 'vip', NULL, NULL, NULL, NULL, NULL, NULL, '0571-123',
         TIMESTAMP '2026-06-01 00:00:00', TIMESTAMP '2026-06-01 00:00:00')
    """)
    ws.con.execute("""
        INSERT INTO orders (source, order_id, customer_id, order_date, amount, cost, paid_amount)
        VALUES ('erp', 'O1', 'C1', DATE '2026-05-01', 100, 50, 150),
               ('erp', 'O2', 'GONE', DATE '2026-05-02', -20, NULL, NULL),
               ('erp', 'O3', 'C1', DATE '2027-01-01', 10, 5, NULL)
    """)
    ws.con.execute("""
        INSERT INTO surveys (source, survey_id, customer_id, surveyed_on, nps, csat)
        VALUES ('crm', 'S1', 'C1', DATE '2026-01-01', 11, 3), ('crm', 'S2', 'C3', DATE
        '2026-01-02', 7, 0)
    """)


def test_findings_on_dirty_data(ws: Workspace) -> None:
    _seed(ws)
    report = quality_report(ws, TODAY)
    found = _codes(report)
    expect = {
        ("negative_employees", "customers"): ["C1"],
        ("ancient_founded", "customers"): ["C1"],
        ("future_founded", "customers"): ["C2"],
        ("bad_email", "customers"): ["C1"],
        ("unnormalised_phone", "customers"): ["C3"],
        ("bad_customer_type", "customers"): ["C3"],
        ("unmatched_industry", "customers"): ["C1"],
        ("paid_over_amount", "orders"): ["O1"],
        ("future_order", "orders"): ["O3"],
        ("negative_amount", "orders"): ["O2"],
        ("orphan", "orders"): ["O2"],
        ("nps_range", "surveys"): ["S1"],
        ("csat_range", "surveys"): ["S2"],
        ("bad_registration_id", "customers"): ["C1"],
        ("duplicate_name", "customers"): ["杭州恒达贸易有限公司"],
        ("stale", "customers"): ["C2"],
    }
    for key, examples in expect.items():
        assert key in found, key
        assert found[key]["examples"] == examples, key
        assert found[key]["fix_zh"] and found[key]["fix_en"]
    assert found[("orphan", "orders")]["severity"] == "error"
    assert found[("stale", "customers")]["severity"] == "info"
    # Things that are fine are not reported.
    assert ("future_survey", "surveys") not in found
    assert ("negative_cost", "orders") not in found
    customers = next(t for t in report["tables"] if t["table"] == "customers")
    assert customers["rows"] == 3
    assert customers["completeness"]["registration_id"] == round(1 / 3, 4)
    assert report["summary"]["error"] >= 7


def test_clean_data_has_no_errors(ws: Workspace) -> None:
    import_records(
        ws,
        "customers",
        [
            {
                "customer_id": "A",
                "name": "北京明达科技有限公司",
                "customer_type": "company",
                "industry_code": "I65",
                "province": "北京",
                "city": "北京",
                "phone": "13800000000",
                "owner": "李雷",
            },
        ],
        source="crm",
    )
    report = quality_report(ws)
    assert report["summary"]["error"] == 0
    assert not [f for f in report["findings"] if f["severity"] == "warning"]


def test_cli_json_and_table(ws: Workspace) -> None:
    from kehu.cli import app

    _seed(ws)
    runner = CliRunner()
    out = runner.invoke(app, ["-w", str(ws.root), "quality", "--json", "--as-of", "2026-06-30"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert data["as_of"] == "2026-06-30" and data["findings"]
    out = runner.invoke(app, ["-w", str(ws.root), "--lang", "en", "quality"])
    assert out.exit_code == 0, out.output
    assert "how to fix" in out.stdout
    assert "surveys" in out.stdout and "errors " in out.stdout


def _targets(ws: Workspace, rows: list[tuple]) -> None:
    ws.con.executemany(
        "INSERT INTO targets (source, target_id, period, region, owner, amount)"
        " VALUES ('crm', ?, ?, ?, ?, ?)",
        rows,
    )


def test_targets_whose_levels_disagree_are_flagged_with_the_gap(ws: Workspace) -> None:
    from kehu.quality.targets import gap_text, target_gaps

    _targets(
        ws,
        [
            ("y", "2026", None, None, 1000),  # company, the year
            # regions by quarter: 100 + 200 + 300 + 400 = 1000, as the company year
            *[(f"r{q}", f"2026-Q{q}", "华东", None, 100 * q) for q in (1, 2, 3, 4)],
            # owners: Q1 agrees (60 + 40), Q2 is 30 short, Q3 and Q4 agree -> the year too
            ("a1", "2026-Q1", "华东", "alice", 60), ("b1", "2026-Q1", "华东", "bob", 40),
            ("a2", "2026-Q2", "华东", "alice", 170),
            ("a3", "2026-Q3", "华东", "alice", 300), ("a4", "2026-Q4", "华东", "alice", 400),
            ("n", "2027-Q1", "华北", "carol", 5),  # one level only: nothing to compare
        ],
    )  # fmt: skip
    gaps = target_gaps(ws)
    key = [(g["period"], g["unit"], g["level"], g["reference_level"], g["gap"]) for g in gaps]
    assert key == [
        ("2026", None, "owner", "company", -30.0),  # rolled up from the owners' quarters
        ("2026-Q2", None, "owner", "region", -30.0),
        ("2026-Q2", "华东", "owner", "region", -30.0),
    ]
    assert gaps[0]["rolled_up"] and not gaps[1]["rolled_up"]
    assert gap_text(gaps[1], "zh") == "2026-Q2:负责人目标合计 ¥170 ≠ 区域目标 ¥200(差 −¥30)"
    assert "owner targets add up to ¥170, region target is ¥200" in gap_text(gaps[1], "en")
    assert target_gaps(ws, tolerance=0.2) == []  # within 20 %: not a finding

    report = quality_report(ws, TODAY)
    f = _codes(report)[("targets_disagree", "targets")]
    assert f["severity"] == "warning" and f["count"] == 3 and len(f["gaps"]) == 3
    assert "差 −¥30" in f["message_zh"] and "gap −¥30" in f["message_en"]


def test_targets_that_add_up_raise_nothing(ws: Workspace) -> None:
    _targets(ws, [("y", "2026-Q1", None, None, 100), ("e", "2026-Q1", "华东", None, 100),
                  ("a", "2026-Q1", "华东", "alice", 99.95)])  # fmt: skip
    assert ("targets_disagree", "targets") not in _codes(quality_report(ws, TODAY))


def test_targets_progress_cli_warns_about_gaps(ws: Workspace) -> None:
    from kehu.cli import app

    _targets(ws, [("e", "2026-Q2", "华东", None, 200), ("a", "2026-Q2", "华东", "alice", 170)])
    out = CliRunner().invoke(
        app, ["-w", str(ws.root), "targets", "progress", "--period", "2026-Q2", "--as-of",
              "2026-06-30"], env={"COLUMNS": "200"},
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    assert "对不上(2 处)" in out.stdout and "2026-Q2 华东:负责人目标合计 ¥170" in out.stdout
