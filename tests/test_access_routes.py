"""Row-level access, proven over the route table: a rep cannot reach another rep's customer
through any route — list, detail, search, 360, export, report, push API, token or page.

Routes are enumerated from `app.routes`, so a new route is probed automatically: GET routes
need nothing; a route with another method or an unknown path parameter must be given a
request below, or `test_every_route_is_covered` fails and names it.
"""

from __future__ import annotations

import io
import json
import re
import warnings
import zipfile
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from fastapi.routing import APIRoute
from test_web_support import PASSWORD, login, seeded_dir, seeded_ws  # noqa: F401

from kehu.access.auth import Auth
from kehu.app import Kehu
from kehu.web.app import create_app

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

VICTIM = "C0002"  # owned by 李娜 (user li); the probing rep is zhang (张伟)
OWN = "C0001"
PUBLIC = {"/login", "/lang/{code}", "/api/v1/health", "/openapi.json", "/docs"}
SKIP = {("POST", "/logout")}  # ends the probing session; covered by test_web_api
# (method, path) -> request for routes that change something; "form" = a page form post
WRITES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/api/v1/orders"): {"json": {"records": [
        {"customer_id": VICTIM, "order_id": "HACK-1", "order_date": "2026-09-30", "amount": "1"}]}},
    ("POST", "/api/v1/interactions"): {"json": {"records": [
        {"customer_id": VICTIM, "interaction_id": "HACK-2", "occurred_at": "2026-09-30 10:00"}]}},
    ("POST", "/api/v1/tickets"): {"json": {"records": [
        {"customer_id": VICTIM, "ticket_id": "HACK-3", "opened_at": "2026-09-30 10:00"}]}},
    ("POST", "/api/v1/surveys"): {"json": {"records": [
        {"customer_id": VICTIM, "survey_id": "HACK-4", "surveyed_on": "2026-09-30", "nps": 0}]}},
    ("POST", "/api/v1/alerts/{alert_id}/ack"): {},
    ("POST", "/api/v1/tasks/{task_id}"): {"json": {"status": "done"}},
    ("POST", "/api/v1/goals"): {"json": {"metric": "revenue", "target": "1",
                                         "deadline": "2027-01-01", "scope": "owner=李娜"}},
    ("POST", "/api/v1/plan"): {},
    ("POST", "/api/v1/imports"): {"files": {"file": ("x.csv", b"customer_id\nC0002\n")},
                                  "data": {"kind": "customers"}},
    ("POST", "/api/v1/imports/{upload_id}/preview"): {"json": {}},
    ("POST", "/api/v1/imports/{upload_id}/commit"): {"json": {}},
    ("POST", "/api/v1/reports"): {"json": {"format": "html"}},
    ("POST", "/api/v1/duplicates/merge"): {"json": {"a": VICTIM, "b": OWN}},
    ("POST", "/api/v1/duplicates/reject"): {"json": {"a": VICTIM, "b": OWN}},
    ("POST", "/api/v1/users"): {"json": {"user": "mole", "role": "admin", "password": "x" * 12}},
    ("POST", "/api/v1/users/{user_name}"): {"json": {"role": "rep", "region": "华北"}},
    ("POST", "/api/v1/tokens"): {"json": {"label": "steal", "user": "li"}},
    ("DELETE", "/api/v1/tokens/{token_id}"): {},
    ("POST", "/login"): {"data": {"username": "li", "password": "wrong"}},
    ("POST", "/alerts/{alert_id}/ack"): {"form": {}},
    ("POST", "/tasks/{task_id}"): {"form": {"status": "done"}},
    ("POST", "/tasks/plan"): {"form": {}},
    ("POST", "/goals"): {"form": {"metric": "revenue", "target": "1", "deadline": "2027-01-01",
                                  "scope": "owner=李娜"}},
    ("POST", "/reports"): {"form": {"format": "html"}},
    ("POST", "/imports"): {"form": {"kind": "customers"},
                           "files": {"file": ("x.csv", b"customer_id\nC0002\n")}},
    ("POST", "/imports/{upload_id}/preview"): {"form": {"hdr_0": "customer_id", "col_0": "name"}},
    ("POST", "/imports/{upload_id}/commit"): {"form": {"hdr_0": "customer_id"}},
    ("POST", "/admin/users"): {"form": {"user": "mole", "role": "admin", "password": "x" * 12}},
    ("POST", "/admin/settings"): {"form": {"settings": "[web]\npii_roles = ['rep']\n"}},
    ("POST", "/account/tokens"): {"form": {"label": "mine"}},
    ("POST", "/account/tokens/{token_id}/revoke"): {"form": {}},
    ("POST", "/account/password"): {"form": {"current": "wrong", "new": "y" * 12}},
    ("POST", "/quality/merge"): {"form": {"a": VICTIM, "b": OWN}},
    ("POST", "/accounts/{customer_id}"): {"form": {"revenue_goal": "1", "notes": "HACK"}},
    ("POST", "/api/v1/accounts/{customer_id}/plan"): {"json": {"notes": "HACK"}},
    ("POST", "/quality/reject"): {"form": {"a": VICTIM, "b": OWN}},
}  # fmt: skip
OK_STATUS = {200, 201, 204, 303, 400, 401, 403, 404, 405, 422}


def _routes(app: Any) -> list[tuple[str, str, APIRoute]]:
    """(method, full path, route) for every API and page route of the app."""
    try:  # FastAPI >= 0.16x keeps included routers lazily; this flattens them
        from fastapi.routing import iter_route_contexts

        items: list[Any] = list(iter_route_contexts(app.routes))
    except ImportError:
        items = list(app.routes)
    out = []
    for item in items:
        route = getattr(item, "original_route", item)
        if not isinstance(route, APIRoute):
            continue
        for method in sorted((item.methods or set()) - {"HEAD"}):
            out.append((method, item.path, route))
    assert out, "no routes found: the route table API changed"
    return out


@pytest.fixture
def world(seeded_ws):  # noqa: ANN001, ANN201, F811
    """The app plus things that belong to li's customer: a task, an alert, a goal, a target,
    a report, li's API token, and an admin's upload."""
    ws = seeded_ws
    now = datetime.now()
    with ws.transaction() as cur:
        cur.execute(
            "INSERT INTO tasks (task_id, customer_id, customer_name, playbook, period, owner,"
            " status, direction_zh, direction_en, created_at, updated_at)"
            " SELECT 9001, customer_id, name, 'rfm_type.churn_risk', '2026-10', owner, 'open',"
            " '挽回', 'win back', ?, ? FROM customers WHERE customer_id = ?",
            [now, now, VICTIM],
        )
        cur.execute(
            "INSERT INTO alerts (alert_id, rule, condition_key, status, customer_id,"
            " customer_name, owner, title_zh, title_en, severity, first_seen_at, last_seen_at)"
            " SELECT 7001, 'churn', 'churn|customer:' || customer_id, 'open', customer_id, name,"
            " owner, '流失预警 ' || name, 'churn ' || name, 'critical', ?, ?"
            " FROM customers WHERE customer_id = ?",
            [now, now, VICTIM],
        )
        cur.execute(
            "INSERT INTO targets (source, target_id, period, owner, customer_id, amount)"
            " VALUES ('plan', 'T-1', '2026', '李娜', ?, 100000)",
            [VICTIM],
        )
        # competitors at both reps' customers, and a note at li's naming one
        cur.execute(
            "INSERT INTO competitors (source, competitor_id, name, aliases)"
            " VALUES ('crm', 'K1', '华信科技', '华信')"
        )
        cur.execute(
            "UPDATE customers SET incumbent_supplier = '华信', share_of_wallet = 0.3"
            " WHERE customer_id IN (?, ?)",
            [VICTIM, OWN],
        )
        cur.execute(
            "INSERT INTO interactions (source, interaction_id, customer_id, kind, occurred_at,"
            " summary) VALUES ('crm', 'N-1', ?, 'visit', ?, '华信科技来报价')",
            [VICTIM, datetime(2026, 9, 1, 10)],
        )
        # a satisfaction measure for both reps' customers: each sees only their own listed
        cur.execute(
            "INSERT INTO satisfaction_measures (measure_id, driver, region, owner, planned_on,"
            " status, action_zh, action_en, customers) VALUES (1, 'sla_response', '华东', '王经理',"
            " DATE '2026-09-01', 'open', '回访', 'call back', ?)",
            [json.dumps([OWN, VICTIM])],
        )
    # an open deal at each rep's customer, in a stored forecast run (the page lists deals)
    cur_day = date(2026, 9, 1)
    with ws.transaction() as cur:
        for deal, cid in (("SJ-V", VICTIM), ("SJ-O", OWN)):
            cur.execute(
                "INSERT INTO opportunities (source, opportunity_id, customer_id, stage, status,"
                " amount, owner, created_on) SELECT 'crm', ?, customer_id, '方案报价', 'open',"
                " 50000, owner, ? FROM customers WHERE customer_id = ?",
                [deal, cur_day, cid],
            )
    Kehu(ws).forecast(backtest=False)
    app = create_app(ws, background=False)
    li = TestClient(app)
    li_csrf = login(li, "li")
    report = li.post("/api/v1/reports", json={"format": "html"}, headers={"X-CSRF-Token": li_csrf})
    assert report.status_code == 201, report.text
    li_token = Auth(ws).create_token("li", "li's integration")
    admin = TestClient(app, headers={"Authorization": f"Bearer {Auth(ws).create_token('admin')}"})
    upload = admin.post(
        "/api/v1/imports",
        files={"file": ("c.csv", "客户编号,客户名称\nC0002,x\n".encode())},
        data={"kind": "customers"},
    )
    assert upload.status_code == 201, upload.text
    name, phone, email = ws.rows(
        "SELECT name, phone, email FROM customers WHERE customer_id = ?", [VICTIM]
    )[0]
    return {
        "app": app,
        "ws": ws,
        "params": {
            "customer_id": VICTIM,
            "alert_id": "7001",
            "task_id": "9001",
            "report_id": report.json()["report_id"],
            "token_id": li_token.split("_")[1],
            "upload_id": upload.json()["upload_id"],
            "user_name": "li",
            "code": "en",
        },
        "markers": [name, phone, phone[3:], email, "流失预警 " + name],
        "name": name,
    }


def _texts(response: Any) -> list[str]:
    """Every text a response carries (inside XLSX/zip files too)."""
    body = response.content
    if body[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(body)) as z:
            return [z.read(n).decode("utf-8", "replace") for n in z.namelist()]
    return [body.decode("utf-8", "replace")]


def _probe(client: TestClient, world: dict[str, Any], csrf: str | None, pages: bool) -> list:
    seen = []
    for method, path, _route in _routes(world["app"]):
        if path in PUBLIC or (method, path) in SKIP:
            continue
        if not pages and not path.startswith("/api/"):
            continue
        params = re.findall(r"{(\w+)}", path)
        url = path.format(**{p: world["params"][p] for p in params})
        spec = dict(WRITES.get((method, path), {}))
        headers = {"X-CSRF-Token": csrf} if csrf else {}
        if method == "GET":
            # search for the victim by most of its name (the page echoes the query itself)
            query = {
                "q": world["name"][2:],
                "customer_id": VICTIM,
                "owner": "李娜",
                "format": "xlsx",
            }
            r = client.get(url, params=query, headers=headers, follow_redirects=False)
        else:
            form = spec.pop("form", None)
            if form is not None:
                spec["data"] = {**form, "csrf_token": csrf or ""}
            r = client.request(method, url, headers=headers, follow_redirects=False, **spec)
        assert r.status_code in OK_STATUS, (method, url, r.status_code, r.text[:300])
        for text in _texts(r):
            leaked = [m for m in world["markers"] if m and m in text]
            assert not leaked, (method, url, r.status_code, leaked)
        seen.append((method, path, r.status_code))
    return seen


def _nothing_changed(world: dict[str, Any]) -> None:
    ws = world["ws"]
    assert ws.scalar("SELECT status FROM tasks WHERE task_id = 9001") == "open"
    assert ws.scalar("SELECT status FROM alerts WHERE alert_id = 7001") == "open"
    assert ws.scalar("SELECT count(*) FROM customers WHERE customer_id = ?", [VICTIM]) == 1
    for table, col in (("orders", "order_id"), ("interactions", "interaction_id"),
                       ("tickets", "ticket_id"), ("surveys", "survey_id")):  # fmt: skip
        assert ws.scalar(f"SELECT count(*) FROM {table} WHERE {col} LIKE 'HACK-%'") == 0
    token_id = world["params"]["token_id"]
    assert ws.scalar("SELECT revoked_at FROM api_tokens WHERE token_id = ?", [token_id]) is None
    assert ws.scalar("SELECT count(*) FROM users WHERE user_name = 'mole'") == 0
    assert ws.scalar("SELECT role FROM users WHERE user_name = 'li'") == "rep"
    assert ws.scalar("SELECT count(*) FROM goals") == 0
    assert ws.scalar("SELECT count(*) FROM account_plans WHERE customer_id = ?", [VICTIM]) == 0
    assert ws.settings.web.pii_roles == ["admin", "manager"]


def test_every_route_is_covered(world) -> None:  # noqa: ANN001
    missing = []
    for method, path, _route in _routes(world["app"]):
        if path in PUBLIC or (method, path) in SKIP:
            continue
        unknown = [p for p in re.findall(r"{(\w+)}", path) if p not in world["params"]]
        if unknown or (method != "GET" and (method, path) not in WRITES):
            missing.append((method, path, unknown))
    assert not missing, f"add these routes to WRITES / params in {__name__}: {missing}"
    # the viewer's own-account exemptions name real write routes (a rename would stale them)
    from kehu.web.api.deps import SELF_SERVICE

    writes = {path for method, path, _ in _routes(world["app"]) if method != "GET"}
    assert not SELF_SERVICE - writes, SELF_SERVICE - writes


def test_rep_cannot_reach_another_reps_customer_by_session(world) -> None:  # noqa: ANN001
    client = TestClient(world["app"])
    csrf = login(client, "zhang")
    seen = _probe(client, world, csrf, pages=True)
    assert len(seen) > 40
    _nothing_changed(world)
    # the report zhang just generated holds none of li's customers either
    for report in client.get("/api/v1/reports").json():
        r = client.get(f"/api/v1/reports/{report['report_id']}/download")
        assert r.status_code == 200
        assert not [m for m in world["markers"] if m in r.text]
    # positive control: the same routes do show zhang's own customer
    own = client.get(f"/api/v1/customers/{OWN}/360").json()
    assert own["customer"]["customer_id"] == OWN
    rivals = client.get("/api/v1/competitors").json()
    assert [c["customer_id"] for c in rivals["customers"]] == [OWN]
    assert rivals["mentions"] == []  # the note is at li's customer
    own_plan = client.get(f"/api/v1/accounts/{OWN}/plan").json()
    assert own_plan["customer"]["customer_id"] == OWN
    assert client.get(f"/accounts/{OWN}/export", params={"format": "xlsx"}).status_code == 200
    assert client.get(f"/customers/{OWN}").status_code == 200
    measures = client.get("/api/v1/satisfaction").json()["measures"]
    assert [m["customers"] for m in measures] == [[OWN]]
    page = client.get("/satisfaction").text
    assert f"/customers/{OWN}" in page and f"/customers/{VICTIM}" not in page


def test_rep_cannot_reach_another_reps_customer_by_token(world) -> None:  # noqa: ANN001
    token = Auth(world["ws"]).create_token("zhang", "probe")
    client = TestClient(world["app"], headers={"Authorization": f"Bearer {token}"})
    seen = _probe(client, world, None, pages=False)
    assert len(seen) > 25
    _nothing_changed(world)
    mine = client.post("/api/v1/tokens", json={"user": "li"}).json()
    assert mine["user"] == "zhang"  # a rep cannot mint a token for someone else


def test_manager_sees_region_not_other_regions(world) -> None:  # noqa: ANN001
    client = TestClient(world["app"])
    login(client, "east_mgr")
    ws = world["ws"]
    north = ws.rows("SELECT customer_id, name FROM customers WHERE region = '华北' LIMIT 1")[0]
    assert client.get(f"/api/v1/customers/{north[0]}").status_code == 404
    listed = client.get("/api/v1/customers", params={"q": north[1]}).json()
    assert listed["total"] == 0
    assert client.get(f"/api/v1/customers/{VICTIM}").status_code == 200  # 华东 customer
    json.dumps(client.get("/api/v1/snapshot/watchlist").json())
    assert all(w["region"] == "华东" for w in client.get("/api/v1/snapshot/watchlist").json())
    assert date.today()  # keeps the import list honest for later edits


def _viewer_probe(world, client: TestClient, csrf: str | None, pages: bool) -> None:  # noqa: ANN001
    from kehu.web.api.deps import SELF_SERVICE

    seen = _probe(client, world, csrf, pages=pages)
    writes = [(m, p, s) for m, p, s in seen if m != "GET"]
    assert len(writes) > (20 if pages else 10)
    allowed = [(m, p, s) for m, p, s in writes if s != 403 and p not in SELF_SERVICE]
    assert not allowed, f"write routes that did not refuse a viewer: {allowed}"
    _nothing_changed(world)


def test_viewer_reads_its_region_and_every_write_route_refuses_it(world) -> None:  # noqa: ANN001
    ws = world["ws"]
    Auth(ws).add_user("north_viewer", "viewer", region="华北", password=PASSWORD)
    client = TestClient(world["app"])
    csrf = login(client, "north_viewer")
    _viewer_probe(world, client, csrf, pages=True)
    # positive control: it reads its region's customers, pages and API alike, PII masked
    north = ws.rows("SELECT customer_id, phone FROM customers WHERE region = '华北'")
    listed = client.get("/api/v1/customers", params={"page_size": 500}).json()
    assert listed["total"] == len(north)
    one = client.get(f"/api/v1/customers/{north[0][0]}").json()
    assert one["customer_id"] == north[0][0] and one["phone"] != north[0][1]
    assert client.get(f"/customers/{north[0][0]}").status_code == 200
    assert client.get("/api/v1/customers/export", params={"format": "csv"}).status_code == 200
    assert client.get("/api/v1/me").json()["role"] == "viewer"
    # the pages offer it no write forms
    assert 'id="report-form"' not in client.get("/reports").text


def test_viewer_by_token_cannot_write_through_the_api(world) -> None:  # noqa: ANN001
    ws = world["ws"]
    Auth(ws).add_user("north_viewer", "viewer", region="华北")
    token = Auth(ws).create_token("north_viewer", "read-only integration")
    client = TestClient(world["app"], headers={"Authorization": f"Bearer {token}"})
    _viewer_probe(world, client, None, pages=False)


def test_viewer_without_region_is_scoped_like_a_rep(world) -> None:  # noqa: ANN001
    ws = world["ws"]
    # an assistant who reads 李娜's book: owner names through [web] rep_aliases
    ws.settings.web.rep_aliases["li_assistant"] = ["李娜"]
    Auth(ws).add_user("li_assistant", "viewer", password=PASSWORD)
    client = TestClient(world["app"])
    csrf = login(client, "li_assistant")
    assert client.get(f"/api/v1/customers/{VICTIM}").status_code == 200  # 李娜's
    assert client.get(f"/api/v1/customers/{OWN}").status_code == 404  # 张伟's
    r = client.post("/api/v1/alerts/7001/ack", headers={"X-CSRF-Token": csrf})
    assert r.status_code == 403
    assert ws.scalar("SELECT status FROM alerts WHERE alert_id = 7001") == "open"
    # its pages list li's alert and task but offer no write forms
    alerts, tasks = client.get("/alerts").text, client.get("/tasks").text
    assert "流失预警 " + world["name"] in alerts and "/alerts/7001/ack" not in alerts
    assert "挽回" in tasks and "/tasks/9001" not in tasks


def test_backtest_is_only_for_roles_that_see_every_customer(world):  # noqa: ANN001
    """Backtest figures are workspace-wide (every region's revenue): a rep gets 403."""
    rep = TestClient(world["app"])
    login(rep, "zhang")
    for url in ("/api/v1/backtest", "/api/v1/backtest/history", "/backtest"):
        assert rep.get(url, follow_redirects=False).status_code == 403, url
    token = Auth(world["ws"]).create_token("admin")
    admin = TestClient(world["app"], headers={"Authorization": f"Bearer {token}"})
    assert admin.get("/api/v1/backtest").status_code == 404  # no run stored yet
    assert admin.get("/api/v1/backtest/history").json() == []


def test_forecast_shows_a_rep_its_own_deals(world) -> None:  # noqa: ANN001
    """The stored forecast run is narrowed to the caller's customers, API and page alike."""
    rep = TestClient(world["app"])
    login(rep, "zhang")
    mine = rep.get("/api/v1/forecast").json()
    assert mine["scoped"] is True and [d["deal"] for d in mine["deals"]] == ["SJ-O"]
    assert mine["total"]["open_deals"] == 1 and mine["total"]["target"] is None
    page = rep.get("/forecast").text
    assert 'data-deal="SJ-O"' in page and "SJ-V" not in page and world["name"] not in page
    token = Auth(world["ws"]).create_token("admin")
    admin = TestClient(world["app"], headers={"Authorization": f"Bearer {token}"})
    whole = admin.get("/api/v1/forecast").json()
    assert whole["scoped"] is False and {d["deal"] for d in whole["deals"]} == {"SJ-O", "SJ-V"}


def test_playbook_effect_counts_only_the_callers_customers(world) -> None:  # noqa: ANN001
    """A plan's arms of both reps' customers, an outcome snapshot later: the rep's effect
    report (API and page) counts its own customer only, the admin's both."""
    ws = world["ws"]
    with ws.transaction() as cur:
        latest = cur.execute("SELECT max(as_of) FROM customer_snapshot").fetchone()[0]
        plan = latest - timedelta(days=ws.settings.effect.window_days + 1)
        cur.execute(
            "INSERT INTO customer_snapshot BY NAME SELECT * REPLACE (CAST(? AS DATE) AS as_of)"
            " FROM customer_snapshot WHERE as_of = ?",
            [plan, latest],
        )
        for cid in (VICTIM, OWN):
            cur.execute(
                "INSERT INTO plan_arms (as_of, customer_id, playbook, arm, share, draw, seed)"
                " VALUES (?, ?, 'rfm_type.churn_risk', 'treated', 0.1, 0.5, 0)",
                [plan, cid],
            )
    rep = TestClient(world["app"])
    login(rep, "zhang")
    mine = rep.get("/api/v1/effect").json()
    assert mine["plan_date"] == plan.isoformat() and mine["measurable"] is True
    assert [p["eligible"] for p in mine["playbooks"]] == [1]
    page = rep.get("/effect")
    assert page.status_code == 200 and world["name"] not in page.text
    token = Auth(ws).create_token("admin")
    admin = TestClient(world["app"], headers={"Authorization": f"Bearer {token}"})
    assert [p["eligible"] for p in admin.get("/api/v1/effect").json()["playbooks"]] == [2]


def test_rep_cannot_see_another_reps_scorecard(world) -> None:  # noqa: ANN001
    """A rep gets its own scorecard only (API, page, workbook); a manager its region's."""
    rep = TestClient(world["app"])
    login(rep, "zhang")
    cards = rep.get("/api/v1/scorecards").json()
    assert [r["unit"] for r in cards["reps"]] == ["张伟"] and cards["teams"] == []
    page = rep.get("/scorecards")
    assert page.status_code == 200 and "张伟" in page.text and "李娜" not in page.text
    book = rep.get("/scorecards/export")
    assert book.status_code == 200 and book.content[:2] == b"PK"
    texts = _texts(book)
    assert any("张伟" in t for t in texts) and not any("李娜" in t for t in texts)
    # the rank is over every rep, not 1 of 1
    assert cards["reps"][0]["ranked"] >= 2
    mgr = TestClient(world["app"])
    login(mgr, "east_mgr")
    seen = mgr.get("/api/v1/scorecards").json()
    assert {r["unit"] for r in seen["reps"]} >= {"张伟", "李娜"}
    assert [t["unit"] for t in seen["teams"]] == ["华东"]
    assert all(r["region"] == "华东" for r in seen["reps"])
    assert mgr.get("/plan/economics").status_code == 200
