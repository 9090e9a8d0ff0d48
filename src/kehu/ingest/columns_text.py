"""Text-like columns that never reject: phones, e-mail, postcodes, registration ids,
provinces, coded values and tags. A value that is not recognised is kept as written and
flagged (the importer reports it as a finding)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pyarrow as pa
import pyarrow.compute as pc

from kehu.ingest.clean import (
    normalize_email,
    normalize_phone,
    normalize_postcode,
    normalize_province,
    normalize_registration,
)
from kehu.ingest.clean.text import match_key
from kehu.ingest.columns import Cleaned, Context, prep_text, where
from kehu.ingest.fields import value_index


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
    fast = where(
        mobile,
        pc.binary_join_element_wise("+86", pc.utf8_slice_codeunits(compact, start=-11), ""),
    )
    rest = where(pc.is_null(fast), text)
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
