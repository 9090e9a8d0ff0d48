"""Rescue measures by churn reason (挽回措施): one task per customer, the reasons' measures merged.

The measures, consulted teams and due days per reason code ship in `kehu/data/rescue.toml`;
`[urgent]` measures lead when the risk reaches `plan.urgent_risk` (seed 000: 紧急响应团队介入、
个性化补偿方案). A customer whose reasons are unknown keeps the churn playbook's measures.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache

from pydantic import Field, ValidationError

from kehu.analytics.churn.reasons import TEMPLATES
from kehu.config import PlaybookAction, Section
from kehu.datafiles import read_toml
from kehu.errors import ConfigError
from kehu.planning.playbook import Action


class RescueEntry(Section):
    """Measures for one reason code (and the model codes in `also`)."""

    name_zh: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    also: list[str] = Field(default_factory=list)
    due_days: int = Field(gt=0)
    actions: list[PlaybookAction] = Field(min_length=1)


class RescueFile(Section):
    urgent: RescueEntry
    reasons: dict[str, RescueEntry]


@dataclass(frozen=True)
class Rescue:
    """The merged measures of a set of reasons."""

    actions: tuple[Action, ...]
    due_days: int | None  # None: no reason with measures (keep the playbook's)
    codes: tuple[str, ...]  # the reason codes the measures answer


def _actions(entry: RescueEntry) -> tuple[Action, ...]:
    return tuple(Action(a.code, a.zh, a.en, a.cost, a.consulted) for a in entry.actions)


@cache
def _file() -> RescueFile:
    try:
        return RescueFile.model_validate(read_toml("rescue.toml"))
    except ValidationError as exc:
        raise ConfigError(
            f"kehu/data/rescue.toml 有误: {exc}", f"kehu/data/rescue.toml is invalid: {exc}"
        ) from None


@cache
def rescue_book() -> tuple[tuple[Action, ...], int, dict[str, tuple[tuple[Action, ...], int]]]:
    """(urgent actions, urgent due days, reason code -> (actions, due days)), validated."""
    book = _file()
    by_code: dict[str, tuple[tuple[Action, ...], int]] = {}
    for code, entry in book.reasons.items():
        for key in (code, *entry.also):
            if key not in TEMPLATES:
                raise ConfigError(
                    f"rescue.toml: 未知的流失原因代码 {key!r}",
                    f"rescue.toml: unknown churn reason code {key!r}",
                )
            by_code[key] = (_actions(entry), entry.due_days)
    return _actions(book.urgent), book.urgent.due_days, by_code


def rescue_rules() -> list[tuple[str, str, tuple[Action, ...], int]]:
    """(name_zh, name_en, measures, due days) per reason, urgent first: for `kehu playbooks`."""
    book = _file()
    entries = [book.urgent, *book.reasons.values()]
    return [(e.name_zh, e.name_en, _actions(e), e.due_days) for e in entries]


def reason_codes(churn_reasons: object) -> tuple[str, ...]:
    """The reason codes of a snapshot's churn_reasons JSON (empty when absent or invalid)."""
    if not isinstance(churn_reasons, str) or not churn_reasons:
        return ()
    try:
        items = json.loads(churn_reasons)
    except ValueError:
        return ()
    if not isinstance(items, list):
        return ()
    return tuple(str(i["code"]) for i in items if isinstance(i, dict) and i.get("code"))


def merge(codes: tuple[str, ...], urgent: bool) -> Rescue:
    """The measures for these reasons (each measure once, in reason order), urgent first."""
    urgent_actions, urgent_days, by_code = rescue_book()
    chosen: dict[str, Action] = {}
    days: list[int] = []
    answered: list[str] = []
    if urgent:
        chosen.update((a.code, a) for a in urgent_actions)
        days.append(urgent_days)
    for code in codes:
        if code not in by_code:
            continue
        actions, due = by_code[code]
        for a in actions:
            chosen.setdefault(a.code, a)
        days.append(due)
        answered.append(code)
    if not answered and not urgent:
        return Rescue((), None, ())
    return Rescue(tuple(chosen.values()), min(days), tuple(answered))
