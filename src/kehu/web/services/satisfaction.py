"""Satisfaction drivers and measures for the web, read within the caller's scope: a rep's
drivers come from the rep's own customers' answers, and a measure lists only those."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kehu.web.services.common import plain_tree

if TYPE_CHECKING:
    from kehu.access.scope import Scope
    from kehu.web.services.state import WebState


def satisfaction(state: WebState, scope: Scope, lang: str) -> dict[str, Any]:
    scope.require("read")
    return plain_tree(state.kehu.satisfaction(lang=lang, scope=scope))
