"""The dirt the demo plants must stay recoverable: amounts, dates, phones parse back exactly."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kehu.demo import dirt
from kehu.ingest import clean

EPOCH = date(1970, 1, 1)


@settings(max_examples=300, deadline=None)
@given(fen=st.integers(0, 10**12), style=st.sampled_from(dirt.MONEY_STYLES))
def test_money_styles_parse_back_to_the_same_fen(fen: int, style: str) -> None:
    text = dirt.format_money(fen, style)
    assert clean.parse_money(text) == Decimal(fen) / 100
    assert clean.parse_money(text.replace("¥", "￥")) == Decimal(fen) / 100


def test_money_styles_look_like_real_exports() -> None:
    assert dirt.format_money(123450, "yen") == "¥1,234.50"
    assert dirt.format_money(12_500_000_00, "wan") == "1250万"
    assert dirt.format_money(125_000_00, "wan") == "12.5万"
    assert dirt.format_money(123456, "wan") == "¥1,234.56"  # not whole hundreds: no 万
    assert dirt.format_money(123400, "yuan") == "1,234元"
    assert dirt.format_money(123456, "yuan") == "1,234.56元"


@settings(max_examples=100, deadline=None)
@given(day=st.dates(date(1985, 1, 1), date(2030, 12, 31)), seed=st.integers(0, 2**16))
def test_date_styles_parse_back(day: date, seed: int) -> None:
    rng = np.random.default_rng(seed)
    days = np.full(4, (day - EPOCH).days)
    texts = dirt.format_date_column(rng, days, p=(0.25, 0.25, 0.25, 0.25))
    assert all(clean.parse_date(t) == day for t in texts)


def test_date_styles_cover_the_four_forms() -> None:
    rng = np.random.default_rng(0)
    d = (date(2024, 3, 5) - EPOCH).days
    texts = set(dirt.format_date_column(rng, np.full(400, d)))
    assert texts == {"2024-03-05", "2024/3/5", "2024年3月5日", "20240305"}
    assert dirt.format_date_column(rng, np.array([-1])) == [""]


def test_datetimes() -> None:
    minutes = np.array([((date(2024, 3, 5) - EPOCH).days * 1440) + 14 * 60 + 5, -1])
    assert dirt.format_datetime_column(minutes) == ["2024-03-05 14:05:00", ""]
    assert dirt.format_datetime_column(minutes, slash=True)[0] == "2024/3/5 14:05"
    assert clean.parse_datetime("2024/3/5 14:05").replace(tzinfo=None) == (
        __import__("datetime").datetime(2024, 3, 5, 14, 5)
    )


@pytest.mark.parametrize("phone", ["0512-67881234", "010-62345678", "13812345678"])
def test_phone_styles_normalise_to_one_number(phone: str) -> None:
    forms = {dirt.format_phone(phone, s) for s in range(5)}
    assert len(forms) == 5
    assert len({clean.normalize_phone(f) for f in forms}) == 1


def test_company_variants_differ_and_keep_the_brand() -> None:
    rng = np.random.default_rng(5)
    name, core, city, form = "北京华拓科技有限公司", "华拓科技", "北京", "有限公司"
    seen = {}
    for kind in dirt.COMPANY_VARIANTS:
        v = dirt.company_variant(rng, name, kind, core=core, city=city, form=form, style=0)
        assert v != name
        seen[kind] = v
    assert seen["bracket"] in ("华拓科技(北京)有限公司", "华拓科技（北京）有限公司")
    assert seen["legal_form"] == "北京华拓科技有限责任公司"
    assert seen["traditional"] == "北京華拓科技有限公司"
    assert seen["no_region"] == "华拓科技有限公司"
    assert seen["short"] == "北京华拓科技"
    assert seen["typo"] != name and len(seen["typo"]) == len(name)
    back = dirt.company_variant(
        rng, "华拓科技（北京）有限公司", "bracket", core=core, city=city, form=form, style=2
    )
    assert back == name


def test_person_variants() -> None:
    assert dirt.person_variant("pinyin", "张伟", "Zhang Wei", "Wei Zhang") == "Zhang Wei"
    assert dirt.person_variant("pinyin_reversed", "张伟", "Zhang Wei", "Wei Zhang") == "Wei Zhang"
    assert dirt.person_variant("pinyin_upper", "张伟", "Zhang Wei", "Wei Zhang") == "ZHANG WEI"
    assert dirt.person_variant("traditional", "张伟", "Zhang Wei", "Wei Zhang") == "張偉"
    assert dirt.person_variant("spaced", "张伟", "Zhang Wei", "Wei Zhang") == "张 伟"


def test_excel_serial_round_trip() -> None:
    from kehu.demo.writers import excel_serial, from_excel_serial

    assert excel_serial(date(2024, 3, 5)) == 45356
    for n in range(0, 20000, 997):
        d = date(1990, 1, 1) + timedelta(days=n)
        assert from_excel_serial(excel_serial(d)) == d
