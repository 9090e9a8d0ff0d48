"""The report as sections of blocks (notes, tables, charts), built once from the collected
data; the HTML, XLSX and PDF writers only lay the same sections out."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from kehu.i18n import catalog
from kehu.monitor.labels import value_label
from kehu.monitor.report.texts import T, backtest_headers
from kehu.planning.scorecard import COLUMNS as SCORECARD_COLUMNS
from kehu.planning.scorecard import metric_label
from kehu.planning.scorecard import shown as scorecard_shown

EVERY = frozenset({"html", "xlsx", "pdf"})
SHEET_ONLY = frozenset({"xlsx"})  # the numbers behind a chart: the workbook's reader wants them
ON_PAGE = frozenset({"html", "pdf"})


@dataclass(frozen=True)
class Mark:
    """A cell shown as `text` with a tone (`up` good, `down` bad) where colour is possible."""

    text: str
    tone: str = ""


@dataclass(frozen=True)
class Column:
    """`fmt`: "" as is, "money" (¥, whole yuan), or a format spec such as ".1%" or ",.0f"."""

    label: str
    fmt: str = ""
    figures: bool = False  # text that is a figure ("1.2 小时"): aligned as a number


@dataclass(frozen=True)
class Note:
    text: str
    muted: bool = False
    formats: frozenset[str] = EVERY


@dataclass(frozen=True)
class Table:
    columns: list[Column]
    rows: list[list[Any]]
    name: str = ""  # a class the HTML table carries
    widths: tuple[float, ...] = ()  # shares of the page width (PDF)
    formats: frozenset[str] = EVERY


@dataclass(frozen=True)
class Charts:
    ids: list[str]  # charts side by side, present ones only
    formats: frozenset[str] = EVERY


Block = Note | Table | Charts


@dataclass
class Section:
    key: str
    title: str
    blocks: list[Block] = field(default_factory=list)

    def empty(self, text: str) -> Section:
        """The section with only a muted note saying why it has nothing to show."""
        self.blocks.append(Note(text, muted=True))
        return self

    def shown(self, fmt: str) -> list[Block]:
        return [b for b in self.blocks if fmt in b.formats]

    @property
    def sheet(self) -> str:
        return "CLV" if self.key == "clv" else self.title[:28]


def shown(value: Any, fmt: str) -> str:
    """A cell as text."""
    if value is None:
        return "—"
    if isinstance(value, Mark):
        return value.text
    if not fmt or not isinstance(value, int | float) or isinstance(value, bool):
        return str(value)
    if fmt == "money":
        return f"¥{float(value):,.0f}"
    return format(value, fmt)


def flatten(data: Any, prefix: str = "") -> list[tuple[str, str]]:
    """A nested dict as (dotted key, value) rows (for the data quality table)."""
    if isinstance(data, dict):
        out: list[tuple[str, str]] = []
        for k, v in data.items():
            out += flatten(v, f"{prefix}{k}.")
        return out
    if isinstance(data, list) and any(isinstance(x, dict) for x in data):
        out = []
        for i, x in enumerate(data[:12]):
            out += flatten(x, f"{prefix}{i + 1}.")
        return out
    if isinstance(data, list):
        text = ", ".join(str(x) for x in data[:12]) + (" …" if len(data) > 12 else "")
        return [(prefix.rstrip("."), text)]
    return [(prefix.rstrip("."), str(data))]


def report_sections(data: dict[str, Any], charts: Collection[str], lang: str) -> list[Section]:
    """The twelve sections of the report, in order."""

    def t(key: str, **kw: Any) -> str:
        return T(key, lang, **kw)

    def cols(*spec: str | tuple[str, str]) -> list[Column]:
        return [Column(t(s)) if isinstance(s, str) else Column(t(s[0]), s[1]) for s in spec]

    def present(*ids: str) -> Charts:
        return Charts([i for i in ids if i in charts])

    return [
        _kpis(data, t, cols, present),
        _segments(data, t, cols, present),
        _pareto(data, t, cols),
        _clv(data, t, cols),
        _watch(data, t, cols),
        _feedback(data, t, cols, present),
        _goals(data, t, cols, lang),
        _targets(data, t, cols, present),
        _quality(data, t, cols),
        _backtest(data, t, lang),
        _economics(data, lang),
        _scorecards(data, lang),
    ]


def _kpis(data: dict[str, Any], t: Any, cols: Any, present: Any) -> Section:
    k = data["kpis"]
    s = Section("kpis", t("kpis"))
    if not k["rows"]:
        return s.empty(t("none"))
    if k.get("partial_note"):
        s.blocks.append(Note(k["partial_note"], muted=True))
    rows = [[r["label"], r["value_text"], r["previous_text"], Mark(r["change_text"], _tone(r))]
            for r in k["rows"]]  # fmt: skip
    columns = [Column(t("kpi")), *(Column(t(k), figures=True) for k in ("value", "previous"))]
    s.blocks.append(Table([*columns, Column(t("change"), figures=True)], rows))
    s.blocks.append(present("kpi_trend", "rate_trend"))
    if k["periods"]:
        trend = [[r["label"], *r["trend"]] for r in k["rows"]]
        columns = [Column(t("trend")), *(Column(p, "") for p in k["periods"])]
        s.blocks.append(Table(columns, trend, formats=SHEET_ONLY))
    return s


def _tone(row: dict[str, Any]) -> str:
    change = row["change"]
    if change is None or change == 0:
        return ""
    return "up" if (change > 0) == row["higher_is_better"] else "down"


def _segments(data: dict[str, Any], t: Any, cols: Any, present: Any) -> Section:
    s = Section("segments", t("segments"))
    if not data["rfm_type"]:
        return s.empty(t("no_snapshot"))
    s.blocks.append(present("rfm_type", "value_tier"))
    for kind in ("rfm_type", "value_tier"):
        if dist := data.get(kind):
            rows = [[r["label"], r["count"], r["previous"], r["share"]] for r in dist["rows"]]
            columns = cols("class", "value", "previous", ("share", ".1%"))
            s.blocks.append(Table(columns, rows, formats=SHEET_ONLY))
    flow = data["flows"]["value_tier"]
    if flow.get("available"):
        s.blocks.append(Note(t("moved", moved=flow["moved"], compared=flow["compared"])))
        matrix = [[a, *flow["matrix"][i]] for i, a in enumerate(flow["labels"])]
        head = [Column(f"{t('previous')} \\ {t('value')}"), *(Column(x) for x in flow["labels"])]
        s.blocks.append(Table(head, matrix, formats=SHEET_ONLY))
    s.blocks.append(present("tier_flow", "rfm_flow"))
    return s


def _pareto(data: dict[str, Any], t: Any, cols: Any) -> Section:
    p = data["pareto"]
    s = Section("pareto", t("pareto"))
    if not p.get("available"):
        return s.empty(t("no_snapshot"))
    note = t("top20", share=shown(p["top20_share"], ".1%"))
    if p.get("profit_peak") and p["profit_peak"] > 1:
        note += "; " + t("profit_peak", peak=shown(p["profit_peak"], ".1%"))
    profit = p["profit"] or [None] * len(p["x"])
    rows = [[x, y, profit[i]] for i, (x, y) in enumerate(zip(p["x"], p["revenue"], strict=True))]
    columns = cols(("customers", ".1%"), ("spend", ".1%"), ("profit", ".1%"))
    s.blocks += [Note(note), Charts(["pareto"]), Table(columns, rows, formats=SHEET_ONLY)]
    return s


def _clv(data: dict[str, Any], t: Any, cols: Any) -> Section:
    h = data["clv"]
    s = Section("clv", t("clv"))
    if not h.get("available"):
        return s.empty(t("no_snapshot"))
    stats = t("clv_stats", mean=shown(h["mean"], "money"), median=shown(h["median"], "money"),
              p90=shown(h["p90"], "money"), n=h["n"])  # fmt: skip
    rows = [[h["edges"][i], h["edges"][i + 1], c] for i, c in enumerate(h["counts"])]
    columns = cols(("bin_from", "money"), ("bin_to", "money"), "customers")
    s.blocks += [Note(stats), Charts(["clv"]), Table(columns, rows, formats=SHEET_ONLY)]
    return s


def _watch(data: dict[str, Any], t: Any, cols: Any) -> Section:
    w = data["watchlist"]
    s = Section("watch", t("watch"))
    if not w["rows"]:
        return s.empty(t("none"))
    rows = [
        [r["name"] or r["customer_id"], r["customer_id"], r["tier"], r["owner"], r["region"],
         r["churn_risk"], r["spend_12m"], r["predicted_clv"], r["reasons"]]
        for r in w["rows"]
    ]  # fmt: skip
    columns = cols("customer", "customer_id", "tier", "owner", "region", ("risk", ".2f"),
                   ("spend", "money"), ("clv_pred", "money"), "reasons")  # fmt: skip
    widths = (0.15, 0.09, 0.08, 0.08, 0.07, 0.07, 0.1, 0.1, 0.26)
    s.blocks += [Note(t("watch_note", risk=w["min_risk"], n=len(w["rows"]))),
                 Table(columns, rows, widths=widths)]  # fmt: skip
    return s


def _feedback(data: dict[str, Any], t: Any, cols: Any, present: Any) -> Section:
    fb = data["feedback"]
    s = Section("feedback", t("feedback"))
    if not fb["texts"]:
        return s.empty(t("none"))
    note = " · ".join(
        [t("fb_note", n=fb["texts"]), *(f"{c['label']} {c['count']}" for c in fb["categories"])]
        + ([t("fb_partial", days=p["days"], total=p["period_days"])] if (p := fb.get("partial"))
           else [])
    )  # fmt: skip
    categories = [[c["label"], c["count"], c["share"]] for c in fb["categories"]]
    issues = [
        [i["term"], i["count"], i["previous"], i["complaints"],
         " / ".join(f"“{e['text']}”" for e in i["examples"][:2])]
        for i in fb["top_issues"]
    ]  # fmt: skip
    s.blocks += [
        Note(note),
        present("issues", "complaints"),
        Table(cols("category", "count", ("share", ".1%")), categories, formats=SHEET_ONLY),
        Table(cols("term", "count", "previous", "complaints", "example"), issues,
              widths=(0.16, 0.08, 0.08, 0.08, 0.6)),
    ]  # fmt: skip
    return s


def _goals(data: dict[str, Any], t: Any, cols: Any, lang: str) -> Section:
    s = Section("goals", t("goals"))
    rows = [
        [g["title"], g["owner"], g["deadline"], g["target"], g["actual"], g["projected"],
         value_label("status", g["status"], lang)]
        for g in data["goals"]["rows"]
    ]  # fmt: skip
    if not rows:
        return s.empty(t("none"))
    columns = cols("goal", "owner", "deadline", "target", "actual", "projected", "status")
    s.blocks.append(Table(columns, rows, widths=(0.34, 0.1, 0.12, 0.11, 0.11, 0.11, 0.11)))
    return s


def _targets(data: dict[str, Any], t: Any, cols: Any, present: Any) -> Section:
    tg = data["targets"]
    s = Section("targets", t("targets"))
    if not tg.get("available"):
        return s.empty(t("none"))
    s.blocks.append(present("targets_region", "targets_owner"))
    for dim in ("region", "owner"):
        rows = [[r["unit"], r["target"], r["actual"], r["attainment"]] for r in tg.get(dim) or []]
        if rows:
            columns = cols(dim, ("target", "money"), ("actual", "money"), ("attainment", ".1%"))
            s.blocks.append(Table(columns, rows))
    return s


def _quality(data: dict[str, Any], t: Any, cols: Any) -> Section:
    q = data["quality"]
    s = Section("quality", t("quality"))
    if not q.get("available"):
        return s.empty(t("quality_na"))
    rows = [list(r) for r in flatten(q["data"])]
    s.blocks += [
        Table(cols("q_key", "q_value"), rows[:40], formats=ON_PAGE),
        Table(cols("q_key", "q_value"), rows, formats=SHEET_ONLY),
    ]
    return s


CHURN_FMT = ("", ".3f", ".3f", ".4f", ".2f", ".1%", ".2f", ".1%")
AMOUNT_FMT = ("", ",.0f", ",.0f", "+.1%", ".3f", ",.0f", ",.0f", "+.1%")
HISTORY_FMT = ("", "", "d", ".3f", ".3f", ".3f")


def _backtest(data: dict[str, Any], t: Any, lang: str) -> Section:
    b = data["backtest"]
    s = Section("backtest", t("backtest"))
    if not b.get("available"):
        return s.empty(t("backtest_na"))
    s.blocks.append(Note(t("backtest_note", as_of=b["as_of"], h=b["horizon_days"],
                           n=f"{b['customers']:,}", rate=f"{b['churn_rate']:.1%}")))  # fmt: skip
    heads = backtest_headers(lang)
    for key, fmts in (("churn", CHURN_FMT), ("amounts", AMOUNT_FMT), ("history", HISTORY_FMT)):
        if rows := b.get(key):
            columns = [Column(h, f) for h, f in zip(heads[key], fmts, strict=True)]
            s.blocks.append(Table(columns, [list(r) for r in rows], name=f"backtest-{key}"))
    return s


# ---- plan economics and scorecards (data: economics.py) -------------------------------------
ECO = catalog("economics", "report")
PAGE = catalog("economics", "page")
STATUS = catalog("economics", "milestone_status")


def _economics(data: dict[str, Any], lang: str) -> Section:
    e = data["economics"]
    s = Section("economics", ECO("economics", lang))
    if not (e["budget"] or e["capacity"] or e["goals"] or e["left_budget"]):
        return s.empty(ECO("nothing", lang))
    s.blocks.append(
        Note(ECO("left_out_note", lang, budget=e["left_budget"], capacity=e["left_capacity"]))
    )
    if e["budget"]:
        columns = [Column(PAGE("group", lang))] + [
            Column(PAGE(k, lang), "money") for k in ("budget", "committed", "left")
        ]
        rows = [[f"{b['group']}.{b['key']}", b["budget"], b["committed"], b["left"]]
                for b in e["budget"]]  # fmt: skip
        s.blocks.append(Table(columns, rows))
    if e["capacity"]:
        columns = [Column(PAGE(k, lang)) for k in ("rep", "period")] + [
            Column(PAGE(k, lang), ",.1f") for k in ("cap", "open_load", "new_load")
        ] + [Column(PAGE("no_fit", lang), ",.0f")]  # fmt: skip
        rows = [[c["owner"], c["period"], c["capacity"], c["open_load"], c["new_load"],
                 c["left_out"]] for c in e["capacity"]]  # fmt: skip
        s.blocks.append(Table(columns, rows))
    if e["goals"]:
        s.blocks.append(Charts(["timeline"]))
        columns = [Column(PAGE(k, lang)) for k in ("milestone", "period")] + [
            Column(PAGE("expected", lang), ",.2f"), Column(PAGE("actual", lang), ",.2f"),
            Column(PAGE("status", lang)),
        ]  # fmt: skip
        rows = [[g["title"], m["period"], m["expected"], m["actual"], STATUS(m["status"], lang)]
                for g in e["goals"] for m in g["milestones"]]  # fmt: skip
        s.blocks.append(Table(columns, rows))
    return s


def _scorecards(data: dict[str, Any], lang: str) -> Section:
    c = data["scorecards"]
    s = Section("scorecards", ECO("scorecards", lang))
    if not c or not (c["reps"] or c["teams"]):
        return s.empty(ECO("no_cards", lang))
    s.blocks.append(Note(ECO("cards_note", lang, period=c["period"], previous=c["previous"])))
    for kind, rows in (("rep", c["reps"]), ("team", c["teams"])):
        if not rows:
            continue
        columns = [Column(metric_label("rank", lang)),
                   Column(metric_label(kind, lang))]  # fmt: skip
        columns += [Column(metric_label(k, lang), figures=True)
                    for k in SCORECARD_COLUMNS]  # fmt: skip
        columns += [Column(metric_label("score", lang), ".1f"),
                    Column(metric_label("trend", lang), "+.1f")]  # fmt: skip
        body = [[r["rank"], r["unit"],
                 *(scorecard_shown(r["values"], k, lang) for k in SCORECARD_COLUMNS),
                 r["score"], r["trend"]] for r in rows]  # fmt: skip
        s.blocks.append(Table(columns, body))
    return s
