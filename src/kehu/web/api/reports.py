"""Periodic reports: generate (HTML / XLSX / PDF) within the caller's scope, list, download."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from kehu.web.api.deps import ApiUser, Lang, State, client_ip
from kehu.web.api.models import Report
from kehu.web.api.params import PathId
from kehu.web.services import reports

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])


class ReportRequest(BaseModel):
    period: str | None = Field(
        None, max_length=16, description="2026-10 or 2026-Q3 (default: latest)"
    )
    kind: str | None = Field(None, pattern="^(monthly|quarterly)$")
    format: str = Field("html", pattern="^(html|xlsx|pdf)$")
    lang: str | None = Field(None, pattern="^(zh|en)$")


@router.get("", operation_id="list_reports", response_model=list[Report])
def list_reports(state: State, who: ApiUser) -> list[dict[str, Any]]:
    """Reports generated for the caller's scope, newest first."""
    return reports.list_reports(state, who.scope)


@router.post("", operation_id="generate_report", response_model=Report, status_code=201)
def generate_report(
    request: Request, state: State, who: ApiUser, lang: Lang, body: ReportRequest
) -> dict[str, Any]:
    """Write the review-meeting report for a period, limited to the caller's customers."""
    return reports.generate(
        state,
        who.scope,
        period=body.period,
        kind=body.kind,
        fmt=body.format,
        lang=body.lang or lang,
        ip=client_ip(request),
    )


@router.get(
    "/{report_id}/download",
    operation_id="download_report",
    response_class=FileResponse,
    responses={200: {"content": {m: {} for m in reports.FORMATS.values()}}},
)
def download_report(
    state: State,
    who: ApiUser,
    report_id: PathId,
    inline: Annotated[bool, Query(description="show in the browser")] = False,
) -> FileResponse:
    """The report file (only reports of the caller's own scope)."""
    path, media = reports.report_file(state, who.scope, report_id)
    return FileResponse(
        path,
        media_type=media,
        filename=None if inline else path.name,
        content_disposition_type="inline" if inline else "attachment",
    )
