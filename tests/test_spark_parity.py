"""The same snapshot from DuckDB and from Spark (local mode): ids, codes exactly; floats to 1e-9."""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from kehu.analytics.snapshot import compute_snapshot
from kehu.analytics.sources import source_tables
from kehu.workspace import Workspace

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def demo_ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    from kehu.jobs.demo import run_demo

    root: Path = tmp_path_factory.mktemp("parity") / "ws"
    run_demo(root, seed=11, size=0.08, analyze=False)
    return Workspace.open(root)


def _rows(table: Any) -> dict[str, dict[str, Any]]:
    return {r["customer_id"]: r for r in table.to_pylist()}


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float) and math.isnan(a):
        return isinstance(b, float) and math.isnan(b)
    if isinstance(a, float | Decimal) or isinstance(b, float | Decimal):
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)
    return a == b


def test_duckdb_and_spark_snapshots_are_identical(demo_ws: Workspace, spark_backend: Any) -> None:
    from kehu.analytics.sources import SOURCE_TABLES
    from kehu.engines.spark import export_workspace_tables, read_tables

    as_of = date(2026, 9, 30)
    duck, duck_info, _ = compute_snapshot(source_tables(demo_ws.ibis), as_of, demo_ws.settings)
    paths = export_workspace_tables(demo_ws.cursor(), SOURCE_TABLES, demo_ws.root / "spark")
    spark_tables = read_tables(spark_backend, paths)
    spark, spark_info, _ = compute_snapshot(spark_tables, as_of, demo_ws.settings)

    assert duck.num_rows > 50
    assert sorted(duck.column_names) == sorted(spark.column_names)
    left, right = _rows(duck), _rows(spark)
    assert left.keys() == right.keys()
    mismatches = [
        (cid, col, row[col], right[cid][col])
        for cid, row in left.items()
        for col in duck.column_names
        if not _same(row[col], right[cid][col])
    ]
    assert mismatches == [], mismatches[:10]
    duck_fit = duck_info["clv"]["params"]["purchase"]
    spark_fit = spark_info["clv"]["params"]["purchase"]
    assert duck_fit["model"] == spark_fit["model"] == "bgnbd"
    for key in ("r", "alpha", "a", "b", "loglik"):
        assert math.isclose(duck_fit[key], spark_fit[key], rel_tol=1e-9), key


def test_churn_training_sample_is_the_same_on_spark(demo_ws: Workspace, spark_backend: Any) -> None:
    from kehu.analytics.churn.sample import HISTORY_TABLES, training_tables
    from kehu.engines.spark import export_workspace_tables, read_tables

    as_of = date(2026, 9, 30)
    paths = export_workspace_tables(
        demo_ws.cursor(), ["customers", *HISTORY_TABLES], demo_ws.root / "spark_sample"
    )
    engines = {"duckdb": source_tables(demo_ws.ibis), "spark": read_tables(spark_backend, paths)}
    seen = {}
    for name, tables in engines.items():
        with training_tables(tables, as_of, 40) as (history, sample):
            assert sample is not None and 20 <= sample["customers"] <= 60
            seen[name] = {
                t: sorted(
                    history[t]
                    .select("customer_id")
                    .distinct()
                    .to_pyarrow()["customer_id"]
                    .to_pylist()
                )  # fmt: skip
                for t in HISTORY_TABLES
            }
            seen[name]["rows"] = [history[t].count().to_pyarrow().as_py() for t in HISTORY_TABLES]
    assert 20 <= len(seen["duckdb"]["orders"]) <= 60
    assert seen["duckdb"] == seen["spark"]


def test_the_spark_engine_reads_lake_orders_like_duckdb(
    demo_ws: Workspace, spark_backend: Any, tmp_path: Path
) -> None:
    """The engine contract on both adapters: the same hand-written query, orders in a lake."""
    from kehu.engines.duckdb import DuckDBEngine
    from kehu.engines.lake import Location
    from kehu.engines.spark import SparkEngine
    from kehu.ingest import export_table

    folder = tmp_path / "lake" / "orders"
    export_table(demo_ws, "orders", folder / "part-0.parquet")
    lake = {"orders": Location.of("orders", str(folder), demo_ws.root)}
    spark = SparkEngine.open(demo_ws.cursor(), ["customers", "orders"], tmp_path / "s", lake,
                             "local[2]")  # fmt: skip
    duck = DuckDBEngine(demo_ws.con, lake)
    query = (
        "SELECT c.region, count(*) AS n, sum(o.amount) AS total FROM orders o"
        " JOIN customers c ON c.customer_id = o.customer_id WHERE o.order_date <= ?"
        " GROUP BY c.region"
    )
    rows = {}
    for name, engine in (("duckdb", duck), ("spark", spark)):
        table = engine.sql(query, [date(2026, 6, 30)]).to_pyarrow().to_pylist()
        rows[name] = sorted((r["region"], r["n"], float(r["total"])) for r in table)
    assert len(rows["duckdb"]) > 1 and sum(r[1] for r in rows["duckdb"]) > 100
    assert rows["spark"] == rows["duckdb"]
