"""Cleaners for single values. Each returns the clean value or None for an empty cell, and
raises `CleanError` (with a reason code) for a value it cannot use; `normalize_phone` and
`normalize_province` return None for values they do not recognise (the importer keeps the
original text then and reports it)."""

from kehu.ingest.clean.dates import excel_serial_to_datetime, parse_date, parse_datetime
from kehu.ingest.clean.errors import CleanError
from kehu.ingest.clean.ids import (
    normalize_email,
    normalize_postcode,
    normalize_registration,
)
from kehu.ingest.clean.money import parse_money
from kehu.ingest.clean.numbers import parse_int, parse_number, parse_percent
from kehu.ingest.clean.periods import parse_period
from kehu.ingest.clean.phone import normalize_phone
from kehu.ingest.clean.place import normalize_province
from kehu.ingest.clean.text import (
    DEFAULT_NULL_MARKERS,
    clean_text,
    is_null_marker,
    match_key,
    normalize_text,
    parse_bool,
    to_halfwidth,
)

__all__ = [
    "DEFAULT_NULL_MARKERS",
    "CleanError",
    "clean_text",
    "excel_serial_to_datetime",
    "is_null_marker",
    "match_key",
    "normalize_email",
    "normalize_phone",
    "normalize_postcode",
    "normalize_province",
    "normalize_registration",
    "normalize_text",
    "parse_bool",
    "parse_date",
    "parse_datetime",
    "parse_int",
    "parse_money",
    "parse_number",
    "parse_percent",
    "parse_period",
    "to_halfwidth",
]
