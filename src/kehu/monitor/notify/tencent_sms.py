"""腾讯云短信 (Tencent Cloud SMS) SendSms, API 3.0 version 2021-01-11, signed TC3-HMAC-SHA256.

POST JSON to https://sms.tencentcloudapi.com/ with X-TC-Action / X-TC-Version / X-TC-Region /
X-TC-Timestamp headers and `Authorization: TC3-HMAC-SHA256 Credential=<SecretId>/<date>/sms/
tc3_request, SignedHeaders=content-type;host, Signature=<hex>`, where
CanonicalRequest = "POST\\n/\\n\\n" + "content-type:<ct>\\nhost:<host>\\n" + "\\n" +
"content-type;host" + "\\n" + hex(SHA256(body)); StringToSign = "TC3-HMAC-SHA256\\n<ts>\\n
<date>/sms/tc3_request\\n" + hex(SHA256(CanonicalRequest)); the key is derived by HMAC-SHA256
chaining "TC3" + SecretKey → date (UTC, YYYY-MM-DD) → "sms" → "tc3_request", and the
signature is hex(HMAC-SHA256(key, StringToSign)).
Answer: HTTP 200, {"Response": {"SendStatusSet": [{"PhoneNumber", "Code": "Ok", …}]}} or
{"Response": {"Error": {"Code", "Message"}}}; LimitExceeded.* / RequestLimitExceeded /
InternalError* are retried.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from kehu.config import ChannelSettings
from kehu.monitor.notify.base import Outcome, http_outcome

ENDPOINT = "https://sms.tencentcloudapi.com/"
REGION = "ap-guangzhou"
SERVICE = "sms"
VERSION = "2021-01-11"
CONTENT_TYPE = "application/json; charset=utf-8"
RETRY_PREFIXES = ("LimitExceeded", "RequestLimitExceeded", "InternalError")


def _hmac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def tc3_signature(secret_key: str, service: str, host: str, body: bytes, timestamp: int) -> str:
    """The hex signature of one JSON POST of `body` to `host` at `timestamp` (Unix seconds)."""
    date = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
    canonical = "\n".join(
        [
            "POST",
            "/",
            "",
            f"content-type:{CONTENT_TYPE}\nhost:{host}\n",
            "content-type;host",
            hashlib.sha256(body).hexdigest(),
        ]
    )
    to_sign = "\n".join(
        [
            "TC3-HMAC-SHA256",
            str(timestamp),
            f"{date}/{service}/tc3_request",
            hashlib.sha256(canonical.encode()).hexdigest(),
        ]
    )
    key = _hmac(_hmac(_hmac(f"TC3{secret_key}".encode(), date), service), "tc3_request")
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


def request(
    cfg: ChannelSettings,
    url: str,
    key_id: str,
    secret: str,
    mobiles: list[str],
    values: list[str],
    *,
    timestamp: int | None = None,
) -> tuple[dict[str, str], bytes]:
    """(headers, body) of one signed SendSms call."""
    payload = {
        "PhoneNumberSet": mobiles,
        "SmsSdkAppId": cfg.sdk_app_id,
        "SignName": cfg.sign_name,
        "TemplateId": cfg.template,
        "TemplateParamSet": values,
    }
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    ts = int(time.time()) if timestamp is None else timestamp
    host = urlsplit(url).netloc
    date = datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d")
    sig = tc3_signature(secret, SERVICE, host, body, ts)
    auth = (
        f"TC3-HMAC-SHA256 Credential={key_id}/{date}/{SERVICE}/tc3_request, "
        f"SignedHeaders=content-type;host, Signature={sig}"
    )
    headers = {
        "Authorization": auth,
        "Content-Type": CONTENT_TYPE,
        "Host": host,
        "X-TC-Action": "SendSms",
        "X-TC-Version": VERSION,
        "X-TC-Region": cfg.region or REGION,
        "X-TC-Timestamp": str(ts),
    }
    return headers, body


def _retryable(code: str) -> bool:
    return code.startswith(RETRY_PREFIXES)


def outcome(response: httpx.Response) -> Outcome:
    base = http_outcome(response)
    try:
        answer: dict[str, Any] = response.json().get("Response", {})
    except (ValueError, AttributeError):
        return base if not base.ok else Outcome(ok=False, retryable=True, error="unreadable")
    if error := answer.get("Error"):
        code = str(error.get("Code", ""))
        return Outcome(
            ok=False,
            retryable=_retryable(code),
            http_status=response.status_code,
            error=f"code {code}: {error.get('Message', '')}",
        )
    statuses = answer.get("SendStatusSet") or []
    failed = [s for s in statuses if s.get("Code") != "Ok"]
    if not statuses or len(failed) == len(statuses):
        codes = sorted({str(s.get("Code")) for s in failed}) or ["no SendStatusSet"]
        return Outcome(
            ok=False,
            retryable=any(_retryable(c) for c in codes),
            http_status=response.status_code,
            error=f"code {', '.join(codes)}",
        )
    # Some numbers took it: a resend would repeat it to them, so it counts as delivered and
    # the refused numbers are named in the log.
    refused = ", ".join(f"{s.get('PhoneNumber')}: {s.get('Code')}" for s in failed)
    return Outcome(
        ok=True, http_status=response.status_code, error=f"refused {refused}" if failed else None
    )
