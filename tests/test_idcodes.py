"""Check characters of 统一社会信用代码, 组织机构代码 and 居民身份证号码 (kehu.idcodes)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kehu.idcodes import (
    USCC_CHARS,
    org_code_check_char,
    resident_id_check_char,
    resident_id_valid,
    uscc_check_char,
    uscc_valid,
)


def test_published_examples() -> None:
    # the example code of GB 32100-2015 and the ID number example of GB 11643-1999
    assert uscc_check_char("91350100M000100Y4") == "3"
    assert uscc_valid("91350100M000100Y43")
    assert org_code_check_char("M000100Y") == "4"  # the organisation code inside it
    assert resident_id_check_char("11010519491231002") == "X"
    assert resident_id_valid("11010519491231002X")


def test_corruptions_are_refused() -> None:
    assert not uscc_valid("91350100M000100Y44")  # wrong check character
    assert not uscc_valid("91350100M000100Y4")  # too short
    assert not uscc_valid("91350100M0001O0Y43")  # 'O' is not in the alphabet
    assert uscc_check_char("91350100M0001O0Y4") is None
    assert org_code_check_char("M00010-Y") is None
    assert not resident_id_valid("110105194912310021")  # wrong check character
    assert not resident_id_valid("110105194902300021")  # 30 February
    assert resident_id_check_char("1101051949123100２") is None  # a full-width digit


def _mod31_reference(body: str) -> str:
    """GB 32100-2015 written out: weights 3^i mod 31, check = (31 - sum mod 31) mod 31."""
    weights = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(body, weights, strict=True))
    return USCC_CHARS[(31 - total % 31) % 31]


@given(st.text(alphabet=USCC_CHARS, min_size=17, max_size=17))
def test_uscc_check_matches_the_standard_and_catches_one_changed_character(body: str) -> None:
    check = uscc_check_char(body)
    assert check == _mod31_reference(body)
    code = body + check
    assert uscc_valid(code)
    wrong = USCC_CHARS[(USCC_CHARS.index(check) + 1) % 31]
    assert not uscc_valid(body + wrong)


@given(st.text(alphabet="0123456789", min_size=17, max_size=17), st.integers(0, 16))
def test_resident_check_catches_any_single_digit_change(body: str, at: int) -> None:
    check = resident_id_check_char(body)
    changed = body[:at] + str((int(body[at]) + 1) % 10) + body[at + 1 :]
    assert resident_id_check_char(changed) != check
