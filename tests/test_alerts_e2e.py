"""Acceptance: alerts reach a real HTTP receiver on 127.0.0.1 in each robot's format.

WeCom, DingTalk (signature checked), Feishu (signature checked), Slack and a generic signed
webhook; a second run sends nothing new; an unreachable endpoint is retried, logged as failed,
and its alerts are delivered on a later run.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from test_alerts_support import build_demo

from kehu.config import settings_from_dict
from kehu.monitor.alerts import run_alerts
from kehu.workspace import Workspace

DING_SECRET = "SECdingtalk-test-secret-0123456789"
FEISHU_SECRET = "feishu-test-secret-abcdef"
HOOK_SECRET = "generic-hook-secret"


class Receiver:
    """A threaded HTTP server that checks signatures like the real platforms do."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.fail_next: dict[str, int] = {}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("content-length", 0))
                raw = self.rfile.read(length)
                parts = urlsplit(self.path)
                body = json.loads(raw.decode("utf-8"))
                status, answer = receiver.answer(
                    parts.path, parse_qs(parts.query), body, dict(self.headers), raw
                )
                data = json.dumps(answer).encode() if not isinstance(answer, bytes) else answer
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def answer(
        self, path: str, query: dict, body: dict, headers: dict, raw: bytes
    ) -> tuple[int, object]:
        record = {"path": path, "query": query, "body": body, "headers": headers, "ok": True}
        self.requests.append(record)
        if self.fail_next.get(path, 0) > 0:
            self.fail_next[path] -= 1
            record["ok"] = False
            return 503, {"error": "try later"}
        if path == "/wecom":
            assert query["key"] == ["wecom-key"]
            return 200, {"errcode": 0, "errmsg": "ok"}
        if path == "/dingtalk":
            ts = query["timestamp"][0]
            want = base64.b64encode(
                hmac.new(
                    DING_SECRET.encode(), f"{ts}\n{DING_SECRET}".encode(), hashlib.sha256
                ).digest()
            ).decode()
            record["sign_ok"] = query["sign"][0] == want  # parse_qs already URL-decoded
            if not record["sign_ok"]:
                record["ok"] = False
                return 200, {"errcode": 310000, "errmsg": "sign not match"}
            return 200, {"errcode": 0, "errmsg": "ok"}
        if path.startswith("/feishu"):
            ts = body["timestamp"]
            key = f"{ts}\n{FEISHU_SECRET}".encode()
            want = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
            record["sign_ok"] = body["sign"] == want
            if not record["sign_ok"]:
                record["ok"] = False
                return 200, {"code": 19021, "msg": "sign match fail"}
            return 200, {"code": 0, "msg": "success", "data": {}}
        if path == "/hook":
            if "X-Kehu-Timestamp" not in headers:
                return 200, {"ok": True}  # an unsigned hook
            ts = headers["X-Kehu-Timestamp"]
            mac = hmac.new(HOOK_SECRET.encode(), ts.encode() + b"." + raw, hashlib.sha256)
            record["sign_ok"] = headers["X-Kehu-Signature"] == "sha256=" + mac.hexdigest()
            return (200, {"ok": True}) if record["sign_ok"] else (401, {"ok": False})
        if path == "/slack":
            return 200, b"ok"
        return 404, {"error": "unknown path"}

    def on(self, path: str) -> list[dict]:
        return [r for r in self.requests if r["path"] == path]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    rec = Receiver()
    rec.thread.start()
    yield rec
    rec.server.shutdown()
    rec.server.server_close()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def configure(ws: Workspace, base: str, dead: str) -> None:
    ws.settings = settings_from_dict(
        {
            "notify": {
                "retries": 2,
                "backoff_seconds": 0.01,
                "backoff_max_seconds": 0.05,
                "people": {"张伟": {"mobile": "13800000001", "email": "zw@example.com"}},
                "channels": {
                    "wecom": {"type": "wecom", "url_env": "KEHU_TEST_WECOM_URL"},
                    "ding": {
                        "type": "dingtalk",
                        "url": f"{base}/dingtalk?access_token=tok",
                        "secret_env": "KEHU_DINGTALK_SECRET",
                    },
                    "feishu": {
                        "type": "feishu",
                        "url": f"{base}/feishu/hook-id",
                        "secret": FEISHU_SECRET,
                    },
                    "hook": {"type": "webhook", "url": f"{base}/hook", "secret": HOOK_SECRET},
                    "slack": {"type": "slack", "url": f"{base}/slack"},
                    "dead": {"type": "webhook", "url": dead},
                },
            }
        }
    )


def test_alert_delivery_end_to_end(
    ws: Workspace, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KEHU_TEST_WECOM_URL", f"{receiver.url}/wecom?key=wecom-key")
    monkeypatch.setenv("KEHU_DINGTALK_SECRET", DING_SECRET)
    build_demo(ws)
    dead = f"http://127.0.0.1:{closed_port()}/hook"
    configure(ws, receiver.url, dead)

    first = run_alerts(ws)
    new_ids = set(first.new)
    owners = {r[0] for r in ws.rows("SELECT DISTINCT coalesce(owner, '') FROM alerts")}
    assert len(new_ids) > 20 and owners == {"张伟", "李娜", ""}

    # Generic webhook: every new alert exactly once, one digest per owner, signature valid.
    hooks = receiver.on("/hook")
    assert len(hooks) == 3 and all(r["sign_ok"] for r in hooks)
    seen = [a["alert_id"] for r in hooks for a in r["body"]["alerts"]]
    assert sorted(seen) == sorted(new_ids)
    by_owner = {r["body"]["owner"]: r["body"] for r in hooks}
    assert set(by_owner) == {"张伟", "李娜", None}
    zw = by_owner["张伟"]
    assert zw["type"] == "alert_digest" and zw["count"] == len(zw["alerts"])
    assert all(a["owner"] == "张伟" for a in zw["alerts"])
    sev = [a["severity"] for a in zw["alerts"]]
    assert sev == sorted(sev, key=["info", "low", "medium", "high", "critical"].index, reverse=True)

    # WeCom markdown, DingTalk markdown with @mobile, Feishu post: signatures verified.
    wecom = receiver.on("/wecom")
    assert len(wecom) == 3 and all(r["body"]["msgtype"] == "markdown" for r in wecom)
    assert all("kehu 客户预警" in r["body"]["markdown"]["content"] for r in wecom)
    assert all(len(r["body"]["markdown"]["content"].encode()) <= 4096 for r in wecom)
    ding = receiver.on("/dingtalk")
    assert len(ding) == 3 and all(r["sign_ok"] for r in ding)
    zw_ding = next(r for r in ding if "张伟" in r["body"]["markdown"]["title"])
    assert zw_ding["body"]["at"]["atMobiles"] == ["13800000001"]
    assert "@13800000001" in zw_ding["body"]["markdown"]["text"]
    feishu = receiver.on("/feishu/hook-id")
    assert len(feishu) == 3 and all(r["sign_ok"] for r in feishu)
    post = feishu[0]["body"]["content"]["post"]["zh_cn"]
    assert post["title"].startswith("kehu 客户预警") and post["content"]
    assert len(receiver.on("/slack")) == 3

    # Each digest line names the alert: the churn alert's text is in the robot messages.
    churn = ws.rows(
        "SELECT owner, customer_name FROM alerts"
        " WHERE rule = 'key_account_churn_risk' AND owner = '张伟' LIMIT 1"
    )
    if churn:
        assert churn[0][1] in zw_ding["body"]["markdown"]["text"]

    # The unreachable endpoint: 3 attempts per digest, logged, alerts kept for later.
    dead_log = ws.rows(
        "SELECT owner, attempt, status, error, target FROM notify_log"
        " WHERE channel = 'dead' ORDER BY owner, attempt"
    )
    assert len(dead_log) == 9
    assert [r[2] for r in dead_log[:3]] == ["retry", "retry", "failed"]
    assert all("Connect" in r[3] for r in dead_log)
    assert ws.scalar(
        "SELECT count(*) FROM alert_deliveries WHERE channel = 'dead' AND status = 'failed'"
    ) == len(new_ids)
    assert first.delivery is not None and first.delivery.failed == len(new_ids)

    # Secrets never reach the store.
    dump = json.dumps(ws.rows("SELECT * FROM notify_log"), default=str)
    dump += json.dumps(ws.rows("SELECT * FROM alert_deliveries"), default=str)
    for secret in (DING_SECRET, FEISHU_SECRET, HOOK_SECRET, "wecom-key"):
        assert secret not in dump

    # Second run: nothing new goes to the working channels; the dead one is retried.
    count = len(receiver.requests)
    second = run_alerts(ws)
    assert second.new == [] and len(receiver.requests) == count
    assert ws.scalar("SELECT max(runs) FROM alert_deliveries WHERE channel = 'dead'") == 2

    # The endpoint comes back: the kept alerts are delivered once, then never again.
    ws.settings.notify.channels["dead"].url = f"{receiver.url}/hook"
    run_alerts(ws)
    later = receiver.requests[count:]
    assert {r["path"] for r in later} == {"/hook"}
    assert sorted(a["alert_id"] for r in later for a in r["body"]["alerts"]) == sorted(new_ids)
    assert ws.scalar("SELECT count(*) FROM alert_deliveries WHERE status <> 'sent'") == 0
    count = len(receiver.requests)
    run_alerts(ws)
    assert len(receiver.requests) == count


def test_transient_failure_is_retried(ws: Workspace, receiver: Receiver) -> None:
    build_demo(ws, n=6)
    ws.settings = settings_from_dict(
        {
            "notify": {
                "backoff_seconds": 0.01,
                "channels": {"hook": {"type": "webhook", "url": f"{receiver.url}/hook"}},
            }
        }
    )
    receiver.fail_next["/hook"] = 2
    result = run_alerts(ws)
    assert result.delivery is not None and result.delivery.failed == 0
    statuses = [r[0] for r in ws.rows("SELECT status FROM notify_log ORDER BY logged_at")]
    assert statuses[:3] == ["retry", "retry", "sent"]
    assert [r["ok"] for r in receiver.on("/hook")][:3] == [False, False, True]


def test_bad_signature_is_not_retried(ws: Workspace, receiver: Receiver) -> None:
    build_demo(ws, n=3)
    ws.settings = settings_from_dict(
        {
            "notify": {
                "backoff_seconds": 0.01,
                "channels": {
                    "ding": {
                        "type": "dingtalk",
                        "url": f"{receiver.url}/dingtalk",
                        "secret": "SECwrong",
                    }
                },
            }
        }
    )
    result = run_alerts(ws)
    assert result.delivery is not None and result.delivery.sent == 0
    rows = ws.rows("SELECT attempt, status, error FROM notify_log")
    assert all(r[0] == 1 and r[1] == "failed" and "310000" in r[2] for r in rows)


def _kehu(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kehu", "-w", str(root), "--lang", "en", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )


def test_alerts_run_exits_3_when_deliveries_fail(ws: Workspace) -> None:
    build_demo(ws, n=12)
    root = ws.root
    ws.close()
    dead = f"http://127.0.0.1:{closed_port()}/hook"
    toml = (root / "kehu.toml").read_text(encoding="utf-8")
    toml = toml.replace("retries = 3\nbackoff_seconds = 1.0", "retries = 1\nbackoff_seconds = 0.01")
    toml = toml.replace(
        "[notify.channels]\n", f'[notify.channels]\ndead = {{ type = "webhook", url = "{dead}" }}\n'
    )
    (root / "kehu.toml").write_text(toml, encoding="utf-8")

    r = _kehu(root, "alerts", "run")
    assert r.returncode == 3, (r.stdout, r.stderr)
    again = Workspace.open(root)
    try:
        failed = again.scalar(
            "SELECT count(*) FROM alert_deliveries WHERE channel = 'dead' AND status = 'failed'"
        )
        digests = again.scalar(
            "SELECT count(DISTINCT owner) FROM notify_log WHERE channel = 'dead'"
            " AND status = 'failed'"
        )
    finally:
        again.close()
    assert failed > 0  # recorded before the exit
    said = " ".join(r.stderr.split())
    assert f"{failed} alerts in {digests} digests not delivered" in said, said
    assert "dead → 张伟" in said and "dead → unassigned" in said
    # --json says the same and exits the same way; --no-send has nothing to fail
    r = _kehu(root, "alerts", "run", "--json")
    assert r.returncode == 3 and json.loads(r.stdout)["delivery"]["alerts_failed"] == failed
    assert _kehu(root, "alerts", "run", "--no-send").returncode == 0
