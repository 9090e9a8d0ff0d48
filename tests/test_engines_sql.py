"""The sqlglot-built identifiers, literals and statements survive any name or text."""

from __future__ import annotations

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st

from kehu.engines.sql import (
    as_text,
    column_list,
    count_rows,
    identifier,
    insert_select,
    select,
    text_literal,
)

# any printable text, quotes and CJK included (DuckDB names cannot hold NUL)
TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=20)


@settings(max_examples=60, deadline=None)
@given(TEXT)
def test_a_text_literal_reads_back_as_the_same_text(value: str) -> None:
    con = duckdb.connect()
    assert con.execute(f"SELECT {text_literal(value)}").fetchone() == (value,)


@settings(max_examples=40, deadline=None)
@given(TEXT, TEXT, st.lists(TEXT, min_size=1, max_size=4, unique_by=str.lower))
def test_statements_built_from_any_names_run(table: str, other: str, cols: list[str]) -> None:
    if table.lower() == other.lower():
        other += "_2"
    con = duckdb.connect()
    typed = ", ".join(f"{identifier(c)} VARCHAR" for c in cols)
    con.execute(f"CREATE TABLE {identifier(table)} ({typed})")
    con.execute(f"CREATE TABLE {identifier(other)} ({typed})")
    con.execute(f"INSERT INTO {identifier(table)} VALUES ({', '.join('?' * len(cols))})", cols)
    con.execute(insert_select(other, table, cols, where=f"{identifier(cols[0])} = ?"), [cols[0]])
    rows = con.execute(select(other, cols, order_by=column_list(cols[:1]), limit=5)).fetchall()
    assert rows == [tuple(cols)]
    aliased = con.execute(f"SELECT {column_list(cols, 't')} FROM {identifier(other)} t")
    assert aliased.fetchall() == [tuple(cols)]
    assert con.execute(count_rows(other)).fetchone() == (1,)
    labels = [f"{c}·" for c in cols]
    relabelled = con.execute(select(other, cols, labels=labels))
    assert [d[0] for d in relabelled.description] == labels
    texts = con.execute(as_text(f"SELECT 1 AS {identifier(cols[0])}", cols[:1])).fetchall()
    assert texts == [("1",)]
