"""The playbook effect (`kehu effect`) for the effect page and API, within the caller's scope:
the report with each playbook's name and verdicts in the caller's language (kehu.app)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kehu.access.scope import Scope
    from kehu.web.services.state import WebState


def report(
    state: WebState, scope: Scope, lang: str, plan_date: date | None = None, *, table: bool = False
) -> dict[str, Any]:
    """The effect report as JSON with names and verdicts in `lang`; `table` adds the display
    rows the page shows (headers and formatted rows)."""
    scope.require("read")
    found = state.kehu.playbook_effect(plan_date, scope=scope)
    books = state.kehu.playbooks()
    out = found.to_json()
    for book, p in zip(out["playbooks"], found.playbooks, strict=True):
        chosen = books.get(p.playbook)
        book["name"] = chosen.name(lang) if chosen else p.playbook
        book["verdicts"] = {
            k: state.kehu.effect_verdict(k, e, found.min_n, lang) for k, e in p.estimates.items()
        }
    if table:
        out["table"] = state.kehu.playbook_effect_rows(found, lang)
    return out
