"""企业微信 (WeCom) group robot: markdown messages, 4096 bytes each, 20 messages a minute.

POST {"msgtype": "markdown", "markdown": {"content": ...}} to the robot's webhook URL (its
`key=` query parameter is the secret, so keep the URL in `url_env`). The answer is HTTP 200
with `errcode` 0; 45009 means the robot's rate limit was hit (retried after a backoff).
"""

from __future__ import annotations

from typing import Any

import httpx

from kehu.monitor.digest import Digest, chunk_lines
from kehu.monitor.notify.base import HttpChannel, Outcome, robot_outcome

MAX_BYTES = 4096
RETRY_CODES = {-1, 45009}  # system busy, api freq out of limit
SEVERITY_COLOR = {"critical": "warning", "high": "warning", "medium": "comment"}


class WeComChannel(HttpChannel):
    type = "wecom"

    def messages(self, digest: Digest) -> list[dict[str, Any]]:
        title = f"### {digest.title()}"
        lines = []
        for item in digest.shown:
            color = SEVERITY_COLOR.get(item.severity, "info")
            lines.append(f'> <font color="{color}">{digest.line(item)}</font>')
        lines += [f"> {line}" for line in digest.lines()[len(digest.shown) :]]
        footer = f"\n{digest.footer()}"
        overhead = len(title.encode()) + len(footer.encode()) + 16
        chunks = chunk_lines(lines, MAX_BYTES, overhead)
        out = []
        for i, chunk in enumerate(chunks, 1):
            part = f" ({i}/{len(chunks)})" if len(chunks) > 1 else ""
            content = f"{title}{part}\n" + "\n".join(chunk) + footer
            out.append({"msgtype": "markdown", "markdown": {"content": content}})
        return out

    def interpret(self, response: httpx.Response) -> Outcome:
        return robot_outcome(
            response, code_keys=("errcode",), retry_codes=RETRY_CODES, msg_keys=("errmsg",)
        )
