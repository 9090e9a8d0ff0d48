"""Deliver pending alerts: one digest per (channel, owner), rate-limited, retried, logged.

Every attempt is a row in `notify_log` (status sent / retry / failed, never a secret). A digest
that still fails after `notify.retries` retries leaves its deliveries `failed`; the alerts stay
open and the next `kehu alerts run` sends them again, so nothing is lost.
"""

from __future__ import annotations

import json
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

from kehu.config import Settings
from kehu.monitor.digest import UNASSIGNED, AlertItem, Digest
from kehu.monitor.labels import SEVERITY_ORDER
from kehu.monitor.notify.base import Channel, Outcome
from kehu.monitor.notify.channels import make_channel
from kehu.monitor.ratelimit import acquire_all, limiter_for
from kehu.workspace import Workspace


@dataclass
class DigestResult:
    channel: str
    owner: str
    digest_id: str
    alerts: int
    messages: int
    attempts: int
    ok: bool
    error: str | None = None


@dataclass
class DeliveryReport:
    digests: list[DigestResult] = field(default_factory=list)
    cancelled: int = 0

    @property
    def sent(self) -> int:
        return sum(d.alerts for d in self.digests if d.ok)

    @property
    def failed_digests(self) -> list[DigestResult]:
        """Digests still undelivered after their retries (recorded; retried next run)."""
        return [d for d in self.digests if not d.ok]

    @property
    def failed(self) -> int:
        return sum(d.alerts for d in self.failed_digests)

    def to_json(self) -> dict[str, Any]:
        return {
            "digests": [d.__dict__ for d in self.digests],
            "alerts_sent": self.sent,
            "alerts_failed": self.failed,
            "digests_failed": len(self.failed_digests),
            "cancelled": self.cancelled,
        }


@dataclass
class Clock:
    """Time hooks (tests pass fast ones; the real ones sleep)."""

    sleep: Callable[[float], None] = time.sleep
    monotonic: Callable[[], float] = time.monotonic


_PENDING_SQL = """
SELECT d.alert_id, d.channel, a.rule, a.severity, a.title_zh, a.title_en, a.detail_zh,
       a.detail_en, a.customer_id, a.customer_name, a.owner, a.subject_type, a.subject_id,
       a.first_seen_at, a.evidence
FROM alert_deliveries d JOIN alerts a USING (alert_id)
WHERE d.status IN ('pending', 'failed') AND a.status = 'open'
ORDER BY d.alert_id
"""


def _pending(ws: Workspace) -> list[tuple[str, AlertItem]]:
    out = []
    for row in ws.rows(_PENDING_SQL):
        (
            alert_id,
            channel,
            rule,
            severity,
            tzh,
            ten,
            dzh,
            den,
            cid,
            cname,
            owner,
            stype,
            sid,
            seen,
            evidence,
        ) = row
        out.append(
            (
                channel,
                AlertItem(
                    alert_id=alert_id,
                    rule=rule,
                    severity=severity,
                    title_zh=tzh,
                    title_en=ten,
                    detail_zh=dzh,
                    detail_en=den,
                    customer_id=cid,
                    customer_name=cname,
                    owner=owner,
                    subject_type=stype,
                    subject_id=sid,
                    first_seen_at=seen,
                    evidence=json.loads(evidence) if evidence else {},
                ),
            )
        )
    return out


_DEFERRED = (
    "rate limit: the next free slot is more than {:g} s away (notify.max_wait_seconds);"
    " deferred to the next run"
)


def _backoff(settings: Settings, attempt: int, outcome: Outcome) -> float:
    n = settings.notify
    delay = n.backoff_seconds * (n.backoff_factor**attempt)
    if outcome.retry_after is not None:
        delay = max(delay, outcome.retry_after)
    return min(delay, n.backoff_max_seconds)


def deliver(
    ws: Workspace,
    settings: Settings,
    *,
    clock: Clock | None = None,
    client: httpx.Client | None = None,
    env: dict[str, str] | None = None,
    lang: str | None = None,
) -> DeliveryReport:
    """Send every pending or failed delivery of an open alert."""
    clock = clock or Clock()
    report = DeliveryReport()
    rank = {s: i for i, s in enumerate(SEVERITY_ORDER)}
    groups: dict[tuple[str, str], list[AlertItem]] = defaultdict(list)
    cancel: list[tuple[int, str, str]] = []
    channels = settings.notify.channels
    for channel, item in _pending(ws):
        cfg = channels.get(channel)
        if cfg is None or not cfg.enabled:
            cancel.append((item.alert_id, channel, "channel not configured or disabled"))
            continue
        if rank.get(item.severity, 0) < rank[cfg.min_severity]:
            cancel.append((item.alert_id, channel, f"below min_severity {cfg.min_severity}"))
            continue
        owner = item.owner or UNASSIGNED
        if cfg.owners and owner not in cfg.owners:
            cancel.append((item.alert_id, channel, "owner not routed to this channel"))
            continue
        groups[(channel, owner)].append(item)
    now = datetime.now()
    if cancel:
        with ws.transaction() as cur:
            for alert_id, channel, why in cancel:
                cur.execute(
                    "UPDATE alert_deliveries SET status = 'cancelled', last_error = ?,"
                    " updated_at = ? WHERE alert_id = ? AND channel = ?",
                    [why, now, alert_id, channel],
                )
        report.cancelled = len(cancel)
    own_client = client is None
    http = client or httpx.Client()
    try:
        for (channel, owner), items in sorted(groups.items()):
            cfg = channels[channel]
            notifier = make_channel(
                channel, cfg, people=settings.notify.people, client=http, env=env
            )
            digest = Digest(
                channel=channel,
                owner=owner,
                lang=notifier.lang(lang or settings.workspace.lang),
                items=items,
                max_items=settings.alerts.digest_max_items,
            )
            result = _send_digest(ws, settings, notifier, digest, clock)
            report.digests.append(result)
            _record(ws, digest, result)
    finally:
        if own_client:
            http.close()
    return report


def _send_digest(
    ws: Workspace, settings: Settings, notifier: Channel, digest: Digest, clock: Clock
) -> DigestResult:
    limit = settings.notify.rate_limits.get(notifier.type)
    messages = notifier.messages(digest)
    attempts = 0
    for message in messages:
        limiters = [
            limiter_for(f"{notifier.name}:{key}", limit, clock=clock.monotonic, sleep=clock.sleep)
            for key in notifier.rate_keys(message)
        ]
        outcome = Outcome(ok=False, error="not sent")
        for attempt in range(settings.notify.retries + 1):
            if acquire_all(limiters, settings.notify.max_wait_seconds) is None:
                outcome = Outcome(
                    ok=False, error=_DEFERRED.format(settings.notify.max_wait_seconds)
                )
                _log(ws, notifier, digest, attempt + 1, "failed", outcome, 0.0)
                break
            attempts += 1
            started = time.perf_counter()
            outcome = notifier.send(message)
            last = outcome.ok or not outcome.retryable or attempt == settings.notify.retries
            status = "sent" if outcome.ok else ("failed" if last else "retry")
            _log(
                ws,
                notifier,
                digest,
                attempt + 1,
                status,
                outcome,
                (time.perf_counter() - started) * 1000,
            )
            if outcome.ok or not outcome.retryable:
                break
            if attempt < settings.notify.retries:
                clock.sleep(_backoff(settings, attempt, outcome))
        if not outcome.ok:
            return DigestResult(
                digest.channel,
                digest.owner,
                digest.digest_id,
                len(digest.items),
                len(messages),
                attempts,
                ok=False,
                error=outcome.error,
            )
    return DigestResult(
        digest.channel,
        digest.owner,
        digest.digest_id,
        len(digest.items),
        len(messages),
        attempts,
        ok=True,
    )


def _log(
    ws: Workspace,
    notifier: Channel,
    digest: Digest,
    attempt: int,
    status: str,
    outcome: Outcome,
    duration_ms: float,
) -> None:
    with ws.transaction() as cur:
        cur.execute(
            "INSERT INTO notify_log (log_id, logged_at, digest_id, channel, channel_type, owner,"
            " target, attempt, alerts, status, http_status, error, duration_ms)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                uuid.uuid4().hex,
                datetime.now(),
                digest.digest_id,
                digest.channel,
                notifier.type,
                digest.owner,
                notifier.target(),
                attempt,
                len(digest.items),
                status,
                outcome.http_status,
                outcome.error,
                round(duration_ms, 1),
            ],
        )


def _record(ws: Workspace, digest: Digest, result: DigestResult) -> None:
    now = datetime.now()
    with ws.transaction() as cur:
        for item in digest.items:
            if result.ok:
                cur.execute(
                    "UPDATE alert_deliveries SET status = 'sent', runs = runs + 1, digest_id = ?,"
                    " sent_at = ?, last_attempt_at = ?, last_error = NULL, updated_at = ?"
                    " WHERE alert_id = ? AND channel = ?",
                    [digest.digest_id, now, now, now, item.alert_id, digest.channel],
                )
            else:
                cur.execute(
                    "UPDATE alert_deliveries SET status = 'failed', runs = runs + 1,"
                    " digest_id = ?, last_attempt_at = ?, last_error = ?, updated_at = ?"
                    " WHERE alert_id = ? AND channel = ?",
                    [digest.digest_id, now, result.error, now, item.alert_id, digest.channel],
                )
