"""Every JSON API route declares a typed response model (shown in /openapi.json), and what
the routes really send matches it — also on the hot routes that skip FastAPI's validation."""

from __future__ import annotations

import typing
import warnings
from typing import Any

import pytest
from pydantic import BaseModel, TypeAdapter
from test_access_routes import OWN, _routes, world  # noqa: F401
from test_web_support import login, seeded_dir, seeded_ws  # noqa: F401

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

TYPED_SCALARS = (str, int, float, bool)


def _typed(annotation: Any) -> bool:
    """A model, or a list of models or of plain scalars (dates count); never `Any` or dict."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return True
    if typing.get_origin(annotation) is list:
        (item,) = typing.get_args(annotation)
        return _typed(item) or (
            isinstance(item, type) and item.__module__ in ("builtins", "datetime")
        )
    return False


def _json_routes(app: Any) -> list[tuple[str, str, Any]]:
    """API routes that answer JSON (not file downloads, not 204 No Content)."""
    return [
        (method, path, route)
        for method, path, route in _routes(app)
        if path.startswith("/api/")
        and route.status_code != 204
        and getattr(route.response_class, "media_type", "application/json") == "application/json"
    ]


def test_every_json_api_route_has_a_typed_model(world) -> None:  # noqa: ANN001, F811
    app = world["app"]
    routes = _json_routes(app)
    assert len(routes) >= 40
    untyped = [(m, p) for m, p, r in routes if not _typed(r.response_model)]
    assert not untyped, f"give these routes a response_model: {untyped}"
    spec = TestClient(app).get("/openapi.json").json()
    for method, path, _route in routes:
        schema = spec["paths"][path][method.lower()]["responses"]
        body = next(v for k, v in schema.items() if k.startswith("2"))
        shown = body["content"]["application/json"]["schema"]
        target = shown.get("items", shown)
        assert "$ref" in target or target.get("type") in ("string", "integer"), (path, shown)


def _check(client: TestClient, app: Any, path: str) -> int:
    route = next(r for m, p, r in _json_routes(app) if m == "GET" and p == path)
    real = path.replace("{customer_id}", OWN)
    r = client.get(real)
    if r.status_code in (403, 404):  # not the role's, or nothing yet (no backtest run)
        return 0
    assert r.status_code == 200, (real, r.text[:300])
    data = r.json()
    TypeAdapter(route.response_model).validate_python(data)
    return len(data) if isinstance(data, list) else 1


@pytest.mark.parametrize("user", ["admin", "zhang"])
def test_what_the_routes_send_matches_their_models(world, user: str) -> None:  # noqa: ANN001, F811
    app = world["app"]
    client = TestClient(app)
    login(client, user)
    paths = [
        p for m, p, _ in _json_routes(app) if m == "GET" and "{" not in p or "customer_id}" in p
    ]
    seen = {path: _check(client, app, path) for path in paths}
    # the checks saw real rows, not empty lists
    one = "/api/v1/customers/{customer_id}"
    rows = ["/api/v1/customers", f"{one}/360", f"{one}/timeline", "/api/v1/kpis"]
    if user == "admin":  # the world's task and alert are on li's customer
        rows += ["/api/v1/tasks", "/api/v1/alerts", "/api/v1/users", "/api/v1/audit"]
    for path in rows:
        assert seen[path] > 0, path
    view = client.get(f"/api/v1/customers/{OWN}/360").json()
    assert view["explanations"] and view["timeline"]
