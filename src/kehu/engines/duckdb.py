"""The DuckDB adapter: the workspace file, with lake tables read in place by DuckDB."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any

import duckdb
from sqlglot import exp

from kehu.engines import Params
from kehu.engines.lake import Location
from kehu.engines.sql import bind, mentions, parse, relocate, render
from kehu.errors import KehuError

if TYPE_CHECKING:
    import ibis.expr.types as ir
    from ibis.backends.duckdb import Backend as IbisDuckDB


class DuckDBEngine:
    """Canonical tables on the workspace's DuckDB connection; those with a `Location` are
    read from it (`read_parquet`, `delta_scan`, `iceberg_scan`) wherever they are named."""

    name = "duckdb"

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        lake: Mapping[str, Location],
        backend: IbisDuckDB | None = None,
        reader: Callable[[], duckdb.DuckDBPyConnection] | None = None,
    ) -> None:
        self.con = con
        self._reader = reader or con.cursor
        self.lake = dict(lake)
        self._names = frozenset(self.lake)
        self._backend = backend

    @cached_property
    def ibis(self) -> IbisDuckDB:
        """The Ibis backend over the same connection (the caller's, when given)."""
        if self._backend is not None:
            return self._backend
        import ibis

        return ibis.duckdb.from_connection(self.con)

    def location(self, name: str) -> Location | None:
        return self.lake.get(name)

    def rewrite(self, query: str) -> str:
        """`query` with every lake table read from its location (placeholders kept), for a
        DuckDB cursor; unchanged when it names none."""
        if not mentions(query, self._names):
            return query
        return render(relocate(parse(query), self._places()))

    def execute(self, query: str, params: Params = None) -> duckdb.DuckDBPyConnection:
        """Run a read on a reader (a fresh cursor unless the workspace says otherwise: a
        scoped one shares its cursor, so the caller must not close it), lake tables relocated."""
        try:
            return self._reader().execute(self.rewrite(query), params or None)
        except duckdb.IOException as exc:
            raise self._lake_error(exc) from None

    def table(self, name: str) -> ir.Table:
        if name not in self.lake:
            return self.ibis.table(name)
        return self.sql(exp.select("*").from_(name))

    def sql(self, query: str | exp.Expression, params: Params = None) -> ir.Table:
        """The query as an Ibis table: a temporary view on this connection, named by the
        query's text (the same query reuses its view; nothing is written to the file)."""
        tree = bind(parse(query), params)
        text = render(relocate(tree, self._places()))
        view = exp.to_identifier(f"kehu_q_{hashlib.sha1(text.encode()).hexdigest()[:16]}")
        create = exp.Create(
            this=exp.Table(this=view),
            kind="VIEW",
            replace=True,
            properties=exp.Properties(expressions=[exp.TemporaryProperty()]),
            expression=exp.maybe_parse(text, dialect="duckdb"),
        )
        try:
            self.con.execute(render(create))
        except duckdb.IOException as exc:
            raise self._lake_error(exc) from None
        return self.ibis.table(view.name)

    def _places(self) -> dict[str, exp.Expression]:
        return {n: loc.scan() for n, loc in self.lake.items()}

    def _lake_error(self, exc: Any) -> KehuError:
        where = "; ".join(f"{loc.setting} = {loc.path!r}" for loc in self.lake.values())
        return KehuError(
            f"无法读取湖表({where}):{exc}",
            f"cannot read a lake table ({where}): {exc}",
        )
