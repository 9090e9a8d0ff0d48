"""The stored backtest runs (`kehu backtest`) for the backtest page and API.

The figures are workspace-wide (every region's revenue), so only roles that see every
customer may read them (`backtest` permission).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kehu.analytics import backtest_runs
from kehu.analytics.backtest import CHURN_SCORES, NAMES
from kehu.web.services.common import table_exists

if TYPE_CHECKING:
    from kehu.access.scope import Scope
    from kehu.web.services.state import WebState


def latest(state: WebState, scope: Scope) -> dict[str, Any] | None:
    """Every figure of the newest run (None before the first)."""
    scope.require("backtest")
    if not table_exists(state.ws, "backtest_runs"):
        return None
    return backtest_runs.latest(state.ws)


def history(state: WebState, scope: Scope, limit: int = 50) -> list[dict[str, Any]]:
    """Headline figures of the stored runs, newest first."""
    scope.require("backtest")
    if not table_exists(state.ws, "backtest_runs"):
        return []
    return backtest_runs.history(state.ws, limit)


def names(lang: str) -> dict[str, str]:
    """Display names of the scores and models in `lang`."""
    keys = [*CHURN_SCORES, "bgnbd_model", "paretonbd_model", "naive_model"]
    return {k: NAMES(k, lang) for k in keys}
