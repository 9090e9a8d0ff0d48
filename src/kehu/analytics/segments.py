"""Segments by industry, company size and region: the one place that knows how a customer
row falls into each, as a Python rule, an SQL expression and an Ibis expression.

The keys are codes: the GB/T 4754 section letter (`C`), a size band (`micro` … `large`,
`person`, `unknown`, by employees against `[market] size_limits`) and the sales region as
stored (`华东`). A missing industry or region has no key (None, shown "—"). The three forms
are kept equal by a property test (tests/test_segments.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import ibis
import sqlglot.expressions as sx

from kehu.analytics.labels import label, resolve
from kehu.errors import KehuError
from kehu.industries import industries, industry_name

if TYPE_CHECKING:
    from kehu.workspace import Workspace

SEGMENT_DIMENSIONS = ("industry", "size", "region")
UNKNOWN = "—"


def check_dimension(dim: str) -> str:
    if dim not in SEGMENT_DIMENSIONS:
        raise KehuError(
            f"未知的细分维度 {dim!r}:可选 {', '.join(SEGMENT_DIMENSIONS)}",
            f"unknown segment dimension {dim!r}: use one of {', '.join(SEGMENT_DIMENSIONS)}",
        )
    return dim


def _bands(limits: dict[str, int]) -> list[tuple[str, int]]:
    return sorted(limits.items(), key=lambda kv: kv[1])


def size_band(employees: int | None, is_person: bool, limits: dict[str, int]) -> str:
    """micro | small | medium | large by employees (limits ascending), person, unknown."""
    if is_person:
        return "person"
    if employees is None:
        return "unknown"
    for band, limit in _bands(limits):
        if employees < limit:
            return band
    return "large"


def segment_key(row: dict[str, Any], dim: str, limits: dict[str, int]) -> str | None:
    """The key of a customers row (industry_code, employees, customer_type, region)."""
    if dim == "industry":
        code = (row.get("industry_code") or "").strip()
        return code[:1].upper() or None
    if dim == "size":
        return size_band(row.get("employees"), row.get("customer_type") == "person", limits)
    return row.get("region") or None


def segment_sql(dim: str, limits: dict[str, int], alias: str = "c") -> str:
    """The key as a DuckDB/Spark SQL expression over the customers table called `alias`."""
    col = lambda name: sx.column(name, table=alias)  # noqa: E731
    if check_dimension(dim) == "industry":
        first = sx.func("upper", sx.func("substr", sx.func("trim", col("industry_code")), 1, 1))
        expr: Any = sx.func("nullif", first, sx.Literal.string(""))
    elif dim == "size":
        case = sx.Case()
        case = case.when(sx.EQ(this=col("customer_type"), expression=sx.Literal.string("person")),
                         sx.Literal.string("person"))  # fmt: skip
        case = case.when(sx.Is(this=col("employees"), expression=sx.Null()),
                         sx.Literal.string("unknown"))  # fmt: skip
        for band, limit in _bands(limits):
            case = case.when(sx.LT(this=col("employees"), expression=sx.Literal.number(limit)),
                             sx.Literal.string(band))  # fmt: skip
        expr = case.else_(sx.Literal.string("large"))
    else:
        expr = sx.func("nullif", col("region"), sx.Literal.string(""))
    return expr.sql("duckdb")


def segment_expr(customers: ibis.Table, dim: str, limits: dict[str, int]) -> ibis.Value:
    """The key as an Ibis expression over the customers table."""
    if check_dimension(dim) == "industry":
        first = customers.industry_code.strip().substr(0, 1).upper()
        return first.nullif("")
    if dim == "size":
        case = ibis.cases(
            (customers.customer_type == "person", "person"),
            (customers.employees.isnull(), "unknown"),
            *((customers.employees < limit, band) for band, limit in _bands(limits)),
            else_="large",
        )
        return case
    return customers.region.nullif("")


def with_segments(
    ws: Workspace,
    snapshot: ibis.Table,
    industry: str | None = None,
    size: str | None = None,
    region: str | None = None,
) -> ibis.Table:
    """Snapshot rows with their `industry`, `size` and `region` keys taken from the customer
    record (the snapshot's own copy of the region is replaced), filtered by what was typed."""
    c = ws.table("customers")
    limits = ws.settings.market.size_limits
    keys = c.select(c.customer_id, **{d: segment_expr(c, d, limits) for d in SEGMENT_DIMENSIONS})
    t = snapshot.drop("region").left_join(keys, "customer_id").drop("customer_id_right")
    for dim, text in (("industry", industry), ("size", size), ("region", region)):
        if text:
            t = t.filter(t[dim] == resolve_segment(dim, text))
    return t


def segment_label(dim: str, key: str | None, lang: str = "zh") -> str:
    """What a user sees for a key: the section's name, the size band's label, the region."""
    if key is None or key == UNKNOWN:
        return UNKNOWN
    if dim == "industry":
        return industry_name(key, lang) or key
    if dim == "size":
        return label("company_size", key, lang)
    return key


def resolve_segment(dim: str, text: str) -> str:
    """The key for what a user typed: a section letter or name (zh/en), a size band code or
    label, a region as stored."""
    wanted = text.strip()
    if check_dimension(dim) == "size":
        return resolve("company_size", wanted)
    if dim == "region":
        return wanted
    sections = [i for i in industries() if i.level == "section"]
    for ind in sections:
        if wanted.casefold() in {ind.code.casefold(), ind.name_zh, ind.name_en.casefold()}:
            return ind.code
    choices = ", ".join(f"{i.code} ({i.name_zh})" for i in sections)
    raise KehuError(
        f"未知的行业门类 {text!r};可选:{choices}",
        f"unknown industry section {text!r}; choose one of: {choices}",
    )
