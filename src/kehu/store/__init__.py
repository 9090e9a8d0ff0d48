"""The store: canonical tables in an embedded DuckDB file."""

from kehu.store.migrate import SCHEMA_VERSION, migrate

__all__ = ["SCHEMA_VERSION", "migrate"]
