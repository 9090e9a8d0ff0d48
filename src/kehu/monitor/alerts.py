"""`kehu alerts run`: evaluate the rules, store alert events, notify through channels."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx

from kehu.monitor import dispatch, state
from kehu.monitor.evaluate import evaluate
from kehu.workspace import Workspace


@dataclass
class AlertRunResult:
    as_of: date
    snapshot: date | None
    previous_snapshot: date | None
    findings: int
    new: list[int]
    unchanged: int
    resolved: int
    superseded: int
    skipped: dict[str, tuple[str, str]]
    delivery: dispatch.DeliveryReport | None = None
    by_rule: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "snapshot": self.snapshot.isoformat() if self.snapshot else None,
            "previous_snapshot": (
                self.previous_snapshot.isoformat() if self.previous_snapshot else None
            ),
            "findings": self.findings,
            "new": len(self.new),
            "new_ids": self.new,
            "unchanged": self.unchanged,
            "resolved": self.resolved,
            "superseded": self.superseded,
            "by_rule": self.by_rule,
            "skipped_rules": {rule: en for rule, (_zh, en) in self.skipped.items()},
            "delivery": self.delivery.to_json() if self.delivery else None,
        }


def run_alerts(
    ws: Workspace,
    as_of: date | None = None,
    *,
    send: bool = True,
    clock: dispatch.Clock | None = None,
    client: httpx.Client | None = None,
    env: dict[str, str] | None = None,
    lang: str | None = None,
) -> AlertRunResult:
    """Evaluate every rule, record new/cleared conditions, then deliver pending digests."""
    settings = ws.settings
    evaluation = evaluate(ws, settings, as_of)
    change = state.apply(ws, evaluation, settings)
    by_rule: dict[str, int] = {}
    for f in evaluation.findings:
        by_rule[f.rule.name] = by_rule.get(f.rule.name, 0) + 1
    result = AlertRunResult(
        as_of=evaluation.as_of,
        snapshot=evaluation.snapshot.current,
        previous_snapshot=evaluation.snapshot.previous,
        findings=len(evaluation.findings),
        new=change.new,
        unchanged=len(change.unchanged),
        resolved=len(change.resolved),
        superseded=len(change.superseded),
        skipped=evaluation.skipped,
        by_rule=by_rule,
    )
    if send:
        result.delivery = dispatch.deliver(
            ws, settings, clock=clock, client=client, env=env, lang=lang
        )
    return result
