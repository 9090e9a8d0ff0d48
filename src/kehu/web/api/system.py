"""Health, the current user, and the session login/logout for API clients."""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter

from kehu import __version__
from kehu.web.api.deps import ApiUser, State
from kehu.web.api.models import Health, Me

router = APIRouter(prefix="/api/v1", tags=["system"])


@router.get("/health", operation_id="health", response_model=Health)
def health(state: State) -> dict[str, Any]:
    """Liveness and readiness: the store answers, the latest snapshot date (no login)."""
    ok = state.ws.scalar("SELECT 1") == 1
    as_of = state.kehu.latest_as_of()
    return {
        "status": "ok" if ok else "error",
        "ready": state.ready.is_set(),
        "version": __version__,
        "uptime_seconds": round(time.time() - state.started_at, 1),
        "snapshot_as_of": as_of.isoformat() if as_of else None,
    }


@router.get("/me", operation_id="whoami", response_model=Me)
def whoami(who: ApiUser) -> dict[str, Any]:
    """The caller, their role and what their scope covers."""
    return {
        **who.user.to_json(),
        "via": who.via,
        "scope": {
            "all": who.scope.sees_all,
            "regions": list(who.scope.regions),
            "owners": list(who.scope.owners),
            "sees_pii": who.scope.sees_pii,
        },
    }
