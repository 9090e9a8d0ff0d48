"""Customer 360 for the web: the domain's view (`Kehu.customer_360`, point-in-time, inside
the caller's scope) with the customer's tasks, alerts, strategy and needs, as plain values."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kehu.web.services import monitoring
from kehu.web.services.common import plain_tree

if TYPE_CHECKING:
    from kehu.access.scope import Scope
    from kehu.web.services.state import WebState


def customer_360(state: WebState, scope: Scope, customer_id: str, lang: str) -> dict[str, Any]:
    """Everything the 360 page shows; `NotFoundError` outside the scope."""
    kehu = state.kehu
    view = kehu.customer_360(customer_id, lang=lang, scope=scope)
    cid = view["customer_id"]
    snapshot = view["snapshot"] or {}
    vocabulary = state.cached("customers", ("feedback-vocabulary",), kehu.feedback_vocabulary)
    return plain_tree(
        {
            "customer": view["profile"],
            "as_of": view["as_of"],
            "snapshot": snapshot,
            "churn_reasons": view["churn_reasons"],
            "explanations": view["score_lines"],
            "story": view["story"],
            "history": view["history"][::-1],  # oldest first, as the chart reads
            "timeline": view["timeline"],
            "monthly_spend": view["monthly_spend"],
            "contacts": view["contacts"],
            "opportunities": view["opportunities"],
            "tasks": kehu.tasks(status="open", customer_ids=[cid], scope=scope, limit=20),
            "alerts": monitoring.list_alerts(
                state, scope, status="open", limit=20, customer_id=cid
            ),
            "strategy": kehu.customer_strategy(snapshot, lang),
            "clv_band": view["clv_band"],
            "needs": kehu.customer_needs(cid, vocabulary=vocabulary),
        }
    )
