"""SMS alerts through Aliyun and Tencent Cloud, against a real loopback server that checks
each signature with its own implementation of the providers' documented formulas."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, quote

import httpx
import pytest
from pydantic import ValidationError
from test_alerts_support import build_demo

from kehu.config import ChannelSettings, settings_from_dict
from kehu.monitor.alerts import run_alerts
from kehu.monitor.dispatch import Clock, deliver
from kehu.monitor.notify import aliyun_sms, tencent_sms
from kehu.workspace import Workspace

ENV = {"SMS_KEY_ID": "LTAI-test-id", "SMS_KEY_SECRET": "s3cret-key-value"}
OWNER_MOBILES = {"张伟": "138 0000 0001", "李娜": "+86 139-0000-0002"}


def _pct(text: str) -> str:
    return quote(text, safe="-_.~")


def aliyun_expected(form: dict[str, str], secret: str) -> str:
    """Aliyun's RPC v1 signature, written from the docs (not from kehu's module)."""
    pairs = sorted((k, v) for k, v in form.items() if k != "Signature")
    canonical = "&".join(_pct(k) + "=" + _pct(v) for k, v in pairs)
    text = "POST&" + _pct("/") + "&" + _pct(canonical)
    digest = hmac.new((secret + "&").encode(), text.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def tencent_expected(headers: dict[str, str], body: bytes, secret: str) -> str:
    """Tencent's TC3-HMAC-SHA256 signature, written from the docs."""
    ts = int(headers["x-tc-timestamp"])
    day = datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d")
    canonical = (
        f"POST\n/\n\ncontent-type:{headers['content-type']}\nhost:{headers['host']}\n\n"
        f"content-type;host\n{hashlib.sha256(body).hexdigest()}"
    )
    text = (
        f"TC3-HMAC-SHA256\n{ts}\n{day}/sms/tc3_request\n"
        + hashlib.sha256(canonical.encode()).hexdigest()
    )
    key = ("TC3" + secret).encode()
    for part in (day, "sms", "tc3_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


class FakeSms:
    """Both providers on 127.0.0.1: verifies, records, answers (queued error codes first)."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.errors: list[str] = []  # provider error codes to answer next, in order
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                return

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                headers = {k.lower(): v for k, v in self.headers.items()}
                if headers["content-type"].startswith("application/json"):
                    answer = fake.tencent(headers, body)
                else:
                    answer = fake.aliyun(body)
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def aliyun(self, body: bytes) -> dict[str, Any]:
        form = dict(parse_qsl(body.decode(), keep_blank_values=True))
        ok = form.get("Signature") == aliyun_expected(form, ENV["SMS_KEY_SECRET"])
        if not ok:
            return {"Code": "SignatureDoesNotMatch", "Message": "bad signature"}
        if self.errors:
            return {"Code": self.errors.pop(0), "Message": "queued"}
        self.received.append(
            {
                "provider": "aliyun",
                "mobiles": form["PhoneNumbers"].split(","),
                "params": json.loads(form["TemplateParam"]),
                "form": form,
            }
        )
        return {"Code": "OK", "Message": "OK", "BizId": "1", "RequestId": "r"}

    def tencent(self, headers: dict[str, str], body: bytes) -> dict[str, Any]:
        auth = headers.get("authorization", "")
        sig = auth.rsplit("Signature=", 1)[-1]
        if sig != tencent_expected(headers, body, ENV["SMS_KEY_SECRET"]):
            return {"Response": {"Error": {"Code": "AuthFailure.SignatureFailure"}}}
        if f"Credential={ENV['SMS_KEY_ID']}/" not in auth or headers["x-tc-action"] != "SendSms":
            return {"Response": {"Error": {"Code": "AuthFailure.SecretIdNotFound"}}}
        if self.errors:
            return {"Response": {"Error": {"Code": self.errors.pop(0), "Message": "queued"}}}
        payload = json.loads(body)
        self.received.append(
            {
                "provider": "tencent",
                "mobiles": payload["PhoneNumberSet"],
                "params": payload["TemplateParamSet"],
                "form": payload,
            }
        )
        statuses = [{"PhoneNumber": m, "Code": "Ok"} for m in payload["PhoneNumberSet"]]
        return {"Response": {"SendStatusSet": statuses, "RequestId": "r"}}

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake() -> Iterator[FakeSms]:
    server = FakeSms()
    yield server
    server.close()


def closed_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/"


def sms_settings(url: str, provider: str, **notify: Any) -> Any:
    channel = {
        "type": "sms",
        "provider": provider,
        "url": url,
        "key_id_env": "SMS_KEY_ID",
        "secret_env": "SMS_KEY_SECRET",
        "sign_name": "客户预警",
        "template": "SMS_0001" if provider == "aliyun" else "1110",
        "recipients": ["13700000009"],
        "timeout_seconds": 2,
    }
    if provider == "tencent":
        channel["sdk_app_id"] = "1400006666"
    people = {owner: {"mobile": m} for owner, m in OWNER_MOBILES.items()}
    base = {"retries": 1, "backoff_seconds": 0.0, "channels": {"oncall": channel}}
    return settings_from_dict({"notify": {**base, "people": people, **notify}})


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def fast() -> Clock:
    """Time hooks where waiting costs nothing (the rate-limit windows still hold)."""
    clock = FakeClock()
    return Clock(sleep=clock.sleep, monotonic=clock.monotonic)


def test_aliyun_signature_matches_the_published_example() -> None:
    # the SendSms example of Aliyun's SMS signing docs (GET, AccessKeySecret "testSecret")
    params = {
        "AccessKeyId": "testId",
        "Action": "SendSms",
        "Format": "XML",
        "OutId": "123",
        "PhoneNumbers": "15300000001",
        "RegionId": "cn-hangzhou",
        "SignName": "阿里云短信测试专用",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466",
        "SignatureVersion": "1.0",
        "TemplateCode": "SMS_71390007",
        "TemplateParam": '{"customer":"test"}',
        "Timestamp": "2017-07-12T02:42:19Z",
        "Version": "2017-05-25",
    }
    assert aliyun_sms.signature("GET", params, "testSecret") == "zJDF+Lrzhj/ThnlvIToysFRq6t4="


def test_tencent_signature_matches_the_published_example() -> None:
    # the DescribeInstances example of Tencent Cloud's "Signature v3" docs
    body = (
        b'{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}'
    )
    got = tencent_sms.tc3_signature(
        "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE", "cvm", "cvm.tencentcloudapi.com", body, 1551113065
    )
    assert got == "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"


@pytest.mark.parametrize("provider", ["aliyun", "tencent"])
def test_digests_arrive_signed_with_owner_and_recipient_numbers(
    ws: Workspace, fake: FakeSms, provider: str
) -> None:
    build_demo(ws, n=12)
    ws.settings = sms_settings(fake.url, provider)
    result = run_alerts(ws, env=ENV, clock=fast())
    assert result.delivery is not None and result.delivery.failed == 0
    assert len(fake.received) == 3  # one SMS per owner digest (张伟, 李娜, unassigned)
    by_number = {tuple(sorted(r["mobiles"])): r for r in fake.received}
    prefix = "+" if provider == "tencent" else ""
    zhang = by_number[tuple(sorted([f"{prefix}8613700000009", f"{prefix}8613800000001"]))]
    count = ws.scalar("SELECT count(*) FROM alerts WHERE owner = '张伟'")
    params = zhang["params"]
    values = list(params.values()) if provider == "aliyun" else params
    assert values[0] == str(count)
    top = ws.rows(
        "SELECT title_zh FROM alerts WHERE owner = '张伟' ORDER BY"
        " list_position(['info', 'low', 'medium', 'high', 'critical'], severity) DESC, alert_id"
        " LIMIT 1"
    )[0][0]
    assert values[1].startswith(top[:10]) and len(values[1]) <= 20
    if provider == "aliyun":
        assert list(params) == ["count", "top"]  # named as the template's variables
    sent = ws.scalar("SELECT count(*) FROM alert_deliveries WHERE status = 'sent'")
    assert sent == ws.scalar("SELECT count(*) FROM alerts")
    log = ws.rows("SELECT channel_type, status, error FROM notify_log")
    assert {r[0] for r in log} == {"sms"} and {r[1] for r in log} == {"sent"}
    secret_seen = any(ENV["SMS_KEY_SECRET"] in (r[2] or "") for r in log)
    assert not secret_seen


@pytest.mark.parametrize("provider", ["aliyun", "tencent"])
def test_a_wrong_secret_is_refused_and_not_retried(
    ws: Workspace, fake: FakeSms, provider: str
) -> None:
    build_demo(ws, n=4)
    ws.settings = sms_settings(fake.url, provider)
    wrong = {**ENV, "SMS_KEY_SECRET": "not-the-secret"}
    result = run_alerts(ws, env=wrong, clock=fast())
    assert result.delivery is not None and result.delivery.failed > 0
    assert fake.received == []
    attempts = ws.rows("SELECT attempt, status, error FROM notify_log")
    assert {r[0] for r in attempts} == {1} and {r[1] for r in attempts} == {"failed"}
    assert all("Signature" in r[2] for r in attempts)
    assert all("not-the-secret" not in r[2] for r in attempts)


@pytest.mark.parametrize("provider", ["aliyun", "tencent"])
def test_unreachable_endpoint_loses_nothing_and_sends_once_when_back(
    ws: Workspace, fake: FakeSms, provider: str
) -> None:
    build_demo(ws, n=12)
    ws.settings = sms_settings(closed_url(), provider)
    first = run_alerts(ws, env=ENV, clock=fast())
    assert first.delivery is not None and first.delivery.sent == 0
    assert first.delivery.failed == ws.scalar("SELECT count(*) FROM alerts")
    statuses = {r[0] for r in ws.rows("SELECT status FROM alert_deliveries")}
    assert statuses == {"failed"}
    ws.settings = sms_settings(fake.url, provider)  # the endpoint is back
    second = deliver(ws, ws.settings, env=ENV, clock=fast())
    assert second.failed == 0 and second.sent == first.delivery.failed
    assert len(fake.received) == 3
    third = deliver(ws, ws.settings, env=ENV, clock=fast())
    assert third.digests == [] and len(fake.received) == 3  # nothing twice


@pytest.mark.parametrize(
    ("provider", "code"),
    [
        ("aliyun", "isv.BUSINESS_LIMIT_CONTROL"),
        ("tencent", "LimitExceeded.PhoneNumberOneHourLimit"),
    ],
)
def test_provider_flow_control_is_retried(
    ws: Workspace, fake: FakeSms, provider: str, code: str
) -> None:
    build_demo(ws, n=4)
    ws.settings = sms_settings(fake.url, provider)
    run_alerts(ws, send=False)
    fake.errors = [code]
    clock = FakeClock()
    report = deliver(
        ws, ws.settings, env=ENV, clock=Clock(sleep=clock.sleep, monotonic=clock.monotonic)
    )
    assert report.digests and report.failed == 0
    assert ws.scalar("SELECT count(*) FROM notify_log WHERE status = 'retry'") == 1
    assert len(fake.received) == len(report.digests)


def test_each_number_gets_at_most_one_sms_a_minute(ws: Workspace, fake: FakeSms) -> None:
    build_demo(ws, n=12)
    ws.settings = sms_settings(fake.url, "aliyun", max_wait_seconds=600)
    run_alerts(ws, send=False)
    clock = FakeClock()
    deliver(ws, ws.settings, env=ENV, clock=Clock(sleep=clock.sleep, monotonic=clock.monotonic))
    assert len(fake.received) == 3  # the recipient is on all three digests
    assert ws.scalar("SELECT count(*) FROM notify_log WHERE status = 'sent'") == 3
    assert clock.slept == [pytest.approx(60.0), pytest.approx(60.0)]


def test_a_wait_beyond_max_wait_defers_to_the_next_run(ws: Workspace, fake: FakeSms) -> None:
    build_demo(ws, n=12)
    ws.settings = sms_settings(fake.url, "tencent", max_wait_seconds=30)
    run_alerts(ws, send=False)
    clock = FakeClock()
    hooks = Clock(sleep=clock.sleep, monotonic=clock.monotonic)
    first = deliver(ws, ws.settings, env=ENV, clock=hooks)
    assert len(fake.received) == 1 and len(first.failed_digests) == 2
    assert clock.slept == []  # never waited past the limit
    errors = [r[0] for r in ws.rows("SELECT error FROM notify_log WHERE status = 'failed'")]
    assert len(errors) == 2 and all("deferred to the next run" in e for e in errors)
    clock.now += 61
    second = deliver(ws, ws.settings, env=ENV, clock=hooks)
    assert len(fake.received) == 2 and len(second.failed_digests) == 1
    clock.now += 61
    third = deliver(ws, ws.settings, env=ENV, clock=hooks)
    assert third.failed == 0 and len(fake.received) == 3
    numbers = [tuple(sorted(r["mobiles"])) for r in fake.received]
    assert len(set(numbers)) == 3  # each digest exactly once


def test_incomplete_sms_channel_names_what_is_missing() -> None:
    with pytest.raises(ValidationError, match="sdk_app_id"):
        ChannelSettings(
            type="sms",
            provider="tencent",
            key_id_env="A",
            secret_env="B",
            sign_name="S",
            template="1",
        )
    with pytest.raises(ValidationError, match="sign_name, template"):
        ChannelSettings(type="sms", provider="aliyun", key_id_env="A", secret_env="B")


def _answer(status: int, body: dict[str, Any]) -> httpx.Response:
    return httpx.Response(status, json=body)


def test_answers_are_read_as_each_provider_documents_them() -> None:
    refused = aliyun_sms.outcome(_answer(400, {"Code": "SignatureDoesNotMatch", "Message": "x"}))
    assert (
        not refused.ok
        and not refused.retryable
        and "SignatureDoesNotMatch" in (refused.error or "")
    )
    limited = aliyun_sms.outcome(_answer(200, {"Code": "isv.BUSINESS_LIMIT_CONTROL"}))
    assert not limited.ok and limited.retryable
    assert aliyun_sms.outcome(_answer(200, {"Code": "OK", "BizId": "1"})).ok
    statuses = [
        {"PhoneNumber": "+8613800000001", "Code": "Ok"},
        {"PhoneNumber": "+8613800000002", "Code": "InvalidParameterValue.IncorrectPhoneNumber"},
    ]
    partial = tencent_sms.outcome(_answer(200, {"Response": {"SendStatusSet": statuses}}))
    assert partial.ok and "+8613800000002" in (partial.error or "")  # a resend would repeat
    none = tencent_sms.outcome(
        _answer(200, {"Response": {"SendStatusSet": [{**statuses[0], "Code": "LimitExceeded.X"}]}})
    )
    assert not none.ok and none.retryable
    auth = tencent_sms.outcome(
        _answer(200, {"Response": {"Error": {"Code": "AuthFailure.SignatureFailure"}}})
    )
    assert not auth.ok and not auth.retryable


def test_numbers_are_normalised_and_bad_ones_named(ws: Workspace, fake: FakeSms) -> None:
    build_demo(ws, n=3)
    settings = sms_settings(fake.url, "aliyun")
    settings.notify.channels["oncall"].recipients = ["13700000009", "138****0000"]
    ws.settings = settings
    report = run_alerts(ws, env=ENV, clock=fast())
    assert report.delivery is not None and report.delivery.failed == 0
    assert all("8613700000009" in r["mobiles"] for r in fake.received)
    errors = [r[0] for r in ws.rows("SELECT error FROM notify_log WHERE status = 'sent'")]
    assert errors and all("138****0000" in (e or "") for e in errors)
