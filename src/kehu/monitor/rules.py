"""Alert rules as SQL predicates, evaluated in DuckDB so that only the firing rows leave it.

A threshold or event rule keeps the rows where `field op value` holds; a change rule compares
each subject's previous and current value. `scope` narrows every rule to rows whose columns
hold the given value(s) (e.g. `value_tier in [strategic, core]`). Missing values (NULL, NaN)
never match. `match_rows` / `match_change` run the same SQL over pandas frames (small sources
and tests).
"""

from __future__ import annotations

import functools
import math
from typing import Any

import duckdb
import pandas as pd

from kehu.config import AlertRule
from kehu.errors import KehuError

COMPARISONS = (">", ">=", "<", "<=", "==", "!=", "in", "not_in")
NUMERIC = (
    "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
    "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE", "DECIMAL",
)  # fmt: skip
FLOATS = ("FLOAT", "DOUBLE")
ROW = "_rule_row"  # row position of a pandas frame, to give back its index


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(value: Any) -> str:
    """A SQL literal for a rule value from TOML (text, number or boolean)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            return f"'{value}'::DOUBLE"
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def _text(value: Any) -> str:
    """A value as DuckDB spells it when cast to VARCHAR (booleans lower-case)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple | set) else [value]


def _base(data_type: str) -> str:
    return data_type.upper().split("(", 1)[0].strip()


def present(col: str, data_type: str) -> str:
    """`col` holds a value (NaN counts as missing, as in pandas)."""
    if _base(data_type) in FLOATS:
        return f"({col} IS NOT NULL AND NOT isnan({col}))"
    return f"{col} IS NOT NULL"


def compare_sql(col: str, data_type: str, op: str, value: Any) -> str:
    """SQL of `col op value`, true only where `col` holds a value.

    Numbers compare as numbers even when the rule value came from TOML as text; a text
    column compared with a number is read as a number where it is one; `in`, `not_in` and
    equality with text compare the text of the value.
    """
    has = present(col, data_type)
    if op in ("in", "not_in"):
        wanted = ", ".join(literal(_text(v)) for v in _as_list(value)) or "NULL"
        hit = f"coalesce(CAST({col} AS VARCHAR) IN ({wanted}), false)"
        return f"({has} AND {'' if op == 'in' else 'NOT '}{hit})"
    if op not in (">", ">=", "<", "<=", "==", "!="):
        raise ValueError(f"not a comparison: {op}")
    if isinstance(value, list | tuple | set):
        raise ValueError(f"op {op} compares with one value, not a list")
    numeric = _base(data_type) in NUMERIC
    target: Any = value
    if numeric and isinstance(value, str):
        try:
            target = float(value)
        except ValueError:
            target = value
    sql_op = "=" if op == "==" else op
    if isinstance(target, int | float) and not isinstance(target, bool) and not numeric:
        number = f"TRY_CAST({col} AS DOUBLE)"
        return f"coalesce({number} {sql_op} {literal(target)}, false)"
    if isinstance(target, str) and op in ("==", "!="):
        return f"({has} AND CAST({col} AS VARCHAR) {sql_op} {literal(target)})"
    return f"({has} AND coalesce({col} {sql_op} {literal(target)}, false))"


def _column(rule: AlertRule, columns: dict[str, str], name: str, what: str = "field") -> str:
    if name in columns:
        return columns[name]
    known = ", ".join(sorted(c for c in columns if not c.startswith("_")))
    if what == "scope":
        raise KehuError(
            f"预警规则 {rule.name}:范围字段 {name} 不在 {rule.table} 中",
            f"alert rule {rule.name}: scope column {name} is not in {rule.table}",
        )
    raise KehuError(
        f"预警规则 {rule.name}:字段 {name} 不在 {rule.table} 中(可用:{known})",
        f"alert rule {rule.name}: field {name} is not in {rule.table} (known: {known})",
    )


def scope_sql(rule: AlertRule, columns: dict[str, str], alias: str) -> str:
    """Rows inside the rule's scope (every scope key must match); `TRUE` without a scope."""
    parts = ["TRUE"]
    for name, wanted in rule.scope.items():
        data_type = _column(rule, columns, name, "scope")
        op = "in" if isinstance(wanted, list) else "=="
        parts.append(compare_sql(f"{alias}.{quote(name)}", data_type, op, wanted))
    return " AND ".join(parts)


def rows_sql(rule: AlertRule, source: str, columns: dict[str, str]) -> str:
    """SELECT of the rows of `source` (a SELECT) where a threshold/event rule holds."""
    data_type = _column(rule, columns, rule.field)
    hit = compare_sql(f"t.{quote(rule.field)}", data_type, rule.op, rule.value)
    return f"SELECT t.* FROM ({source}) t WHERE {hit} AND {scope_sql(rule, columns, 't')}"


def change_sql(rule: AlertRule, prev: str, cur: str, key: str, columns: dict[str, str]) -> str:
    """SELECT of the current rows (scope applies to them) whose `field` changed as the rule
    describes since `prev`, with `_prev` (the previous value) and `_change` (the relative
    change for pct ops, else NULL)."""
    data_type = _column(rule, columns, rule.field)
    new, old, k = f"c.{quote(rule.field)}", "p._prev", quote(key)
    change = "NULL::DOUBLE"
    if rule.op in ("pct_drop", "pct_rise"):
        new_f, old_f = f"TRY_CAST({new} AS DOUBLE)", f"TRY_CAST({old} AS DOUBLE)"
        change = f"({new_f} - {old_f}) / abs({old_f})"
        valid = f"{present(new_f, 'DOUBLE')} AND {present(old_f, 'DOUBLE')} AND {old_f} <> 0"
        threshold = float(rule.value)  # type: ignore[arg-type]
        test = (
            f"{change} < {-threshold!r}" if rule.op == "pct_drop" else f"{change} > {threshold!r}"
        )
        cond = f"{valid} AND {test}"
    elif rule.op == "transition":
        cond = (
            f"{compare_sql(old, data_type, 'in', rule.from_values)}"
            f" AND {compare_sql(new, data_type, 'in', rule.to_values)}"
        )
    else:  # changed
        cond = f"CAST({old} AS VARCHAR) IS DISTINCT FROM CAST({new} AS VARCHAR)"
    before = f"SELECT {k} AS _rule_key, {quote(rule.field)} AS _prev FROM ({prev}) q"
    return (
        f"SELECT c.*, p._prev, {change} AS _change FROM ({cur}) c"
        f" JOIN ({before}) p ON c.{k} = p._rule_key"
        f" WHERE {cond} AND {scope_sql(rule, columns, 'c')}"
    )


def columns_of(con: duckdb.DuckDBPyConnection, source: str) -> dict[str, str]:
    """Column name -> DuckDB type of a SELECT (nothing is computed)."""
    return {str(r[0]): str(r[1]) for r in con.execute(f"DESCRIBE {source}").fetchall()}


@functools.cache
def _scratch() -> duckdb.DuckDBPyConnection:
    """An in-memory database for rules over pandas frames (a cursor per use)."""
    return duckdb.connect()


def _frame_sql(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, name: str) -> str:
    con.register(name, frame.assign(**{ROW: range(len(frame))}))
    return f"SELECT * FROM {name}"


def _back(frame: pd.DataFrame, got: pd.DataFrame) -> pd.DataFrame:
    """The firing rows as rows of `frame` (its index and dtypes), plus any added columns."""
    got = got.sort_values(ROW)
    out = frame.iloc[got[ROW].to_numpy()]
    for extra in (c for c in got.columns if c not in frame.columns and c != ROW):
        out = out.assign(**{extra: got[extra].to_numpy()})
    return out


def match_rows(frame: pd.DataFrame, rule: AlertRule) -> pd.DataFrame:
    """Rows of `frame` where a threshold/event rule holds (inside its scope)."""
    with _scratch().cursor() as con:
        source = _frame_sql(con, frame, "_rule_frame")
        sql = rows_sql(rule, source, columns_of(con, source))
        return _back(frame, con.execute(sql).df())


def match_change(prev: pd.DataFrame, cur: pd.DataFrame, key: str, rule: AlertRule) -> pd.DataFrame:
    """Subjects whose `field` changed as the rule describes between two snapshots: the
    current rows with `_prev` and `_change` (see `change_sql`)."""
    with _scratch().cursor() as con:
        before = _frame_sql(con, prev, "_rule_prev")
        now = _frame_sql(con, cur, "_rule_cur")
        sql = change_sql(rule, before, now, key, columns_of(con, now))
        return _back(cur, con.execute(sql).df())


def compare(series: pd.Series, op: str, value: Any) -> pd.Series:
    """Boolean mask of `series op value` (the SQL of `compare_sql`, over a pandas series)."""
    with _scratch().cursor() as con:
        source = _frame_sql(con, pd.DataFrame({"v": series.reset_index(drop=True)}), "_rule_s")
        hit = compare_sql('"v"', columns_of(con, source)["v"], op, value)
        got = con.execute(f"SELECT {ROW}, {hit} AS hit FROM ({source}) ORDER BY {ROW}").df()
    return pd.Series(got["hit"].to_numpy(dtype=bool), index=series.index)


def condition_key(rule: AlertRule, subject_type: str, subject_id: str) -> str:
    """The stable identity of a condition: the same key + state is never alerted twice."""
    return f"{rule.name}|{subject_type}:{subject_id}"
