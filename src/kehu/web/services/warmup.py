"""The dashboard caches a running server computes before (and after each write) a visitor
asks: the customer list and its default sort orders, the admin summary, Pareto and KPIs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kehu.access.scope import Scope
from kehu.web.services import dashboard, kpis, listing

if TYPE_CHECKING:
    from kehu.web.services.state import WebState


def warm(state: WebState) -> None:
    """Compute what the admin dashboard needs, so the first visitor does not wait."""
    listing.ensure_list(state)
    listing.ensure_order(state, "value_score", True)  # the customers page's default
    listing.ensure_order(state, "churn_risk", True)  # the watch-list's "view all"
    admin = Scope("warm-up", "admin", sees_pii=True)
    dashboard.summary(state, admin)
    dashboard.pareto(state, admin)
    for by in (None, "region", "owner"):  # managers' and reps' KPIs are cut from these
        kpis.raw(state, "month", by, kpis.CARD_KPIS)
        kpis.raw(state, "month", by, None)
