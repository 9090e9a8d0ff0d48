"""Reading a workspace as one scope sees it, for readers that span many tables at once.

`scoped(ws, scope)` is the workspace itself for a scope that sees everything; for anyone
else it is a workspace whose every cursor shadows each stored table by a temporary view of
the scope's rows — customers inside the scope, the rows of any table with a `customer_id`
that belong to them, the shared run log whole, every other table (targets, goals, backtest
runs, users …) empty. Nothing is copied: the views read the stored tables, so a report or
the data-quality check written once for the whole workspace can only show what the scope
may see, whichever query it runs. The views live on the reader's own cursor (a DuckDB
cursor is a connection of its own), so other readers and writers are untouched.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING

from kehu.engines.sql import identifier, inline, render
from kehu.errors import AccessDenied
from kehu.workspace import Workspace

if TYPE_CHECKING:
    import duckdb

    from kehu.access.scope import Scope
    from kehu.engines.lake import Location

# no customer rows in them: seen whole (satisfaction measures list their customers in JSON;
# `planning.satisfaction` keeps the scope's ones, each cut to the scope's customers; a forecast
# run is narrowed to the scope's deals when read: kehu.analytics.forecast.runs; a recommendation
# run holds company-wide shares and scores, no customer)
SHARED_TABLES = ("analytics_runs", "satisfaction_measures", "forecast_runs", "recommend_runs")


def view_sql(
    scope: Scope,
    database: str,
    tables: dict[str, set[str]],
    places: Mapping[str, str] | None = None,
) -> list[str]:
    """`CREATE TEMP VIEW` statements shadowing each stored table with the scope's rows; a
    table in `places` (a lake table: name -> its scan) is read from there."""
    cond = inline(*scope.customer_sql("c"))  # views take no parameters

    def base(name: str) -> str:
        return (places or {}).get(name) or identifier(database, "main", name)

    ids = f"SELECT c.customer_id FROM {base('customers')} c WHERE {cond}"
    out = []
    for name, columns in sorted(tables.items()):
        if name == "customers":
            body = f"SELECT c.* FROM {base(name)} c WHERE {cond}"
        elif "customer_id" in columns:
            body = f"SELECT * FROM {base(name)} WHERE customer_id IN ({ids})"
        elif name == "opportunity_stages":  # a stage row belongs to its deal's customer
            deals = f"SELECT opportunity_id FROM {base('opportunities')} WHERE customer_id IN"
            body = f"SELECT * FROM {base(name)} WHERE opportunity_id IN ({deals} ({ids}))"
        elif name in SHARED_TABLES:
            body = f"SELECT * FROM {base(name)}"
        else:
            body = f"SELECT * FROM {base(name)} WHERE FALSE"
        out.append(f"CREATE OR REPLACE TEMP VIEW {identifier(name)} AS {body}")
    return out


class ScopedWorkspace(Workspace):
    """A read-only workspace limited to one scope; every cursor carries the scope's views."""

    def __init__(self, ws: Workspace, scope: Scope) -> None:
        self._base = ws
        self.scope = scope
        probe = ws.cursor()
        try:
            self._database = probe.execute("SELECT current_database()").fetchone()[0]  # type: ignore[index]
            rows = probe.execute(
                "SELECT table_name, column_name FROM information_schema.columns"
                " WHERE table_schema = 'main' AND table_catalog = current_database()"
            ).fetchall()
        finally:
            probe.close()
        tables: dict[str, set[str]] = {}
        for table, column in rows:
            tables.setdefault(table, set()).add(column)
        # a lake table is shadowed by a view over its files; this workspace then reads every
        # table through the views, so no query can reach the lake around the scope
        places = {name: render(loc.scan()) for name, loc in ws.lake().items()}
        self._views = view_sql(scope, self._database, tables, places)
        super().__init__(ws.root, ws.settings, self.cursor())

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A new cursor carrying the scope's views (a reader may close it)."""
        cur = self._base.cursor()
        cur.execute(";\n".join(self._views))
        return cur

    def lake(self) -> dict[str, Location]:
        """None: the scope's views already read the lake tables from their files."""
        return {}

    def reader(self) -> duckdb.DuckDBPyConnection:
        """One-off reads share the views of this workspace's own cursor (one reader uses a
        scoped workspace) instead of building them again for every query."""
        return self.con

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        raise AccessDenied(
            "按权限范围读取的工作区不能写入", "a workspace read within a scope cannot be written"
        )
        yield  # pragma: no cover  (a generator, for @contextmanager)

    def close(self) -> None:
        self.con.close()


@contextmanager
def scoped(ws: Workspace, scope: Scope | None) -> Iterator[Workspace]:
    """`ws` as `scope` sees it (the workspace itself when the scope sees everything)."""
    if scope is None or scope.sees_all:
        yield ws
        return
    view = ScopedWorkspace(ws, scope)
    try:
        yield view
    finally:
        view.close()
