"""The web layer: FastAPI app, REST API and server-rendered pages.

Routes stay thin: they resolve the current user (`kehu.web.api.deps`), turn it into a
`Scope` (`kehu.access.scope`) and call service functions (`kehu.web.services`) that apply the
scope to every query, so pages, the JSON API, exports and reports all see the same rows.
Users, sessions, tokens, roles and the audit log live in `kehu.access`.
"""
