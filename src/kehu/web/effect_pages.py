"""The playbook-effect page: per playbook, treated vs control of a past plan with intervals."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from kehu.i18n import catalog
from kehu.web.api.deps import PageUser, State, lang_of
from kehu.web.pages import render
from kehu.web.services import effect

router = APIRouter(include_in_schema=False)

TEXTS = catalog("effect")


@router.get("/effect", response_class=HTMLResponse)
def effect_page(
    request: Request, state: State, who: PageUser, plan: Annotated[date | None, Query()] = None
) -> HTMLResponse:
    lang = lang_of(request)
    result = effect.report(state, who.scope, lang, plan, table=True)
    return render(
        request,
        "effect.html",
        who,
        nav="effect",
        result=result,
        f=lambda key, **kw: TEXTS(key, lang, **kw),
    )
