"""Market and industry: segments, penetration and white space, worked out by hand."""

from __future__ import annotations

import json

import pytest
from market_support import AS_OF, tiny_workspace
from typer.testing import CliRunner

from kehu.analytics.market import size_band
from kehu.cli import app as cli_app
from kehu.errors import KehuError

MARKET = (
    "区域,行业,年份,市场规模,企业数\n"
    "华东,制造业,2026,1000000,50\n"
    "华东,I,2026,5000000,10\n"
    "华北,批发业,2026,9000000,100\n"
    "华南,制造业,2026,2000000,30\n"
    "华北,交通运输,2025,100000,5\n"
)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):  # noqa: ANN001, ANN201
    k = tiny_workspace(tmp_path_factory.mktemp("market"), {"market_potential": MARKET})
    k.ws.settings.market.white_space_customers = 0  # four customers: judge by penetration
    yield k
    k.close()


def test_size_bands() -> None:
    limits = {"micro": 20, "small": 300, "medium": 1000}
    assert [size_band(e, False, limits) for e in (0, 19, 20, 299, 300, 999, 1000)] == [
        "micro", "micro", "small", "small", "medium", "medium", "large"]  # fmt: skip
    assert size_band(None, False, limits) == "unknown"
    assert size_band(5, True, limits) == "person"


def test_segments_by_section_region_and_size(tiny) -> None:  # noqa: ANN001
    view = tiny.market(lang="zh")
    assert view["as_of"] == AS_OF and view["revenue"] == 310000
    sections = {r["key"]: r for r in view["segments"]["section"]}
    assert sections["C"]["label"] == "制造业" and sections["C"]["revenue"] == 100000
    assert sections["C"]["share"] == pytest.approx(100000 / 310000)
    # A4 (G): 20,000 in the last 12 months against 10,000 the year before
    assert sections["G"]["growth"] == pytest.approx(1.0) and sections["C"]["growth"] is None
    divisions = {r["key"]: r["revenue"] for r in view["segments"]["division"]}
    assert divisions == {"I65": 100000, "F51": 90000, "—": 120000}
    regions = {r["key"]: (r["customers"], r["revenue"]) for r in view["segments"]["region"]}
    assert regions == {"华东": (2, 200000), "华北": (2, 110000)}
    sizes = {r["key"]: r["revenue"] for r in view["segments"]["size"]}
    assert sizes == {"small": 190000, "medium": 100000, "large": 20000}
    assert tiny.market(lang="en")["segments"]["size"][0]["label"] == "Small"


def test_penetration_and_white_space(tiny) -> None:  # noqa: ANN001
    view = tiny.market()
    assert view["market_year"] == 2026  # the 2025 row is not mixed in
    cells = {(c["region"], c["industry_code"]): c for c in view["cells"]}
    assert set(cells) == {("华东", "C"), ("华东", "I"), ("华北", "F51"), ("华南", "C")}
    east_c = cells[("华东", "C")]  # A1 (C, 100,000) in a 1,000,000 market of 50 companies
    assert east_c["penetration"] == pytest.approx(0.1)
    assert east_c["coverage"] == pytest.approx(1 / 50)
    assert east_c["potential"] == 900000 and not east_c["white_space"]
    # 批发业 is division F51 (A3): 90,000 / 9,000,000 = 1% < 2%
    north_f = cells[("华北", "F51")]
    assert north_f["penetration"] == pytest.approx(0.01) and north_f["white_space"]
    # the section cell I holds A2's division I65: 100,000 / 5,000,000 = 2%, not below 2%
    assert cells[("华东", "I")]["penetration"] == pytest.approx(0.02)
    assert not cells[("华东", "I")]["white_space"]
    assert cells[("华南", "C")]["active"] == 0 and cells[("华南", "C")]["white_space"]
    assert [c["potential"] for c in view["cells"]] == [8910000, 4900000, 2000000, 900000]
    assert {(c["region"], c["industry_code"]) for c in view["white_space"]} == {
        ("华北", "F51"), ("华南", "C")}  # fmt: skip


def test_a_reps_market_counts_only_own_customers(tiny) -> None:  # noqa: ANN001
    view = tiny.market(owner="张伟")  # A1 and A3
    cells = {(c["region"], c["industry_code"]): c for c in view["cells"]}
    assert cells[("华东", "I")]["revenue"] == 0  # A2 is 李娜's
    assert cells[("华东", "C")]["revenue"] == 100000
    assert view["revenue"] == 190000
    from kehu.access.scope import Scope

    rep = Scope(user="zw", role="rep", owners=("张伟",))
    assert tiny.market(scope=rep) == view  # the scope and the owner filter select alike
    everyone = Scope(user="boss", role="admin")
    assert tiny.market(scope=everyone, owner="张伟") == view
    assert tiny.market(scope=rep, owner="李娜")["customers"] == 0  # filters narrow the scope


def test_import_rejects_and_cli(tiny) -> None:  # noqa: ANN001
    bad = tiny.ws.root / "bad_market.csv"
    bad.write_text("region,industry,year,market size\n华东,不存在,2026,5\n华东,C,20x6,5\n"
                   "华东,C,2026,-1\n华东,C,2026,100\n", "utf-8")  # fmt: skip
    result = tiny.import_file(bad, "market_potential", dry_run=True)
    assert (result.loaded, result.rejected) == (1, 3)
    runner = CliRunner()
    root = str(tiny.ws.root)
    out = runner.invoke(cli_app, ["-w", root, "market", "--by", "region", "--json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["segments"]["region"][0]["key"] == "华东"
    text = runner.invoke(cli_app, ["-w", root, "--lang", "en", "market", "--by", "size"])
    assert text.exit_code == 0 and "white space" in text.output
    wrong = runner.invoke(cli_app, ["-w", root, "market", "--by", "colour"])
    assert isinstance(wrong.exception, KehuError) and wrong.exception.exit_code == 2


def test_web_market_is_scoped(tiny) -> None:  # noqa: ANN001
    import warnings

    from kehu.access.auth import Auth
    from kehu.web.app import create_app

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    Auth(tiny.ws).add_user("ln", "rep", display_name="李娜", password="p" * 12)
    client = TestClient(create_app(tiny.ws, background=False))
    client.post("/login", data={"username": "ln", "password": "p" * 12})
    data = client.get("/api/v1/market").json()
    assert data["revenue"] == 120000  # A2 + A4
    cells = {(c["region"], c["industry_code"]): c["revenue"] for c in data["cells"]}
    assert cells[("华东", "C")] == 0 and cells[("华东", "I")] == 100000
    page = client.get("/market?by=size&lang=en")
    assert page.status_code == 200 and "Large" in page.text and "White space" in page.text
