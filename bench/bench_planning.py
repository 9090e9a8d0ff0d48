"""Planning floor at scale: KPIs over 10^7 orders, plan and target split over 5·10^5 customers.

    python bench/bench_planning.py [--orders 10000000] [--customers 500000] [--work DIR]

Builds a workspace with synthetic data straight in DuckDB (orders over ~4 years with due and
paid amounts, interactions, tickets, surveys, opportunities, one customer snapshot), then
times each step in its own child process so the peak memory (ru_maxrss) is that step's own:
- kpis_month: every KPI, 12 months (+ the month before, for the change);
- kpis_region / kpis_tier: the same grouped by region / by value_tier (snapshot segments);
- kpis_quarter: every KPI by quarter over 3 years;
- plan: `make_plan` on the whole snapshot (first run, writes the tasks), then again (no-op);
- split_customer: `split_targets` by customer with floor 0.8 / cap 1.5, no XLSX;
- split_region: by region with months (seasonality) and the XLSX;
- goals: 4 goals evaluated with `goals.progress`.
Prints one JSON line per step and a table: wall seconds, CPU seconds (user + system of the
step's process, all threads: comparable across machine loads) and peak MB.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

STEPS = (
    "kpis_month",
    "kpis_region",
    "kpis_tier",
    "kpis_quarter",
    "plan",
    "split_customer",
    "split_region",
    "goals",
)


def build(root: Path, n_orders: int, n_customers: int) -> None:
    """A workspace with synthetic data (about a minute at 10^7 orders on 2 cores)."""
    from kehu.workspace import Workspace

    ws = Workspace.init(root, overwrite=True)
    con = ws.con
    con.execute("SELECT setseed(0.42)")
    n, m = n_customers, n_orders
    con.execute(f"""
        INSERT INTO customers (customer_id, name, region, owner, budget_growth)
        SELECT 'C' || lpad(i::VARCHAR, 7, '0'), '客户' || i,
               (['华东','华北','华南','华中','西南','西北','东北'])[1 + i % 7],
               'rep' || (i % 50), (random() - 0.3) / 2
        FROM range({n}) t(i)
    """)
    con.execute(f"""
        INSERT INTO orders (source, order_id, customer_id, order_date, amount, cost,
                            due_date, paid_amount, paid_date)
        SELECT 'erp', 'O' || i, 'C' || lpad(floor(pow(random(), 2) * {n})::BIGINT::VARCHAR, 7, '0'),
               d, a, a * 0.7, d + 30,
               CASE WHEN r < 0.85 THEN a WHEN r < 0.95 THEN a / 2 ELSE NULL END,
               CASE WHEN r < 0.85 THEN d + 25 END
        FROM (SELECT i, DATE '2023-01-01' + floor(random() * 1430)::INT AS d,
                     round(100 + random() * 9900, 2)::DECIMAL(18,2) AS a, random() AS r
              FROM range({m}) t(i))
    """)
    con.execute(f"""
        INSERT INTO interactions (source, interaction_id, customer_id, kind, occurred_at)
        SELECT 'crm', 'I' || i, 'C' || lpad(floor(random() * {n})::BIGINT::VARCHAR, 7, '0'),
               'call', TIMESTAMP '2023-01-01' + to_seconds(floor(random() * 1430 * 86400)::BIGINT)
        FROM range({m // 5}) t(i)
    """)
    con.execute(f"""
        INSERT INTO tickets (source, ticket_id, customer_id, opened_at, first_response_at,
                             resolved_at, satisfaction)
        SELECT 'svc', 'T' || i, c, o, o + to_seconds(floor(random() * 4 * 3600)::BIGINT),
               o + to_seconds(floor(random() * 72 * 3600)::BIGINT), 1 + floor(random() * 5)::INT
        FROM (SELECT i, 'C' || lpad(floor(random() * {n})::BIGINT::VARCHAR, 7, '0') AS c,
                     TIMESTAMP '2023-01-01'
                       + to_seconds(floor(random() * 1430 * 86400)::BIGINT) AS o
              FROM range({m // 20}) t(i))
    """)
    con.execute(f"""
        INSERT INTO surveys (source, survey_id, customer_id, surveyed_on, nps, csat)
        SELECT 'svy', 'S' || i, 'C' || lpad(floor(random() * {n})::BIGINT::VARCHAR, 7, '0'),
               DATE '2023-01-01' + floor(random() * 1430)::INT, floor(random() * 11)::INT,
               1 + floor(random() * 5)::INT
        FROM range({m // 20}) t(i)
    """)
    con.execute(f"""
        INSERT INTO opportunities (source, opportunity_id, customer_id, status, amount,
                                   created_on, closed_on)
        SELECT 'crm', 'P' || i, 'C' || lpad(floor(random() * {n})::BIGINT::VARCHAR, 7, '0'),
               (['won','lost','open'])[1 + floor(random() * 3)::INT], 1000, d,
               d + floor(random() * 60)::INT
        FROM (SELECT i, DATE '2023-01-01' + floor(random() * 1400)::INT AS d
              FROM range({m // 20}) t(i))
    """)
    as_of = con.execute("SELECT max(order_date) + 1 FROM orders").fetchone()[0]
    con.execute(
        """
        INSERT INTO customer_snapshot (as_of, customer_id, rfm_type, value_tier, lifecycle,
            churn_risk, predicted_clv, expected_purchases, orders_12m, name, owner, region)
        SELECT ?, customer_id,
               (['high_value','potential','new','churn_risk','low_value'])
                 [1 + floor(random() * 5)::INT],
               (['strategic','core','potential','basic','basic'])[1 + floor(random() * 5)::INT],
               (['repeat','loyal','at_risk','lost'])[1 + floor(random() * 4)::INT],
               random(), random() * 50000, random() * 10, floor(random() * 12)::INT,
               name, owner, region
        FROM customers
        """,
        [as_of],
    )
    ws.close()


def child(step: str, root: Path) -> dict:
    from kehu.workspace import Workspace

    ws = Workspace.open(root)
    t0 = time.perf_counter()
    cpu0 = _cpu()
    info: dict = {}
    if step.startswith("kpis"):
        from kehu.analytics.kpis import compute_kpis

        grain, by, n = {
            "kpis_month": ("month", None, 12),
            "kpis_region": ("month", "region", 12),
            "kpis_tier": ("month", "value_tier", 12),
            "kpis_quarter": ("quarter", None, 12),
        }[step]
        ws.settings.kpi.periods = n
        rows = compute_kpis(ws, grain, by)
        info = {"rows": len(rows)}
    elif step == "plan":
        from kehu.planning.plan import make_plan

        ws.con.execute("DELETE FROM tasks")  # a first run, whatever ran before
        t0, cpu0 = time.perf_counter(), _cpu()
        first = make_plan(ws)
        t1 = time.perf_counter()
        again = make_plan(ws)
        info = {
            "created": first.created,
            "first_s": round(t1 - t0, 2),
            "rerun_s": round(time.perf_counter() - t1, 2),
            "rerun_created": again.created,
        }
    elif step.startswith("split"):
        from kehu.planning.targets import split_targets

        if step == "split_customer":
            res = split_targets(ws, 14_000_000_000, "2027", "customer", floor=0.8, cap=1.5,
                                write=False)  # fmt: skip
        else:
            res = split_targets(ws, 14_000_000_000, "2027", "region", months=True,
                                out=root / "split.xlsx")  # fmt: skip
        info = {
            "units": len(res.rows),
            "sum_exact": sum(r["target"] for r in res.rows) == res.total,
        }
    elif step == "goals":
        from kehu.planning import goals

        ws.con.execute("DELETE FROM goal_progress")
        ws.con.execute("DELETE FROM goals")
        end = date(2026, 12, 31)
        for metric, target, scope in (
            ("revenue", "+10%", None),
            ("new_customers", "2000", "region=华东"),
            ("retention_rate", "+5pp", "value_tier=core"),
            ("nps", "30", None),
        ):
            goals.add_goal(ws, metric, target, end, "boss", scope=scope, start=date(2026, 7, 1))
        t0, cpu0 = time.perf_counter(), _cpu()
        info = {"goals": [g["status"] for g in goals.progress(ws, as_of=date(2026, 11, 15))]}
    seconds = time.perf_counter() - t0
    cpu = _cpu() - cpu0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"step": step, "seconds": round(seconds, 2), "cpu_s": round(cpu, 2),
            "peak_mb": round(peak_mb), **info}  # fmt: skip


def _cpu() -> float:
    """CPU seconds (user + system) of this process, all threads: a load-independent figure."""
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--orders", type=int, default=10_000_000)
    ap.add_argument("--customers", type=int, default=500_000)
    ap.add_argument("--work", type=Path, default=None)
    ap.add_argument("--steps", default=",".join(STEPS))
    ap.add_argument("--child", nargs=2, metavar=("STEP", "WS"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child[0], Path(args.child[1])), ensure_ascii=False))
        return
    work = args.work or Path(tempfile.mkdtemp(prefix="kehu-bench-plan-"))
    root = work / "ws"
    t = time.perf_counter()
    if not (root / "kehu.duckdb").exists():
        build(root, args.orders, args.customers)
    print(json.dumps({"step": "build", "seconds": round(time.perf_counter() - t, 1),
                      "orders": args.orders, "customers": args.customers}))  # fmt: skip
    results = []
    for step in args.steps.split(","):
        cmd = [sys.executable, __file__, "--child", step, str(root)]
        out = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if out.returncode != 0:
            print(out.stderr[-2000:], file=sys.stderr)
            continue
        res = json.loads(out.stdout.strip().splitlines()[-1])
        results.append(res)
        print(json.dumps(res, ensure_ascii=False))
    print(f"\n{'step':<16}{'seconds':>10}{'CPU s':>10}{'peak MB':>10}")
    for r in results:
        print(f"{r['step']:<16}{r['seconds']:>10}{r['cpu_s']:>10}{r['peak_mb']:>10}")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"\ncommand: python bench/bench_planning.py --orders {args.orders} "
          f"--customers {args.customers}")  # fmt: skip


if __name__ == "__main__":
    main()
