"""Column-wise cleaning: vectorised Arrow kernels for the clean majority, the scalar cleaners
of `kehu.ingest.clean` only for the distinct values left over (dirty formats).

Every cleaner takes one column (text, or typed when it came from Parquet) and returns a
`Cleaned`: the values in the store's type, a reason code where a value cannot be used (the
row is rejected), and a flag where a value was kept as written but is worth a look.
"""

from __future__ import annotations

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
    parse_bool,
    parse_date,
    parse_datetime,
    parse_int,
    parse_money,
    parse_number,
    parse_percent,
    parse_period,
)
from kehu.ingest.fields import Field, value_index

MONEY_TYPE = pa.decimal128(18, 2)
TS_TYPE = pa.timestamp("us")
_ZERO_WIDTH = "[\u200b\u200c\u200d\u2060\ufeff\u00ad]"
_CSV_SERIAL = r"^\d{5}(\.\d+)?$"
_MESSY = "[\u200b\u200c\u200d\u2060\ufeff\u00ad]|\\s\\s|[\t\n\r\f\v]"


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
    sales_regions: dict[str, str] = field(default_factory=dict)  # official province -> region
    max_field_chars: int = 1 << 20  # a longer cell rejects its row (ingest.max_field_chars)


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
    """NFKC, no zero-width characters, whitespace runs collapsed, trimmed, '' → null.
    ASCII columns skip NFKC; low-cardinality columns are cleaned once per distinct value;
    the regex replacements run only on the few values that need them."""
    arr = as_text(arr)
    if arr.null_count == len(arr):
        return arr
    if not pc.all(pc.string_is_ascii(arr)).as_py():
        uniq = pc.unique(arr)
        if len(uniq) * 4 <= len(arr):
            return _prep_text(uniq, nfkc=True).take(pc.index_in(arr, value_set=uniq))
        return _prep_text(arr, nfkc=True)
    return _prep_text(arr, nfkc=False)


def _prep_text(arr: pa.Array, *, nfkc: bool) -> pa.Array:
    if nfkc:
        arr = pc.utf8_normalize(arr, form="NFKC")
    messy = pc.fill_null(pc.match_substring_regex(arr, _MESSY), False)
    if pc.any(messy).as_py():
        fixed = pc.replace_substring_regex(arr.filter(messy), _ZERO_WIDTH, "")
        fixed = pc.replace_substring_regex(fixed, r"\s+", " ")
        arr = pc.replace_with_mask(arr, messy, fixed)
    arr = pc.utf8_trim_whitespace(arr)
    return pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)


def prep_value(arr: pa.Array, ctx: Context) -> pa.Array:
    """NFKC and trimmed, '' → null, for typed columns (null markers such as '-', 'N/A', '无'
    never match the fast paths; the scalar cleaners turn them into null)."""
    arr = as_text(arr)
    if arr.null_count == len(arr):
        return arr
    if not pc.all(pc.string_is_ascii(arr)).as_py():
        arr = pc.utf8_normalize(arr, form="NFKC")
    arr = pc.utf8_trim_whitespace(arr)
    return pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)


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


Fast = Callable[[pa.Array], pa.Array]


def convert(
    text: pa.Array,
    fast: Fast | None,
    fn: Callable[[str], Any],
    out_type: pa.DataType,
    *,
    distinct_first: bool,
) -> tuple[pa.Array, pa.Array]:
    """(values, reason codes): Arrow `fast` paths first, `fn` for what they leave. With
    `distinct_first` (low-cardinality columns such as dates) the work runs on the distinct
    values only and is spread back with one `take`."""
    if distinct_first:
        uniq = pc.unique(text).drop_null()
        if len(uniq) * 4 <= len(text):
            values, codes = _convert(uniq, fast, fn, out_type)
            idx = pc.index_in(text, value_set=uniq)
            return values.take(idx), codes.take(idx)
    return _convert(text, fast, fn, out_type)


def _convert(
    arr: pa.Array, fast: Fast | None, fn: Callable[[str], Any], out_type: pa.DataType
) -> tuple[pa.Array, pa.Array]:
    if fast is None:
        return map_unique(arr, fn, out_type)
    quick = fast(arr)
    rest = where(pc.is_null(quick), arr)
    values, codes = map_unique(rest, fn, out_type)
    return pc.coalesce(quick, values), codes


def where(mask: pa.Array, arr: pa.Array) -> pa.Array:
    """arr where mask is true, else null (a null mask counts as false)."""
    return pc.if_else(pc.fill_null(mask, False), arr, pa.scalar(None, arr.type))


# ---- typed cleaners ---------------------------------------------------------------------------
def _money_fast(arr: pa.Array) -> pa.Array:
    """Arrow-only parsing of the common money styles: 1234.5 | -¥1,234.50 | 1,234.50元 |
    12.345678万(元). Anything else is left (null) for `parse_money`. Each step only looks at
    what the previous ones left."""
    if not pc.any(pc.match_substring_regex(arr, r"[^0-9.\-]|\.\d{3}|\d{17}")).as_py():
        try:  # an all-plain column: one cast, no masking
            return pc.cast(arr, MONEY_TYPE)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass
    out = pc.cast(
        where(pc.match_substring_regex(arr, r"^-?\d{1,16}(\.\d{1,2})?$"), arr), MONEY_TYPE
    )
    rest = where(pc.is_null(out), arr)
    if rest.null_count == len(rest):
        return out
    grouped = pc.match_substring_regex(
        rest, r"^-?¥?(\d{1,3}(,\d{3}){1,4}|\d{1,16})(\.\d{1,2})?元?$"
    )
    if pc.any(grouped).as_py():
        plain = pc.replace_substring_regex(where(grouped, rest), "[¥,元]", "")
        out = pc.coalesce(out, pc.cast(plain, MONEY_TYPE))
        rest = where(pc.is_null(out), arr)
    wan = pc.match_substring_regex(rest, r"^-?\d{1,10}(\.\d{1,6})?万元?$")
    if pc.any(wan).as_py():
        plain = pc.replace_substring_regex(where(wan, rest), "[万元]", "")
        ten_k = pa.scalar(Decimal(10000), pa.decimal128(5, 0))
        scaled = pc.multiply(pc.cast(plain, pa.decimal128(16, 6)), ten_k)
        rounded = pc.round(scaled, 2, round_mode="half_towards_infinity")
        out = pc.coalesce(out, pc.cast(rounded, MONEY_TYPE))
    return out


def clean_money(arr: pa.Array, ctx: Context, unit: Decimal = Decimal(1)) -> Cleaned:
    """Common styles are parsed by Arrow (`_money_fast`); everything else (brackets, 亿, RMB,
    more than two decimals, a header unit …) by `parse_money` per distinct value. Typed
    Parquet numbers take the same path as their text, so floats are rounded half-up from
    their shortest decimal form, never through float arithmetic."""
    text = prep_value(arr, ctx)
    fn = partial(parse_money, unit=unit, null_markers=ctx.null_markers)
    values, reasons = convert(
        text, _money_fast if unit == 1 else None, fn, MONEY_TYPE, distinct_first=False
    )
    return Cleaned(values, reasons)


def _fast_datetime(arr: pa.Array) -> pa.Array:
    """'YYYY-MM-DD HH:MM:SS' parsed by Arrow. Arrow's strptime rolls 2024-02-30 over to
    March, so a value whose day differs from what was written is left for the slow path."""
    cand = where(pc.match_substring_regex(arr, r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}$"), arr)
    if cand.null_count == len(cand):
        return pa.nulls(len(arr), TS_TYPE)
    cand = pc.replace_substring(cand, "T", " ")
    ts = pc.strptime(cand, format="%Y-%m-%d %H:%M:%S", unit="us", error_is_null=True)
    written_day = pc.cast(pc.utf8_slice_codeunits(cand, 8, 10), pa.int64())
    return where(pc.equal(pc.day(ts), written_day), ts)


def _fast_date(arr: pa.Array) -> pa.Array:
    cand = where(pc.match_substring_regex(arr, r"^\d{4}-\d{2}-\d{2}$"), arr)
    if cand.null_count == len(cand):
        return pa.nulls(len(arr), pa.date32())
    ts = pc.strptime(cand, format="%Y-%m-%d", unit="s", error_is_null=True)
    written_day = pc.cast(pc.utf8_slice_codeunits(cand, 8, 10), pa.int64())
    return where(pc.equal(pc.day(ts), written_day), ts).cast(pa.date32())


def _serial_note(text: pa.Array, values: pa.Array, ctx: Context) -> dict[str, int]:
    """How many CSV numbers were read as Excel serials (a finding worth a look)."""
    if not isinstance(ctx.excel_serials, tuple):
        return {}
    serial = pc.and_(pc.match_substring_regex(text, _CSV_SERIAL), pc.is_valid(values))
    count = pc.sum(pc.fill_null(serial, False)).as_py() or 0
    return {"excel_serial_dates": count} if count else {}


def _date_range(values: pa.Array, reasons: pa.Array, ctx: Context, typ: pa.DataType) -> Cleaned:
    low = pa.scalar(ctx.date_min, pa.date32())
    high = pa.scalar(ctx.date_max, pa.date32())
    days = values.cast(pa.date32()) if typ != pa.date32() else values
    out = pc.fill_null(pc.or_(pc.less(days, low), pc.greater(days, high)), False)
    reasons = pc.if_else(out, pa.scalar("date_out_of_range"), reasons)
    return Cleaned(where(pc.invert(out), values), reasons)


def clean_date(arr: pa.Array, ctx: Context, *, partial_dates: bool = False) -> Cleaned:
    if pa.types.is_date(arr.type) or pa.types.is_timestamp(arr.type):
        values = arr.cast(pa.date32()) if not pa.types.is_date32(arr.type) else arr
        return _date_range(values, pa.nulls(len(arr), pa.string()), ctx, pa.date32())
    text = prep_value(arr, ctx)
    fn = partial(
        parse_date,
        excel_serial=ctx.excel_serials,
        partial=partial_dates,
        day_first=ctx.day_first,
        null_markers=ctx.null_markers,
    )
    values, reasons = convert(text, _fast_date, fn, pa.date32(), distinct_first=True)
    cleaned = _date_range(values, reasons, ctx, pa.date32())
    cleaned.notes = _serial_note(text, cleaned.values, ctx)
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
    fn = partial(
        parse_datetime,
        excel_serial=ctx.excel_serials,
        day_first=ctx.day_first,
        tz=ctx.timezone,
        null_markers=ctx.null_markers,
    )
    values, reasons = convert(text, _fast_datetime, fn, TS_TYPE, distinct_first=True)
    cleaned = _date_range(values, reasons, ctx, TS_TYPE)
    cleaned.notes = _serial_note(text, cleaned.values, ctx)
    return cleaned


def clean_int(arr: pa.Array, ctx: Context, spec: Field) -> Cleaned:
    words = None
    if spec.values:
        words = {k: int(v) for k, v in value_index(spec.values).items()}
    if pa.types.is_integer(arr.type):
        values, reasons = arr.cast(pa.int64()), pa.nulls(len(arr), pa.string())
    else:
        text = prep_value(arr, ctx)
        fn = partial(parse_int, words=words, ranges=spec.ranges, null_markers=ctx.null_markers)
        values, reasons = convert(text, _int_fast, fn, pa.int64(), distinct_first=True)
    return in_bounds(Cleaned(values, reasons), spec)


def clean_number(arr: pa.Array, ctx: Context, *, percent: bool = False) -> Cleaned:
    if (pa.types.is_integer(arr.type) or pa.types.is_floating(arr.type)) and not percent:
        return Cleaned(arr.cast(pa.float64()))
    text = prep_value(arr, ctx)
    if percent:
        values, reasons = map_unique(
            text, partial(parse_percent, null_markers=ctx.null_markers), pa.float64()
        )
        return Cleaned(values, reasons)
    fn = partial(parse_number, null_markers=ctx.null_markers)
    values, reasons = convert(text, _number_fast, fn, pa.float64(), distinct_first=True)
    return Cleaned(values, reasons)


def in_bounds(cleaned: Cleaned, spec: Field | None) -> Cleaned:
    """Values outside the field's [low, high] are rejected as out of range."""
    if spec is None or (spec.low is None and spec.high is None):
        return cleaned
    values = cleaned.values
    out = pa.array([False] * len(values), pa.bool_())
    if spec.low is not None:
        out = pc.or_(out, pc.fill_null(pc.less(values, spec.low), False))
    if spec.high is not None:
        out = pc.or_(out, pc.fill_null(pc.greater(values, spec.high), False))
    before = cleaned.reasons if cleaned.reasons is not None else pa.nulls(len(values), pa.string())
    reasons = pc.if_else(out, pa.scalar("number_out_of_range"), before)
    return Cleaned(where(pc.invert(out), values), reasons)


def _int_fast(arr: pa.Array) -> pa.Array:
    return pc.cast(where(pc.match_substring_regex(arr, r"^-?\d{1,17}$"), arr), pa.int64())


def _number_fast(arr: pa.Array) -> pa.Array:
    pattern = r"^-?\d{1,15}(\.\d{1,15})?$"
    return pc.cast(where(pc.match_substring_regex(arr, pattern), arr), pa.float64())


def clean_bool(arr: pa.Array, ctx: Context) -> Cleaned:
    if pa.types.is_boolean(arr.type):
        return Cleaned(arr)
    values, reasons = map_unique(prep_value(arr, ctx), parse_bool, pa.bool_())
    return Cleaned(values, reasons)


def clean_period(arr: pa.Array, ctx: Context) -> Cleaned:
    values, reasons = map_unique(
        prep_value(arr, ctx), partial(parse_period, null_markers=ctx.null_markers), pa.string()
    )
    return Cleaned(values, reasons)
