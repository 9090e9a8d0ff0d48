"""Identifiers the demo generates: 统一社会信用代码, 身份证号码, phones."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from kehu.demo.codes import credit_codes, id_numbers, landline_numbers, mobile_numbers
from kehu.idcodes import USCC_CHARS, org_code_check_char, resident_id_valid, uscc_valid


def is_valid_credit_code(code: str) -> bool:
    """The code's own check character and that of the organisation code inside it."""
    return uscc_valid(code) and org_code_check_char(code[8:16]) == code[16]


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), year=st.integers(1985, 2024))
def test_generated_credit_codes_are_valid(seed: int, year: int) -> None:
    rng = np.random.default_rng(seed)
    divisions = np.array(["320500", "110100", "440300", "650100"] * 25)
    codes = credit_codes(rng, divisions, np.full(100, year), np.where(np.arange(100) < 90, 1, 2))
    assert all(len(c) == 18 and set(c) <= set(USCC_CHARS) for c in codes)
    assert all(is_valid_credit_code(c) for c in codes)
    assert all(c[2:8] == d for c, d in zip(codes, divisions, strict=True))
    new_style = [c[8:10] == "MA" for c in codes]
    assert all(new_style) if year >= 2016 else not any(new_style)
    assert {c[:2] for c in codes} <= {"91", "92"}


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_generated_id_numbers_are_valid(seed: int) -> None:
    rng = np.random.default_rng(seed)
    births = np.array(["1962-01-01", "1980-02-29", "1999-12-31"] * 10, dtype="datetime64[D]")
    female = np.arange(30) % 2 == 0
    ids = id_numbers(rng, np.array(["320500"] * 30), births, female)
    assert all(resident_id_valid(i) for i in ids)
    assert [i[6:14] for i in ids[:3]] == ["19620101", "19800229", "19991231"]
    # the 17th digit is odd for men, even for women
    assert all((int(i[16]) % 2 == 0) == f for i, f in zip(ids, female, strict=True))


def test_phone_shapes() -> None:
    rng = np.random.default_rng(1)
    mobiles = mobile_numbers(rng, 200, ["138", "186"])
    assert all(len(m) == 11 and m[:3] in ("138", "186") and m.isdigit() for m in mobiles)
    lines = landline_numbers(rng, np.array(["512", "10"] * 50))
    assert all(x.startswith(("0512-", "010-")) and len(x.split("-")[1]) == 8 for x in lines)
