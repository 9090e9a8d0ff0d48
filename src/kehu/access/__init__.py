"""Access control below the interfaces: users, login sessions, API tokens, roles, row-level
scope, masking of personal data, the audit log and login throttling.

The CLI, the web and reports share it: `auth.Auth` (accounts, sessions, tokens),
`scope.Scope` (which customers a user sees, what a role may do), `masking`, `audit`,
`throttle`. HTTP glue (cookies, CSRF, FastAPI dependencies) stays in `kehu.web`.
"""

from __future__ import annotations

ROLES = ("admin", "manager", "rep", "viewer")  # viewer: read-only, scoped (scope.py)
