"""Pick the cleaner for a column from its `Field` kind."""

from __future__ import annotations

from decimal import Decimal

import pyarrow as pa

from kehu.ingest.columns import (
    Cleaned,
    Context,
    clean_bool,
    clean_date,
    clean_datetime,
    clean_int,
    clean_money,
    clean_number,
    clean_period,
    in_bounds,
    prep_text,
)
from kehu.ingest.columns_text import (
    clean_email,
    clean_enum,
    clean_phone,
    clean_postcode,
    clean_province,
    clean_tags,
)
from kehu.ingest.fields import Field


def clean_column(arr: pa.Array, spec: Field, ctx: Context, unit: Decimal = Decimal(1)) -> Cleaned:
    """Dispatch on the field kind (industry and registration are handled by the caller)."""
    kind = spec.kind
    if kind == "money":
        return in_bounds(clean_money(arr, ctx, unit), spec)
    if kind == "date":
        return clean_date(arr, ctx, partial_dates=spec.partial)
    if kind == "datetime":
        return clean_datetime(arr, ctx)
    if kind == "int":
        return clean_int(arr, ctx, spec)
    if kind in ("number", "percent"):
        return in_bounds(clean_number(arr, ctx, percent=kind == "percent"), spec)
    if kind == "bool":
        return clean_bool(arr, ctx)
    if kind == "period":
        return clean_period(arr, ctx)
    if kind == "phone":
        return clean_phone(arr, ctx)
    if kind == "email":
        return clean_email(arr, ctx)
    if kind == "postcode":
        return clean_postcode(arr, ctx)
    if kind == "province":
        return clean_province(arr, ctx)
    if kind == "enum" and spec.values:
        return clean_enum(arr, ctx, spec.values)
    if kind == "tags":
        return clean_tags(arr, ctx)
    return Cleaned(prep_text(arr))
