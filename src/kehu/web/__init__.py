"""The web layer: FastAPI app, REST API, server-rendered pages, users, roles and audit.

Routes stay thin: they resolve the current user (`kehu.web.api.deps`), turn it into a
`Scope` (`kehu.web.access`) and call service functions (`kehu.web.services`) that apply the
scope to every query, so pages, the JSON API, exports and reports all see the same rows.
"""

from __future__ import annotations

ROLES = ("admin", "manager", "rep", "viewer")  # viewer: read-only, scoped (access.py)
