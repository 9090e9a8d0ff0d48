"""The satisfaction page: drivers of detractors and the improvement measures' effect."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from kehu.app import TASK_STATUS, code_label
from kehu.i18n import catalog
from kehu.web.api.deps import PageUser, State, lang_of
from kehu.web.pages import render
from kehu.web.services import satisfaction as service

router = APIRouter(include_in_schema=False)

TEXTS = catalog("satisfaction", "texts")


@router.get("/satisfaction", response_class=HTMLResponse)
def satisfaction_page(request: Request, state: State, who: PageUser) -> HTMLResponse:
    lang = lang_of(request)
    view = service.satisfaction(state, who.scope, lang)

    def s(key: str, **kw: Any) -> str:
        return TEXTS(key, lang, **kw)

    def status(code: str) -> str:
        return code_label(TASK_STATUS, code, lang)

    return render(
        request, "satisfaction.html", who, nav="satisfaction", view=view, s=s, status=status
    )
