"""Digests: the alerts waiting for one owner on one channel, rendered as message text."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kehu.i18n import normalize_lang, tr
from kehu.monitor.labels import SEVERITY_ORDER, severity_label

UNASSIGNED = ""


@dataclass
class AlertItem:
    alert_id: int
    rule: str
    severity: str
    title_zh: str
    title_en: str
    detail_zh: str
    detail_en: str
    customer_id: str | None
    customer_name: str | None
    owner: str | None
    subject_type: str
    subject_id: str
    first_seen_at: datetime | None
    evidence: dict[str, Any] = field(default_factory=dict)

    def title(self, lang: str) -> str:
        return self.title_en if normalize_lang(lang) == "en" else self.title_zh

    def detail(self, lang: str) -> str:
        return self.detail_en if normalize_lang(lang) == "en" else self.detail_zh

    def subject(self, lang: str) -> str:
        if self.customer_name and self.customer_id:
            return f"{self.customer_name} ({self.customer_id})"
        if self.customer_id:
            return self.customer_id
        if self.customer_name:
            return self.customer_name
        return f"{self.subject_type} {self.subject_id}"

    def to_json(self, lang: str) -> dict[str, Any]:
        return {
            "alert_id": self.alert_id,
            "rule": self.rule,
            "severity": self.severity,
            "title": self.title(lang),
            "detail": self.detail(lang),
            "customer_id": self.customer_id,
            "customer_name": self.customer_name,
            "owner": self.owner,
            "subject_type": self.subject_type,
            "subject_id": self.subject_id,
            "first_seen_at": self.first_seen_at.isoformat() if self.first_seen_at else None,
            "evidence": self.evidence,
        }


@dataclass
class Digest:
    """Alerts for one (channel, owner), most severe first."""

    channel: str
    owner: str
    lang: str
    items: list[AlertItem]
    max_items: int = 50
    digest_id: str = field(default_factory=lambda: uuid.uuid4().hex[:16])
    created_at: datetime = field(default_factory=datetime.now)

    def __post_init__(self) -> None:
        rank = {s: i for i, s in enumerate(SEVERITY_ORDER)}
        self.items.sort(key=lambda a: (-rank.get(a.severity, 0), a.alert_id))

    @property
    def shown(self) -> list[AlertItem]:
        return self.items[: self.max_items]

    @property
    def hidden(self) -> int:
        return max(0, len(self.items) - self.max_items)

    def title(self) -> str:
        who = self.owner or tr(self.lang, "未分配负责人", "unassigned")
        n = len(self.items)
        return tr(
            self.lang,
            f"kehu 客户预警 · {who} · {n} 条新预警",
            f"kehu customer alerts · {who} · {n} new",
        )

    def line(self, item: AlertItem) -> str:
        sev = severity_label(item.severity, self.lang)
        lang = self.lang
        return f"[{sev}] {item.title(lang)} · {item.subject(lang)} — {item.detail(lang)}"

    def lines(self) -> list[str]:
        out = [self.line(i) for i in self.shown]
        if self.hidden:
            out.append(
                tr(
                    self.lang,
                    f"……另有 {self.hidden} 条,运行 `kehu alerts list` 查看",
                    f"… and {self.hidden} more: run `kehu alerts list`",
                )
            )
        return out

    def footer(self) -> str:
        return tr(
            self.lang,
            "处理后请运行 `kehu alerts ack <编号>` 确认。",
            "Acknowledge with `kehu alerts ack <id>` once handled.",
        )


def chunk_lines(lines: list[str], budget: int, overhead: int = 0) -> list[list[str]]:
    """Pack lines into chunks whose UTF-8 size (+ a newline each) stays under `budget` bytes.

    A single line longer than the budget is cut (on a character boundary) so nothing is lost
    silently beyond what one message can carry.
    """
    room = max(64, budget - overhead)
    chunks: list[list[str]] = [[]]
    size = 0
    for line in lines:
        data = line.encode("utf-8")
        if len(data) + 1 > room:
            line = data[: room - 4].decode("utf-8", errors="ignore") + "…"
            data = line.encode("utf-8")
        if size + len(data) + 1 > room and chunks[-1]:
            chunks.append([])
            size = 0
        chunks[-1].append(line)
        size += len(data) + 1
    return chunks
