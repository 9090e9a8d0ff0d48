"""Chinese company names in every script: Latin / pinyin / full-width regions and brands,
short names (简称) held for review, branch offices scored low by the model itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from kehu.config import DedupeSettings
from kehu.dedupe.features import build_features
from kehu.dedupe.latin import region_pinyin, sinicize
from kehu.dedupe.match import score
from kehu.dedupe.normalize import parse_company, soundex, to_pinyin
from kehu.dedupe.run import run_dedupe
from kehu.ingest import import_records
from kehu.workspace import Workspace

RECORDS = [
    {"customer_id": "C1", "name": "ＮＡＮＪＩＮＧ博达电子有限公司", "phone": "025-84441234"},
    {"customer_id": "C2", "name": "南京博达电子有限公司", "phone": "025-84441234", "city": "南京"},
    {
        "customer_id": "C3",
        "name": "华为科技(北京)有限公司上海分公司",
        "phone": "010-62781234",
        "city": "上海",
    },
    {"customer_id": "C4", "name": "华为科技(北京)有限公司", "phone": "010-62781234"},
    {"customer_id": "C5", "name": "华为", "customer_type": "company", "phone": "0755-28780808"},
    {
        "customer_id": "C6",
        "name": "华为技术有限公司",
        "customer_type": "company",
        "phone": "0755-28780808",
    },
    {"customer_id": "C7", "name": "Huawei Technologies (Beijing) Co., Ltd.", "city": "北京"},
    {"customer_id": "C8", "name": "上海明达贸易有限公司", "phone": "021-55556666"},
]


@pytest.mark.parametrize(
    "written",
    ["NANJING博达电子有限公司", "Nanjing博达电子有限公司", "ＮＡＮＪＩＮＧ博达电子有限公司"],
)
def test_latin_region_is_read_as_chinese(written: str) -> None:
    assert parse_company(written) == parse_company("南京博达电子有限公司")


def test_english_name_meets_chinese_name() -> None:
    en = parse_company("Huawei Technologies (Beijing) Co., Ltd.")
    zh = parse_company("华为科技(北京)有限公司")
    assert (en.region, en.legal_class, en.industry) == (zh.region, zh.legal_class, zh.industry)
    assert to_pinyin(en.core) == to_pinyin(zh.core) == "huaweikeji"
    # Ambiguous readings are never guessed (山西 / 陕西 are both "shanxi").
    assert "shanxi" not in region_pinyin()
    assert sinicize("Shanxi Coal Co Ltd") == "shanxicoal有限公司"
    assert sinicize("南京博达") == "南京博达"


def test_soundex_survives_typos() -> None:
    assert soundex("harrington") == soundex("herrington") == "h652"
    assert soundex("robert") == soundex("rupert") == "r163"
    assert soundex("pfister") == "p236"


@pytest.fixture()
def scored(tmp_path: Path):  # type: ignore[no-untyped-def]
    ws = Workspace.init(tmp_path / "ws")
    import_records(ws, "customers", RECORDS, source="crm")
    res = run_dedupe(ws, dry_run=True)
    yield ws, res
    ws.close()


def _pair(res, a: str, b: str):  # type: ignore[no-untyped-def]
    hit = res.pairs[(res.pairs["id_l"] == a) & (res.pairs["id_r"] == b)]
    return None if hit.empty else hit.iloc[0]


def test_mixed_script_same_phone_is_found(scored) -> None:  # type: ignore[no-untyped-def]
    _, res = scored
    pair = _pair(res, "C1", "C2")
    assert pair is not None and pair["probability"] >= 0.99
    assert pair["status"] == "auto"
    assert ["C1", "C2"] in res.clusters


def test_english_and_chinese_writing_is_proposed(scored) -> None:  # type: ignore[no-untyped-def]
    _, res = scored
    pair = _pair(res, "C4", "C7")
    assert pair is not None and pair["probability"] >= 0.8


def test_short_name_waits_for_review(scored) -> None:  # type: ignore[no-untyped-def]
    _, res = scored
    pair = _pair(res, "C5", "C6")
    assert pair is not None and pair["probability"] >= 0.99
    assert pair["status"] == "review" and pair["hold"] == "short_name"
    assert not any("C5" in c for c in res.clusters)


def test_branch_scores_low_in_the_model() -> None:
    """The model itself (not only the never-merge rule) scores a branch low against its head
    office although name, region, legal form and phone agree."""
    feats = build_features(__import__("pandas").DataFrame(RECORDS))
    res = score(feats, DedupeSettings(), min_probability=0.0)
    pairs = res.pairs.to_pandas()
    branch = pairs[(pairs["id_l"] == "C3") & (pairs["id_r"] == "C4")].iloc[0]
    assert branch["probability"] < 0.01
    assert "phone" in branch["agreed"] and "name" in branch["agreed"]
    assert branch["blocked"] == "branch"
