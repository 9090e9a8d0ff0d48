"""The pipeline forecast: win probabilities of the open deals and the period's forecast (the
newest run of `kehu forecast`), within the caller's scope."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from kehu.errors import NotFoundError
from kehu.web.api.deps import ApiUser, State
from kehu.web.api.models import Forecast
from kehu.web.services import forecast

router = APIRouter(prefix="/api/v1", tags=["forecast"])


@router.get("/forecast", operation_id="latest_forecast", response_model=Forecast)
def latest_forecast(state: State, who: ApiUser) -> dict[str, Any]:
    """The period's forecast in total, per region and per rep (won so far, Σ p × amount with
    its interval, the stage-weighted forecast, target, sales so far), every open deal with
    its probability and reasons, and the backtest's scores."""
    result = forecast.latest(state, who.scope)
    if result is None:
        raise NotFoundError(
            "还没有商机预测;运行 kehu forecast", "no forecast yet; run kehu forecast"
        )
    return result
