"""Target periods: '2026', '2026-Q1', '2026年第一季度', '2026年3月', '2026H1' → a canonical
'2026' | '2026-Q1' | '2026-H1' | '2026-03'."""

from __future__ import annotations

import re

from kehu.ingest.clean.errors import CleanError
from kehu.ingest.clean.text import DEFAULT_NULL_MARKERS, normalize_text

_ZH_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_YEAR = re.compile(r"(?:fy)?(?P<y>\d{4})\s*(?:年|年度)?")
_QUARTER = re.compile(
    r"(?P<y>\d{4})\s*(?:年|年度)?\s*[-/_ ]?\s*(?:q(?P<q>[1-4])|第?(?P<zq>[一二三四1-4])\s*季度?)"
    r"|q(?P<q2>[1-4])\s*[-/_ ]?\s*(?P<y2>\d{4})"
)
_HALF = re.compile(r"(?P<y>\d{4})\s*(?:年|年度)?\s*[-/_ ]?\s*(?:h(?P<h>[12])|(?P<zh>上|下)半年)")
_MONTH = re.compile(
    r"(?P<y>\d{4})\s*(?:[-/.]|年)\s*(?P<m>\d{1,2})\s*月?|(?P<y2>\d{4})(?P<m2>\d{2})"
)


def parse_period(
    value: str | None,
    *,
    null_markers: tuple[str, ...] | frozenset[str] = DEFAULT_NULL_MARKERS,
) -> str | None:
    """Canonical period text, None when empty; raises `CleanError('invalid_period')`."""
    if value is None:
        return None
    text = normalize_text(value).casefold()
    if text == "" or text in null_markers:
        return None
    if m := _YEAR.fullmatch(text):
        return m["y"]
    if m := _QUARTER.fullmatch(text):
        if m["y2"]:
            return f"{m['y2']}-Q{m['q2']}"
        quarter = m["q"] or _ZH_DIGITS[m["zq"]]
        return f"{m['y']}-Q{quarter}"
    if m := _HALF.fullmatch(text):
        half = m["h"] or ("1" if m["zh"] == "上" else "2")
        return f"{m['y']}-H{half}"
    if m := _MONTH.fullmatch(text):
        year, month = (m["y"], m["m"]) if m["y"] else (m["y2"], m["m2"])
        if 1 <= int(month) <= 12:
            return f"{year}-{int(month):02d}"
    raise CleanError("invalid_period", value)
