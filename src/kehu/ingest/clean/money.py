"""Money: '¥1,234.50', '12.5万', '(1,234.00)', '-¥5', '１２３４元', '1.2E+05' → Decimal yuan.

Values are parsed as text into `Decimal` and rounded once, half-up, to the fen (two places);
floats are never involved. Units: 万 (10^4), 亿 (10^8), 千, 百, 百万, 千万, w/W (万), k/K (千),
also compound ('1亿2000万'). A header unit (金额(万元)) is passed in as `unit` and applies only
to values that carry no unit of their own.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

from kehu.ingest.clean.errors import CleanError
from kehu.ingest.clean.text import DEFAULT_NULL_MARKERS, normalize_text

FEN = Decimal("0.01")
MONEY_LIMIT = Decimal(10) ** 16  # DECIMAL(18,2) holds |x| < 10^16
MAX_DIGITS = 40  # a written number this long is out of range whatever its unit

_UNITS: dict[str, Decimal] = {
    "亿": Decimal(10) ** 8,
    "千万": Decimal(10) ** 7,
    "百万": Decimal(10) ** 6,
    "万": Decimal(10) ** 4,
    "w": Decimal(10) ** 4,
    "千": Decimal(1000),
    "k": Decimal(1000),
    "百": Decimal(100),
}
_PREFIXES = ("人民币", "rmb", "cny", "¥")
_SUFFIXES = ("元整", "圆整", "元", "圆", "块钱", "块", "人民币", "rmb", "cny")
_FOREIGN = re.compile(r"us\$|hk\$|\$|€|£|usd|eur|gbp|hkd|jpy|美元|美金|欧元|港币|港元|日元|英镑|円")
_NUMBER = r"(?:\d[\d,]*(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?"
_TOKEN = re.compile(rf"({_NUMBER})(亿|千万|百万|万|w|千|k|百)?")
_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d*)?(?:e[+-]?\d+)?")
_MINUS = "-−–﹣"


def parse_money(
    value: str | None,
    *,
    unit: Decimal | int = 1,
    null_markers: tuple[str, ...] | frozenset[str] = DEFAULT_NULL_MARKERS,
) -> Decimal | None:
    """Parse an amount written any common way into yuan with exactly two decimals.

    Returns None for an empty cell or a null marker; raises `CleanError` ('invalid_money',
    'foreign_currency', 'money_out_of_range') for anything else it cannot read.
    """
    if value is None:
        return None
    text = normalize_text(value).casefold().replace(" ", "").replace("'", "").replace("_", "")
    if text == "" or text in null_markers:
        return None
    if _FOREIGN.search(text):
        raise CleanError("foreign_currency", value)
    negative, core = _strip_sign_and_currency(text)
    if core == "":
        raise CleanError("invalid_money", value)
    with localcontext() as ctx:
        ctx.prec = 60
        amount = _parse_core(core, Decimal(unit), value)
        if abs(amount) >= MONEY_LIMIT:
            raise CleanError("money_out_of_range", value)
        result = (-amount if negative else amount).quantize(FEN, rounding=ROUND_HALF_UP)
    if abs(result) >= MONEY_LIMIT:
        raise CleanError("money_out_of_range", value)
    return result if result != 0 else Decimal("0.00")


def _strip_sign_and_currency(text: str) -> tuple[bool, str]:
    negative = False
    if len(text) >= 2 and text[0] == "(" and text[-1] == ")":
        negative, text = True, text[1:-1]
    changed = True
    while changed and text:
        changed = False
        if text[0] in _MINUS:
            negative, text, changed = not negative, text[1:], True
        elif text[0] == "+":
            text, changed = text[1:], True
        for prefix in _PREFIXES:
            if text.startswith(prefix) and len(text) > len(prefix):
                text, changed = text[len(prefix) :], True
        for suffix in _SUFFIXES:
            if text.endswith(suffix) and len(text) > len(suffix):
                text, changed = text[: -len(suffix)], True
        if text and text[-1] in _MINUS:  # accounting style '1,234.00-'
            negative, text, changed = not negative, text[:-1], True
        if len(text) >= 2 and text[0] == "(" and text[-1] == ")":
            negative, text, changed = not negative, text[1:-1], True
    return negative, text


def _parse_core(core: str, header_unit: Decimal, original: str) -> Decimal:
    pos, total, last_unit, has_unit = 0, Decimal(0), None, False
    while pos < len(core):
        m = _TOKEN.match(core, pos)
        if not m or m.end() == pos:
            raise CleanError("invalid_money", original)
        number, unit_text = m.group(1), m.group(2)
        if "," in number and not _GROUPED.fullmatch(number):
            raise CleanError("invalid_money", original)
        try:
            amount = Decimal(number.replace(",", ""))
        except InvalidOperation:
            raise CleanError("invalid_money", original) from None
        if not amount.is_finite():
            raise CleanError("invalid_money", original)
        if amount.adjusted() > MAX_DIGITS:  # '1E999999999': out of range, before it overflows
            raise CleanError("money_out_of_range", original)
        if unit_text:
            factor = _UNITS[unit_text]
            if last_unit is not None and factor >= last_unit:
                raise CleanError("invalid_money", original)  # '3万2亿' is not a number
            last_unit, has_unit = factor, True
            amount *= factor
        elif pos > 0 or m.end() != len(core):
            # '3万5' reads as 35,000 to some and 30,005 to others: refuse to guess.
            raise CleanError("invalid_money", original)
        total += amount
        pos = m.end()
    if not has_unit:
        total *= header_unit
    return total
