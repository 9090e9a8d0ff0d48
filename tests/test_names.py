"""Company / person name parsing and id normalisation (kehu.dedupe.normalize)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kehu.dedupe.normalize import (
    clean_text,
    normalize_registration_id,
    parse_company,
    parse_person,
    to_pinyin,
)
from kehu.idcodes import uscc_check_char


@pytest.mark.parametrize(
    "name",
    [
        "北京华为科技有限公司",
        "华为科技(北京)有限公司",
        "华为科技（北京）有限公司",  # full-width brackets
        "北京華為科技有限公司",  # traditional characters
        "北京华为科技有限责任公司",  # 有限责任公司 vs 有限公司
        "北京市华为科技有限公司",
        " 北京 华为科技 有限公司 ",
    ],
)
def test_region_variants_share_core_and_region(name: str) -> None:
    c = parse_company(name)
    assert (c.core, c.brand, c.industry, c.region, c.entity) == (
        "华为科技",
        "华为",
        "科技",
        "北京",
        "head",
    )
    assert c.legal_class == "ltd"


def test_legal_forms_keep_their_class() -> None:
    assert parse_company("上海浦东发展银行股份有限公司").legal_class == "jsc"
    assert parse_company("宁波海天塑机集团有限公司").legal_form == "集团有限公司"
    # English industry words and legal forms are read in Chinese (issue 15); the brand stays
    # in Latin letters, whose pinyin equals 华为's.
    en = parse_company("Huawei Technologies Co., Ltd.")
    assert (en.core, en.legal_form, en.legal_class) == ("huawei科技", "有限公司", "ltd")


@pytest.mark.parametrize(
    ("name", "entity"),
    [
        ("华为技术有限公司深圳分公司", "branch:深圳分公司"),
        ("华为技术有限公司(深圳分公司)", "branch:深圳分公司"),
        ("华为技术深圳分公司", "branch:深圳分公司"),
        ("上海浦东发展银行股份有限公司北京分行", "branch:北京分行"),
        ("华为技术有限公司", "head"),
    ],
)
def test_branch_offices_are_their_own_entity(name: str, entity: str) -> None:
    c = parse_company(name)
    assert c.entity == entity
    assert c.core in ("华为技术", "浦东发展银行")


def test_bracketed_region_wins_over_a_county_prefix() -> None:
    # 乐清 is a county-level city; with the region in brackets it is part of the brand.
    a = parse_company("乐清旭照明(池州)有限责任公司")
    b = parse_company("池州乐清旭照明有限责任公司")
    assert a.core == b.core == "乐清旭照明"
    assert a.region == b.region == "池州"


def test_ambiguous_place_is_a_region_only_with_a_hint() -> None:
    # 东方 is a city in Hainan and a very common brand word.
    assert parse_company("东方电气集团有限公司").core.startswith("东方")
    assert parse_company("东方电气有限公司", "东方").region == "东方"


def test_person_names_in_any_order_or_script() -> None:
    keys = {
        parse_person(n).key
        for n in (
            "张小明",
            "張小明",
            "Zhang Xiaoming",
            "Xiaoming ZHANG",
            "Zhang Xiao-Ming",
            "张 小明",
        )
    }
    assert keys == {"xiaoming zhang"}
    assert parse_person("欧阳娜娜").family == "欧阳"
    assert parse_person("Nana Ouyang").key == parse_person("欧阳娜娜").key
    assert parse_person("王伟").key != parse_person("王芳").key


def test_registration_ids() -> None:
    first17 = "91350100M000100Y4"
    code = first17 + uscc_check_char(first17)
    parsed = normalize_registration_id(code.lower()[:6] + " " + code[6:])
    assert parsed is not None and parsed.kind == "uscc" and parsed.valid
    assert parsed.org_code == code[8:17]
    wrong = normalize_registration_id(code[:-1] + ("0" if code[-1] != "0" else "1"))
    assert wrong is not None and not wrong.valid
    rid = normalize_registration_id("11010519491231002X")
    assert rid is not None and rid.kind == "resident_id" and rid.valid
    old = normalize_registration_id("110105491231002")  # 15-digit first generation
    assert old is not None and old.value == "11010519491231002X"
    assert normalize_registration_id("  ") is None


def test_pinyin_is_ascii() -> None:
    assert to_pinyin("华为科技") == "huaweikeji"
    assert to_pinyin("华为abc") == "huaweiabc"


@settings(max_examples=200, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("北京华为科技有限公司(分)（）上海市 集团股份责任深圳abc1")),
        max_size=30,
    )
)
def test_parse_company_total_and_stable(text: str) -> None:
    c = parse_company(text)
    assert clean_text(clean_text(text)) == clean_text(text)
    assert c.entity == "head" or c.entity.startswith("branch:")
    # Parsing the cleaned name gives the same parts.
    assert parse_company(c.name) == c
    assert to_pinyin(c.core).isascii() or not c.core.isascii()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(list("张王李赵欧阳小明伟芳娜")), min_size=2, max_size=4))
def test_person_key_is_script_independent(chars: list[str]) -> None:
    from zhconv import convert

    name = "".join(chars)
    assert parse_person(name).key == parse_person(convert(name, "zh-hant")).key
