"""Dates and timestamps from the ways exports write them.

Accepted: 2024-03-05, 2024/3/5, 2024.3.5, 2024年3月5日, 20240305, 5-Mar-2024, Mar 5, 2024,
each optionally followed by a time (14:30, 14:30:05.123, 14时30分, 下午2点, 2:30 PM, ISO 'T'
and a UTC offset); Excel serial numbers when the caller allows them. Day/month-first dates
(05/03/2024) are read only when unambiguous (a part > 12) or when `day_first` says how.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from kehu.ingest.clean.errors import CleanError
from kehu.ingest.clean.text import DEFAULT_NULL_MARKERS, normalize_text

EXCEL_MAX_SERIAL = 2958465  # 9999-12-31
_MONTHS = {
    name: i
    for i, names in enumerate(
        [
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
            ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
            ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}  # fmt: skip

_YMD = re.compile(
    r"(?P<y>\d{4})\s*(?P<s>[-/.])\s*(?P<m>\d{1,2})\s*(?P=s)\s*(?P<d>\d{1,2})(?P<rest>.*)"
)
_ZH = re.compile(r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]?(?P<rest>.*)")
_COMPACT = re.compile(
    r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})(?:t?(?P<H>\d{2})(?P<M>\d{2})(?P<S>\d{2})?)?"
)
_AB_Y = re.compile(r"(?P<a>\d{1,2})(?P<s>[-/.])(?P<b>\d{1,2})(?P=s)(?P<y>\d{4})(?P<rest>.*)")
_D_MON_Y = re.compile(r"(?P<d>\d{1,2})[-\s]*(?P<mon>[a-z]{3,9})\.?[-\s,]*(?P<y>\d{4})(?P<rest>.*)")
_MON_D_Y = re.compile(
    r"(?P<mon>[a-z]{3,9})\.?\s*(?P<d>\d{1,2})(?:st|nd|rd|th)?\s*,?\s*(?P<y>\d{4})(?P<rest>.*)"
)
_YEAR = re.compile(r"(?P<y>\d{4})\s*年?")
_YEAR_MONTH = re.compile(
    r"(?P<y>\d{4})\s*(?:[-/.]|年)\s*(?P<m>\d{1,2})\s*月?|(?P<y2>\d{4})(?P<m2>\d{2})"
)
_SERIAL = re.compile(r"\d{1,7}(?:\.\d+)?")
_TIME = re.compile(
    r"(?P<ap1>上午|下午|晚上|中午|凌晨|早上|am|pm)?\s*"
    r"(?P<H>\d{1,2})\s*(?:[:时点]\s*(?:(?P<M>\d{1,2})\s*(?:[:分]\s*(?:(?P<S>\d{1,2})"
    r"(?:[.,](?P<f>\d{1,9}))?\s*秒?)?)?)?)"
    r"\s*(?P<ap2>am|pm)?\s*(?P<tz>z|utc|[+-]\d{2}(?::?\d{2})?)?"
)
_PM = {"下午", "晚上", "pm"}
_AM = {"上午", "凌晨", "早上", "am"}

Serials = bool | tuple[int, int]


def excel_serial_to_datetime(serial: Decimal | float | int) -> datetime:
    """Excel's 1900 date system: 1 = 1900-01-01, with Lotus' phantom 1900-02-29 (= 60)."""
    value = Decimal(str(serial))
    if not value.is_finite() or value < 1 or value >= EXCEL_MAX_SERIAL + 1 or 60 <= value < 61:
        raise CleanError("invalid_date", serial)
    days = int(value)
    base = date(1899, 12, 31) if value < 60 else date(1899, 12, 30)
    seconds = int(((value - days) * 86400).to_integral_value())
    return datetime.combine(base + timedelta(days=days), time()) + timedelta(seconds=seconds)


def parse_date(
    value: str | None,
    *,
    excel_serial: Serials = False,
    partial: bool = False,
    day_first: bool | None = None,
    null_markers: tuple[str, ...] | frozenset[str] = DEFAULT_NULL_MARKERS,
) -> date | None:
    """A calendar date; any time part is checked and dropped. None when empty.

    `excel_serial`: True accepts any serial, a (low, high) pair only serials in that range.
    `partial`: also accept '2008', '2008年', '2008-05', '2008年5月' (→ first day).
    Raises `CleanError` ('invalid_date' or 'ambiguous_date').
    """
    parsed = _parse(value, excel_serial, partial, day_first, null_markers, want_time=False)
    return None if parsed is None else parsed.date()


def parse_datetime(
    value: str | None,
    *,
    excel_serial: Serials = False,
    day_first: bool | None = None,
    tz: str | None = "Asia/Shanghai",
    null_markers: tuple[str, ...] | frozenset[str] = DEFAULT_NULL_MARKERS,
) -> datetime | None:
    """A naive local timestamp (a date alone means midnight). A UTC offset in the text is
    converted to `tz` and then dropped. Raises `CleanError` ('invalid_datetime', …)."""
    try:
        parsed = _parse(value, excel_serial, False, day_first, null_markers, want_time=True)
    except CleanError as exc:
        if exc.code == "invalid_date":
            raise CleanError("invalid_datetime", value) from None
        raise
    if parsed is None:
        return None
    if parsed.tzinfo is not None:
        if tz:
            parsed = parsed.astimezone(ZoneInfo(tz))
        parsed = parsed.replace(tzinfo=None)
    return parsed


def _parse(
    value: str | None,
    excel_serial: Serials,
    partial: bool,
    day_first: bool | None,
    null_markers: tuple[str, ...] | frozenset[str],
    *,
    want_time: bool,
) -> datetime | None:
    if value is None:
        return None
    text = normalize_text(value).casefold()
    if text == "" or text in null_markers:
        return None
    for pattern in (_YMD, _ZH):
        if m := pattern.fullmatch(text):
            return _combine(value, int(m["y"]), int(m["m"]), int(m["d"]), m["rest"])
    if m := _COMPACT.fullmatch(text):
        rest = f"{m['H']}:{m['M']}:{m['S'] or '00'}" if m["H"] else ""
        return _combine(value, int(m["y"]), int(m["m"]), int(m["d"]), rest)
    if m := _AB_Y.fullmatch(text):
        a, b = int(m["a"]), int(m["b"])
        if a > 12 or (day_first is True and b <= 12):
            day, month = a, b
        elif b > 12 or day_first is False:
            day, month = b, a
        else:
            raise CleanError("ambiguous_date", value)
        return _combine(value, int(m["y"]), month, day, m["rest"])
    for pattern in (_D_MON_Y, _MON_D_Y):
        if (m := pattern.fullmatch(text)) and m["mon"] in _MONTHS:
            return _combine(value, int(m["y"]), _MONTHS[m["mon"]], int(m["d"]), m["rest"])
    if partial:
        if m := _YEAR.fullmatch(text):
            return _combine(value, int(m["y"]), 1, 1, "")
        if m := _YEAR_MONTH.fullmatch(text):
            y_text, m_text = (m["y"], m["m"]) if m["y"] else (m["y2"], m["m2"])
            return _combine(value, int(y_text), int(m_text), 1, "")
    if excel_serial and _SERIAL.fullmatch(text):
        serial = Decimal(text)
        if isinstance(excel_serial, tuple) and not excel_serial[0] <= serial <= excel_serial[1]:
            raise CleanError("invalid_date", value)
        return excel_serial_to_datetime(serial)
    raise CleanError("invalid_date", value)


def _combine(original: str, year: int, month: int, day: int, rest: str) -> datetime:
    try:
        day_value = date(year, month, day)
    except ValueError:
        raise CleanError("invalid_date", original) from None
    rest = rest.strip()
    if rest.startswith("t"):
        rest = rest[1:]
    if not rest:
        return datetime.combine(day_value, time())
    clock, tzinfo = _parse_time(rest, original)
    return datetime.combine(day_value, clock, tzinfo)


def _parse_time(text: str, original: str) -> tuple[time, timezone | None]:
    m = _TIME.fullmatch(text.strip())
    if not m:
        raise CleanError("invalid_date", original)
    hour, minute, second = int(m["H"]), int(m["M"] or 0), int(m["S"] or 0)
    micro = int((m["f"] or "0")[:6].ljust(6, "0"))
    marker = m["ap1"] or m["ap2"]
    if marker in _PM and hour < 12 or marker == "中午" and hour < 11:
        hour += 12
    elif marker in _AM and hour == 12:
        hour = 0
    if hour > 23 or minute > 59 or second > 59:
        raise CleanError("invalid_date", original)
    tzinfo = None
    if m["tz"]:
        tzinfo = _offset(m["tz"])
    return time(hour, minute, second, micro), tzinfo


def _offset(text: str) -> timezone:
    if text in ("z", "utc"):
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if hours > 14 or minutes > 59:
        raise CleanError("invalid_date", text)
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def year_bounds(min_year: int, max_year: int) -> tuple[date, date]:
    """The first and last day of an inclusive year range (the importer's plausible dates)."""
    return date(min_year, 1, 1), date(max_year, 12, 31)
