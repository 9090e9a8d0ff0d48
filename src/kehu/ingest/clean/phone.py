"""Phone numbers → E.164 ('+8613812345678', '+861012345678;ext=123') with `phonenumbers`."""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers

from kehu.ingest.clean.text import normalize_text

# Mainland mobiles written with separators or a country prefix: the common case, no parsing.
MOBILE_CN = re.compile(r"(?:\+?86|0086)?(1[3-9]\d{9})")
_SEPARATORS = re.compile(r"[\s\-().()/·]")
_EXTENSION = re.compile(r"(?:转|分机|ext\.?|x|#)\s*(\d{1,6})$", re.IGNORECASE)
_TRAILING_EXT = re.compile(r"^(.*\d)[-\s](\d{1,5})$")
_SPLIT = re.compile(r"[,;;,、|/]|\s{2,}|或")


def normalize_phone(value: str | None, region: str = "CN") -> str | None:
    """E.164 form of a phone number, or None when empty or not a valid number (masked
    '138****5678', too short, …). Extensions (转123, ext 123, 010-12345678-123) are kept as
    ';ext=123'. When a cell holds several numbers, the first valid one is returned."""
    if value is None:
        return None
    text = normalize_text(value)
    if not text:
        return None
    return _normalize(text, region.upper())


@lru_cache(maxsize=65536)
def _normalize(text: str, region: str) -> str | None:
    found = _one(text, region)
    if found is None and _SPLIT.search(text):
        for part in _SPLIT.split(text):
            if part.strip() and (found := _one(part.strip(), region)):
                break
    return found


def _one(text: str, region: str) -> str | None:
    compact = _SEPARATORS.sub("", text)
    if region == "CN" and (m := MOBILE_CN.fullmatch(compact)):
        return "+86" + m.group(1)
    extension = None
    if m := _EXTENSION.search(text):
        extension, text = m.group(1), text[: m.start()].strip()
    number = _parse(text, region)
    if number is None and extension is None and (m := _TRAILING_EXT.match(text)):
        number, extension = _parse(m.group(1), region), m.group(2)
    if number is None:
        return None
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    extension = extension or number.extension
    return f"{e164};ext={extension}" if extension else e164


def _parse(text: str, region: str) -> phonenumbers.PhoneNumber | None:
    if "*" in text or not any(ch.isdigit() for ch in text):
        return None
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None
