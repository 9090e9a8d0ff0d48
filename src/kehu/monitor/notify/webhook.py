"""Generic JSON webhook: the whole digest as one JSON document, optionally HMAC-signed.

Body: {"source": "kehu", "type": "alert_digest", "digest_id", "channel", "owner", "lang",
"generated_at", "title", "count", "alerts": [{alert_id, rule, severity, title, detail,
customer_id, customer_name, owner, subject_type, subject_id, first_seen_at, evidence}]}.
With a secret, headers `X-Kehu-Timestamp: <unix seconds>` and
`X-Kehu-Signature: sha256=<hex HMAC-SHA256(secret, f"{timestamp}.{body}")>` let the receiver
check origin and freshness (the body is sent exactly as signed).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

from kehu.monitor.digest import Digest
from kehu.monitor.notify.base import ChannelConfigError, HttpChannel, Outcome


def webhook_signature(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


class WebhookChannel(HttpChannel):
    type = "webhook"

    def messages(self, digest: Digest) -> list[dict[str, Any]]:
        return [
            {
                "source": "kehu",
                "type": "alert_digest",
                "digest_id": digest.digest_id,
                "channel": digest.channel,
                "owner": digest.owner or None,
                "lang": digest.lang,
                "generated_at": digest.created_at.isoformat(timespec="seconds"),
                "title": digest.title(),
                "count": len(digest.items),
                "alerts": [item.to_json(digest.lang) for item in digest.items],
            }
        ]

    def send(self, message: Any) -> Outcome:
        body = json.dumps(message, ensure_ascii=False, default=str).encode()
        headers = {"Content-Type": "application/json; charset=utf-8"}
        try:
            url, secret = self.url, self.secret
        except ChannelConfigError as exc:
            return Outcome(ok=False, error=self.scrub(str(exc)))
        if secret:
            ts = str(int(time.time()))
            headers["X-Kehu-Timestamp"] = ts
            headers["X-Kehu-Signature"] = webhook_signature(secret, ts, body)
        return self.post(url, headers, content=body)
