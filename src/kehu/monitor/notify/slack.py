"""Slack incoming webhook: one mrkdwn `text` message (about one message a second per hook).

The webhook answers HTTP 200 with the body `ok`; 429 carries Retry-After.
"""

from __future__ import annotations

from typing import Any

from kehu.monitor.digest import Digest, chunk_lines
from kehu.monitor.notify.base import HttpChannel

MAX_BYTES = 35_000  # Slack truncates text beyond 40,000 characters


class SlackChannel(HttpChannel):
    type = "slack"

    def messages(self, digest: Digest) -> list[dict[str, Any]]:
        title = f"*{digest.title()}*"
        footer = f"_{digest.footer()}_"
        lines = [f"• {line}" for line in digest.lines()]
        chunks = chunk_lines(lines, MAX_BYTES, len(title.encode()) + len(footer.encode()) + 16)
        out = []
        for i, chunk in enumerate(chunks, 1):
            part = f" ({i}/{len(chunks)})" if len(chunks) > 1 else ""
            out.append({"text": f"{title}{part}\n" + "\n".join(chunk) + f"\n{footer}"})
        return out
