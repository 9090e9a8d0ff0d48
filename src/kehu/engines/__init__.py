"""The engine contract: every floor reads the canonical tables through an `Engine`.

A canonical table lives in one place — the workspace file, or Parquet/Delta/Iceberg files
named in `[engine.tables]` — and the engine resolves its name to that place, so every stage
sees the same rows. One tiny adapter per backend (`duckdb.DuckDBEngine`, `spark.SparkEngine`);
SQL that stays hand-written is parsed, bound and relocated with sqlglot (`sql.py`), never
spliced together from strings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import ibis.expr.types as ir
    from sqlglot import exp

Params = Sequence[Any] | Mapping[str, Any] | None


class Engine(Protocol):
    """Where the canonical tables are read: `table(name)` for Ibis code, `sql(query)` for
    hand-written SQL in DuckDB's dialect (`?` / `$name` placeholders bound to `params`)."""

    name: str

    def table(self, name: str) -> ir.Table: ...

    def sql(self, query: str | exp.Expression, params: Params = None) -> ir.Table: ...
