"""Periodic reports: data sections, HTML / XLSX / PDF files, period handling."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from test_alerts_support import build_demo, insert

from kehu.errors import KehuError
from kehu.monitor.report.build import resolve_period, write_report
from kehu.monitor.report.data import clv_hist, flows, pareto
from kehu.workspace import Workspace


def test_pareto_by_hand() -> None:
    cur = pd.DataFrame(
        {
            "spend_12m": [50.0, 30.0, 10.0, 5.0, 5.0, 0, 0, 0, 0, 0],
            "profit_historical": [40.0, 20.0, 5.0, -5.0, -10.0, 0, 0, 0, 0, 0],
        }
    )
    p = pareto(cur, points=11)
    assert p["top20_share"] == pytest.approx(0.8)  # top 2 of 10 customers: 80 of 100
    assert p["revenue"][1] == pytest.approx(0.5) and p["revenue"][-1] == pytest.approx(1.0)
    assert p["profit"][2] == pytest.approx(60 / 50)  # profit share passes 100% (seed: ~150%)
    assert p["profit_peak"] == pytest.approx(65 / 50)


def test_flows_and_clv() -> None:
    prev = pd.DataFrame({"customer_id": ["a", "b", "c"], "value_tier": ["core", "core", "basic"]})
    cur = pd.DataFrame({"customer_id": ["a", "b", "d"], "value_tier": ["basic", "core", "core"]})
    f = flows(cur, prev, "value_tier", "zh")
    i, j = f["codes"].index("core"), f["codes"].index("basic")
    assert f["matrix"][i][j] == 1 and f["matrix"][i][i] == 1
    assert (f["moved"], f["compared"], f["new"]) == (1, 2, 1)
    h = clv_hist(pd.DataFrame({"predicted_clv": [1.0, 2.0, 3.0, None]}), 5)
    assert sum(h["counts"]) == 3 and h["median"] == 2.0


def test_period_resolution(ws: Workspace) -> None:
    build_demo(ws, n=6)
    assert resolve_period(ws, None, None)[0].label == "2026-09"  # snapshot 2026-10-01
    assert resolve_period(ws, None, "quarterly")[0].label == "2026-Q3"
    assert resolve_period(ws, "2026-08", "quarterly")[0].label == "2026-Q3"
    with pytest.raises(KehuError):
        resolve_period(ws, "2026-Q3", "monthly")
    with pytest.raises(KehuError):
        resolve_period(ws, "2026", None)


def _rich_ws(ws: Workspace) -> None:
    build_demo(ws, n=30)
    insert(
        ws,
        "targets",
        [
            {
                "source": "plan",
                "target_id": f"t{i}",
                "period": "2026-09",
                "region": r,
                "amount": 50_000,
            }
            for i, r in enumerate(["华东", "华北", "华南"])
        ],
    )
    insert(
        ws,
        "orders",
        [
            {
                "source": "erp",
                "order_id": f"S{i}",
                "customer_id": f"C{i:04d}",
                "order_date": pd.Timestamp("2026-09-15").date(),
                "amount": 10_000 + i,
            }
            for i in range(6)
        ],
    )


def test_report_files(ws: Workspace, tmp_path: Path) -> None:
    _rich_ws(ws)
    html = write_report(ws, "2026-09", fmt="html", out=tmp_path / "r.html")
    text = Path(html["path"]).read_text(encoding="utf-8")
    assert "客户经营月度报告 · 2026-09" in text and "echarts" in text
    assert 'src="http' not in text and 'href="http' not in text  # self-contained
    assert html["sections"]["targets"] and html["sections"]["watchlist"]
    assert ws.scalar("SELECT count(*) FROM report_runs") == 1
    # Target attainment: 华东 has customers 0, 3 with September orders (10000 + 10003).
    from kehu.calendar import Period
    from kehu.monitor.report.data import targets_section

    east = next(
        r for r in targets_section(ws, Period.parse("2026-09"))["region"] if r["unit"] == "华东"
    )
    assert east["actual"] == pytest.approx(20_003) and east["attainment"] == pytest.approx(0.40006)

    xlsx = write_report(ws, "2026-09", fmt="xlsx", out=tmp_path / "r.xlsx", lang="en")
    from openpyxl import load_workbook

    wb = load_workbook(xlsx["path"])
    assert (
        wb.sheetnames[0].startswith("1. Key") and len(wb.sheetnames) == 12
    )  # 10 backtest, 12 scorecards
    assert sum(len(s._images) for s in wb.worksheets) >= 6  # PNG charts embedded
    assert "Budget" in wb.sheetnames[10] and "Scorecards" in wb.sheetnames[11]
    cards = [row for row in wb.worksheets[11].iter_rows(values_only=True) if any(row)]
    assert any("Score" in str(c) for row in cards for c in row if c)  # the reps' table

    pdf = write_report(ws, "2026-09", fmt="pdf", out=tmp_path / "r.pdf")
    pdfium = pytest.importorskip("pypdfium2")
    doc = pdfium.PdfDocument(pdf["path"])
    assert len(doc) >= 3
    first = doc[0].get_textpage().get_text_range()
    assert "关键指标" in first and "2026-09" in first
    image = doc[0].render(scale=1).to_pil()
    assert image.size[0] > 500
    # A real chart was drawn: the page has many distinct colours, not just text.
    assert len(image.convert("RGB").getcolors(maxcolors=1 << 20) or []) > 50


def test_report_without_snapshot(ws: Workspace, tmp_path: Path) -> None:
    result = write_report(ws, "2026-09", fmt="html", out=tmp_path / "empty.html")
    assert not result["sections"]["segments"] and Path(result["path"]).stat().st_size > 1000
    pdf = write_report(ws, "2026-09", fmt="pdf", out=tmp_path / "empty.pdf")
    assert Path(pdf["path"]).read_bytes().startswith(b"%PDF")
