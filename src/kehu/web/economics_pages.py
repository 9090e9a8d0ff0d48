"""Pages of the plan's economics and the rep / team scorecards (their texts kept here)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from kehu.app import SCORECARD_COLUMNS, SCORECARD_METRICS, scorecard_label, scorecard_value
from kehu.i18n import catalog
from kehu.web.api.deps import PageUser, State, client_ip, lang_of
from kehu.web.api.params import Text
from kehu.web.pages import render
from kehu.web.services import economics

router = APIRouter(include_in_schema=False)

TEXTS = catalog("economics", "page")
STATUS = catalog("economics", "milestone_status")


def _texts(request: Request) -> dict[str, Any]:
    lang = lang_of(request)
    return {
        "s": lambda key, **kw: TEXTS(key, lang, **kw),
        "sl": lambda key: scorecard_label(key, lang),
        "sv": lambda values, key: scorecard_value(values, key, lang),
        "ms": lambda code: STATUS(code, lang),
    }


@router.get("/scorecards", response_class=HTMLResponse)
def scorecards_page(
    request: Request,
    state: State,
    who: PageUser,
    period: Text = None,
    grain: Annotated[str | None, Query(pattern="^(month|quarter|year)$")] = None,
) -> HTMLResponse:
    cards = economics.scorecards(state, who.scope, period, grain)
    return render(
        request,
        "scorecards.html",
        who,
        nav="scorecards",
        cards=cards,
        columns=SCORECARD_COLUMNS,
        metrics=SCORECARD_METRICS,
        **_texts(request),
    )


@router.get("/scorecards/export")
def scorecards_export(
    request: Request, state: State, who: PageUser, period: Text = None
) -> Response:
    data, media, name = economics.export_scorecards(
        state, who.scope, period, lang_of(request), ip=client_ip(request)
    )
    return Response(
        data, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@router.get("/plan/economics", response_class=HTMLResponse)
def economics_page(request: Request, state: State, who: PageUser) -> HTMLResponse:
    lang = lang_of(request)
    view = economics.economics(state, who.scope, lang)
    return render(
        request, "economics.html", who, nav="economics", view=view,
        chart_data={"timeline": view["timeline"], "lang": lang}, **_texts(request),
    )  # fmt: skip
