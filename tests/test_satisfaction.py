"""Satisfaction drivers, measures and their effect, against hand-worked figures on the
ten-response workspace of tests/satisfaction_support.py and published interval examples."""

from __future__ import annotations

import json
import math
from datetime import date

import pytest
from satisfaction_support import AS_OF, satisfaction_workspace
from scipy.stats import fisher_exact
from typer.testing import CliRunner

from kehu.access.scope import Scope
from kehu.analytics.intervals import newcombe, wilson
from kehu.analytics.satisfaction import holm, satisfaction_drivers
from kehu.cli import app as cli_app
from kehu.errors import KehuError

Z95 = 1.959964


def test_intervals_against_published_examples() -> None:
    # Newcombe (1998), Statistics in Medicine 17:873, example (a): 56/70 - 48/80, method 10
    d, low, high = newcombe(56, 70, 48, 80, 0.95)
    assert d == pytest.approx(0.2)
    assert (low, high) == (pytest.approx(0.0524, abs=1e-4), pytest.approx(0.3339, abs=1e-4))
    # Newcombe (1998), Statistics in Medicine 17:857, example: 81/263, Wilson 0.2553-0.3662
    assert wilson(81, 263, 0.95) == (pytest.approx(0.2553, abs=1e-4),
                                    pytest.approx(0.3662, abs=1e-4))  # fmt: skip
    assert holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])


@pytest.fixture(scope="module")
def sat(tmp_path_factory):  # noqa: ANN001, ANN201
    k = satisfaction_workspace(tmp_path_factory.mktemp("satisfaction"))
    yield k
    k.close()


def test_driver_table_by_hand(sat) -> None:  # noqa: ANN001
    view = satisfaction_drivers(sat.ws, AS_OF, "zh")
    assert (view["responses"], view["detractors"], view["nps"]) == (10, 4, 0.0)
    drivers = {d["driver"]: d for d in view["drivers"]}
    # 咨询 (one response) and the late payment (one) lack support; the rest are shown
    assert set(drivers) == {"category:投诉", "sla_response", "sla_resolution"}
    complaint = drivers["category:投诉"]
    assert complaint["label"] == "工单类别:投诉"
    assert (complaint["detractors"], complaint["responses"]) == (3, 4)
    assert (complaint["detractors_without"], complaint["responses_without"]) == (1, 6)
    assert complaint["difference"] == pytest.approx(3 / 4 - 1 / 6)
    # hypergeometric: P(X = k) = C(4,k) C(6,4-k) / 210 = 15, 80, 90, 24, 1 (/210); two-sided
    # p sums those no likelier than the observed 24: (15 + 24 + 1) / 210
    assert complaint["p"] == pytest.approx(40 / 210)
    assert complaint["p"] == pytest.approx(fisher_exact([[3, 1], [1, 5]])[1])
    assert complaint["customers"] == ["S01", "S02", "S03"]
    # every S01-S04 ticket was answered after 5 hours: the same split as the category
    assert drivers["sla_response"]["difference"] == complaint["difference"]
    late = drivers["sla_resolution"]  # S01, S02 waited two days
    assert (late["detractors"], late["responses"], late["detractors_without"]) == (2, 2, 2)
    assert late["p"] == pytest.approx(fisher_exact([[2, 0], [2, 6]])[1])  # 6/45 by hand
    assert late["p"] == pytest.approx(6 / 45)
    assert late["p_adjusted"] == pytest.approx(min(1, 3 * 6 / 45))  # smallest p of three
    assert not any(d["strong"] for d in view["drivers"])  # ten answers prove nothing at 5 %


def test_measures_and_their_effect(tmp_path) -> None:  # noqa: ANN001
    k = satisfaction_workspace(tmp_path)
    k.ws.settings.satisfaction.alpha = 0.5  # so the hand-made ten can carry a strong driver
    made = k.plan_satisfaction(AS_OF)
    # sla_resolution: adjusted p 0.4 < 0.5 and interval above 0; 投诉 / sla_response: p 0.4
    # too, but their intervals reach below 0, so no measure
    assert [(m["driver"], m["region"], m["owner"]) for m in made] == [
        ("sla_resolution", "华东", "张伟")]  # fmt: skip
    assert json.loads(made[0]["customers"]) == ["S01", "S02"]
    assert made[0]["due_date"] == date(2026, 10, 30) and "24 小时" in made[0]["action_zh"]
    assert k.plan_satisfaction(AS_OF) == []  # one open measure per driver and region
    later = k.ws.root / "later.csv"
    later.write_text("survey id,customer id,surveyed on,nps\nW1,S01,2026-11-15,10\n"
                     "W2,S02,2026-11-15,7\n", encoding="utf-8")  # fmt: skip
    assert k.import_file(later, "surveys").rejected == 0
    view = k.satisfaction(date(2026, 12, 31), lang="en")
    (m,) = view["measures"]
    e = m["effect"]
    # before: 2 and 3, both detractors: NPS -100, no spread; after: 10 (promoter), 7
    # (passive): NPS +50, se = 100 sqrt((0.5 + 0 - 0.25) / 2)
    assert (e["before"]["nps"], e["after"]["nps"]) == (-100, 50)
    se = 100 * math.sqrt(0.25 / 2)
    assert e["difference"] == 150
    assert e["low"] == pytest.approx(150 - Z95 * se, abs=1e-3)
    assert e["high"] == pytest.approx(150 + Z95 * se, abs=1e-3)
    assert e["moved"] == "up" and m["moved_label"] == "clearly up"
    assert m["driver_label"] == "Resolution late (> 24 h)"
    # row-level scope: 李娜 owns neither S01 nor S02; 张伟 sees the measure
    other = k.satisfaction(date(2026, 12, 31), scope=Scope(user="l", role="rep", owners=("李娜",)))
    assert other["measures"] == [] and other["responses"] == 2  # S03 and S04 answered once
    mine = k.satisfaction(date(2026, 12, 31), scope=Scope(user="z", role="rep", owners=("张伟",)))
    assert [x["customers"] for x in mine["measures"]] == [["S01", "S02"]]
    k.close_satisfaction_measure(m["measure_id"])
    assert k.satisfaction(date(2026, 12, 31))["measures"][0]["status"] == "done"
    with pytest.raises(KehuError):
        k.close_satisfaction_measure(99)
    k.close()


def test_cli(sat) -> None:  # noqa: ANN001
    runner = CliRunner()
    root = str(sat.ws.root)
    out = runner.invoke(cli_app, ["-w", root, "satisfaction", "--as-of", "2026-09-30"])
    assert out.exit_code == 0, out.output
    assert "3/4 (75%)" in out.output and "1/6 (17%)" in out.output and "[0.9%," in out.output
    en = runner.invoke(cli_app, ["-w", root, "--lang", "en", "satisfaction", "--json"])
    assert en.exit_code == 0 and json.loads(en.output)["responses"] == 10
    labels = {d["label"] for d in json.loads(en.output)["drivers"]}
    assert labels == {"Ticket category: 投诉", "First response late (> 2 h)",
                      "Resolution late (> 24 h)"}  # fmt: skip
    bad = runner.invoke(cli_app, ["-w", root, "satisfaction", "close", "7"])
    assert isinstance(bad.exception, KehuError) and bad.exception.exit_code == 2


def test_report_section(sat, tmp_path) -> None:  # noqa: ANN001
    from openpyxl import load_workbook

    from kehu.monitor.report.build import write_report

    write_report(sat.ws, "2026-09", fmt="html", out=tmp_path / "r.html", lang="en")
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    table = html[html.index('class="satisfaction-drivers"') :]
    table = table[: table.index("</table>")]
    assert "Ticket category: 投诉" in table and "75.0%" in table and "16.7%" in table
    assert "10 responses, detractor rate 40.0%, NPS +0" in html
    write_report(sat.ws, "2026-09", fmt="xlsx", out=tmp_path / "r.xlsx", lang="zh")
    sheet = load_workbook(tmp_path / "r.xlsx").worksheets[-1]
    assert sheet.title.startswith("十三、满意度")
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "解决超时(> 24 小时)" in cells
