"""Users, API tokens and the audit log."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from kehu.web.api.deps import ApiUser, State
from kehu.web.api.models import AuditEvent, TokenOut, UserOut
from kehu.web.api.params import MAX_TEXT, PathId, Text
from kehu.web.services import admin

router = APIRouter(prefix="/api/v1", tags=["admin"])


class NewUser(BaseModel):
    user: str = Field(min_length=1, max_length=64)
    role: str = Field(pattern="^(admin|manager|rep|viewer)$")
    region: str | None = Field(None, max_length=MAX_TEXT)
    display_name: str | None = Field(None, max_length=MAX_TEXT)
    password: str | None = Field(None, max_length=1024)


class UserChange(BaseModel):
    role: str | None = Field(None, pattern="^(admin|manager|rep|viewer)$")
    region: str | None = Field(None, max_length=MAX_TEXT)
    display_name: str | None = Field(None, max_length=MAX_TEXT)
    active: bool | None = None
    password: str | None = Field(None, max_length=1024)


class NewToken(BaseModel):
    label: str | None = Field(None, max_length=100)
    user: str | None = Field(None, max_length=64)


@router.get("/users", operation_id="list_users", response_model=list[UserOut])
def list_users(state: State, who: ApiUser) -> list[dict[str, Any]]:
    """Every user with role and region (admin)."""
    return admin.list_users(state, who.scope)


@router.post("/users", operation_id="add_user", response_model=UserOut, status_code=201)
def add_user(state: State, who: ApiUser, body: NewUser) -> dict[str, Any]:
    """Create a user (admin); a manager needs a region."""
    return admin.add_user(
        state,
        who.scope,
        body.user,
        body.role,
        region=body.region,
        password=body.password,
        display_name=body.display_name,
    )


@router.post("/users/{user_name}", operation_id="update_user", response_model=UserOut)
def update_user(state: State, who: ApiUser, user_name: PathId, body: UserChange) -> dict[str, Any]:
    """Change a user's role, region, display name, active flag or password (admin)."""
    return admin.update_user(state, who.scope, user_name, **body.model_dump())


@router.get("/tokens", operation_id="list_tokens", response_model=list[TokenOut])
def list_tokens(state: State, who: ApiUser, user: Text = None) -> list[dict[str, Any]]:
    """API tokens (the caller's own; admins see all). Secrets are never shown again."""
    return admin.list_tokens(state, who.scope, user)


@router.post("/tokens", operation_id="create_token", response_model=TokenOut, status_code=201)
def create_token(state: State, who: ApiUser, body: NewToken) -> dict[str, Any]:
    """A new API token; the `token` value is shown only in this response."""
    return admin.create_token(state, who.scope, body.label, body.user)


@router.delete("/tokens/{token_id}", operation_id="revoke_token", status_code=204)
def revoke_token(state: State, who: ApiUser, token_id: PathId) -> Response:
    """Revoke a token at once."""
    admin.revoke_token(state, who.scope, token_id)
    return Response(status_code=204)


@router.get("/audit", operation_id="list_audit_events", response_model=list[AuditEvent])
def list_audit_events(
    state: State,
    who: ApiUser,
    action: Text = None,
    user: Text = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 200,
) -> list[dict[str, Any]]:
    """The audit log, newest first (admin)."""
    return admin.audit_events(state, who.scope, action=action, user=user, limit=limit)
