"""Service functions used by the API routes and the pages.

Each function takes the `WebState` (the workspace plus caches) and the caller's `Scope`, and
returns plain dicts/lists ready for JSON or a template. Row-level access is applied here, in
one place, so no route can forget it.
"""
