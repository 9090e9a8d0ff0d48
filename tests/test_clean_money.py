"""parse_money and the vectorised money column agree, and round-trip every supported style."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ingest_helpers import context

from kehu.ingest.clean import CleanError, parse_money
from kehu.ingest.clean.text import DEFAULT_NULL_MARKERS

FEN = Decimal("0.01")
amounts = st.decimals(
    min_value=Decimal("-999999999999.99"),
    max_value=Decimal("999999999999.99"),
    places=2,
    allow_nan=False,
    allow_infinity=False,
)
FULL = str.maketrans("0123456789.,-", "０１２３４５６７８９．，－")


def grouped(v: Decimal) -> str:
    return f"{abs(v):,.2f}"


def styles(v: Decimal) -> list[str]:
    sign = "-" if v < 0 else ""
    a = abs(v)
    out = [
        f"{v:.2f}",
        f"{sign}¥{grouped(v)}",
        f"¥{sign}{a:.2f}",
        f"{sign}￥{grouped(v)}",
        f"{sign}{grouped(v)}元",
        f"RMB {sign}{grouped(v)}",
        f"{sign}人民币{a:.2f}元",
        f"  {v:.2f}  ",
        f"{v:.2f}".translate(FULL),
        f"{sign}{(a / 10000):.6f}万",
        f"{sign}{(a / 10000):.6f}万元",
        f"{sign}{(a / 100000000):.10f}亿",
        f"{sign}{a / 1000:.5f}k",
        f"{sign}{a:.2E}" if a == a.quantize(Decimal(1)) and len(str(int(a))) <= 3 else f"{v:.2f}",
    ]
    if v < 0:
        out += [f"({grouped(v)})", f"{grouped(v)}-", f"(¥{grouped(v)})"]
    return out


@settings(deadline=None)
@given(amounts)
def test_every_style_parses_back_to_the_same_amount(v: Decimal) -> None:
    for text in styles(v):
        got = parse_money(text)
        assert got == v, text
        assert got is not None and got.as_tuple().exponent == -2, text


@settings(deadline=None)
@given(st.decimals(min_value=-(10**9), max_value=10**9, places=6, allow_nan=False))
def test_more_decimals_round_half_up_once(v: Decimal) -> None:
    expected = v.quantize(FEN, rounding=ROUND_HALF_UP)
    assert parse_money(format(v, "f")) == expected


@settings(deadline=None)
@given(st.lists(st.tuples(amounts, st.integers(0, 16)), min_size=1, max_size=40))
def test_column_cleaner_agrees_with_scalar(pairs: list[tuple[Decimal, int]]) -> None:
    from kehu.ingest.columns import clean_money

    texts = [styles(v)[i % len(styles(v))] for v, i in pairs]
    cleaned = clean_money(pa.array(texts), context())
    assert cleaned.values.to_pylist() == [parse_money(t) for t in texts]
    assert cleaned.reasons.null_count == len(texts)


def test_halves_round_away_from_zero() -> None:
    assert parse_money("0.005") == Decimal("0.01")
    assert parse_money("-0.005") == Decimal("-0.01")
    assert parse_money("1234.565") == Decimal("1234.57")
    assert parse_money("-0.004") == Decimal("0.00")
    assert str(parse_money("-0.004")) == "0.00"  # no negative zero


def test_compound_units() -> None:
    assert parse_money("1亿2000万") == Decimal("120000000.00")
    assert parse_money("3万5千") == Decimal("35000.00")
    assert parse_money("1.2w") == Decimal("12000.00")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("3万5", "invalid_money"),  # 35,000 or 30,005? refuse to guess
        ("1,23", "invalid_money"),
        ("12..5", "invalid_money"),
        ("abc", "invalid_money"),
        ("3万2亿", "invalid_money"),
        ("$5", "foreign_currency"),
        ("5 USD", "foreign_currency"),
        ("100美元", "foreign_currency"),
        ("1e30", "money_out_of_range"),
        ("99999999999999999", "money_out_of_range"),
    ],
)
def test_unusable_amounts_raise_with_a_reason(text: str, code: str) -> None:
    with pytest.raises(CleanError) as info:
        parse_money(text)
    assert info.value.code == code


@pytest.mark.parametrize("text", [None, "", "   ", *DEFAULT_NULL_MARKERS])
def test_empty_values_are_none(text: str | None) -> None:
    assert parse_money(text) is None


def test_header_unit_applies_only_without_own_unit() -> None:
    assert parse_money("12.5", unit=10000) == Decimal("125000.00")
    assert parse_money("3万", unit=10000) == Decimal("30000.00")
