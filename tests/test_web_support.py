"""Test data for the web tests: a small company with three sales reps in two regions.

Rows are written straight into the canonical tables (the web layer reads them; importing is
tested elsewhere) and the snapshot comes from `kehu.analytics.snapshot.analyze` when that is
installed, else from a plain SQL stand-in with the contract's columns, so these tests do not
depend on the analytics floor being finished. No test functions live here.
"""

from __future__ import annotations

import json
import random
import shutil
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from kehu.access.auth import Auth
from kehu.workspace import Workspace

AS_OF = date(2026, 10, 1)
PASSWORD = "correct-horse-42"
# user -> (role, region, display name used in customers.owner)
USERS = {
    "admin": ("admin", None, None),
    "east_mgr": ("manager", "华东", None),
    "zhang": ("rep", "华东", "张伟"),
    "li": ("rep", "华东", "李娜"),
    "wang": ("rep", "华北", "王强"),
}
OWNERS = [("张伟", "华东", "上海"), ("李娜", "华东", "杭州"), ("王强", "华北", "北京")]
INDUSTRIES = ["制造业", "批发和零售业", "信息传输、软件和信息技术服务业", "建筑业"]
PREFIXES = ["华", "东", "瑞", "嘉", "新", "恒", "远", "盛", "鼎", "博"]
SUFFIXES = ["科技", "贸易", "机电", "材料", "物流", "电子", "建工", "医药"]


def customer_rows(n: int = 60, seed: int = 7) -> list[tuple]:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        owner, region, city = OWNERS[i % 3]
        name = f"{city}{rng.choice(PREFIXES)}{rng.choice(PREFIXES)}{rng.choice(SUFFIXES)}有限公司"
        phone = f"+86139{rng.randrange(10**7, 10**8)}"
        rows.append(
            (
                f"C{i + 1:04d}",
                f"{name}{i + 1}",
                "company",
                rng.choice(INDUSTRIES),
                city,
                region,
                owner,
                f"联系人{i + 1}",
                phone,
                f"buyer{i + 1}@example.com",
                date(2020 + i % 5, 1 + i % 12, 1),
            )
        )
    return rows


def seed_workspace(root: Path, n: int = 60, seed: int = 7, *, real: bool = False) -> Workspace:
    """Create a workspace with customers, activity, a snapshot and the five users.

    `real=True` computes the snapshot with `kehu.analytics.snapshot.analyze` (slower, used by
    the browser tests); otherwise a SQL stand-in fills the contract's columns quickly.
    """
    ws = Workspace.init(root)
    rng = random.Random(seed)
    now = datetime(2026, 9, 30, 12, 0)
    customers = customer_rows(n, seed)
    with ws.transaction() as cur:
        for r in customers:
            cur.execute(
                "INSERT INTO customers (customer_id, name, customer_type, industry_name, city,"
                " region, owner, contact_name, phone, email, cooperation_start, source,"
                " source_id, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'crm', ?, ?, ?)",
                [*r, r[0], now, now],
            )
            cur.execute(
                "INSERT INTO customer_ids (source, source_id, customer_id) VALUES ('crm', ?, ?)",
                [r[0], r[0]],
            )
        order_no = 0
        for idx, r in enumerate(customers):
            cid = r[0]
            k = rng.randint(1, 14) if idx % 7 else 0  # every 7th customer never ordered
            for _ in range(k):
                order_no += 1
                d = AS_OF - timedelta(days=rng.randint(1, 700))
                amount = Decimal(rng.randint(5_000, 180_000))
                cur.execute(
                    "INSERT INTO orders (source, order_id, customer_id, order_date, amount, cost,"
                    " product_category, paid_amount, due_date, owner, created_at, updated_at)"
                    " VALUES ('erp', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        f"SO{order_no:05d}",
                        cid,
                        d,
                        amount,
                        (amount * Decimal("0.7")).quantize(Decimal("0.01")),
                        rng.choice(["轴承", "电机", "传感器", "控制柜"]),
                        amount,
                        d + timedelta(days=30),
                        r[6],
                        now,
                        now,
                    ],
                )
            for j in range(rng.randint(0, 3)):
                cur.execute(
                    "INSERT INTO interactions (source, interaction_id, customer_id, kind,"
                    " occurred_at, owner, contact_name, summary, created_at, updated_at)"
                    " VALUES ('crm', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        f"I{cid}-{j}",
                        cid,
                        rng.choice(["visit", "call", "email"]),
                        now - timedelta(days=rng.randint(1, 200)),
                        r[6],
                        r[7],
                        "季度回访,沟通新品需求",
                        now,
                        now,
                    ],
                )
            if idx % 5 == 0:
                cur.execute(
                    "INSERT INTO tickets (source, ticket_id, customer_id, category, opened_at,"
                    " status, description, created_at, updated_at)"
                    " VALUES ('service', ?, ?, '投诉', ?, 'open', '交货延迟,要求补偿', ?, ?)",
                    [f"T{cid}", cid, now - timedelta(days=10), now, now],
                )
            cur.execute(
                "INSERT INTO contacts (source, contact_id, customer_id, name, title, is_key,"
                " phone, created_at, updated_at)"
                " VALUES ('crm', ?, ?, ?, '采购经理', TRUE, ?, ?, ?)",
                [f"K{cid}", cid, f"采购{cid}", f"+86138{idx:08d}", now, now],
            )
    make_snapshot(ws, real=real)
    auth = Auth(ws)
    for name, (role, region, display) in USERS.items():
        auth.add_user(
            name,
            role,
            region=region if role != "admin" else None,
            password=PASSWORD,
            display_name=display,
        )
    return ws


def make_snapshot(ws: Workspace, *, real: bool = False) -> None:
    """The snapshot for AS_OF and for 90 days earlier (so flows have two dates)."""
    analyze = None
    if real:
        from kehu.analytics.snapshot import analyze
    for as_of in (AS_OF - timedelta(days=90), AS_OF):
        if analyze is not None:
            analyze(ws, as_of)
        else:
            _sql_snapshot(ws, as_of)


def _sql_snapshot(ws: Workspace, as_of: date) -> None:
    reasons = json.dumps(
        [
            {
                "code": "gap",
                "zh": "超过平均下单间隔的两倍未下单",
                "en": "no order for over twice the usual interval",
                "evidence": {},
            }
        ],
        ensure_ascii=False,
    )
    with ws.transaction() as cur:
        cur.execute("DELETE FROM customer_snapshot WHERE as_of = ?", [as_of])
        cur.execute(
            """
            INSERT INTO customer_snapshot (as_of, customer_id, recency_days, orders_12m,
              spend_12m, r_score, f_score, m_score, rfm_type, rfm_segment, value_score,
              value_tier, abc_class, lifecycle, clv_historical, profit_historical, p_alive,
              expected_purchases, predicted_clv, churn_risk, churn_reasons, name, region, owner,
              industry_name, customer_type, last_order_date, first_order_date, orders_total,
              profit_12m, value_contribution, value_growth, value_stability, value_strategic,
              value_confidence)
            WITH o AS (
              SELECT customer_id, max(order_date) AS last_d, min(order_date) AS first_d,
                count(*) FILTER (WHERE order_date > $d - INTERVAL 365 DAY) AS f,
                coalesce(sum(amount) FILTER (WHERE order_date > $d - INTERVAL 365 DAY), 0) AS m,
                sum(amount) AS total, sum(amount - cost) AS profit, count(*) AS n
              FROM orders WHERE order_date <= $d GROUP BY customer_id),
            b AS (
              SELECT c.*, o.*, ($d - o.last_d) AS rec,
                CASE WHEN $d - o.last_d <= 30 THEN 5 WHEN $d - o.last_d <= 90 THEN 3 ELSE 1 END
                  AS rs,
                CASE WHEN o.f >= 10 THEN 5 WHEN o.f >= 5 THEN 3 ELSE 1 END AS fs,
                CASE WHEN o.m >= 500000 THEN 5 WHEN o.m >= 200000 THEN 3 ELSE 1 END AS ms
              FROM customers c LEFT JOIN o USING (customer_id))
            SELECT $d, customer_id, rec, coalesce(f, 0), m, rs, fs, ms,
              CASE WHEN n IS NULL THEN 'low_value' WHEN rs = 5 AND fs + ms >= 8 THEN 'high_value'
                WHEN rs >= 3 AND fs + ms >= 4 THEN 'potential' WHEN rs >= 3 THEN 'new'
                WHEN fs + ms >= 4 THEN 'churn_risk' ELSE 'low_value' END,
              CASE WHEN n IS NULL THEN 'lost' WHEN rs = 5 THEN 'champions'
                WHEN rs = 3 THEN 'need_attention' ELSE 'at_risk' END,
              least(99.0, coalesce(m, 0) / 12000.0 + rs * 4),
              CASE WHEN coalesce(m, 0) / 12000.0 + rs * 4 >= 90 THEN 'strategic'
                WHEN coalesce(m, 0) / 12000.0 + rs * 4 >= 70 THEN 'core'
                WHEN coalesce(m, 0) / 12000.0 + rs * 4 >= 50 THEN 'potential' ELSE 'basic' END,
              CASE WHEN m >= 400000 THEN 'A' WHEN m >= 150000 THEN 'B' ELSE 'C' END,
              CASE WHEN n IS NULL THEN 'prospect' WHEN rec > 365 THEN 'lost'
                WHEN rec > 120 THEN 'at_risk' WHEN n = 1 THEN 'first_purchase'
                WHEN n >= 8 THEN 'loyal' ELSE 'repeat' END,
              total, profit, 1.0 - least(coalesce(rec, 400), 400) / 500.0,
              coalesce(f, 0) * 0.8, coalesce(m, 0) * 1.5,
              least(coalesce(rec, 400), 400) / 400.0,
              CASE WHEN coalesce(rec, 400) > 120 THEN $reasons ELSE '[]' END,
              name, region, owner, industry_name, customer_type, last_d, first_d, n,
              m * 0.3, least(100.0, coalesce(m, 0) / 9000.0), 40.0 + fs * 8, 30.0 + rs * 10,
              CASE WHEN ms = 5 THEN 80.0 ELSE 35.0 END, 0.9
            FROM b
            """,
            {"d": as_of, "reasons": reasons},
        )


# ---- fixtures shared by the web tests (import them into the test module) ----------------------


@pytest.fixture(scope="session")
def seeded_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A seeded workspace folder, built once per test session (closed; copy before use)."""
    root = tmp_path_factory.mktemp("web-seed") / "ws"
    seed_workspace(root).close()
    return root


@pytest.fixture
def seeded_ws(seeded_dir: Path, tmp_path: Path):  # noqa: ANN201
    """A private copy of the seeded workspace, opened."""
    target = tmp_path / "ws"
    shutil.copytree(seeded_dir, target)
    ws = Workspace.open(target)
    yield ws
    ws.close()


def login(client, user: str, password: str = PASSWORD) -> str:  # noqa: ANN001
    """Log a TestClient in through the form; returns the session's CSRF token."""
    r = client.post(
        "/login", data={"username": user, "password": password, "next": "/"}, follow_redirects=False
    )
    assert r.status_code == 303, r.text
    page = client.get("/account")
    marker = 'name="csrf_token" value="'
    start = page.text.index(marker) + len(marker)
    return page.text[start : page.text.index('"', start)]
