"""The shipped GB/T 4754-2017 table and industry matching."""

from __future__ import annotations

import pytest

from kehu.ingest.industry import industries, industry_by_code, lookup_industry, match_industry


def test_table_has_all_sections_and_divisions() -> None:
    sections = [i for i in industries() if i.level == "section"]
    divisions = [i for i in industries() if i.level == "division"]
    assert [s.code for s in sections] == list("ABCDEFGHIJKLMNOPQRST")
    assert sorted(int(d.division) for d in divisions) == list(range(1, 98))
    assert all(i.name_zh and i.name_en for i in industries())
    assert all(d.code == d.section + d.division for d in divisions)


def test_every_division_is_found_by_code_and_by_name() -> None:
    for d in industries():
        if d.level != "division":
            continue
        assert lookup_industry(d.code) == d
        assert lookup_industry(d.division) == d
        assert lookup_industry(f"{d.section}-{d.division}") == d
        assert lookup_industry(d.division + "11") == d  # a 4-digit class code
        found = lookup_industry(d.name_zh)
        assert found is not None and found.name_zh == d.name_zh
        assert lookup_industry(d.name_en.upper()) is not None


@pytest.mark.parametrize(
    ("text", "code"),
    [("C", "C"), ("c39", "C39"), ("39", "C39"), ("3911", "C39"), ("制造业", "C"), ("制造", "C"),
     ("互联网", "I64"), ("软件", "I65"), ("软件开发", "I65"), ("Software", "I65"),
     ("汽车零部件制造", "C36"), ("汽车行业", "C36"), ("银行", "J66"), ("房地产", "K70"),
     ("计算机、通信和其他电子设备制造业", "C39"), ("Manufacturing", "C"), ("零售", "F52"),
     ("　ｃ３９　", "C39"), ("医疗器械", "C35"), ("教育", "P83")],
)  # fmt: skip
def test_match_industry(text: str, code: str) -> None:
    found = match_industry(text)
    assert found is not None and found[0] == code
    assert found[1] == industry_by_code(code).name_zh  # type: ignore[union-attr]


@pytest.mark.parametrize("text", ["A39", "U", "98", "火星行业", "", None, "xyz"])
def test_unmatched_values(text: str | None) -> None:
    assert match_industry(text) is None
