"""The forecast page: the period's pipeline forecast per region and rep beside the
stage-weighted forecast and the target, the open deals with their reasons, the backtest."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from kehu.charts import Chart, Series
from kehu.i18n import catalog
from kehu.web.api.deps import PageUser, State, lang_of
from kehu.web.charts import drawn
from kehu.web.pages import render
from kehu.web.services import forecast

router = APIRouter(include_in_schema=False)

TEXTS = catalog("web_forecast")
DEALS_SHOWN = 50


def regions_chart(result: dict[str, Any], lang: str) -> dict[str, Any] | None:
    """Per region: the forecast beside the stage-weighted one (yuan)."""
    rows = result.get("region") or []
    if not rows:
        return None
    unknown = TEXTS("no_region", lang)
    chart = Chart(
        "forecast_regions",
        "",
        categories=[r["name"] or unknown for r in rows],
        series=[
            Series([r["forecast"] for r in rows], TEXTS("forecast", lang)),
            Series([r["stage_weighted"] for r in rows], TEXTS("stage_weighted", lang), muted=True),
        ],
    )
    return drawn(chart, money=True)


@router.get("/forecast", response_class=HTMLResponse)
def forecast_page(request: Request, state: State, who: PageUser) -> HTMLResponse:
    lang = lang_of(request)
    result = forecast.latest(state, who.scope)
    return render(
        request,
        "forecast.html",
        who,
        nav="forecast",
        result=result,
        deals=(result or {}).get("deals", [])[:DEALS_SHOWN],
        chart_data={"regions": regions_chart(result, lang) if result else None},
        f=lambda key, **kw: TEXTS(key, lang, **kw),
    )
