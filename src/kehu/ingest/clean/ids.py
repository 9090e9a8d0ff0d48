"""Registration numbers (统一社会信用代码, 身份证号), postcodes and e-mail addresses."""

from __future__ import annotations

import re

from kehu.idcodes import resident_id_valid, uscc_valid
from kehu.ingest.clean.text import normalize_text

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[a-z]{2,}")
_POSTCODE = re.compile(r"\d{6}")


def normalize_registration(value: str | None) -> tuple[str | None, str | None]:
    """(cleaned id, 'company' | 'person' | None): upper-case, no spaces or dashes; the kind
    is known only when a checksum confirms it."""
    if value is None:
        return None, None
    text = re.sub(r"[\s\-]", "", normalize_text(value)).upper()
    if not text:
        return None, None
    if resident_id_valid(text):
        return text, "person"
    if uscc_valid(text):
        return text, "company"
    return text, None


def normalize_email(value: str | None) -> tuple[str | None, bool]:
    """(lower-cased address, looks valid)."""
    if value is None:
        return None, True
    text = normalize_text(value).lower().replace(" ", "").removeprefix("mailto:")
    if not text:
        return None, True
    return text, bool(_EMAIL.fullmatch(text))


def normalize_postcode(value: str | None) -> tuple[str | None, bool]:
    """(postcode, valid). A 5-digit code gets its leading zero back (Excel drops it from
    010020 → 10020); mainland postcodes have 6 digits."""
    if value is None:
        return None, True
    text = normalize_text(value).replace(" ", "")
    if not text:
        return None, True
    if text.isdigit() and len(text) == 5:
        text = "0" + text
    return text, bool(_POSTCODE.fullmatch(text))
