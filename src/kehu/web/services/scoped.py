"""A scoped copy of the workspace: only the rows a user may see, for whole-workspace tools.

Reports and the data-quality report read many tables at once. Rather than teach each of
them about scopes, a non-admin caller gets an in-memory workspace holding exactly the
customers of their scope and the rows that belong to those customers (orders, contacts,
snapshots, tasks, alerts, targets ...). Anything they produce from it can only show what the
scope may see. Admins use the real workspace.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from kehu.store.migrate import migrate
from kehu.store.schema import all_tables
from kehu.web.services.common import table_columns
from kehu.workspace import Workspace

if TYPE_CHECKING:
    from kehu.access.scope import Scope
    from kehu.web.services.state import WebState

# Tables without a customer_id that carry no customer rows and are copied whole.
SHARED_TABLES = ("analytics_runs",)


@contextmanager
def scoped_workspace(state: WebState, scope: Scope) -> Iterator[Workspace]:
    """The real workspace for admins; otherwise an in-memory copy limited to the scope."""
    if scope.sees_all:
        yield state.ws
        return
    root = Path(tempfile.mkdtemp(prefix="kehu-scope-"))
    con = duckdb.connect(":memory:")
    try:
        migrate(con)
        cond, params = scope.customer_sql("c")
        ids_sql = f"SELECT c.customer_id FROM customers c WHERE {cond}"
        src = state.ws.cursor()
        try:
            for table in all_tables():
                have = set(table_columns(state.ws, table.name))
                cols = [c for c in table.all_columns() if c in have]
                if not cols:
                    continue
                select = ", ".join(f'"{c}"' for c in cols)
                if table.name == "customers":
                    sql, args = f"SELECT {select} FROM customers c WHERE {cond}", params
                elif "customer_id" in have:
                    sql = f'SELECT {select} FROM "{table.name}" WHERE customer_id IN ({ids_sql})'
                    args = params
                elif table.name in SHARED_TABLES:
                    sql, args = f'SELECT {select} FROM "{table.name}"', []
                else:
                    continue
                data = src.sql(sql, params=args).to_arrow_table()
                if data.num_rows == 0:
                    continue
                con.register("_scoped", data)
                con.execute(f'INSERT INTO "{table.name}" ({select}) SELECT {select} FROM _scoped')
                con.unregister("_scoped")
        finally:
            src.close()
        scoped = Workspace(root, state.settings, con)
        yield scoped
    finally:
        con.close()
        shutil.rmtree(root, ignore_errors=True)
