"""Notifier pieces: rate limits, message splitting, signatures, SMTP email, secret scrubbing."""

from __future__ import annotations

import base64
import hashlib
import hmac
import socketserver
import threading
from collections.abc import Iterator
from email import message_from_bytes, policy
from urllib.parse import unquote_plus

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_alerts_support import build_demo

from kehu.config import ChannelSettings, settings_from_dict
from kehu.monitor.alerts import run_alerts
from kehu.monitor.digest import AlertItem, Digest, chunk_lines
from kehu.monitor.notify import make_channel
from kehu.monitor.notify.dingtalk import dingtalk_sign
from kehu.monitor.notify.feishu import feishu_sign
from kehu.monitor.notify.wecom import MAX_BYTES as WECOM_MAX
from kehu.monitor.ratelimit import SlidingWindowLimiter
from kehu.workspace import Workspace


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0, 3), min_size=1, max_size=60))
def test_limiter_never_exceeds_any_window(gaps: list[float]) -> None:
    clock = FakeClock()
    lim = SlidingWindowLimiter([(100, 60.0), (5, 1.0)], clock=clock, sleep=clock.sleep)
    sent = []
    for gap in gaps:
        clock.now += gap
        lim.acquire()
        sent.append(clock.now)
    for i, t in enumerate(sent):
        assert sum(1 for u in sent[i:] if u < t + 1.0) <= 5
        assert sum(1 for u in sent[i:] if u < t + 60.0) <= 100


def test_limiter_waits_for_the_minute_window() -> None:
    clock = FakeClock()
    lim = SlidingWindowLimiter([(20, 60.0)], clock=clock, sleep=clock.sleep)
    for _ in range(20):
        assert lim.acquire() == 0
    assert lim.acquire() == pytest.approx(60.0)  # the 21st message waits a minute (WeCom)


@given(st.lists(st.text(min_size=0, max_size=300), max_size=40), st.integers(100, 5000))
def test_chunks_keep_every_line_under_budget(lines: list[str], budget: int) -> None:
    chunks = chunk_lines(lines, budget)
    flat = [line for chunk in chunks for line in chunk]
    assert len(flat) == len(lines)
    for chunk in chunks:
        assert sum(len(x.encode()) + 1 for x in chunk) <= max(64, budget)
    for original, kept in zip(lines, flat, strict=True):
        assert kept == original or (kept.endswith("…") and original.startswith(kept[:-1]))


def test_signatures_match_the_documented_formulas() -> None:
    secret, ts_ms = "SEC000test", 1_700_000_000_000
    raw = hmac.new(secret.encode(), f"{ts_ms}\n{secret}".encode(), hashlib.sha256).digest()
    assert unquote_plus(dingtalk_sign(secret, ts_ms)) == base64.b64encode(raw).decode()
    ts = 1_700_000_000
    raw = hmac.new(f"{ts}\n{secret}".encode(), b"", hashlib.sha256).digest()
    assert feishu_sign(secret, ts) == base64.b64encode(raw).decode()


def _item(i: int, severity: str = "high", owner: str = "张伟") -> AlertItem:
    return AlertItem(
        alert_id=i,
        rule="r",
        severity=severity,
        title_zh="重点客户流失风险",
        title_en="Key account at risk",
        detail_zh="流失风险 0.80 > 0.60" * 3,
        detail_en="churn risk 0.80 > 0.60",
        customer_id=f"C{i}",
        customer_name=f"客户{i}",
        owner=owner,
        subject_type="customer",
        subject_id=f"C{i}",
        first_seen_at=None,
    )


def test_large_digest_splits_under_wecom_limit() -> None:
    channel = make_channel("w", ChannelSettings(type="wecom", url="http://127.0.0.1/x?key=k"))
    digest = Digest("w", "张伟", "zh", [_item(i) for i in range(200)], max_items=200)
    messages = channel.messages(digest)
    assert len(messages) > 1
    assert all(len(m["markdown"]["content"].encode()) <= WECOM_MAX for m in messages)
    text = "".join(m["markdown"]["content"] for m in messages)
    assert all(f"(C{i})" in text for i in range(200))
    en = Digest("w", "", "en", [_item(1)])
    assert "unassigned" in channel.messages(en)[0]["markdown"]["content"]


def test_scrub_hides_secrets() -> None:
    env = {"HOOK_URL": "https://qyapi.example/cgi-bin/webhook/send?key=abcd-1234"}
    channel = make_channel(
        "w", ChannelSettings(type="wecom", url_env="HOOK_URL", secret="s3cr3t-value"), env=env
    )
    text = f"failed {env['HOOK_URL']} with s3cr3t-value and ?access_token=zzz"
    clean = channel.scrub(text)
    assert "abcd-1234" not in clean and "s3cr3t-value" not in clean and "zzz" not in clean
    assert channel.target() == "https://qyapi.example/cgi-bin/webhook/send"


class SMTPRecorder:
    """A minimal SMTP server (enough of RFC 5321 for smtplib) that keeps what it receives."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []
        outer = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                self.wfile.write(b"220 test ESMTP\r\n")
                sender, rcpts = "", []
                while line := self.rfile.readline():
                    cmd = line.decode().strip()
                    upper = cmd.upper()
                    if upper.startswith(("EHLO", "HELO")):
                        self.wfile.write(b"250-test\r\n250 8BITMIME\r\n")
                    elif upper.startswith("MAIL FROM"):
                        sender = cmd.split(":", 1)[1].strip(" <>")
                        self.wfile.write(b"250 ok\r\n")
                    elif upper.startswith("RCPT TO"):
                        rcpts.append(cmd.split(":", 1)[1].strip(" <>"))
                        self.wfile.write(b"250 ok\r\n")
                    elif upper == "DATA":
                        self.wfile.write(b"354 go\r\n")
                        data = b""
                        while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                            data += chunk
                        outer.messages.append((sender, rcpts, data))
                        rcpts = []
                        self.wfile.write(b"250 queued\r\n")
                    elif upper == "QUIT":
                        self.wfile.write(b"221 bye\r\n")
                        return
                    else:
                        self.wfile.write(b"250 ok\r\n")

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def smtp() -> Iterator[SMTPRecorder]:
    rec = SMTPRecorder()
    yield rec
    rec.server.shutdown()
    rec.server.server_close()


def test_email_digest_per_owner(ws: Workspace, smtp: SMTPRecorder) -> None:
    build_demo(ws, n=12)
    ws.settings = settings_from_dict(
        {
            "notify": {
                "people": {"张伟": {"email": "zhangwei@example.com"}},
                "channels": {
                    "mail": {
                        "type": "email",
                        "smtp_host": "127.0.0.1",
                        "smtp_port": smtp.port,
                        "recipients": ["ops@example.com"],
                        "sender": "kehu@example.com",
                    }
                },
            }
        }
    )
    result = run_alerts(ws)
    assert result.delivery is not None and result.delivery.failed == 0
    assert len(smtp.messages) == 3  # one digest per owner (张伟, 李娜, unassigned)
    to_zw = [m for m in smtp.messages if "zhangwei@example.com" in m[1]]
    assert len(to_zw) == 1 and "ops@example.com" in to_zw[0][1]
    msg = message_from_bytes(to_zw[0][2], policy=policy.default)
    assert "张伟" in str(msg["Subject"])
    body = msg.get_body(("plain",)).get_content()  # type: ignore[attr-defined]
    count = ws.scalar("SELECT count(*) FROM alerts WHERE owner = '张伟'")
    assert body.count("[") >= count and "kehu alerts ack" in body


def test_email_unreachable_server_is_logged(ws: Workspace) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    build_demo(ws, n=4)
    ws.settings = settings_from_dict(
        {
            "notify": {
                "retries": 1,
                "backoff_seconds": 0.01,
                "channels": {
                    "mail": {
                        "type": "email",
                        "smtp_host": "127.0.0.1",
                        "smtp_port": port,
                        "recipients": ["ops@example.com"],
                        "timeout_seconds": 2,
                    }
                },
            }
        }
    )
    run_alerts(ws)
    statuses = [r[0] for r in ws.rows("SELECT status FROM notify_log ORDER BY logged_at")]
    assert statuses and statuses.count("failed") * 2 == len(statuses)
    assert ws.scalar("SELECT count(*) FROM alerts WHERE status = 'open'") > 0
