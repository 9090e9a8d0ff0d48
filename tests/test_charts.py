"""One chart definition: the ECharts option and the PNG come from the same `Chart`."""

from __future__ import annotations

from kehu.charts import MUTED, Chart, Series, echarts_option
from kehu.monitor.report.png import chart_png


def test_xy_option_has_both_axes_and_the_muted_comparison() -> None:
    chart = Chart(
        "t",
        "Revenue",
        categories=["2026-08", "2026-09"],
        series=[
            Series([1, 2], "previous", muted=True),
            Series([3, 4], "current"),
            Series([5, 6], "active", kind="line", axis=1),
        ],
        y_names=("yuan", "customers"),
    )
    opt = echarts_option(chart)
    assert opt["xAxis"] == {"type": "category", "data": ["2026-08", "2026-09"]}
    assert [a["name"] for a in opt["yAxis"]] == ["yuan", "customers"]
    assert opt["series"][0]["itemStyle"] == {"color": MUTED}
    assert opt["series"][2] == {"type": "line", "data": [5, 6], "name": "active", "yAxisIndex": 1}
    assert chart_png(chart).startswith(b"\x89PNG")


def test_flow_from_a_matrix_links_only_who_moved() -> None:
    chart = Chart("f", "Flows", kind="flow", labels=["A", "B"], matrix=[[3, 1], [0, 2]],
                  before="was", after="now")  # fmt: skip
    links = echarts_option(chart)["series"][0]["links"]
    assert {(x["source"], x["target"], x["value"]) for x in links} == {
        ("was·A", "now·A", 3), ("was·A", "now·B", 1), ("was·B", "now·B", 2)
    }  # fmt: skip
    assert chart_png(chart).startswith(b"\x89PNG")


def test_coded_values_carry_their_code_for_the_web_colours() -> None:
    chart = Chart("p", "", kind="pie", categories=["核心", "潜力"],
                  series=[Series([5, 7], codes=["core", "potential"])])  # fmt: skip
    opt = echarts_option(chart)
    assert "title" not in opt
    assert opt["series"][0]["data"] == [
        {"value": 5, "name": "核心", "code": "core"},
        {"value": 7, "name": "潜力", "code": "potential"},
    ]
