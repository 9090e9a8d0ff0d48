"""Registration numbers (统一社会信用代码, 身份证号), postcodes and e-mail addresses."""

from __future__ import annotations

import re
from datetime import date

from kehu.ingest.clean.text import normalize_text

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_USCC = re.compile(rf"[{USCC_ALPHABET}]{{18}}")
_ID18 = re.compile(r"\d{17}[\dX]")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[a-z]{2,}")
_POSTCODE = re.compile(r"\d{6}")


def uscc_valid(code: str) -> bool:
    """Checksum of an 18-character unified social credit code (GB 32100-2015)."""
    if not _USCC.fullmatch(code):
        return False
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(code[:17], _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31] == code[17]


def id_card_valid(code: str) -> bool:
    """Checksum and birth date of an 18-digit resident ID number (GB 11643-1999)."""
    if not _ID18.fullmatch(code):
        return False
    try:
        date(int(code[6:10]), int(code[10:12]), int(code[12:14]))
    except ValueError:
        return False
    total = sum(int(c) * w for c, w in zip(code[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == code[17]


def normalize_registration(value: str | None) -> tuple[str | None, str | None]:
    """(cleaned id, 'company' | 'person' | None): upper-case, no spaces or dashes; the kind
    is known only when a checksum confirms it."""
    if value is None:
        return None, None
    text = re.sub(r"[\s\-]", "", normalize_text(value)).upper()
    if not text:
        return None, None
    if id_card_valid(text):
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
