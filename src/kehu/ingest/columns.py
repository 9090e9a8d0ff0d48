"""Column-wise cleaning: vectorised Arrow kernels for the clean majority, the scalar cleaners
of `kehu.ingest.clean` only for the distinct values left over (dirty formats).

Every cleaner takes one column (text, or typed when it came from Parquet) and returns a
`Cleaned`: the values in the store's type, a reason code where a value cannot be used (the
row is rejected), and a flag where a value was kept as written but is worth a look.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from kehu.ingest.clean import (
    CleanError,
    normalize_email,
    normalize_phone,
    normalize_postcode,
    normalize_province,
    normalize_registration,
    parse_bool,
    parse_date,
    parse_datetime,
    parse_int,
    parse_money,
    parse_number,
    parse_percent,
    parse_period,
)
from kehu.ingest.clean.text import match_key
from kehu.ingest.fields import Field, value_index

MONEY_TYPE = pa.decimal128(18, 2)
TS_TYPE = pa.timestamp("us")
_ZERO_WIDTH = "[\u200b\u200c\u200d\u2060\ufeff\u00ad]"
_CSV_SERIAL = r"^\d{5}(\.\d+)?$"


@dataclass
class Context:
    """Per-import settings the cleaners need."""

    null_markers: frozenset[str]
    date_min: date
    date_max: date
    day_first: bool | None
    timezone: str
    phone_region: str
    excel_serials: bool | tuple[int, int]  # True for spreadsheets, a range for CSV, False off


@dataclass
class Cleaned:
    values: pa.Array
    reasons: pa.Array | None = None  # string reason codes; null where the value is fine
    flagged: pa.Array | None = None  # bool; True where a value was kept as written
    notes: dict[str, int] = field(default_factory=dict)  # finding code -> count


# ---- helpers ----------------------------------------------------------------------------------
def as_text(arr: pa.Array) -> pa.Array:
    """Any column as text (Parquet numbers, dates …); strings pass through."""
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        return arr.cast(pa.string()) if pa.types.is_large_string(arr.type) else arr
    if pa.types.is_dictionary(arr.type):
        return as_text(arr.cast(arr.type.value_type))
    if pa.types.is_null(arr.type):
        return pa.nulls(len(arr), pa.string())
    return pc.cast(arr, pa.string())


def prep_text(arr: pa.Array) -> pa.Array:
    """NFKC, no zero-width characters, whitespace runs collapsed, trimmed, '' → null."""
    arr = as_text(arr)
    if arr.null_count == len(arr):
        return arr
    arr = pc.utf8_normalize(arr, form="NFKC")
    arr = pc.replace_substring_regex(arr, _ZERO_WIDTH, "")
    arr = pc.replace_substring_regex(arr, r"\s+", " ")
    arr = pc.utf8_trim_whitespace(arr)
    return pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)


def prep_value(arr: pa.Array, ctx: Context) -> pa.Array:
    """`prep_text` plus null markers ('-', 'N/A', '无' …) → null, for typed columns."""
    text = prep_text(arr)
    if text.null_count == len(text):
        return text
    marker = pc.is_in(pc.utf8_lower(text), value_set=pa.array(sorted(ctx.null_markers), pa.string()))
    return pc.if_else(marker, pa.scalar(None, pa.string()), text)


def map_unique(
    arr: pa.Array, fn: Callable[[str], Any], out_type: pa.DataType
) -> tuple[pa.Array, pa.Array]:
    """Apply a scalar cleaner once per distinct value; (values, reason codes)."""
    uniq = pc.unique(arr).drop_null()
    values: list[Any] = []
    codes: list[str | None] = []
    for item in uniq.to_pylist():
        try:
            values.append(fn(item))
            codes.append(None)
        except CleanError as exc:
            values.append(None)
            codes.append(exc.code)
    idx = pc.index_in(arr, value_set=uniq)
    return pa.array(values, out_type).take(idx), pa.array(codes, pa.string()).take(idx)


def _null_like(arr: pa.Array, typ: pa.DataType) -> pa.Array:
    return pa.nulls(len(arr), typ)


def _where(mask: pa.Array, arr: pa.Array) -> pa.Array:
    """arr where mask is true, else null (a null mask counts as false)."""
    return pc.if_else(pc.fill_null(mask, False), arr, pa.scalar(None, arr.type))


def _kept_flag(text: pa.Array, recognised: pa.Array) -> pa.Array:
    return pc.and_(pc.is_valid(text), pc.invert(pc.is_valid(recognised)))


# ---- typed cleaners ---------------------------------------------------------------------------
def clean_money(arr: pa.Array, ctx: Context, unit: Decimal = Decimal(1)) -> Cleaned:
    """Plain amounts ('1234.5', '-12') are cast by Arrow; everything else (¥, 万, grouping,
    brackets, more than two decimals, a header unit) goes through `parse_money` per distinct
    value. Typed Parquet numbers take the same path as their text, so floats are rounded
    half-up from their shortest decimal form, never through float arithmetic."""
    text = prep_value(arr, ctx)
    fast = None
    rest = text
    if unit == 1:
        mask = pc.match_substring_regex(text, r"^-?\d{1,16}(\.\d{1,2})?$")
        fast = pc.cast(_where(mask, text), MONEY_TYPE)
        rest = _where(pc.invert(pc.fill_null(mask, False)), text)
    fn = partial(parse_money, unit=unit, null_markers=ctx.null_markers)
    values, reasons = map_unique(rest, fn, MONEY_TYPE)
    if fast is not None:
        values = pc.coalesce(fast, values)
    return Cleaned(values, reasons)


def _fast_iso(text: pa.Array, pattern: str, fmt: str) -> pa.Array:
    """Timestamps for values matching `pattern` that round-trip through `fmt` exactly
    (Arrow's strptime rolls 2024-02-30 over to March; the round trip catches that)."""
    cand = _where(pc.match_substring_regex(text, pattern), text)
    if cand.null_count == len(cand):
        return pa.nulls(len(text), TS_TYPE)
    ts = pc.strptime(cand, format=fmt, unit="us", error_is_null=True)
    same = pc.equal(pc.strftime(ts, format=fmt), cand)
    return _where(same, ts)


def _serial_note(text: pa.Array, rest: pa.Array, reasons: pa.Array, ctx: Context) -> dict[str, int]:
    if not isinstance(ctx.excel_serials, tuple):
        return {}
    serial = pc.and_(pc.match_substring_regex(rest, _CSV_SERIAL), pc.is_null(reasons))
    count = pc.sum(pc.fill_null(serial, False)).as_py() or 0
    return {"excel_serial_dates": count} if count else {}


def _date_range(values: pa.Array, reasons: pa.Array, ctx: Context, typ: pa.DataType) -> Cleaned:
    low = pa.scalar(ctx.date_min, pa.date32())
    high = pa.scalar(ctx.date_max, pa.date32())
    days = values.cast(pa.date32()) if typ != pa.date32() else values
    out = pc.fill_null(pc.or_(pc.less(days, low), pc.greater(days, high)), False)
    reasons = pc.if_else(out, pa.scalar("date_out_of_range"), reasons)
    return Cleaned(_where(pc.invert(out), values), reasons)


def clean_date(arr: pa.Array, ctx: Context, *, partial_dates: bool = False) -> Cleaned:
    if pa.types.is_date(arr.type) or pa.types.is_timestamp(arr.type):
        values = arr.cast(pa.date32()) if not pa.types.is_date32(arr.type) else arr
        return _date_range(values, pa.nulls(len(arr), pa.string()), ctx, pa.date32())
    text = prep_value(arr, ctx)
    fast = _fast_iso(text, r"^\d{4}-\d{2}-\d{2}$", "%Y-%m-%d").cast(pa.date32())
    rest = _where(pc.is_null(fast), text)
    fn = partial(
        parse_date,
        excel_serial=ctx.excel_serials,
        partial=partial_dates,
        day_first=ctx.day_first,
        null_markers=ctx.null_markers,
    )
    values, reasons = map_unique(rest, fn, pa.date32())
    cleaned = _date_range(pc.coalesce(fast, values), reasons, ctx, pa.date32())
    cleaned.notes = _serial_note(text, rest, reasons, ctx)
    return cleaned


def clean_datetime(arr: pa.Array, ctx: Context) -> Cleaned:
    if pa.types.is_timestamp(arr.type):
        values = arr
        if arr.type.tz is not None:  # to the workspace's wall clock, then naive
            values = pc.local_timestamp(arr.cast(pa.timestamp(arr.type.unit, tz=ctx.timezone)))
        values = values.cast(TS_TYPE)
        return _date_range(values, pa.nulls(len(arr), pa.string()), ctx, TS_TYPE)
    if pa.types.is_date(arr.type):
        values = arr.cast(pa.date32()).cast(TS_TYPE)
        return _date_range(values, pa.nulls(len(arr), pa.string()), ctx, TS_TYPE)
    text = prep_value(arr, ctx)
    fast = _fast_iso(text, r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$", "%Y-%m-%d %H:%M:%S")
    rest = _where(pc.is_null(fast), text)
    fn = partial(
        parse_datetime,
        excel_serial=ctx.excel_serials,
        day_first=ctx.day_first,
        tz=ctx.timezone,
        null_markers=ctx.null_markers,
    )
    values, reasons = map_unique(rest, fn, TS_TYPE)
    cleaned = _date_range(pc.coalesce(fast, values), reasons, ctx, TS_TYPE)
    cleaned.notes = _serial_note(text, rest, reasons, ctx)
    return cleaned


def clean_int(arr: pa.Array, ctx: Context, spec: Field) -> Cleaned:
    words = None
    if spec.values:
        words = {k: int(v) for k, v in value_index(spec.values).items()}
    if pa.types.is_integer(arr.type):
        values, reasons = arr.cast(pa.int64()), pa.nulls(len(arr), pa.string())
    else:
        text = prep_value(arr, ctx)
        mask = pc.match_substring_regex(text, r"^-?\d{1,17}$")
        fast = pc.cast(_where(mask, text), pa.int64())
        rest = _where(pc.invert(pc.fill_null(mask, False)), text)
        fn = partial(parse_int, words=words, ranges=spec.ranges, null_markers=ctx.null_markers)
        values, reasons = map_unique(rest, fn, pa.int64())
        values = pc.coalesce(fast, values)
    out = pa.array([False] * len(values))
    if spec.low is not None:
        out = pc.or_(out, pc.fill_null(pc.less(values, spec.low), False))
    if spec.high is not None:
        out = pc.or_(out, pc.fill_null(pc.greater(values, spec.high), False))
    reasons = pc.if_else(out, pa.scalar("number_out_of_range"), reasons)
    return Cleaned(_where(pc.invert(out), values), reasons)


def clean_number(arr: pa.Array, ctx: Context, *, percent: bool = False) -> Cleaned:
    if (pa.types.is_integer(arr.type) or pa.types.is_floating(arr.type)) and not percent:
        return Cleaned(arr.cast(pa.float64()))
    text = prep_value(arr, ctx)
    if percent:
        values, reasons = map_unique(text, partial(parse_percent, null_markers=ctx.null_markers), pa.float64())
        return Cleaned(values, reasons)
    mask = pc.match_substring_regex(text, r"^-?\d{1,15}(\.\d{1,15})?$")
    fast = pc.cast(_where(mask, text), pa.float64())
    rest = _where(pc.invert(pc.fill_null(mask, False)), text)
    values, reasons = map_unique(rest, partial(parse_number, null_markers=ctx.null_markers), pa.float64())
    return Cleaned(pc.coalesce(fast, values), reasons)


def clean_bool(arr: pa.Array, ctx: Context) -> Cleaned:
    if pa.types.is_boolean(arr.type):
        return Cleaned(arr)
    values, reasons = map_unique(prep_text(arr), parse_bool, pa.bool_())
    return Cleaned(values, reasons)


def clean_period(arr: pa.Array, ctx: Context) -> Cleaned:
    values, reasons = map_unique(
        prep_value(arr, ctx), partial(parse_period, null_markers=ctx.null_markers), pa.string()
    )
    return Cleaned(values, reasons)


# ---- text-like cleaners (never reject; unrecognised values are kept and flagged) -------------
def _keep_or_flag(text: pa.Array, fn: Callable[[str], tuple[str | None, bool]]) -> Cleaned:
    uniq = pc.unique(text).drop_null()
    pairs = [fn(v) for v in uniq.to_pylist()]
    idx = pc.index_in(text, value_set=uniq)
    values = pa.array([p[0] for p in pairs], pa.string()).take(idx)
    ok = pa.array([p[1] for p in pairs], pa.bool_()).take(idx)
    flagged = pc.and_(pc.is_valid(text), pc.invert(pc.fill_null(ok, True)))
    return Cleaned(pc.coalesce(values, text), flagged=flagged)


def clean_phone(arr: pa.Array, ctx: Context) -> Cleaned:
    text = prep_text(arr)
    compact = pc.replace_substring_regex(text, r"[\s\-().]", "")
    mobile = pc.match_substring_regex(compact, r"^(\+?86|0086)?1[3-9]\d{9}$")
    fast = _where(
        mobile,
        pc.binary_join_element_wise("+86", pc.utf8_slice_codeunits(compact, start=-11), ""),
    )
    rest = _where(pc.is_null(fast), text)
    region = ctx.phone_region

    def one(value: str) -> tuple[str | None, bool]:
        found = normalize_phone(value, region)
        return (found, True) if found else (value, False)

    slow = _keep_or_flag(rest, one)
    return Cleaned(pc.coalesce(fast, slow.values), flagged=slow.flagged)


def clean_email(arr: pa.Array, ctx: Context) -> Cleaned:
    return _keep_or_flag(prep_text(arr), normalize_email)


def clean_postcode(arr: pa.Array, ctx: Context) -> Cleaned:
    return _keep_or_flag(prep_text(arr), normalize_postcode)


def clean_registration(arr: pa.Array, ctx: Context) -> tuple[Cleaned, pa.Array]:
    """(cleaned ids, the kind each checksum proves: company | person | null)."""
    text = prep_text(arr)
    uniq = pc.unique(text).drop_null()
    pairs = [normalize_registration(v) for v in uniq.to_pylist()]
    idx = pc.index_in(text, value_set=uniq)
    values = pa.array([p[0] for p in pairs], pa.string()).take(idx)
    kinds = pa.array([p[1] for p in pairs], pa.string()).take(idx)
    flagged = pc.and_(pc.is_valid(values), pc.is_null(kinds))
    return Cleaned(values, flagged=flagged), kinds


def clean_province(arr: pa.Array, ctx: Context) -> Cleaned:
    def one(value: str) -> tuple[str | None, bool]:
        found = normalize_province(value)
        return (found, True) if found else (value, False)

    return _keep_or_flag(prep_text(arr), one)


def clean_enum(arr: pa.Array, ctx: Context, section: str) -> Cleaned:
    index = value_index(section)

    def one(value: str) -> tuple[str | None, bool]:
        code = index.get(match_key(value))
        return (code, True) if code else (value, False)

    return _keep_or_flag(prep_text(arr), one)


_TAG_SPLIT = re.compile(r"[,;,;、|/\s]+")


def clean_tags(arr: pa.Array, ctx: Context) -> Cleaned:
    def one(value: str) -> tuple[str | None, bool]:
        parts = [p for p in _TAG_SPLIT.split(value) if p]
        return (",".join(dict.fromkeys(parts)) or None, True)

    return _keep_or_flag(prep_text(arr), one)


def clean_column(arr: pa.Array, spec: Field, ctx: Context, unit: Decimal = Decimal(1)) -> Cleaned:
    """Dispatch on the field kind (industry and registration are handled by the caller)."""
    kind = spec.kind
    if kind == "money":
        return clean_money(arr, ctx, unit)
    if kind == "date":
        return clean_date(arr, ctx, partial_dates=spec.partial)
    if kind == "datetime":
        return clean_datetime(arr, ctx)
    if kind == "int":
        return clean_int(arr, ctx, spec)
    if kind in ("number", "percent"):
        return clean_number(arr, ctx, percent=kind == "percent")
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
