"""Counts, quantities, scores and percentages: '1,200', '500人', '1.2万', '10%', '50-99人'."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from kehu.ingest.clean.errors import CleanError
from kehu.ingest.clean.text import DEFAULT_NULL_MARKERS, match_key, normalize_text

_NUM = r"\d[\d,]*(?:\.\d+)?(?:e[+-]?\d+)?|\.\d+"
_MULT = {
    "万": Decimal(10**4),
    "w": Decimal(10**4),
    "亿": Decimal(10**8),
    "千": Decimal(1000),
    "k": Decimal(1000),
}
_NUMBER = re.compile(
    rf"(?P<sign>[-+]?)(?P<n>{_NUM})\s*(?P<mult>万|亿|千|w|k)?\s*(?P<unit>[^\d\s.,]{{0,6}})"
)
_RANGE = re.compile(
    rf"(?P<a>{_NUM})\s*(?:-|~|～|至|到|—)\s*(?P<b>{_NUM})\s*(?P<unit>[^\d\s.,]{{0,6}})"
)
_AT_LEAST = re.compile(
    rf"(?:>=?|≥|大于|超过|多于)?\s*(?P<n>{_NUM})\s*(?P<unit>[^\d\s.,+]{{0,3}})\s*(?:以上|及以上|\+)"
)
_BELOW = re.compile(
    rf"(?:<|少于|小于|不足|低于)\s*(?P<n>{_NUM})\s*(?P<unit>[^\d\s.,]{{0,3}})(?:以下)?|(?P<n2>{_NUM})\s*(?P<unit2>[^\d\s.,]{{0,3}})以下"
)
_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?(?:e[+-]?\d+)?")


INT64_LIMIT = 2**63


def _decimal(text: str, original: str, code: str) -> Decimal:
    if "," in text and not _GROUPED.fullmatch(text):
        raise CleanError(code, original)
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:
        raise CleanError(code, original) from None


def _prepare(value: str | None, markers: tuple[str, ...] | frozenset[str]) -> str | None:
    if value is None:
        return None
    text = normalize_text(value).casefold()
    if text == "" or text in markers:
        return None
    return text


def parse_number(
    value: str | None,
    *,
    null_markers: tuple[str, ...] | frozenset[str] = DEFAULT_NULL_MARKERS,
) -> float | None:
    """A quantity: grouping commas, 万/千 multipliers and a trailing unit word ('12件',
    '3.5吨') are accepted. Raises `CleanError('invalid_number')`."""
    text = _prepare(value, null_markers)
    if text is None:
        return None
    m = _NUMBER.fullmatch(text)
    if not m:
        raise CleanError("invalid_number", value)
    number = _decimal(m["n"], value or "", "invalid_number")
    if m["mult"]:
        number *= _MULT[m["mult"]]
    result = float(-number if m["sign"] == "-" else number)
    if not number.is_finite() or not math.isfinite(result):  # 1E309 is finite as a Decimal
        raise CleanError("invalid_number", value)
    return result


def parse_int(
    value: str | None,
    *,
    words: Mapping[str, int] | None = None,
    ranges: bool = False,
    null_markers: tuple[str, ...] | frozenset[str] = DEFAULT_NULL_MARKERS,
) -> int | None:
    """A whole number ('1,200', '500人', '1.2万'). `words` maps labels to values (非常满意 → 5,
    keys as `match_key`). With `ranges`, '50-99人' → midpoint 74, '10000人以上' → 10000,
    '少于50人' → 25. Raises `CleanError('invalid_integer')`."""
    if value is not None and words:
        hit = words.get(match_key(value))
        if hit is not None:
            return hit
    text = _prepare(value, null_markers)
    if text is None:
        return None
    if ranges:
        found = _parse_range(text, value or "")
        if found is not None:
            return found
    try:
        number = parse_number(text, null_markers=())
    except CleanError:
        raise CleanError("invalid_integer", value) from None
    if number is None or number != int(number):
        raise CleanError("invalid_integer", value)
    if not -INT64_LIMIT < number < INT64_LIMIT:  # the column's own bounds are checked later
        raise CleanError("number_out_of_range", value)
    return int(number)


def _parse_range(text: str, original: str) -> int | None:
    if m := _RANGE.fullmatch(text):
        low = _decimal(m["a"], original, "invalid_integer")
        high = _decimal(m["b"], original, "invalid_integer")
        if high < low:
            raise CleanError("invalid_integer", original)
        return int((low + high) // 2)
    if m := _AT_LEAST.fullmatch(text):
        return int(_decimal(m["n"], original, "invalid_integer"))
    if m := _BELOW.fullmatch(text):
        return int(_decimal(m["n"] or m["n2"], original, "invalid_integer") // 2)
    return None


def parse_percent(
    value: str | None,
    *,
    null_markers: tuple[str, ...] | frozenset[str] = DEFAULT_NULL_MARKERS,
) -> float | None:
    """A fraction: '10%' → 0.1, '0.1' → 0.1; a bare number above 1 in magnitude is read as
    percent ('15' → 0.15). Raises `CleanError('invalid_number')`."""
    text = _prepare(value, null_markers)
    if text is None:
        return None
    is_percent = text.endswith(("%", "％", "个百分点"))
    core = text.removesuffix("个百分点").rstrip("%％").strip()
    try:
        number = parse_number(core, null_markers=())
    except CleanError:
        raise CleanError("invalid_number", value) from None
    if number is None:
        raise CleanError("invalid_number", value)
    if is_percent or abs(number) > 1:
        return number / 100
    return number
