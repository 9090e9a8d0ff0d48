"""Hand-written SQL through sqlglot: parse once, bind parameters as literals, point every
canonical table at the place it lives, render for the engine's dialect.

Queries are written in DuckDB's dialect (the house dialect); a relocated table keeps its
alias, so `orders o` or `orders.amount` read the same whether `orders` is a workspace table,
`read_parquet(…)` or a Spark view.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache

import sqlglot
from sqlglot import exp

from kehu.engines import Params
from kehu.errors import KehuError

HOUSE = "duckdb"


@lru_cache(maxsize=512)
def _parsed(query: str) -> exp.Expression:
    try:
        tree = sqlglot.parse_one(query, read=HOUSE)
    except sqlglot.errors.ParseError as exc:
        raise KehuError(f"无法解析 SQL:{exc}", f"cannot parse SQL: {exc}") from None
    return _expression(tree)


def _expression(node: exp.Expr) -> exp.Expression:
    """sqlglot's base type narrowed: a parsed statement is always an `Expression`."""
    assert isinstance(node, exp.Expression), type(node)
    return node


def parse(query: str | exp.Expression) -> exp.Expression:
    """A private copy of the parsed query (parsing is cached, the tree is not shared)."""
    return (query if isinstance(query, exp.Expression) else _parsed(query)).copy()


def bind(tree: exp.Expression, params: Params) -> exp.Expression:
    """`?` placeholders take `params` in order, `$name` ones take `params[name]`."""
    if not params:
        return tree
    if isinstance(params, Mapping):
        return _expression(exp.replace_placeholders(tree, **params))
    return _expression(exp.replace_placeholders(tree, *params))


def inline(condition: str, params: Params) -> str:
    """A condition (or query) with its parameters written in as SQL literals, for statements
    that take no parameters (views); sqlglot quotes each value, so a `?` or a quote inside a
    value stays inside its literal."""
    return render(bind(parse(condition), params))


def identifier(*parts: str) -> str:
    """A quoted, dotted SQL name (`"db"."main"."orders"`), whatever characters it holds."""
    return ".".join(exp.to_identifier(p, quoted=True).sql(dialect=HOUSE) for p in parts)


def text_literal(value: object) -> str:
    """A SQL string literal of `value`."""
    return exp.Literal.string(str(value)).sql(dialect=HOUSE)


def mentions(query: str, names: frozenset[str]) -> bool:
    """Whether the query text may name one of `names` (a cheap test before parsing)."""
    return bool(names) and _word_pattern(names).search(query) is not None


@lru_cache(maxsize=16)
def _word_pattern(names: frozenset[str]) -> re.Pattern[str]:
    return re.compile(r"\b(" + "|".join(sorted(map(re.escape, names))) + r")\b", re.IGNORECASE)


def _targets(tree: exp.Expression) -> set[int]:
    """The tables a statement writes to or describes (never relocated: writes stay where they
    are, and the workspace's table describes the canonical columns)."""
    out = set()
    kinds = (exp.Insert, exp.Delete, exp.Update, exp.Create, exp.Merge, exp.Describe)
    for node in tree.find_all(*kinds):
        target = node.this
        if isinstance(target, exp.Schema):
            target = target.this
        if isinstance(target, exp.Table):
            out.add(id(target))
    return out


def relocate(tree: exp.Expression, places: Mapping[str, exp.Expression]) -> exp.Expression:
    """Replace every read of a table named in `places` (unqualified or `main.`) by its place,
    keeping the alias; names a CTE shadows are left alone."""
    if not places:
        return tree
    ctes = {c.alias_or_name.lower() for c in tree.find_all(exp.CTE)}
    skip = _targets(tree)
    for table in list(tree.find_all(exp.Table)):
        name = table.name.lower()
        if (
            name not in places
            or id(table) in skip
            or table.args.get("catalog")
            or table.db not in ("", "main")
            or (name in ctes and not table.db)
        ):
            continue
        place = places[name].copy()  # a view name, a table function, a subquery
        place.set("alias", exp.TableAlias(this=exp.to_identifier(table.alias_or_name)))
        table.replace(place)
    return tree


def render(tree: exp.Expression, dialect: str = HOUSE) -> str:
    return tree.sql(dialect=dialect)


def copy_to_parquet(table: str, path: str) -> str:
    """`COPY "table" TO 'path' (FORMAT parquet)`, for DuckDB."""
    copy = exp.Copy(
        this=exp.Table(this=exp.to_identifier(table, quoted=True)),
        kind=False,
        files=[exp.Literal.string(path)],
        params=[exp.CopyParameter(this=exp.var("FORMAT"), expression=exp.var("parquet"))],
    )
    return copy.sql(dialect=HOUSE)


def column_list(names: Sequence[str], table: str | None = None) -> str:
    """`"a", "b"` (or `t."a", t."b"` with a table alias): quoted by sqlglot."""
    return ", ".join(
        exp.column(n, table=table, quoted=True).sql(dialect=HOUSE) if table else identifier(n)
        for n in names
    )


def select(
    table: str,
    columns: Sequence[str],
    *,
    where: str | None = None,
    order_by: str | None = None,
    limit: int | None = None,
    labels: Sequence[str] | None = None,
) -> str:
    """`SELECT "col" [AS "label"], … FROM "table" [WHERE …] [ORDER BY …] [LIMIT n]`; `where`
    and `order_by` are SQL text (placeholders allowed), parsed by sqlglot."""
    picked: list[exp.Expr] = [exp.column(c, quoted=True) for c in columns]
    if labels is not None:
        picked = [
            exp.alias_(col, label, quoted=True) for col, label in zip(picked, labels, strict=True)
        ]
    query = exp.select(*picked).from_(exp.to_table(identifier(table), dialect=HOUSE))
    if where:
        query = query.where(where, dialect=HOUSE)
    if order_by:
        query = query.order_by(order_by, dialect=HOUSE)
    if limit is not None:
        query = query.limit(int(limit))
    return query.sql(dialect=HOUSE)


def count_rows(table: str) -> str:
    """`SELECT count(*) FROM "table"`."""
    star = exp.func("count", exp.Star())
    return exp.select(star).from_(exp.to_table(identifier(table), dialect=HOUSE)).sql(HOUSE)


def as_text(query: str, columns: Sequence[str]) -> str:
    """`SELECT CAST("col" AS VARCHAR) AS "col", … FROM (query)`: every column as DuckDB
    renders it as text."""
    casts = [
        exp.alias_(exp.cast(exp.column(c, quoted=True), "VARCHAR"), c, quoted=True) for c in columns
    ]
    inner = sqlglot.parse_one(query, read=HOUSE)
    assert isinstance(inner, exp.Query), type(inner)
    return exp.select(*casts).from_(inner.subquery()).sql(dialect=HOUSE)


def insert_select(
    target: str,
    source: str,
    columns: Sequence[str],
    *,
    where: str | None = None,
    order_by: str | None = None,
) -> str:
    """`INSERT INTO "target" ("col", …) SELECT "col", … FROM "source" [WHERE …] [ORDER BY …]`."""
    rows = sqlglot.parse_one(select(source, columns, where=where, order_by=order_by), read=HOUSE)
    into = exp.to_table(identifier(target), dialect=HOUSE)
    names = [exp.to_identifier(c, quoted=True) for c in columns]
    return exp.insert(rows, into, columns=names, dialect=HOUSE).sql(dialect=HOUSE)
