"""Backtests: how the predictions made at a past date held up (runs of `kehu backtest`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from kehu.errors import NotFoundError
from kehu.web.api.deps import ApiUser, State
from kehu.web.api.models import Backtest, BacktestRun
from kehu.web.services import backtest

router = APIRouter(prefix="/api/v1", tags=["backtest"])


@router.get("/backtest", operation_id="latest_backtest", response_model=Backtest)
def latest_backtest(state: State, who: ApiUser) -> dict[str, Any]:
    """Every figure of the newest run: churn AUC / PR AUC / lift / capture / Brier /
    reliability, purchases and revenue predicted vs actual, each next to the baselines,
    overall, per value tier and per region."""
    result = backtest.latest(state, who.scope)
    if result is None:
        raise NotFoundError(
            "还没有回测记录;运行 kehu backtest", "no backtest yet; run kehu backtest"
        )
    return result


@router.get("/backtest/history", operation_id="backtest_history", response_model=list[BacktestRun])
def backtest_history(
    state: State, who: ApiUser, limit: Annotated[int, Query(ge=1, le=500)] = 50
) -> list[dict[str, Any]]:
    """Headline figures of the stored runs, newest first."""
    return backtest.history(state, who.scope, limit)
