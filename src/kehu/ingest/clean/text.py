"""Text cleaners: width folding, trimming, null markers, match keys and booleans."""

from __future__ import annotations

import re
import unicodedata

from kehu.ingest.clean.errors import CleanError

# U+FF01..U+FF5E are the full-width forms of ASCII 0x21..0x7E; U+3000 is the ideographic space.
_WIDTH_TABLE: dict[int, int] = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_WIDTH_TABLE.update(
    {0x3000: 0x20, 0xFFE0: 0xA2, 0xFFE1: 0xA3, 0xFFE2: 0xAC, 0xFFE4: 0xA6, 0xFFE5: 0xA5}
)
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPACES = re.compile(r"\s+")

# Values that mean "no value" in a typed column (dates, money, numbers). Text columns keep them.
DEFAULT_NULL_MARKERS: tuple[str, ...] = (
    "-", "--", "---", "—", "——", "/", "\\", "n/a", "na", "#n/a", "null", "none", "nan", "nil",
    "无", "空", "暂无", "未知", "不详", "#value!", "#ref!",
)  # fmt: skip


def to_halfwidth(text: str) -> str:
    """Fold full-width ASCII (ＡＢＣ１２３，（）￥) and the ideographic space to half-width."""
    return text.translate(_WIDTH_TABLE)


def normalize_text(text: str) -> str:
    """NFKC (full-width → half-width, compatibility ideographs → unified), no zero-width
    characters, runs of whitespace collapsed to one space, trimmed."""
    text = unicodedata.normalize("NFKC", text)
    text = _ZERO_WIDTH.sub("", text)
    return _SPACES.sub(" ", text).strip()


def clean_text(value: str | None) -> str | None:
    """A text cell as stored: normalised, and None when nothing is left."""
    if value is None:
        return None
    text = normalize_text(value)
    return text or None


def is_null_marker(
    text: str, markers: tuple[str, ...] | frozenset[str] = DEFAULT_NULL_MARKERS
) -> bool:
    """True for '', '-', 'N/A', '无', … (compared case-insensitively after normalising)."""
    norm = normalize_text(text).casefold()
    return norm == "" or norm in markers


_KEY_DROP = re.compile(r"[\s\W_]+", re.UNICODE)


def match_key(text: str) -> str:
    """A key for fuzzy-exact matching of headers and coded values: NFKC, casefold, no spaces,
    no punctuation or symbols (so 'Customer_ID', '客户 ID' and 'customer-id' agree)."""
    norm = unicodedata.normalize("NFKC", text).casefold()
    norm = "".join(
        ch for ch in norm if not unicodedata.category(ch).startswith(("P", "S", "Z", "C"))
    )
    return _KEY_DROP.sub("", norm)


_TRUE = frozenset(
    ["是", "是的", "对", "有", "真", "y", "yes", "true", "t", "1", "√", "✓", "✔", "ok", "on"]
)
_FALSE = frozenset(
    ["否", "不是", "非", "无", "没有", "假", "n", "no", "false", "f", "0", "×", "✗", "✘", "off"]
)


def parse_bool(value: str | None) -> bool | None:
    """是/否, Y/N, yes/no, true/false, 1/0, √/× → bool; empty → None; anything else raises."""
    if value is None:
        return None
    text = normalize_text(value).casefold()
    if text == "":
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if is_null_marker(text):
        return None
    raise CleanError("invalid_bool", value)
