"""The JSON API: customers (filters, sort, search, pages), 360, summaries, KPIs, push,
imports, reports, CSRF, OpenAPI — with real service functions over a seeded workspace."""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from test_web_support import PASSWORD, login, seeded_dir, seeded_ws  # noqa: F401

from kehu.access import audit
from kehu.access.auth import Auth
from kehu.web.app import create_app

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


@pytest.fixture
def app(seeded_ws):  # noqa: ANN001, ANN201, F811
    return create_app(seeded_ws, background=False)


def client_as(app, user: str) -> tuple[TestClient, str]:  # noqa: ANN001
    client = TestClient(app)
    return client, login(client, user)


def token_client(app, user: str) -> TestClient:  # noqa: ANN001
    token = Auth(app.state.kehu.ws).create_token(user, "test")
    return TestClient(app, headers={"Authorization": f"Bearer {token}"})


def test_health_needs_no_login_and_api_needs_one(app) -> None:  # noqa: ANN001
    c = TestClient(app)
    assert c.get("/api/v1/health").json()["status"] == "ok"
    r = c.get("/api/v1/customers")
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    assert (
        c.get("/api/v1/customers", headers={"Authorization": "Bearer kehu_x_y"}).status_code == 401
    )
    assert c.get("/", follow_redirects=False).headers["location"] == "/login?next=/"


def test_customer_list_filters_sort_pages(app) -> None:  # noqa: ANN001
    c, _ = client_as(app, "admin")
    ws = app.state.kehu.ws
    everyone = c.get("/api/v1/customers", params={"page_size": 500}).json()
    assert everyone["total"] == 60 == len(everyone["items"])
    by_spend = c.get("/api/v1/customers", params={"sort": "spend_12m", "order": "desc"}).json()
    spends = [i["spend_12m"] for i in by_spend["items"] if i["spend_12m"] is not None]
    assert spends == sorted(spends, reverse=True)
    top = ws.scalar(
        "SELECT max(spend_12m) FROM customer_snapshot WHERE as_of = (SELECT max(as_of) FROM"
        " customer_snapshot)"
    )
    assert spends[0] == float(top)
    hv = c.get("/api/v1/customers", params={"rfm_type": "high_value,potential"}).json()
    want = ws.scalar(
        "SELECT count(*) FROM customer_snapshot WHERE as_of = (SELECT max(as_of) FROM"
        " customer_snapshot) AND rfm_type IN ('high_value', 'potential')"
    )
    assert hv["total"] == want and all(
        i["rfm_type"] in ("high_value", "potential") for i in hv["items"]
    )
    p1 = c.get("/api/v1/customers", params={"page_size": 7, "sort": "name", "order": "asc"}).json()
    p2 = c.get(
        "/api/v1/customers", params={"page_size": 7, "page": 2, "sort": "name", "order": "asc"}
    ).json()
    assert p1["pages"] == 9 and not {i["customer_id"] for i in p1["items"]} & {
        i["customer_id"] for i in p2["items"]
    }
    assert c.get("/api/v1/customers", params={"sort": "password"}).status_code == 400


def test_search_by_name_contact_and_phone(app) -> None:  # noqa: ANN001
    c, _ = client_as(app, "admin")
    ws = app.state.kehu.ws
    name, phone = ws.rows("SELECT name, phone FROM customers WHERE customer_id = 'C0013'")[0]
    assert [
        i["customer_id"] for i in c.get("/api/v1/customers", params={"q": name}).json()["items"]
    ] == ["C0013"]
    spaced = f"{phone[3:6]} {phone[6:10]} {phone[10:]}"  # typed as 139 1234 5678
    found = c.get("/api/v1/customers", params={"q": spaced}).json()["items"]
    assert "C0013" in [i["customer_id"] for i in found]
    by_contact = c.get("/api/v1/customers", params={"q": "采购C0013"}).json()["items"]  # contacts
    assert [i["customer_id"] for i in by_contact] == ["C0013"]


def test_roles_see_their_rows_and_masked_pii(app) -> None:  # noqa: ANN001
    ws = app.state.kehu.ws
    counts = {}
    for user in ("admin", "east_mgr", "zhang", "wang"):
        c, _ = client_as(app, user)
        data = c.get("/api/v1/customers", params={"page_size": 500}).json()
        counts[user] = data["total"]
        if user == "east_mgr":
            assert {i["region"] for i in data["items"]} == {"华东"}
            assert all("****" not in (i["phone"] or "") for i in data["items"])  # manager sees PII
        if user == "zhang":
            assert {i["owner"] for i in data["items"]} == {"张伟"}
            assert all("****" in i["phone"] for i in data["items"])
            assert all(i["email"].split("@")[0].endswith("***") for i in data["items"])
    assert counts == {
        "admin": 60,
        "east_mgr": ws.scalar("SELECT count(*) FROM customers WHERE region = '华东'"),
        "zhang": ws.scalar("SELECT count(*) FROM customers WHERE owner = '张伟'"),
        "wang": ws.scalar("SELECT count(*) FROM customers WHERE owner = '王强'"),
    }


def test_detail_360_and_timeline(app) -> None:  # noqa: ANN001
    c, _ = client_as(app, "zhang")
    ws = app.state.kehu.ws
    own = c.get("/api/v1/customers/C0004/360", params={"lang": "en"}).json()
    assert own["customer"]["customer_id"] == "C0004"
    n_orders = ws.scalar("SELECT count(*) FROM orders WHERE customer_id = 'C0004'")
    assert sum(1 for e in own["timeline"] if e["kind"] == "order") == n_orders
    assert [e["at"] for e in own["timeline"]] == sorted(
        (e["at"] for e in own["timeline"]), reverse=True
    )
    assert own["explanations"] and own["explanations"][0]["label"].startswith("R = ")
    assert own["contacts"][0]["phone"].count("*") == 4
    for path in (
        "/api/v1/customers/C0002",
        "/api/v1/customers/C0002/360",
        "/api/v1/customers/NOPE",
    ):
        r = c.get(path)
        assert r.status_code == 404
        assert ws.scalar("SELECT name FROM customers WHERE customer_id = 'C0002'") not in r.text


def test_export_is_scoped_masked_and_audited(app) -> None:  # noqa: ANN001
    from openpyxl import load_workbook

    c, _ = client_as(app, "zhang")
    r = c.get("/api/v1/customers/export", params={"format": "xlsx", "lang": "en"})
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(r.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    owner_col, phone_col = header.index("Owner"), header.index("Phone")
    assert {row[owner_col] for row in rows[1:]} == {"张伟"}
    assert all("****" in row[phone_col] for row in rows[1:])
    csv = c.get("/api/v1/customers/export", params={"format": "csv"})
    assert csv.content.startswith("\ufeff".encode()) and "张伟" in csv.content.decode("utf-8-sig")
    ws = app.state.kehu.ws
    assert (
        ws.scalar("SELECT count(*) FROM audit_log WHERE action = 'export' AND user_name = 'zhang'")
        == 2
    )


def test_summary_matches_the_list_and_flows(app) -> None:  # noqa: ANN001
    c, _ = client_as(app, "east_mgr")
    summary = c.get("/api/v1/snapshot/summary").json()
    total = c.get("/api/v1/customers").json()["total"]
    assert summary["totals"]["customers"] == total
    assert (
        sum(d["count"] for d in summary["dimensions"]["rfm_type"]) == summary["totals"]["analysed"]
    )
    for item in summary["dimensions"]["value_tier"]:
        n = c.get("/api/v1/customers", params={"value_tier": item["code"]}).json()["total"]
        assert n == item["count"]
    flows = c.get("/api/v1/flows", params={"dimension": "rfm_type"}).json()
    assert flows["from"] < flows["to"]
    assert sum(link["customers"] for link in flows["links"] if link["to"] != "none") == total
    pareto = c.get("/api/v1/snapshot/pareto").json()
    shares = [p["share"] for p in pareto["revenue"]]
    assert shares == sorted(shares) and abs(shares[-1] - 1.0) < 1e-9
    assert c.get("/api/v1/flows", params={"from": "1999-01-01"}).status_code == 400


def test_kpis_of_a_manager_are_their_regions_figures(app) -> None:  # noqa: ANN001
    admin, _ = client_as(app, "admin")
    mgr, _ = client_as(app, "east_mgr")
    by_region = admin.get("/api/v1/kpis", params={"by": "region", "kpi": ["revenue", "nps"]}).json()
    mine = mgr.get("/api/v1/kpis", params={"kpi": ["revenue", "nps"]}).json()
    east = {(r["kpi"], r["period"]): r for r in by_region if r["group"] == "华东"}
    assert mine and {(r["kpi"], r["period"]) for r in mine} <= set(east)
    for r in mine:
        expected = east[(r["kpi"], r["period"])]["value"]
        assert (r["value"] is None and expected is None) or abs(r["value"] - expected) < 1e-6
    assert mgr.get("/api/v1/kpis", params={"by": "owner"}).status_code == 403
    rep, _ = client_as(app, "zhang")
    rep_rows = rep.get("/api/v1/kpis", params={"kpi": ["revenue"]}).json()
    by_owner = admin.get("/api/v1/kpis", params={"by": "owner", "kpi": ["revenue"]}).json()
    zhang = {r["period"]: r["value"] for r in by_owner if r["group"] == "张伟"}
    assert {r["period"]: r["value"] for r in rep_rows} == pytest.approx(zhang)


def test_session_writes_need_csrf(app) -> None:  # noqa: ANN001
    c, csrf = client_as(app, "admin")
    body = {
        "records": [
            {
                "customer_id": "C0001",
                "order_id": "W-1",
                "order_date": "2026-09-30",
                "amount": "¥1,200.50",
            }
        ]
    }
    assert c.post("/api/v1/orders", json=body).status_code == 403
    r = c.post("/api/v1/orders", json=body, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200, r.text


def test_push_api_is_idempotent_and_reports_rejects(app) -> None:  # noqa: ANN001
    c = token_client(app, "zhang")
    ws = app.state.kehu.ws
    before = ws.scalar("SELECT count(*) FROM orders")
    batch = {
        "source": "shop",
        "records": [
            {
                "customer_id": "C0001",
                "order_id": "E-1",
                "order_date": "2026年9月30日",
                "amount": "12.5万",
            },
            {"客户编号": "C0004", "订单号": "E-2", "下单日期": "20260929", "订单金额": "¥3,000"},
            {"customer_id": "C0004", "order_id": "E-3", "order_date": "not a date", "amount": "1"},
        ],
    }
    first = c.post("/api/v1/orders", json=batch).json()
    assert (first["read"], first["loaded"], first["rejected"], first["inserted"]) == (3, 2, 1, 2)
    assert first["rejects"][0]["row"] == 3
    amount = ws.scalar("SELECT amount FROM orders WHERE source = 'shop' AND order_id = 'E-1'")
    assert str(amount) == "125000.00"
    again = c.post("/api/v1/orders", json=batch).json()
    assert again["inserted"] == 0 and again["unchanged"] == 2
    assert ws.scalar("SELECT count(*) FROM orders") == before + 2
    # a rep may not push for another rep's customer: the whole batch is refused
    foreign = {
        "records": [
            {"customer_id": "C0004", "order_id": "X-1", "order_date": "2026-09-30", "amount": "1"},
            {"customer_id": "C0002", "order_id": "X-2", "order_date": "2026-09-30", "amount": "1"},
        ]
    }
    r = c.post("/api/v1/orders", json=foreign)
    assert r.status_code == 403
    assert ws.scalar("SELECT count(*) FROM orders WHERE order_id LIKE 'X-%'") == 0


def test_push_checks_the_customer_the_import_will_write_to(app) -> None:  # noqa: ANN001
    """An id another system gave a customer outside the rep's scope resolves to that customer
    on import (any source), so the scope check must refuse it too, and audit the refusal."""
    c = token_client(app, "zhang")
    ws = app.state.kehu.ws
    ws.con.execute(
        "INSERT INTO customer_ids (source, source_id, customer_id, created_at, updated_at)"
        " VALUES ('legacy', 'L-2', 'C0002', now(), now())"
    )
    batch = {
        "source": "shop",
        "records": [
            {"客户编号": "L-2", "订单号": "Y-1", "下单日期": "2026-09-30", "订单金额": "1"}
        ],
    }
    r = c.post("/api/v1/orders", json=batch)
    assert r.status_code == 403, r.text
    assert ws.scalar("SELECT count(*) FROM orders WHERE order_id = 'Y-1'") == 0
    denied = audit.events(ws, action="access_denied", user="zhang")
    assert denied and denied[0].target == "push:orders" and denied[0].detail == {"records": [0]}
    # the rep's own customer under the same kind of alias goes in
    ws.con.execute(
        "INSERT INTO customer_ids (source, source_id, customer_id, created_at, updated_at)"
        " VALUES ('legacy', 'L-1', 'C0001', now(), now())"
    )
    batch["records"][0]["客户编号"] = "L-1"
    assert c.post("/api/v1/orders", json=batch).json()["inserted"] == 1
    assert ws.scalar("SELECT customer_id FROM orders WHERE order_id = 'Y-1'") == "C0001"


def test_import_wizard_upload_correct_preview_commit(app) -> None:  # noqa: ANN001
    c = token_client(app, "admin")
    ws = app.state.kehu.ws
    csv = (
        "客户编号,流水码,日期,金额(元),备注\n"
        'C0001,M-1,2026-09-01,"1,000",x\n'
        "C0004,M-2,2026/9/2,200,y\n"
        "C9999,M-3,2026-09-03,5,z\n"
    )
    up = c.post(
        "/api/v1/imports",
        files={"file": ("ledger.csv", csv.encode("gb18030"), "text/csv")},
        data={"kind": "orders", "source": "ledger"},
    )
    assert up.status_code == 201, up.text
    view = up.json()
    assert view["mapping"]["客户编号"] == "customer_id"
    assert view["mapping"]["流水码"] is None  # not an alias the importer knows: user maps it
    assert "order_id" in view["error"]["en"]  # a required column is missing until mapped
    fixed = dict(
        view["mapping"],
        流水码="order_id",
        日期="order_date",
        **{"金额(元)": "amount", "备注": None},
    )
    prev = c.post(f"/api/v1/imports/{view['upload_id']}/preview", json={"mapping": fixed}).json()
    assert prev["error"] is None, prev["error"]
    assert prev["result"]["status"] == "dry-run"
    assert (prev["result"]["read"], prev["result"]["loaded"], prev["result"]["rejected"]) == (
        3,
        2,
        1,
    )
    assert ws.scalar("SELECT count(*) FROM orders WHERE source = 'ledger'") == 0  # dry run
    done = c.post(f"/api/v1/imports/{view['upload_id']}/commit", json={"mapping": fixed}).json()
    assert done["result"]["inserted"] == 2
    assert ws.scalar("SELECT count(*) FROM orders WHERE source = 'ledger'") == 2
    assert c.get("/api/v1/imports").json()[0]["file"].endswith("ledger.csv")
    rep = token_client(app, "zhang")
    assert (
        rep.post(
            "/api/v1/imports", files={"file": ("a.csv", b"x\n1\n")}, data={"kind": "orders"}
        ).status_code
        == 403
    )


def test_reports_are_generated_within_scope(app) -> None:  # noqa: ANN001
    c = token_client(app, "zhang")
    r = c.post("/api/v1/reports", json={"format": "html", "lang": "en"})
    assert r.status_code == 201, r.text
    report = r.json()
    listed = c.get("/api/v1/reports").json()
    assert [x["report_id"] for x in listed] == [report["report_id"]]
    html = c.get(f"/api/v1/reports/{report['report_id']}/download").text
    ws = app.state.kehu.ws
    others = [r[0] for r in ws.rows("SELECT name FROM customers WHERE owner <> '张伟'")]
    assert not [n for n in others if n in html]
    other = token_client(app, "li")
    assert other.get(f"/api/v1/reports/{report['report_id']}/download").status_code == 404
    assert other.get("/api/v1/reports").json() == []
    # an admin reads every report, the one a rep generated included, and sees who made it
    admin = token_client(app, "admin")
    mine = admin.post("/api/v1/reports", json={"format": "html", "lang": "en"}).json()
    listed = {x["report_id"]: x for x in admin.get("/api/v1/reports").json()}
    assert mine["report_id"] in listed and listed[mine["report_id"]]["by"] == "admin"
    [zhangs] = [x for x in listed.values() if x["by"] == "zhang"]
    r = admin.get(f"/api/v1/reports/{zhangs['report_id']}/download")
    assert r.status_code == 200 and r.text == html
    page_client, _ = client_as(app, "admin")
    assert page_client.get(f"/reports/{zhangs['report_id']}").text == html
    assert "zhang" in page_client.get("/reports").text
    # the prefixed id is no way around the scope for anyone else
    assert other.get(f"/api/v1/reports/{zhangs['report_id']}/download").status_code == 404


def test_reports_made_in_the_same_instant_keep_apart(app, monkeypatch) -> None:  # noqa: ANN001
    """Two users, and one user twice, within one millisecond: every report keeps its own file
    and its maker (they once shared a name to the second, and the last one won)."""
    from datetime import datetime as real

    from kehu.web.services import reports

    class Frozen(real):
        @classmethod
        def now(cls, tz=None):  # noqa: ANN001, ANN206
            return real(2026, 12, 7, 9, 30, 0, 123_000)

    monkeypatch.setattr(reports, "datetime", Frozen)
    made = [
        (user, token_client(app, user).post("/api/v1/reports", json={"format": "html"}).json())
        for user in ("zhang", "zhang", "admin", "admin")
    ]
    listed = {x["report_id"]: x for x in token_client(app, "admin").get("/api/v1/reports").json()}
    files = {x["file"] for x in listed.values()}
    assert len(files) == 2  # each user's second report took the next millisecond
    assert len(listed) == 4
    assert sorted(x["by"] for x in listed.values()) == ["admin", "admin", "zhang", "zhang"]
    mine = {x["report_id"] for x in token_client(app, "zhang").get("/api/v1/reports").json()}
    assert mine == {r["report_id"] for u, r in made if u == "zhang"} and len(mine) == 2


def test_openapi_operation_ids_are_explicit_and_unique(app) -> None:  # noqa: ANN001
    spec = TestClient(app).get("/openapi.json").json()
    ops = [op["operationId"] for path in spec["paths"].values() for op in path.values()]
    assert len(ops) == len(set(ops))
    for expected in ("list_customers", "get_customer", "customer_360", "export_customers",
                     "snapshot_summary", "segment_flows", "list_kpis", "list_alerts", "ack_alert",
                     "list_tasks", "list_goals", "list_targets", "upload_import", "commit_import",
                     "generate_report", "download_report", "data_quality", "health",
                     "push_orders"):  # fmt: skip
        assert expected in ops
    assert "/docs" not in spec["paths"] and TestClient(app).get("/docs").status_code == 200


def test_language_switch_is_remembered(app) -> None:  # noqa: ANN001
    c, _ = client_as(app, "admin")
    assert "客户经营概览" in c.get("/").text
    r = c.get("/lang/en", params={"next": "/customers"}, follow_redirects=False)
    assert r.headers["location"] == "/customers" and "kehu_lang=en" in r.headers["set-cookie"]
    assert "Customer overview" in c.get("/").text
    assert (
        c.get("/lang/en", params={"next": "https://evil.example"}, follow_redirects=False).headers[
            "location"
        ]
        == "/"
    )


def test_security_headers_and_cookie_flags(app) -> None:  # noqa: ANN001
    c = TestClient(app)
    r = c.post("/login", data={"username": "admin", "password": PASSWORD}, follow_redirects=False)
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    page = c.get("/")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    https = TestClient(app, base_url="https://testserver")
    r = https.post(
        "/login", data={"username": "admin", "password": PASSWORD}, follow_redirects=False
    )
    assert "secure" in r.headers["set-cookie"].lower()


def test_brute_force_from_one_address_does_not_lock_out_the_real_user(app) -> None:  # noqa: ANN001
    app.state.kehu.settings.web.login_backoff_seconds = 30.0
    attacker = TestClient(app, client=("203.0.113.9", 4711))
    statuses = []
    for i in range(12):
        r = attacker.post(
            "/login", data={"username": "li", "password": f"guess-{i}"}, follow_redirects=False
        )
        statuses.append(r.status_code)
    free = app.state.kehu.settings.web.login_max_failures
    assert statuses[:free] == [401] * free and set(statuses[free:]) == {429}
    assert int(r.headers["retry-after"]) >= 30
    # even the right password is refused from the attacker's address meanwhile ...
    r = attacker.post("/login", data={"username": "li", "password": PASSWORD})
    assert r.status_code == 429
    # ... but li logs in from her own address
    li = TestClient(app, client=("198.51.100.20", 5000))
    r = li.post("/login", data={"username": "li", "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 303
    events = [e for e in audit.events(app.state.kehu.ws) if e.user_name == "li"]
    actions = [e.action for e in events]
    assert actions.count("login_failed") == free
    assert actions.count("login_throttled") == 1  # one entry per back-off step, not per try
    after = [e for e in events if e.action == "login_after_failures"]
    assert [(e.ip, e.detail["other_addresses_failures"]) for e in after] == [
        ("198.51.100.20", free)
    ]


def _flat(dependant, kind: str) -> list:  # noqa: ANN001
    """Every query or path parameter of a route, its sub-dependencies' included."""
    out = list(getattr(dependant, kind))
    for sub in dependant.dependencies:
        out += _flat(sub, kind)
    return out


HUGE = "99999999999999999999"
BAD_NUMBERS = [HUGE, "-" + HUGE, "-1", "1e999", "nan", "abc", ""]
BAD_DATES = ["2026-13-45", "99999-01-01", "0000-00-00", "yesterday", HUGE]
BAD_TEXT = [
    "x" * 5000,
    "\x00",
    "'; DROP TABLE customers; --",
    "%_%",
    "../../etc/passwd",
    "🙂" * 300,
]


def _hostile(annotation: object) -> tuple[list[str], bool]:
    """Values to send for a parameter type, and whether each must be refused with a 422."""
    text = str(annotation)
    if "int" in text or "float" in text:
        return BAD_NUMBERS, True
    if "date" in text:
        return BAD_DATES, True
    if "bool" in text:
        return ["maybe", HUGE], True
    return BAD_TEXT, False


def test_every_get_route_refuses_hostile_parameters_without_a_500(app) -> None:  # noqa: ANN001
    from test_access_routes import _routes

    client = TestClient(app, raise_server_exceptions=False)
    login(client, "admin")
    probed, problems = 0, []
    for method, path, route in _routes(app):
        if method != "GET" or path == "/docs":
            continue
        query = {q.name: q for q in _flat(route.dependant, "query_params")}
        paths = [p.name for p in _flat(route.dependant, "path_params")]
        base = path
        for name in paths:
            base = base.replace("{" + name + "}", "x")
        cases: list[tuple[str, dict[str, str], str, bool]] = []
        for name, field in query.items():
            values, strict = _hostile(field.field_info.annotation)
            cases += [(base, {name: v}, name, strict) for v in values]
        for name in paths:
            for value in [*BAD_TEXT[:1], "..", "%00", HUGE, "-1"]:
                url = path.replace("{" + name + "}", quote(value, safe=""))
                for other in paths:
                    url = url.replace("{" + other + "}", "x")
                cases.append((url, {}, name, False))
        for url, params, name, strict in cases:
            r = client.get(url, params=params, follow_redirects=False)
            probed += 1
            if r.status_code >= 500:
                problems.append((url, params, r.status_code, r.text[:200]))
            elif strict and r.status_code != 200:
                if r.status_code != 422:
                    problems.append((url, params, r.status_code, "want 422"))
                elif url.startswith("/api/"):
                    locs = [e["loc"] for e in r.json()["error"]["detail"]]
                    if not any(name in loc for loc in locs):
                        problems.append((url, params, locs, "field not named"))
                elif name not in r.text:
                    problems.append((url, params, r.status_code, "field not named on the page"))
        # the store still answers after whatever this route was sent
        if client.get("/api/v1/customers", params={"page_size": 1}).status_code != 200:
            problems.append((path, "store broken afterwards"))
    assert not problems, "\n".join(repr(p)[:300] for p in problems)
    assert probed > 300
    assert client.get("/api/v1/customers", params={"page": HUGE}).status_code == 422


def test_integer_ids_in_write_paths_are_bounded(app) -> None:  # noqa: ANN001
    client = token_client(app, "admin")
    for url in ("/api/v1/alerts/{}/ack", "/api/v1/tasks/{}"):
        r = client.post(url.format(HUGE), json={"status": "done"})
        assert r.status_code == 422, (url, r.status_code, r.text)
        assert any(e["loc"][-1] in ("alert_id", "task_id") for e in r.json()["error"]["detail"])
    assert client.get("/api/v1/customers").status_code == 200


def test_mask_query_hides_search_values_and_pii() -> None:
    from kehu.web.accesslog import mask_path

    out = mask_path(
        "/api/v1/customers?q=%E5%BC%A0%E4%BC%9F&owner=%E6%9D%8E%E5%A8%9C&page=2"
        "&customer_id=13812345678&note=zhang.san%40example.com&x=110101199003077513"
        "&y=%2B86%20138-1234-5678"
    )
    assert "q=***" in out and "page=2" in out
    assert "13812345678" not in out and "138****5678" in out
    assert "zhang.san" not in out and "z***@example.com" in out.replace("%40", "@")
    assert "110101199003077513" not in out and "110*************13" in out
    assert "1234-5678" not in out
    nested = mask_path("/login?next=/customers%3Fq%3D13900001111%26page%3D3")
    assert "13900001111" not in nested and "page" in nested
    assert mask_path("/customers/C0001") == "/customers/C0001"
    assert "13812345678" not in mask_path("/customers?13812345678")


@contextmanager
def _served(app) -> Iterator[str]:  # noqa: ANN001
    """A real uvicorn serving the app on a free port of 127.0.0.1; yields the base URL."""
    import socket
    import threading
    import time

    import uvicorn

    from kehu.web import accesslog

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(app, host="127.0.0.1", port=port, access_log=True, log_level="info")
    accesslog.install()  # as `kehu serve` does, after uvicorn configured its loggers
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(200):
            if server.started:
                break
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)


def test_served_access_log_masks_query_strings(app) -> None:  # noqa: ANN001
    import logging

    import httpx

    lines: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: lines.append(record.getMessage())  # type: ignore[method-assign]
    logger = logging.getLogger("uvicorn.access")
    with _served(app) as base:
        logger.addHandler(handler)  # after uvicorn's logging set-up, which resets handlers
        try:
            httpx.get(f"{base}/api/v1/customers", params={"q": "13912345678", "page": "1"})
            httpx.get(
                f"{base}/api/v1/health", params={"email": "li.na@example.com", "x": "li@ex.cn"}
            )
        finally:
            logger.removeHandler(handler)
    text = "\n".join(lines)
    assert "/api/v1/customers?q=***&page=1" in text, text
    assert "13912345678" not in text and "li.na" not in text and "li@ex.cn" not in text


def test_long_text_in_write_bodies_is_a_422_naming_the_field(app) -> None:  # noqa: ANN001
    client = token_client(app, "admin")
    long = "x" * 5000
    bodies = {
        "/api/v1/goals": ({"metric": "revenue", "target": "1", "deadline": "2027-01-01",
                           "scope": long}, "scope"),
        "/api/v1/duplicates/merge": ({"a": long, "b": "C0001"}, "a"),
        "/api/v1/users": ({"user": "u1", "role": "rep", "region": long}, "region"),
        "/api/v1/reports": ({"period": long}, "period"),
        "/api/v1/tokens": ({"user": long}, "user"),
    }  # fmt: skip
    for url, (body, field) in bodies.items():
        r = client.post(url, json=body)
        assert r.status_code == 422, (url, r.status_code, r.text[:200])
        assert [field] in [e["loc"][-1:] for e in r.json()["error"]["detail"]], url
    assert app.state.kehu.ws.scalar("SELECT count(*) FROM goals") == 0


def test_brute_force_over_real_sockets_from_another_loopback_address(app) -> None:  # noqa: ANN001
    import httpx

    form = {"username": "li", "password": "wrong-guess"}
    with _served(app) as base:
        attacker = httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.2"))
        codes = [attacker.post(f"{base}/login", data=form).status_code for _ in range(8)]
        right = attacker.post(f"{base}/login", data={"username": "li", "password": PASSWORD})
        li = httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.1"))
        mine = li.post(f"{base}/login", data={"username": "li", "password": PASSWORD})
    assert codes[-1] == 429 and right.status_code == 429
    assert mine.status_code == 303 and "kehu_session" in mine.headers["set-cookie"]
    ips = {e.ip for e in audit.events(app.state.kehu.ws) if e.action == "login_throttled"}
    assert ips == {"127.0.0.2"}


def test_an_internal_error_is_a_message_and_the_next_request_works(app) -> None:  # noqa: ANN001
    ws = app.state.kehu.ws
    with ws.transaction() as cur:
        cur.execute("DROP TABLE targets")  # a damaged store: the targets query fails in DuckDB
    client = TestClient(app, raise_server_exceptions=False)
    csrf = login(client, "admin")
    r = client.get("/api/v1/targets")
    assert r.status_code == 500 and r.json()["error"]["type"] == "InternalError"
    assert "server log" in r.json()["error"]["en"] and "Catalog" not in r.text
    page = client.get("/targets")
    assert page.status_code == 500 and "服务器内部错误" in page.text
    # the same connection answers the next requests, reads and writes
    assert client.get("/api/v1/customers", params={"page_size": 1}).json()["total"] > 0
    r = client.post("/api/v1/alerts/1/ack", headers={"X-CSRF-Token": csrf})
    assert r.status_code in (200, 404)
    assert ws.scalar("SELECT count(*) FROM customers") > 0


@hsettings(max_examples=200, deadline=None)
@given(
    key=st.sampled_from(["q", "owner", "note", "next", "customer_id"]),
    phone=st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True),
    sep=st.sampled_from(["", " ", "-"]),
    prefix=st.sampled_from(["", "+86", "86", "tel:"]),
    text=st.text(alphabet="abc 张伟", max_size=8),
)
def test_no_phone_survives_the_access_log_mask(
    key: str, phone: str, sep: str, prefix: str, text: str
) -> None:
    from urllib.parse import unquote_plus, urlencode

    from kehu.web.accesslog import mask_path

    typed = f"{text}{prefix}{phone[:3]}{sep}{phone[3:7]}{sep}{phone[7:]}"
    value = f"/customers?q={typed}" if key == "next" else typed
    out = unquote_plus(mask_path("/api/v1/customers?" + urlencode({key: value, "page": 2})))
    assert phone not in "".join(c for c in out if c.isdigit()), out  # the middle is masked
    assert "page=2" in out


def test_admin_adds_a_viewer_through_the_api_and_it_can_only_read(app) -> None:  # noqa: ANN001
    admin = token_client(app, "admin")
    r = admin.post(
        "/api/v1/users",
        json={"user": "board", "role": "viewer", "region": "华北", "password": "x" * 12},
    )
    assert r.status_code == 201 and r.json()["role"] == "viewer", r.text
    viewer = TestClient(app)
    csrf = login(viewer, "board", "x" * 12)
    listed = viewer.get("/api/v1/customers").json()
    assert listed["total"] > 0 and {c["region"] for c in listed["items"]} == {"华北"}
    r = viewer.post("/api/v1/plan", headers={"X-CSRF-Token": csrf})
    assert r.status_code == 403 and "read-only" in r.json()["error"]["en"]


# customer -> (industry code as imported, employees, customer type); the others have neither
# an industry code nor a headcount (size "unknown"). Owners: C0001/4/7 张伟, C0002/5 李娜
# (华东), C0003/6 王强 (华北). Size bands by [market] size_limits 20 / 300 / 1000.
PLANTED = {
    "C0001": ("C3911", 50, "company"),  # C small
    "C0002": ("C1810", 500, "company"),  # C medium
    "C0003": ("c26", 5, "company"),  # C micro (lower case as typed in a CRM)
    "C0004": ("F5123", 5, "company"),  # F micro
    "C0005": ("I6510", None, "person"),  # I person
    "C0006": ("F5211", 50, "company"),  # F small
    "C0007": ("C3400", 1500, "company"),  # C large
}


def test_customer_list_filters_by_industry_size_and_region_within_scope(app) -> None:  # noqa: ANN001
    ws = app.state.kehu.ws
    with ws.transaction() as cur:
        for cid, (code, employees, kind) in PLANTED.items():
            cur.execute(
                "UPDATE customers SET industry_code = ?, employees = ?, customer_type = ?"
                " WHERE customer_id = ?",
                [code, employees, kind, cid],
            )

    def ids(client: TestClient, **params: str) -> list[str]:
        r = client.get("/api/v1/customers", params={**params, "page_size": 500})
        assert r.status_code == 200, r.text
        data = r.json()
        assert data["total"] == len(data["items"])
        return sorted(i["customer_id"] for i in data["items"])

    admin, _ = client_as(app, "admin")
    assert ids(admin, industry="C") == ["C0001", "C0002", "C0003", "C0007"]
    assert ids(admin, industry="制造业") == ids(admin, industry="manufacturing")
    assert ids(admin, industry="制造业") == ["C0001", "C0002", "C0003", "C0007"]
    assert ids(admin, industry="C", size="small") == ["C0001"]
    assert ids(admin, size="micro") == ["C0003", "C0004"]
    assert ids(admin, size="小型企业") == ["C0001", "C0006"]
    assert ids(admin, size="person") == ["C0005"]
    assert ids(admin, industry="C", region="华东") == ["C0001", "C0002", "C0007"]
    assert ids(admin, industry="F,C", size="micro") == ["C0003", "C0004"]
    assert len(ids(admin, size="unknown")) == 60 - len(PLANTED)
    options = admin.get("/api/v1/customers/options").json()
    assert options["industry"] == ["C", "F", "I"]
    assert options["size"] == ["large", "medium", "micro", "person", "small", "unknown"]
    bad = admin.get("/api/v1/customers", params={"industry": "Z"})
    assert bad.status_code == 400 and "Z" in bad.text and "制造业" in bad.text
    assert admin.get("/api/v1/customers", params={"size": "huge"}).status_code == 400

    zhang, _ = client_as(app, "zhang")  # a rep: own customers only, whatever the filter
    assert ids(zhang, industry="C") == ["C0001", "C0007"]
    assert ids(zhang, size="micro") == ["C0004"]
    assert ids(zhang, industry="C", region="华东") == ["C0001", "C0007"]
    assert ids(zhang, industry="C", region="华北") == []
    assert ids(zhang, industry="I") == []
    assert zhang.get("/api/v1/customers/options").json()["industry"] == ["C", "F"]
    wang, _ = client_as(app, "wang")
    assert ids(wang, industry="C") == ["C0003"]
    assert ids(wang, region="华东") == []

    # the page: select boxes show labels, keep the chosen code, and list the same customers
    page = admin.get("/customers", params={"industry": "C", "size": "small"})
    assert page.status_code == 200
    html = page.text
    assert '<option value="C" selected>制造业</option>' in html
    assert '<option value="small" selected>小型企业</option>' in html
    assert re.findall(r'data-id="(C\d+)"', html) == ["C0001"]
    admin.get("/lang/en")
    html = admin.get("/customers", params={"industry": "C", "size": "small"}).text
    assert '<option value="C" selected>Manufacturing</option>' in html
    assert '<option value="small" selected>Small</option>' in html
    assert ">Industry section</label>" in html and ">Company size</label>" in html
