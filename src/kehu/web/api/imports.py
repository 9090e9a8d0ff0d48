"""Import wizard: upload, auto-map columns, correct the mapping, preview rejects, commit."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from pydantic import BaseModel, Field

from kehu.web.api.deps import ApiUser, State, client_ip
from kehu.web.api.models import ImportCommit, ImportLogRow, ImportPreview
from kehu.web.api.params import PathId
from kehu.web.services import imports

router = APIRouter(prefix="/api/v1/imports", tags=["imports"])


class MappingBody(BaseModel):
    mapping: dict[str, str | None] | None = Field(
        None, description="file header -> canonical column ('' or null ignores the column)"
    )


@router.get("", operation_id="list_imports", response_model=list[ImportLogRow])
def list_imports(state: State, who: ApiUser) -> list[dict[str, Any]]:
    """Recent imports with their counts (admin)."""
    return imports.import_log(state, who.scope)


@router.post("", operation_id="upload_import", response_model=ImportPreview, status_code=201)
async def upload_import(
    state: State,
    who: ApiUser,
    file: Annotated[UploadFile, File(description="CSV / TSV / XLSX / Parquet export")],
    kind: Annotated[str, Form(description="customers, orders, contacts, ...")],
    source: Annotated[str | None, Form()] = None,
) -> dict[str, Any]:
    """Upload a file; returns the automatic column mapping and a dry-run preview."""
    data = await file.read()
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(
        imports.upload, state, who.scope, file.filename or "upload.csv", data, kind, source
    )


@router.post("/{upload_id}/preview", operation_id="preview_import", response_model=ImportPreview)
def preview_import(
    state: State, who: ApiUser, upload_id: PathId, body: MappingBody
) -> dict[str, Any]:
    """Dry run with a corrected mapping: counts and the rows that would be rejected."""
    return imports.preview(state, who.scope, upload_id, body.mapping)


@router.post("/{upload_id}/commit", operation_id="commit_import", response_model=ImportCommit)
def commit_import(
    request: Request, state: State, who: ApiUser, upload_id: PathId, body: MappingBody
) -> dict[str, Any]:
    """Import for real, in one transaction."""
    return imports.commit(state, who.scope, upload_id, body.mapping, ip=client_ip(request))
