"""Row-level access: who may see which customers, and what each role may do.

A `Scope` is derived from a user. Every read takes one and applies `Scope.customer_sql()`
(or `ibis_filter`; both are `customer_filter`, the column and the values it keeps) to its
queries, so pages, the JSON API, searches, exports, reports and the CLI all see exactly the
same rows:

- admin   — every customer;
- manager — customers whose `customers.region` is one of the manager's regions
            (`users.region`, comma-separated for several);
- rep     — customers whose `customers.owner` is the rep's user name, display name, or one
            of the names in `[web] rep_aliases`;
- viewer  — read-only: with a region, the customers of that region (like a manager), else
            those owned under its names (like a rep). It may read and export, never write
            (`read_only`; the web's routes for its own account excepted).

Whether phones and emails are shown unmasked (`sees_pii`, `[web] pii_roles`) is carried
here too; `kehu.access.masking` does the masking.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kehu.errors import AccessDenied

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from kehu.access.auth import User
    from kehu.config import WebSettings

# action -> roles allowed to do it (row-level scope still applies on top)
PERMISSIONS: dict[str, tuple[str, ...]] = {
    "read": ("admin", "manager", "rep"),
    "export": ("admin", "manager", "rep"),
    "push": ("admin", "manager", "rep"),
    "ack_alert": ("admin", "manager", "rep"),
    "update_task": ("admin", "manager", "rep"),
    "edit_plan": ("admin", "manager", "rep"),  # key-account plans of customers in scope
    "report": ("admin", "manager", "rep"),
    "add_goal": ("admin", "manager"),
    "import": ("admin",),
    "merge": ("admin",),
    "plan": ("admin",),
    "users": ("admin",),
    "config": ("admin",),
    "audit": ("admin",),
    "backtest": ("admin",),  # workspace-wide figures (revenue totals of every region)
}

READ_ACTIONS = ("read", "export")  # all a read-only (viewer) scope may do


@dataclass(frozen=True)
class Scope:
    """What one user may see: a role plus the regions or owner names it is limited to.

    A viewer's scope carries the role whose rows it sees (manager or rep) and `read_only`."""

    user: str
    role: str
    regions: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()
    sees_pii: bool = False
    read_only: bool = False

    @property
    def sees_all(self) -> bool:
        return self.role == "admin"

    @property
    def key(self) -> str:
        """A cache key: two scopes with the same key see the same rows and fields."""
        if self.sees_all:
            return f"all|{self.sees_pii}"
        return f"{self.role}|{','.join(self.regions)}|{','.join(self.owners)}|{self.sees_pii}"

    def customer_filter(self) -> tuple[str, tuple[str, ...]] | None:
        """The customers' column the scope filters on and the values it keeps (None: every
        customer; no values: none). Every predicate below is this one, written for a reader."""
        if self.sees_all:
            return None
        if self.role == "manager":
            return "region", self.regions
        return "owner", self.owners if self.role == "rep" else ()

    def customer_sql(self, alias: str = "c") -> tuple[str, list[Any]]:
        """A SQL predicate over a table that has `region` and `owner` (customers)."""
        kept = self.customer_filter()
        if kept is None:
            return "TRUE", []
        column, values = kept
        if not values:
            return "FALSE", []
        prefix = f"{alias}." if alias else ""
        return f"{prefix}{column} IN ({', '.join('?' for _ in values)})", list(values)

    def customer_ids_sql(self) -> tuple[str, list[Any]]:
        """`customer_id IN (...)` for child tables (orders, tickets, alerts, tasks ...)."""
        if self.sees_all:
            return "TRUE", []
        cond, params = self.customer_sql("sc")
        return f"customer_id IN (SELECT sc.customer_id FROM customers sc WHERE {cond})", params

    def ibis_filter(self, table: ir.Table) -> ir.BooleanValue:
        """The same predicate as an Ibis expression over a table with region/owner."""
        import ibis

        kept = self.customer_filter()
        if kept is None:
            return ibis.literal(True)
        column, values = kept
        return table[column].isin(list(values)) if values else ibis.literal(False)

    def allows(self, region: str | None, owner: str | None) -> bool:
        """Whether a customer with this region and owner is inside the scope."""
        kept = self.customer_filter()
        if kept is None:
            return True
        column, values = kept
        return (region if column == "region" else owner) in values

    @property
    def user_role(self) -> str:
        """The user's own role (a viewer's `role` is the one whose rows it sees)."""
        return "viewer" if self.read_only else self.role

    def may(self, action: str) -> bool:
        if self.read_only and action not in READ_ACTIONS:
            return False
        return self.role in PERMISSIONS.get(action, ())

    def require(self, action: str) -> None:
        """Raise `AccessDenied` when the role may not do `action` at all."""
        if not self.may(action):
            raise AccessDenied(
                f"角色 {self.user_role} 无权执行此操作({action})",
                f"the {self.user_role} role may not do this ({action})",
            )


def scope_for(user: User, settings: WebSettings) -> Scope:
    """The scope of a user under the workspace's web settings."""
    regions = tuple(r.strip() for r in (user.region or "").split(",") if r.strip())
    owners: list[str] = [user.name]
    if user.display_name:
        owners.append(user.display_name)
    owners.extend(settings.rep_aliases.get(user.name, []))
    viewer = user.role == "viewer"
    return Scope(
        user=user.name,
        role=("manager" if regions else "rep") if viewer else user.role,
        regions=regions,
        owners=tuple(dict.fromkeys(o for o in owners if o)),
        sees_pii=user.role in settings.pii_roles,
        read_only=viewer,
    )
