"""飞书 (Feishu / Lark) custom robot: rich-text `post` messages, signed, 100/min and 5/s.

With 签名校验 the body carries `timestamp` (seconds, as a string) and `sign`:
sign = base64(HMAC-SHA256(key=f"{timestamp}\\n{secret}", msg=b"")) — note that the key is the
string to sign and the message is empty. Answer: HTTP 200 with `code` 0 (older robots answer
`StatusCode`); 9499 / 11232 = too many requests, 19021 = bad signature.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Any

import httpx

from kehu.i18n import normalize_lang
from kehu.monitor.digest import Digest, chunk_lines
from kehu.monitor.notify.base import HttpChannel, Outcome, robot_outcome

MAX_BYTES = 18_000  # the request body may not exceed 20 KB
RETRY_CODES = {9499, 11232}


def feishu_sign(secret: str, timestamp_s: int) -> str:
    key = f"{timestamp_s}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


class FeishuChannel(HttpChannel):
    type = "feishu"

    def messages(self, digest: Digest) -> list[dict[str, Any]]:
        title = digest.title()
        locale = "en_us" if normalize_lang(digest.lang) == "en" else "zh_cn"
        footer = digest.footer()
        overhead = len(title.encode()) + len(footer.encode()) + 400
        chunks = chunk_lines(digest.lines(), MAX_BYTES, overhead)
        out = []
        for i, chunk in enumerate(chunks, 1):
            part = f" ({i}/{len(chunks)})" if len(chunks) > 1 else ""
            content = [[{"tag": "text", "text": line}] for line in chunk]
            content.append([{"tag": "text", "text": footer}])
            out.append(
                {
                    "msg_type": "post",
                    "content": {"post": {locale: {"title": f"{title}{part}", "content": content}}},
                }
            )
        return out

    def request(self, message: Any) -> tuple[str, dict[str, Any], dict[str, str]]:
        body = dict(message)
        secret = self.secret
        if secret:
            ts = int(time.time())
            body = {"timestamp": str(ts), "sign": feishu_sign(secret, ts), **body}
        return self.url, body, {}

    def interpret(self, response: httpx.Response) -> Outcome:
        return robot_outcome(
            response,
            code_keys=("code", "StatusCode"),
            retry_codes=RETRY_CODES,
            msg_keys=("msg", "StatusMessage"),
        )
