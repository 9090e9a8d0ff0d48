"""System tables of every floor, declared in the store so it never imports a floor above it.

Each module declares the tables one floor writes (`register_table`); importing this package
declares them all, which `kehu.store.migrate` does before creating or upgrading tables.
"""

from kehu.store.tables import (
    access,
    accounts,
    analytics,
    dedupe,
    monitor,
    planning,
    recommend,
    satisfaction,
)

__all__ = [
    "access",
    "accounts",
    "analytics",
    "dedupe",
    "monitor",
    "planning",
    "recommend",
    "satisfaction",
]
