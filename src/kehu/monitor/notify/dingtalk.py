"""钉钉 (DingTalk) custom robot: markdown messages, signed with HMAC-SHA256, 20 a minute.

With 加签 (a secret `SEC…`) every request carries `timestamp` (ms) and `sign` query
parameters: sign = urlencode(base64(HMAC-SHA256(key=secret, msg=f"{timestamp}\\n{secret}"))).
The owner is @-mentioned by mobile (`at.atMobiles`, with `@mobile` in the text) when
`notify.people` knows it. Answer: HTTP 200 with `errcode` 0; 130101 = sending too fast.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Any
from urllib.parse import quote_plus

import httpx

from kehu.monitor.digest import Digest, chunk_lines
from kehu.monitor.notify.base import HttpChannel, Outcome, robot_outcome

MAX_BYTES = 18_000  # the platform's limit is 20,000 bytes per message
RETRY_CODES = {-1, 130101}


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """The `sign` query value (already URL-encoded) for a timestamp in milliseconds."""
    string_to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), string_to_sign, hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest).decode())


class DingTalkChannel(HttpChannel):
    type = "dingtalk"

    def messages(self, digest: Digest) -> list[dict[str, Any]]:
        title = digest.title()
        mobiles = self.mobiles(digest.owner)
        mention = " ".join(f"@{m}" for m in mobiles)
        lines = [f"- {line}" for line in digest.lines()]
        footer = f"\n\n{digest.footer()}" + (f"\n\n{mention}" if mention else "")
        overhead = len(title.encode()) * 2 + len(footer.encode()) + 32
        chunks = chunk_lines(lines, MAX_BYTES, overhead)
        out = []
        for i, chunk in enumerate(chunks, 1):
            part = f" ({i}/{len(chunks)})" if len(chunks) > 1 else ""
            text = f"#### {title}{part}\n\n" + "\n".join(chunk) + footer
            out.append(
                {
                    "msgtype": "markdown",
                    "markdown": {"title": f"{title}{part}", "text": text},
                    "at": {"atMobiles": mobiles, "isAtAll": False},
                }
            )
        return out

    def request(self, message: Any) -> tuple[str, dict[str, Any], dict[str, str]]:
        url = self.url
        secret = self.secret
        if secret:
            ts = int(time.time() * 1000)
            sep = "&" if "?" in url else "?"
            url = f"{url}{sep}timestamp={ts}&sign={dingtalk_sign(secret, ts)}"
        return url, message, {}

    def interpret(self, response: httpx.Response) -> Outcome:
        return robot_outcome(
            response, code_keys=("errcode",), retry_codes=RETRY_CODES, msg_keys=("errmsg",)
        )
