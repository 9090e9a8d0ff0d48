"""The server access log without personal data: query strings are masked before logging.

uvicorn logs `METHOD /path?query`; a phone number typed into the search box would land in
the log as it is. `MaskQuery` rewrites that argument: the values of search parameters
(`q`, `phone`, `email`, `name` …) become `***`, and in every other value emails, ID numbers
and phone-like digit runs are masked the way the pages mask them. A `next=` value that holds
a path with its own query is masked the same way, recursively.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import parse_qsl, urlencode

from kehu.access.masking import mask_email, mask_phone

ACCESS_LOGGER = "uvicorn.access"
SEARCH_KEYS = frozenset(
    {"q", "search", "name", "phone", "mobile", "email", "contact", "contact_name", "id_number"}
)
_EMAIL = re.compile(r"[^\s@/?&=]+@[^\s@/?&=]+")
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")
_DIGITS = re.compile(r"\+?\d[\d\- ]{5,}\d")  # 7+ characters of digits: phones, landlines


def _mask_id(match: re.Match[str]) -> str:
    text = match.group(0)
    return text[:3] + "*" * (len(text) - 5) + text[-2:]


def _mask_digits(match: re.Match[str]) -> str:
    text = match.group(0)
    if sum(c.isdigit() for c in text) < 7:
        return text
    return mask_phone(text) or text


def mask_text(value: str) -> str:
    """Emails, ID numbers and phone-like digit runs in a free value, masked."""
    value = _EMAIL.sub(lambda m: mask_email(m.group(0)) or "***", value)
    value = _ID_NUMBER.sub(_mask_id, value)
    return _DIGITS.sub(_mask_digits, value)


def mask_query(query: str) -> str:
    """A URL query string with search values hidden and PII in other values masked."""
    pairs = []
    for key, value in parse_qsl(query, keep_blank_values=True):
        if key.lower() in SEARCH_KEYS and value:
            value = "***"
        elif "?" in value and value.startswith("/"):
            value = mask_path(value)
        else:
            value = mask_text(value)
        pairs.append((mask_text(key), value))  # `?13812345678` arrives as a key
    return urlencode(pairs, safe="*/")


def mask_path(path_with_query: str) -> str:
    """`/path?query` with its query masked (the path itself holds ids, not personal data)."""
    path, sep, query = path_with_query.partition("?")
    return f"{path}?{mask_query(query)}" if sep else path


class MaskQuery(logging.Filter):
    """Rewrites the path argument of uvicorn's access-log records (`%s - "%s %s HTTP/%s" %d`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], mask_path(args[2]), *args[3:])
        return True


def install() -> None:
    """Mask the access log of this process (once; after uvicorn configured its logging)."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, MaskQuery) for f in logger.filters):
        logger.addFilter(MaskQuery())
