"""Phone numbers written any common way normalise to one E.164 value."""

from __future__ import annotations

import phonenumbers
import pyarrow as pa
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from ingest_helpers import context

from kehu.ingest.clean import normalize_phone

FULL = str.maketrans("0123456789+-()", "０１２３４５６７８９＋－（）")
mobiles = st.builds(
    lambda p, rest: f"1{p}{rest:09d}", st.sampled_from("3456789"), st.integers(0, 10**9 - 1)
)


def mobile_styles(m: str) -> list[str]:
    return [
        m,
        f"{m[:3]} {m[3:7]} {m[7:]}",
        f"{m[:3]}-{m[3:7]}-{m[7:]}",
        f"+86 {m}",
        f"+86-{m[:3]}-{m[3:7]}-{m[7:]}",
        f"0086{m}",
        f"86{m}",
        f"(+86) {m}",
        f"  {m}\t",
        m.translate(FULL),
        f"+86 {m[:3]} {m[3:7]} {m[7:]}".translate(FULL),
    ]


@settings(deadline=None)
@given(mobiles)
def test_mobile_formats_normalise_to_one_value(m: str) -> None:
    assume(phonenumbers.is_valid_number(phonenumbers.parse(m, "CN")))
    for text in mobile_styles(m):
        assert normalize_phone(text) == "+86" + m, text


landlines = st.tuples(
    st.sampled_from(["10", "21", "20", "755", "571", "28"]), st.integers(2000_0000, 8999_9999)
)


@settings(deadline=None)
@given(landlines)
def test_landline_formats_normalise_to_one_value(parts: tuple[str, int]) -> None:
    area, number = parts
    local = str(number)
    assume(phonenumbers.is_valid_number(phonenumbers.parse(f"0{area}{local}", "CN")))
    expected = f"+86{area}{local}"
    for text in [
        f"0{area}-{local}",
        f"(0{area}) {local}",
        f"0{area} {local[:4]} {local[4:]}",
        f"+86 {area} {local}",
        f"+86-{area}-{local}",
        f"0{area}-{local}".translate(FULL),
    ]:
        assert normalize_phone(text) == expected, text
    assert normalize_phone(f"0{area}-{local}转123") == expected + ";ext=123"
    assert normalize_phone(f"0{area}-{local}-123") == expected + ";ext=123"
    assert normalize_phone(f"0{area}-{local} ext. 88") == expected + ";ext=88"


@pytest.mark.parametrize("text", ["138****5678", "12345678", "1381234567", "电话见备注", "", None])
def test_unusable_numbers_are_none(text: str | None) -> None:
    assert normalize_phone(text) is None


def test_first_valid_number_of_several() -> None:
    assert normalize_phone("13812345678/13912345678") == "+8613812345678"
    assert normalize_phone("见备注; 010-62345678") == "+861062345678"


def test_other_regions() -> None:
    assert normalize_phone("+1 650 253 0000") == "+16502530000"
    assert normalize_phone("(650) 253-0000", region="US") == "+16502530000"


@settings(deadline=None)
@given(st.lists(st.tuples(mobiles, st.integers(0, 10)), min_size=1, max_size=30))
def test_column_cleaner_agrees_with_scalar(rows: list[tuple[str, int]]) -> None:
    from kehu.ingest.columns_text import clean_phone

    texts = [mobile_styles(m)[i] for m, i in rows] + ["138****5678"]
    cleaned = clean_phone(pa.array(texts), context())
    expected = [normalize_phone(t) or t.strip() for t in texts]
    assert cleaned.values.to_pylist() == expected
    assert cleaned.flagged.to_pylist()[-1] is True  # kept as written, reported
