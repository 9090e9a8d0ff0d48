"""阿里云短信 (Aliyun dysmsapi) SendSms, version 2017-05-25, signed with RPC signature v1.

The request is a form POST of the common and SendSms parameters plus `Signature`:
StringToSign = "POST&%2F&" + pct(canonical query), where the canonical query is the
parameters (without Signature) sorted by name, each `pct(name)=pct(value)` joined by `&`,
and pct is RFC 3986 percent-encoding (UTF-8; only A-Z a-z 0-9 - _ . ~ unescaped, a space is
%20). Signature = base64(HMAC-SHA1(key=AccessKeySecret + "&", StringToSign)).
Answer (Format=JSON): {"Code": "OK", "BizId", "RequestId"} or an error `Code`, often with
HTTP 400/403; isv.BUSINESS_LIMIT_CONTROL is the per-number flow control (retried).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from urllib.parse import quote

import httpx

from kehu.config import ChannelSettings
from kehu.monitor.notify.base import Outcome, http_outcome

ENDPOINT = "https://dysmsapi.aliyuncs.com/"
REGION = "cn-hangzhou"
RETRY_CODES = {"isv.BUSINESS_LIMIT_CONTROL", "isp.SYSTEM_ERROR", "Throttling", "Throttling.User"}


def pct(text: str) -> str:
    return quote(text, safe="-_.~")


def string_to_sign(method: str, params: Mapping[str, str]) -> str:
    query = "&".join(f"{pct(k)}={pct(v)}" for k, v in sorted(params.items()))
    return f"{method}&{pct('/')}&{pct(query)}"


def signature(method: str, params: Mapping[str, str], secret: str) -> str:
    mac = hmac.new(f"{secret}&".encode(), string_to_sign(method, params).encode(), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode()


def signed_form(
    cfg: ChannelSettings,
    key_id: str,
    secret: str,
    mobiles: list[str],
    params: dict[str, str],
    *,
    now: datetime | None = None,
    nonce: str | None = None,
) -> dict[str, str]:
    """Every form field of one SendSms call, `Signature` included (fresh nonce and time)."""
    form = {
        "AccessKeyId": key_id,
        "Action": "SendSms",
        "Format": "JSON",
        "RegionId": cfg.region or REGION,
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": nonce or uuid.uuid4().hex,
        "SignatureVersion": "1.0",
        "Timestamp": (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "Version": "2017-05-25",
        "PhoneNumbers": ",".join(m.lstrip("+") for m in mobiles),
        "SignName": cfg.sign_name or "",
        "TemplateCode": cfg.template or "",
        "TemplateParam": json.dumps(params, ensure_ascii=False, separators=(",", ":")),
    }
    form["Signature"] = signature("POST", form, secret)
    return form


def request(
    cfg: ChannelSettings, key_id: str, secret: str, mobiles: list[str], params: dict[str, str]
) -> tuple[dict[str, str], bytes]:
    """(headers, body) of one signed call."""
    form = signed_form(cfg, key_id, secret, mobiles, params)
    body = "&".join(f"{pct(k)}={pct(v)}" for k, v in form.items()).encode()
    return {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}, body


def outcome(response: httpx.Response) -> Outcome:
    try:
        data = response.json()
    except ValueError:
        return http_outcome(response)
    code = str(data.get("Code", ""))
    if code == "OK":
        return Outcome(ok=True, http_status=response.status_code)
    base = http_outcome(response)
    return Outcome(
        ok=False,
        retryable=code in RETRY_CODES or (not base.ok and base.retryable),
        http_status=response.status_code,
        error=f"code {code}: {data.get('Message', '')}",
        retry_after=base.retry_after,
    )
