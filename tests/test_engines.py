"""The engine contract's SQL handling: relocation of lake tables, parameter binding, and the
DuckDB adapter reading a Parquet location through `table`, `sql` and `rewrite`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest
from sqlglot import exp

from kehu.engines.duckdb import DuckDBEngine
from kehu.engines.lake import Location
from kehu.engines.sql import bind, parse, relocate, render
from kehu.errors import KehuError

PLACE = {"orders": exp.to_table("lake_orders")}


def _moved(query: str) -> str:
    return render(relocate(parse(query), PLACE))


def test_a_read_is_relocated_and_keeps_its_alias() -> None:
    assert _moved("SELECT o.amount FROM orders o") == "SELECT o.amount FROM lake_orders AS o"
    assert _moved("SELECT orders.amount FROM main.orders") == (
        "SELECT orders.amount FROM lake_orders AS orders"
    )
    assert "orders_12m" in _moved("SELECT orders_12m FROM customer_snapshot")


def test_ctes_writes_and_other_catalogs_are_left_alone() -> None:
    assert _moved("WITH orders AS (SELECT 1 AS a) SELECT a FROM orders") == (
        "WITH orders AS (SELECT 1 AS a) SELECT a FROM orders"
    )
    moved = _moved("INSERT INTO orders SELECT * FROM orders WHERE amount > 0")
    assert moved == "INSERT INTO orders SELECT * FROM lake_orders AS orders WHERE amount > 0"
    assert _moved("DELETE FROM orders") == "DELETE FROM orders"
    assert _moved("SELECT * FROM other.orders") == "SELECT * FROM other.orders"


def test_parameters_are_bound_as_literals_not_spliced() -> None:
    tree = bind(parse("SELECT * FROM t WHERE d <= ? AND name = $who"), [date(2026, 1, 2)])
    tree = bind(tree, {"who": "O'Brien"})
    assert render(tree) == (
        "SELECT * FROM t WHERE d <= CAST('2026-01-02' AS DATE) AND name = 'O''Brien'"
    )


@pytest.fixture
def lake(tmp_path: Path) -> DuckDBEngine:
    con = duckdb.connect()
    con.execute("CREATE TABLE orders (order_id VARCHAR, amount DECIMAL(18,2))")
    folder = tmp_path / "lake" / "orders"
    folder.mkdir(parents=True)
    con.execute(
        f"COPY (SELECT 'A' || i AS order_id, i::DECIMAL(18,2) AS amount FROM range(1, 5) t(i))"
        f" TO '{folder / 'p0.parquet'}' (FORMAT parquet)"
    )
    return DuckDBEngine(con, {"orders": Location.of("orders", "lake/orders", tmp_path)})


def test_the_duckdb_adapter_reads_the_lake_every_way(lake: DuckDBEngine) -> None:
    assert lake.con.execute("SELECT count(*) FROM orders").fetchone() == (0,)  # the file's own
    assert lake.execute("SELECT sum(amount) FROM orders WHERE amount > ?", [1]).fetchone()[0] == 9
    assert lake.table("orders").count().execute() == 4
    t = lake.sql("SELECT order_id FROM orders WHERE amount >= ?", [3])
    assert sorted(t.to_pyarrow()["order_id"].to_pylist()) == ["A3", "A4"]
    assert lake.rewrite("SELECT 1 FROM customers") == "SELECT 1 FROM customers"  # untouched


def test_an_empty_lake_folder_reads_as_the_empty_table(tmp_path: Path) -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE orders (order_id VARCHAR, amount DECIMAL(18,2))")
    engine = DuckDBEngine(con, {"orders": Location.of("orders", "lake/orders/", tmp_path)})
    assert engine.execute("SELECT count(*), sum(amount) FROM orders").fetchone() == (0, None)


def test_a_location_that_cannot_take_an_import_says_why(tmp_path: Path) -> None:
    single = Location.of("orders", "orders.parquet", tmp_path)
    with pytest.raises(KehuError, match="append"):
        single.new_file()
    folder = Location.of("orders", "lake/orders", tmp_path)
    target = folder.new_file()
    assert target.parent == tmp_path / "lake" / "orders" and target.suffix == ".parquet"
