"""The XLSX report (xlsxwriter): one sheet per section, PNG charts embedded."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from kehu.monitor.report.html import flatten
from kehu.monitor.report.images import report_images
from kehu.monitor.report.texts import T, backtest_headers, goal_rows
from kehu.spreadsheet import workbook


def write_xlsx(data: dict[str, Any], path: Path) -> None:
    lang = data["meta"]["lang"]
    t = lambda key, **kw: T(key, lang, **kw)  # noqa: E731
    images = report_images(data, lang)
    wb = workbook(str(path))  # text never becomes a formula (customer names are data)
    head = wb.add_format({"bold": True, "bg_color": "#F0F3F9", "border": 1})
    title = wb.add_format({"bold": True, "font_size": 14})
    money = wb.add_format({"num_format": "#,##0"})
    pct = wb.add_format({"num_format": "0.0%"})

    def sheet(name: str, heading: str) -> Any:
        ws = wb.add_worksheet(name[:31])
        ws.write(0, 0, heading, title)
        ws.set_column(0, 0, 28)
        ws.set_column(1, 8, 16)
        return ws

    def table(
        ws: Any,
        row: int,
        header: list[str],
        rows: list[list[Any]],
        formats: dict[int, Any] | None = None,
    ) -> int:
        for j, h in enumerate(header):
            ws.write(row, j, h, head)
        for i, r in enumerate(rows, start=row + 1):
            for j, v in enumerate(r):
                fmt = (formats or {}).get(j)
                if v is None:
                    ws.write_blank(i, j, None)
                elif fmt is not None and isinstance(v, int | float):
                    ws.write_number(i, j, v, fmt)
                else:
                    ws.write(i, j, v)
        return row + len(rows) + 2

    def image(ws: Any, cell: str, key: str) -> None:
        if key in images:
            ws.insert_image(
                cell,
                f"{key}.png",
                {"image_data": io.BytesIO(images[key]), "x_scale": 0.8, "y_scale": 0.8},
            )

    meta = data["meta"]
    ws = sheet(t("kpis")[:28], meta["title"])
    ws.write(
        1,
        0,
        f"{t('period')}: {meta['start']} – {meta['end']}  ·  "
        f"{t('snapshot')}: {meta['snapshot'] or '—'}"
        + (f"  ·  {note}" if (note := data["kpis"].get("partial_note")) else ""),
    )
    rows = [
        [r["label"], r["value_text"], r["previous_text"], r["change_text"]]
        for r in data["kpis"]["rows"]
    ]
    end = table(ws, 3, [t("kpi"), t("value"), t("previous"), t("change")], rows)
    image(ws, "F4", "kpi_trend")
    periods = data["kpis"]["periods"]
    if periods:
        trend = [[r["label"], *r["trend"]] for r in data["kpis"]["rows"]]
        table(ws, end, [t("trend"), *periods], trend)

    ws = sheet(t("segments")[:28], t("segments"))
    row = 2
    for kind in ("rfm_type", "value_tier"):
        dist = data.get(kind)
        if dist:
            row = table(
                ws,
                row,
                [t("class"), t("value"), t("previous"), t("share")],
                [[r["label"], r["count"], r["previous"], r["share"]] for r in dist["rows"]],
                {3: pct},
            )
    flow = data["flows"]["value_tier"]
    if flow.get("available"):
        ws.write(row, 0, t("moved", moved=flow["moved"], compared=flow["compared"]))
        row = table(
            ws,
            row + 1,
            [f"{t('previous')} \\ {t('value')}", *flow["labels"]],
            [[a, *flow["matrix"][i]] for i, a in enumerate(flow["labels"])],
        )
    image(ws, "G3", "rfm_type")
    image(ws, "G21", "value_tier")
    image(ws, "G39", "tier_flow")

    ws = sheet(t("pareto")[:28], t("pareto"))
    p = data["pareto"]
    if p.get("available"):
        ws.write(1, 0, t("top20", share=f"{(p['top20_share'] or 0) * 100:.1f}%"))
        rows = [
            [x, y, (p["profit"] or [None] * len(p["x"]))[i]]
            for i, (x, y) in enumerate(zip(p["x"], p["revenue"], strict=True))
        ]
        table(ws, 3, [t("customers"), t("spend"), "profit"], rows, {0: pct, 1: pct, 2: pct})
        image(ws, "E4", "pareto")

    ws = sheet("CLV", t("clv"))
    h = data["clv"]
    if h.get("available"):
        ws.write(
            1,
            0,
            t(
                "clv_stats",
                mean=f"{h['mean']:,.0f}",
                median=f"{h['median']:,.0f}",
                p90=f"{h['p90']:,.0f}",
                n=h["n"],
            ),
        )
        rows = [[h["edges"][i], h["edges"][i + 1], c] for i, c in enumerate(h["counts"])]
        table(ws, 3, ["from", "to", t("customers")], rows, {0: money, 1: money})
        image(ws, "E4", "clv")

    ws = sheet(t("watch")[:28], t("watch"))
    rows = [
        [
            r["name"] or r["customer_id"],
            r["customer_id"],
            r["tier"],
            r["owner"],
            r["region"],
            r["churn_risk"],
            r["spend_12m"],
            r["predicted_clv"],
            r["reasons"],
        ]
        for r in data["watchlist"]["rows"]
    ]
    table(
        ws,
        2,
        [
            t("customer"),
            "ID",
            t("tier"),
            t("owner"),
            t("region"),
            t("risk"),
            t("spend"),
            t("clv_pred"),
            t("reasons"),
        ],
        rows,
        {6: money, 7: money},
    )
    ws.set_column(8, 8, 60)

    ws = sheet(t("feedback")[:28], t("feedback"))
    fb = data["feedback"]
    ws.write(1, 0, t("fb_note", n=fb["texts"]))
    row = table(
        ws,
        3,
        [t("category"), t("count"), t("share")],
        [[c["label"], c["count"], c["share"]] for c in fb["categories"]],
        {2: pct},
    )
    rows = [
        [i["term"], i["count"], i["complaints"], " / ".join(e["text"] for e in i["examples"][:2])]
        for i in fb["top_issues"]
    ]
    table(ws, row, [t("term"), t("count"), t("complaints"), t("example")], rows)
    ws.set_column(3, 3, 70)
    image(ws, "F4", "issues")

    ws = sheet(t("goals")[:28], t("goals"))
    rows = goal_rows(data, lang)
    table(
        ws,
        2,
        [
            t("goal"),
            t("owner"),
            t("deadline"),
            t("target"),
            t("actual"),
            t("projected"),
            t("status"),
        ],
        rows,
    )

    ws = sheet(t("targets")[:28], t("targets"))
    row = 2
    for dim in ("region", "owner"):
        rows = [
            [r["unit"], r["target"], r["actual"], r["attainment"]]
            for r in data["targets"].get(dim) or []
        ]
        if rows:
            row = table(
                ws,
                row,
                [t(dim), t("target"), t("actual"), t("attainment")],
                rows,
                {1: money, 2: money, 3: pct},
            )
    image(ws, "G3", "targets_region")

    ws = sheet(t("quality")[:28], t("quality"))
    q = data["quality"]
    if q.get("available"):
        table(ws, 2, ["key", "value"], [list(r) for r in flatten(q["data"])])
    else:
        ws.write(2, 0, t("quality_na"))

    ws = sheet(t("backtest")[:28], t("backtest"))
    b = data["backtest"]
    if b.get("available"):
        heads = backtest_headers(lang)
        note = T("backtest_note", lang, as_of=b["as_of"], h=b["horizon_days"],
                 n=f"{b['customers']:,}", rate=f"{b['churn_rate']:.1%}")  # fmt: skip
        ws.write(1, 0, note)
        row = table(ws, 3, heads["churn"], b["churn"], {5: pct, 7: pct})
        row = table(ws, row, heads["amounts"], b["amounts"], {3: pct, 7: pct})
        table(ws, row, heads["history"], b["history"])
    else:
        ws.write(2, 0, t("backtest_na"))
    wb.close()
