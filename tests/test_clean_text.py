"""Width folding, match keys, booleans, numbers, periods, ids and provinces."""

from __future__ import annotations

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kehu.idcodes import USCC_CHARS as USCC_ALPHABET
from kehu.idcodes import resident_id_valid as id_card_valid
from kehu.idcodes import uscc_valid
from kehu.ingest.clean import (
    CleanError,
    clean_text,
    match_key,
    normalize_postcode,
    normalize_province,
    normalize_registration,
    normalize_text,
    parse_bool,
    parse_int,
    parse_number,
    parse_percent,
    parse_period,
    to_halfwidth,
)

ascii_text = st.text(alphabet=string.printable.strip() + " ", max_size=40)


def fullwidth(s: str) -> str:
    return "".join(
        chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else ("\u3000" if c == " " else c) for c in s
    )


@settings(deadline=None)
@given(st.text(max_size=60))
def test_halfwidth_and_normalize_are_idempotent(s: str) -> None:
    assert to_halfwidth(to_halfwidth(s)) == to_halfwidth(s)
    assert normalize_text(normalize_text(s)) == normalize_text(s)
    assert match_key(match_key(s)) == match_key(s)


@settings(deadline=None)
@given(ascii_text)
def test_fullwidth_ascii_folds_back(s: str) -> None:
    assert to_halfwidth(fullwidth(s)) == s
    assert match_key(fullwidth(s)) == match_key(s)
    assert match_key(s.upper()) == match_key(s.lower())


def test_clean_text() -> None:
    assert clean_text("  北京\u200b华为　科技  ") == "北京华为 科技"
    assert clean_text("（北京）ＡＢＣ") == "(北京)ABC"
    assert clean_text("   ") is None
    assert clean_text(None) is None


def test_match_key_ignores_case_space_width_punctuation() -> None:
    keys = {
        match_key(h)
        for h in ["Customer_ID", "customer id", "CUSTOMER-ID", "ｃｕｓｔｏｍｅｒ　ｉｄ"]
    }
    assert keys == {"customerid"}
    assert match_key("客户 ID") == match_key("客户ＩＤ") == "客户id"


@pytest.mark.parametrize(
    ("text", "value"),
    [("是", True), ("否", False), ("Y", True), ("n", False), ("TRUE", True), ("false", False),
     ("1", True), ("0", False), ("√", True), ("×", False), ("有", True), ("无", False),
     ("", None), (None, None), ("-", None)],
)  # fmt: skip
def test_parse_bool(text: str | None, value: bool | None) -> None:
    assert parse_bool(text) is value


def test_parse_bool_rejects_other_text() -> None:
    with pytest.raises(CleanError):
        parse_bool("也许")


def test_numbers() -> None:
    assert parse_int("1,200") == 1200
    assert parse_int("500人") == 500
    assert parse_int("1.2万人") == 12000
    assert parse_int("50-99人", ranges=True) == 74
    assert parse_int("10000人以上", ranges=True) == 10000
    assert parse_int("少于50人", ranges=True) == 25
    assert parse_int("非常满意", words={match_key("非常满意"): 5}) == 5
    with pytest.raises(CleanError):
        parse_int("12.5")
    with pytest.raises(CleanError):
        parse_int("50-99人")
    assert parse_number("12件") == 12.0
    assert parse_number("3.5吨") == 3.5
    assert parse_percent("10%") == pytest.approx(0.10)
    assert parse_percent("15") == pytest.approx(0.15)
    assert parse_percent("0.2") == pytest.approx(0.2)


@pytest.mark.parametrize(
    ("text", "period"),
    [("2026", "2026"), ("2026年", "2026"), ("FY2026", "2026"), ("2026-Q1", "2026-Q1"),
     ("2026Q1", "2026-Q1"), ("2026 q3", "2026-Q3"), ("Q3 2026", "2026-Q3"),
     ("2026年第一季度", "2026-Q1"), ("2026年4季度", "2026-Q4"), ("2026-03", "2026-03"),
     ("2026年3月", "2026-03"), ("202603", "2026-03"), ("2026/3", "2026-03"),
     ("2026H2", "2026-H2"), ("2026年上半年", "2026-H1")],
)  # fmt: skip
def test_parse_period(text: str, period: str) -> None:
    assert parse_period(text) == period


@pytest.mark.parametrize("text", ["2026-13", "2026Q5", "next year"])
def test_parse_period_rejects(text: str) -> None:
    with pytest.raises(CleanError):
        parse_period(text)


def _with_uscc_check(body: str) -> str:
    weights = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(body, weights, strict=True))
    return body + USCC_ALPHABET[(31 - total % 31) % 31]


@settings(deadline=None)
@given(st.text(alphabet=USCC_ALPHABET, min_size=17, max_size=17))
def test_uscc_checksum(body: str) -> None:
    code = _with_uscc_check(body)
    assert uscc_valid(code)
    wrong = USCC_ALPHABET[(USCC_ALPHABET.index(code[-1]) + 1) % 31]
    assert not uscc_valid(code[:-1] + wrong)
    if not id_card_valid(code):
        assert normalize_registration(code.lower()[:6] + " " + code.lower()[6:])[1] in ("company",)


def test_id_card_and_registration() -> None:
    assert id_card_valid("11010519491231002X")
    assert not id_card_valid("110105194912310021")
    assert normalize_registration("11010519491231002x") == ("11010519491231002X", "person")
    assert normalize_registration("91350100M000100Y43") == ("91350100M000100Y43", "company")
    assert normalize_registration("12345") == ("12345", None)


def test_postcode() -> None:
    assert normalize_postcode("10020") == ("010020", True)
    assert normalize_postcode("100080") == ("100080", True)
    assert normalize_postcode("1000") == ("1000", False)


@pytest.mark.parametrize(
    ("text", "name"),
    [("广东", "广东省"), ("广东省", "广东省"), ("Guangdong", "广东省"),
     ("guangdong province", "广东省"),
     ("内蒙古", "内蒙古自治区"), ("新疆", "新疆维吾尔自治区"), ("北京", "北京市"),
     ("广东省深圳市", "广东省"), ("火星", None), ("山西", "山西省"), ("陕西", "陕西省")],
)  # fmt: skip
def test_province(text: str, name: str | None) -> None:
    assert normalize_province(text) == name


def test_null_markers_default_matches_settings() -> None:
    from kehu.config import IngestSettings
    from kehu.ingest.clean import DEFAULT_NULL_MARKERS

    assert set(IngestSettings().null_markers) == set(DEFAULT_NULL_MARKERS)
