"""Apache Spark through Ibis' PySpark backend: the same analytics expressions, run on a cluster.

A local session (`local[*]`) needs only `pip install pyspark` and Java 17; a cluster is reached
with a `spark://`, `yarn` or `k8s://` master, or Spark Connect (`sc://host:15002`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlglot import exp

from kehu.engines import Params
from kehu.engines.lake import Location
from kehu.engines.sql import bind, copy_to_parquet, parse, relocate, render
from kehu.errors import KehuError

if TYPE_CHECKING:
    import ibis.expr.types as ir
    from pyspark.sql import SparkSession

    from kehu.config import EngineSettings


def _require_pyspark() -> None:
    try:
        import pyspark  # noqa: F401
    except ModuleNotFoundError:
        raise KehuError(
            "未安装 PySpark:请运行 pip install 'kehu[spark]'(需要 Java 17)",
            "PySpark is not installed: run pip install 'kehu[spark]' (needs Java 17)",
        ) from None


@lru_cache(maxsize=4)
def spark_session(master: str | None = None, memory: str = "4g") -> SparkSession:
    """A Spark session (cached per master): local mode by default, quiet and deterministic."""
    _require_pyspark()
    from pyspark.sql import SparkSession

    master = master or os.environ.get("KEHU_SPARK_MASTER") or "local[*]"
    if master.startswith("sc://"):
        return SparkSession.builder.remote(master).getOrCreate()
    builder = (
        SparkSession.builder.master(master)
        .appName("kehu")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", os.environ.get("KEHU_SPARK_PARTITIONS", "8"))
        .config("spark.driver.memory", memory)
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
    )
    jar = _splink_jar()
    if jar:  # Splink's string-similarity UDFs (dedupe on Spark), shipped to the executors
        builder = builder.config("spark.jars", jar)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def _splink_jar() -> str | None:
    try:
        from splink.backends.spark import similarity_jar_location
    except ModuleNotFoundError:
        return None
    return similarity_jar_location()


def engine_session(settings: EngineSettings) -> SparkSession | None:
    """The Spark session of `[engine] name = "spark"` (dedupe runs Splink on it), else None."""
    if settings.name != "spark":
        return None
    return spark_session(settings.spark_master, settings.spark_memory)


def spark_backend(master: str | None = None, memory: str = "4g") -> Any:
    """An Ibis backend over the (cached) Spark session."""
    import ibis

    return ibis.pyspark.connect(spark_session(master, memory))


def read_tables(backend: Any, paths: Mapping[str, Path | str]) -> dict[str, ir.Table]:
    """Register Parquet files (or folders, or Delta tables) as Ibis tables on Spark."""
    tables = {}
    for name, path in paths.items():
        p = str(path)
        if p.endswith("/_delta_log") or (Path(p) / "_delta_log").exists():
            tables[name] = backend.read_delta(p, table_name=f"kehu_{name}")
        else:
            tables[name] = backend.read_parquet(p, table_name=f"kehu_{name}")
    return tables


def export_workspace_tables(
    con: Any,
    names: tuple[str, ...] | list[str],
    folder: Path,
    overrides: Mapping[str, Path | str] | None = None,
) -> dict[str, Path | str]:
    """Write workspace tables to Parquet (DuckDB COPY) for Spark to read; `overrides` maps a
    table to an existing Parquet/Delta path (a lake location) used instead."""
    folder.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path | str] = {}
    for name in names:
        if overrides and name in overrides:
            paths[name] = overrides[name]
            continue
        target = folder / f"{name}.parquet"
        con.execute(copy_to_parquet(name, str(target)))
        paths[name] = target
    return paths


class SparkEngine:
    """The canonical tables as Spark views: workspace tables exported to Parquet under
    `folder`, lake locations read in place (Spark reads the files, not DuckDB)."""

    name = "spark"

    def __init__(self, backend: Any, tables: Mapping[str, ir.Table]) -> None:
        self.backend = backend
        self.tables = dict(tables)

    @classmethod
    def open(
        cls,
        con: Any,
        names: tuple[str, ...] | list[str],
        folder: Path,
        lake: Mapping[str, Location],
        master: str | None = None,
        memory: str = "4g",
    ) -> SparkEngine:
        backend = spark_backend(master, memory)
        overrides = {n: _spark_path(loc) for n, loc in lake.items() if n in names}
        return cls(backend, read_tables(backend, export_workspace_tables(con, names, folder,
                                                                         overrides)))  # fmt: skip

    def table(self, name: str) -> ir.Table:
        try:
            return self.tables[name]
        except KeyError:
            raise KehuError(
                f"Spark 引擎上没有表 {name}", f"no table {name} on the Spark engine"
            ) from None

    def sql(self, query: str | exp.Expression, params: Params = None) -> ir.Table:
        views = {n: exp.to_table(t.get_name()) for n, t in self.tables.items()}
        tree = relocate(bind(parse(query), params), views)
        return self.backend.sql(render(tree, "spark"), dialect="spark")


def _spark_path(loc: Location) -> str:
    """A lake location as Spark reads it: a folder rather than a DuckDB `**` glob."""
    return loc.path.split("/**/")[0] if "/**/" in loc.path else loc.path
