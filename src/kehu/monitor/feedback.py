"""Feedback analysis over ticket descriptions and survey comments (zh and en).

`feedback_summary()` classifies every text (产品咨询 / 售后服务 / 投诉 / 建议), finds the
issues people raise as phrases (交货延迟, 发票开具错误) in complaints and suggestions, per
period, with counts, the change vs the previous period and quotes that contain them; counts
the configured topics, and follows complaint topics over time. `customer_needs()` does the
same for one customer's own texts and opportunities (the 360's needs and pain points).
Segmentation is jieba with a domain dictionary, stop words and generic words
(`kehu/data/feedback_dict.txt`, `stopwords_*.txt`, `feedback_generic.txt`); phrase choice is
`textmine.select_topics`; categories and topics are config.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta
from typing import Any

import pandas as pd
from rich.console import Console
from rich.table import Table

from kehu.calendar import GRAINS, Period
from kehu.config import FeedbackSettings
from kehu.i18n import normalize_lang, tr
from kehu.monitor.textmine import (
    Segmenter,
    category_of_label,
    classify,
    keyword_hits,
    normalize,
    select_topics,
)
from kehu.workspace import Workspace

CONSOLE_TREND_PERIODS = 6

_TEXTS_SQL = """
SELECT 'ticket' AS source, t.source || '/' || t.ticket_id AS id, t.customer_id,
       CAST(t.opened_at AS DATE) AS day, t.description AS text, t.category AS source_category,
       CAST(NULL AS INTEGER) AS nps
FROM tickets t WHERE t.description IS NOT NULL AND trim(t.description) <> ''
UNION ALL
SELECT 'survey', s.source || '/' || s.survey_id, s.customer_id, s.surveyed_on, s.comment, NULL,
       s.nps
FROM surveys s WHERE s.comment IS NOT NULL AND trim(s.comment) <> ''
"""


def load_texts(
    ws: Workspace,
    start: date | None = None,
    end: date | None = None,
    *,
    customer_id: str | None = None,
    latest: int | None = None,
) -> pd.DataFrame:
    """Every non-empty ticket description and survey comment, with its date (of one customer;
    only the `latest` ones)."""
    sql, params = f"SELECT * FROM ({_TEXTS_SQL}) x", []
    if customer_id is not None:
        sql, params = sql + " WHERE customer_id = ?", [customer_id]
    if latest is not None:
        sql += f" ORDER BY day DESC, id LIMIT {int(latest)}"
    df = ws.read(sql, params).df()
    if df.empty:
        return df
    df["day"] = pd.to_datetime(df["day"]).dt.date
    if start:
        df = df[df["day"] >= start]
    if end:
        df = df[df["day"] <= end]
    return df.reset_index(drop=True)


def _label(item: Any, lang: str) -> str:
    return item.en if normalize_lang(lang) == "en" else item.zh


def analyze_texts(
    df: pd.DataFrame, settings: FeedbackSettings, detractor_max: int, seg: Segmenter | None = None
) -> pd.DataFrame:
    """Add `category`, `method`, `phrases` and `topics` columns to a frame of texts."""
    seg = seg or Segmenter(settings)
    cats, methods, phrases, topics = [], [], [], []
    for row in df.itertuples(index=False):
        text = str(row.text)
        nps = row.nps
        detractor = nps is not None and not pd.isna(nps) and int(nps) <= detractor_max
        c = classify(text, settings, source_category=row.source_category, detractor=detractor)
        cats.append(c.code)
        methods.append(c.method)
        phrases.append(seg.phrases(text))
        topics.append([t.code for t in settings.topics if keyword_hits(text, t.keywords)])
    return df.assign(category=cats, method=methods, phrases=phrases, topics=topics)


def _examples(rows: pd.DataFrame, n: int, phrase: str | None = None) -> list[dict[str, Any]]:
    """Up to n distinct quotes, complaints first, then the most readable (shortest ≥ 8 chars);
    a long quote is cut around `phrase` so that it still shows it."""
    if n <= 0 or rows.empty:
        return []
    ranked = rows.assign(
        _c=(rows["category"] != "complaint").astype(int),
        _len=rows["text"].str.len().where(rows["text"].str.len() >= 8, 10_000),
    ).sort_values(["_c", "_len", "id"])
    out, seen = [], set()
    for r in ranked.itertuples(index=False):
        quote = str(r.text).strip()
        if quote in seen:
            continue
        seen.add(quote)
        at = normalize(quote).find(phrase) if phrase else -1
        begin = max(0, at - 80) if at > 120 else 0
        out.append(
            {
                "text": quote[begin : begin + 200],
                "source": r.source,
                "id": r.id,
                "customer_id": r.customer_id,
                "date": r.day.isoformat(),
            }
        )
        if len(out) == n:
            break
    return out


def _has(phrases: pd.Series, phrase: str) -> pd.Series:
    return phrases.map(lambda ps: phrase in ps)


def _top_issues(
    rows: pd.DataFrame,
    settings: FeedbackSettings,
    top: int,
    mined: tuple[Segmenter, pd.DataFrame],
    previous: pd.DataFrame | None = None,
) -> list[dict[str, Any]]:
    """Phrase topics of the complaints and suggestions in `rows`, with the count in
    `previous` (the period before) and quotes containing each phrase; `mined` = the segmenter
    and every text loaded, for the phrases' cohesion."""
    if rows.empty:
        return []
    mine = rows["category"].isin(settings.topic_categories)
    topical = rows[mine]
    chosen = select_topics(
        list(topical["phrases"]),
        top,
        settings.topic_min_count,
        others=list(rows.loc[~mine, "phrases"]),
        min_lift=settings.topic_min_lift,
        parts=mined[0].parts,
        corpus=list(mined[1]["phrases"]),
    )
    before = None
    if previous is not None:
        before = previous[previous["category"].isin(settings.topic_categories)]
    total = max(len(topical), 1)
    out = []
    for phrase in chosen:
        hit = topical[_has(topical["phrases"], phrase)]
        n = len(hit)
        prev = None if before is None else int(_has(before["phrases"], phrase).sum())
        out.append(
            {
                "term": phrase,
                "count": n,
                "share": round(n / total, 4),
                "complaints": int((hit["category"] == "complaint").sum()),
                "previous": prev,
                "change": None if prev is None else n - prev,
                "examples": _examples(hit, settings.examples, phrase),
            }
        )
    return out


def _previous_rows(
    ws: Workspace, df: pd.DataFrame, focus: Period, result: dict[str, Any]
) -> pd.DataFrame:
    """The period before `focus`; while `focus` is not over (the data stop inside it), only
    its first as many days (like for like, as the KPIs), noted in `result["partial"]`."""
    from kehu.analytics.stored import data_end

    prev = focus.prev()
    rows = df[df["period"] == prev.label]
    last = data_end(ws)
    if focus.start <= last < focus.end:
        days = (last - focus.start).days + 1
        cut = min(prev.start + timedelta(days=days - 1), prev.end)
        rows = rows[rows["day"] <= cut]
        result["partial"] = {
            "days": days,
            "period_days": focus.days,
            "compared_end": cut.isoformat(),
        }
    return rows


def _add_trend(
    issues: list[dict[str, Any]], df: pd.DataFrame, periods: list[str], settings: FeedbackSettings
) -> None:
    """Each issue's count per period (complaints and suggestions), oldest first."""
    topical = df[df["category"].isin(settings.topic_categories)]
    for issue in issues:
        hit = topical.loc[_has(topical["phrases"], issue["term"]), "period"].value_counts()
        issue["trend"] = [int(hit.get(p, 0)) for p in periods]


def _grain_and_focus(period: str | None, settings: FeedbackSettings) -> tuple[str, Period | None]:
    if period is None:
        return settings.period, None
    if period in GRAINS:
        return period, None
    focus = Period.parse(period)
    return focus.grain, focus


def feedback_summary(
    ws: Workspace,
    period: str | None = None,
    *,
    start: date | None = None,
    end: date | None = None,
    top: int | None = None,
    trend_periods: int | None = None,
    lang: str | None = None,
) -> dict[str, Any]:
    """Categories, frequent issues with quotes, topics and the complaint-topic trend.

    `period` is a grain (month | quarter | year: every period is summarised) or one period
    (2026-10, 2026-Q3, 2026: that period in focus, with a trend over the periods before it).
    """
    settings = ws.settings.feedback
    lang = lang or ws.lang
    top = top or settings.top_n
    grain, focus = _grain_and_focus(period, settings)
    if focus is not None:
        n_trend = trend_periods or ws.settings.report.trend_periods
        start = start or focus.shift(-(n_trend - 1)).start
        end = end or focus.end
    texts = load_texts(ws, start, end)
    cat_labels = {c.code: _label(c, lang) for c in settings.categories}
    topic_labels = {t.code: _label(t, lang) for t in settings.topics}
    result: dict[str, Any] = {
        "grain": grain,
        "focus": focus.label if focus else None,
        "lang": normalize_lang(lang),
        "texts": 0,
        "categories": [],
        "top_issues": [],
        "topics": [],
        "periods": [],
        "by_period": [],
        "complaint_trend": {"periods": [], "topics": []},
        "classification": {},
        "partial": None,
    }
    if texts.empty:
        return result
    seg = Segmenter(settings)
    df = analyze_texts(texts, settings, ws.settings.churn.detractor_max, seg)
    df["period"] = [Period.containing(d, grain).label for d in df["day"]]  # type: ignore[arg-type]
    periods = sorted(df["period"].unique())
    focus_rows = df[df["period"] == focus.label] if focus else df
    result["texts"] = int(len(focus_rows))
    result["categories"] = _category_counts(focus_rows, cat_labels)
    before = _previous_rows(ws, df, focus, result) if focus else None
    result["top_issues"] = _top_issues(focus_rows, settings, top, (seg, df), before)
    _add_trend(result["top_issues"], df, periods, settings)
    result["topics"] = _topic_counts(focus_rows, topic_labels, settings.examples)
    result["periods"] = periods
    result["by_period"] = [
        {
            "period": p,
            "texts": int((df["period"] == p).sum()),
            "categories": {
                c: int(((df["period"] == p) & (df["category"] == c)).sum()) for c in cat_labels
            },
            "top_issues": _top_issues(
                df[df["period"] == p],
                settings,
                top,
                (seg, df),
                df[df["period"] == periods[i - 1]] if i else None,
            ),
        }
        for i, p in enumerate(periods)
    ]
    result["complaint_trend"] = _complaint_trend(df, periods, topic_labels)
    result["classification"] = _classification_stats(df, settings)
    return result


def _category_counts(rows: pd.DataFrame, labels: dict[str, str]) -> list[dict[str, Any]]:
    total = max(len(rows), 1)
    counts = rows["category"].value_counts()
    return [
        {
            "code": c,
            "label": lab,
            "count": int(counts.get(c, 0)),
            "share": round(int(counts.get(c, 0)) / total, 4),
        }
        for c, lab in labels.items()
    ]


def _topic_counts(
    rows: pd.DataFrame, labels: dict[str, str], examples: int
) -> list[dict[str, Any]]:
    out = []
    for code, lab in labels.items():
        hit = rows[rows["topics"].map(lambda ts, c=code: c in ts)]
        out.append(
            {
                "code": code,
                "label": lab,
                "count": int(len(hit)),
                "complaints": int((hit["category"] == "complaint").sum()),
                "examples": _examples(hit, examples),
            }
        )
    return sorted(out, key=lambda t: (-t["count"], t["code"]))


def _complaint_trend(
    df: pd.DataFrame, periods: list[str], labels: dict[str, str]
) -> dict[str, Any]:
    complaints = df[df["category"] == "complaint"]
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for p, topics in zip(complaints["period"], complaints["topics"], strict=True):
        for t in topics:
            counts[t][p] += 1
    series = [
        {"code": c, "label": labels[c], "counts": [counts[c][p] for p in periods]}
        for c in labels
        if counts[c]
    ]
    totals = [int((complaints["period"] == p).sum()) for p in periods]
    return {
        "periods": periods,
        "complaints": totals,
        "topics": sorted(series, key=lambda s: -sum(s["counts"])),
    }


def _classification_stats(df: pd.DataFrame, settings: FeedbackSettings) -> dict[str, Any]:
    """How texts were classified, and how often keywords agree with the source category."""
    by_method = {m: int(n) for m, n in df["method"].value_counts().items()}
    labelled = df[df["method"] == "source"]
    agree = None
    if len(labelled):
        plain = settings.model_copy(update={"trust_source_category": False})
        guesses = [classify(t, plain).code for t in labelled["text"]]
        truth = [category_of_label(c, settings.categories) for c in labelled["source_category"]]
        agree = round(sum(g == t for g, t in zip(guesses, truth, strict=True)) / len(truth), 4)
    return {"by_method": by_method, "keyword_agreement_with_source": agree}


def render_console(summary: dict[str, Any], console: Console, lang: str) -> None:
    """Print a summary for people (the CLI's non-JSON output)."""
    head = summary["focus"] or tr(lang, "全部期间", "all periods")
    console.print(
        tr(
            lang,
            f"[bold]反馈分析 · {head}[/] · {summary['texts']} 条文本",
            f"[bold]Feedback · {head}[/] · {summary['texts']} texts",
        )
    )
    if summary.get("partial"):
        p = summary["partial"]
        console.print(tr(
            lang,
            f"本期尚未结束(已过 {p['days']}/{p['period_days']} 天):上期按同样天数计",
            f"the period is not over ({p['days']} of {p['period_days']} days): previous counts"
            " cover as many days",
        ))  # fmt: skip
    if not summary["texts"]:
        return
    cats = Table(title=tr(lang, "分类", "Categories"))
    for col in (tr(lang, "类别", "Category"), tr(lang, "数量", "Count"), tr(lang, "占比", "Share")):
        cats.add_column(col)
    for c in summary["categories"]:
        cats.add_row(c["label"], str(c["count"]), f"{c['share']:.0%}")
    console.print(cats)
    issues = Table(
        title=tr(lang, "高频问题(投诉与建议)", "Frequent issues (complaints, suggestions)")
    )
    for col in (
        tr(lang, "问题", "Issue"),
        tr(lang, "次数", "Count"),
        tr(lang, "上期", "Previous"),
        tr(lang, "投诉", "Complaints"),
        tr(lang, "示例原话", "Example quote"),
    ):
        issues.add_column(col)
    for i in summary["top_issues"]:
        example = i["examples"][0]["text"] if i["examples"] else ""
        prev = "—" if i["previous"] is None else f"{i['previous']} ({i['change']:+d})"
        issues.add_row(i["term"], str(i["count"]), prev, str(i["complaints"]), example[:60])
    console.print(issues)
    trend = summary["complaint_trend"]
    if trend["topics"]:
        shown = CONSOLE_TREND_PERIODS  # a terminal fits about this many columns
        t = Table(title=tr(lang, "投诉主题趋势", "Complaint topics over time"))
        t.add_column(tr(lang, "主题", "Topic"))
        for p in trend["periods"][-shown:]:
            t.add_column(p)
        for s in trend["topics"]:
            t.add_row(s["label"], *[str(n) for n in s["counts"][-shown:]])
        console.print(t)


def feedback_vocabulary(ws: Workspace, days: int = 365) -> dict[str, Any]:
    """Findings across every customer's texts of the last `days` (at most the latest
    `VOCABULARY_SAMPLE`): pain-point phrases (from complaints) and need phrases (from the
    requests), for `customer_needs`. The web caches it; it costs one pass over the texts."""
    from kehu.analytics.stored import data_end

    settings = ws.settings.feedback
    end = data_end(ws)
    start = end - timedelta(days=days)
    texts = load_texts(ws, start, end, latest=VOCABULARY_SAMPLE)
    seg = Segmenter(settings)
    window = {"start": start, "end": end, "segmenter": seg}
    if texts.empty:
        return {**window, "pain": [], "needs": []}
    df = analyze_texts(texts, settings, ws.settings.churn.detractor_max, seg)
    complaint = df["category"] == "complaint"
    asks = _asks(df)

    def vocab(mask: pd.Series) -> list[str]:
        return select_topics(
            list(df.loc[mask, "phrases"]),
            VOCABULARY_SIZE,
            settings.topic_min_count,
            others=list(df.loc[~mask, "phrases"]),
            min_lift=settings.topic_min_lift,
            parts=seg.parts,
            corpus=list(df["phrases"]),
        )

    return {**window, "pain": vocab(complaint), "needs": vocab(asks)}


def _asks(df: pd.DataFrame) -> pd.Series:
    """Texts that ask for something: non-complaint tickets and suggestions (a promoter's
    praise is not a need)."""
    return (df["category"] != "complaint") & (
        (df["source"] == "ticket") | (df["category"] == "suggestion")
    )


VOCABULARY_SIZE = 200  # phrases kept per list
VOCABULARY_SAMPLE = 50_000  # latest texts the vocabulary is chosen from (a finding is frequent)


def customer_needs(
    ws: Workspace, customer_id: str, vocabulary: dict[str, Any] | None = None, top: int = 5
) -> dict[str, Any]:
    """One customer's pain points (phrases of its complaints) and needs (phrases of its other
    texts, and what its open opportunities are about), each with a count and a quote."""
    vocabulary = vocabulary or feedback_vocabulary(ws)
    mine = load_texts(ws, vocabulary["start"], vocabulary["end"], customer_id=customer_id)
    if len(mine):
        settings = ws.settings
        mine = analyze_texts(
            mine, settings.feedback, settings.churn.detractor_max, vocabulary["segmenter"]
        )
    complaint = mine["category"] == "complaint" if len(mine) else pd.Series(dtype=bool)
    asks = _asks(mine) if len(mine) else pd.Series(dtype=bool)
    opps = ws.rows(
        "SELECT coalesce(product_category, name), count(*), sum(amount) FROM opportunities"
        " WHERE customer_id = ? AND lower(status) = 'open' GROUP BY 1 ORDER BY 3 DESC NULLS LAST",
        [customer_id],
    )
    return {
        "pain_points": _hits(mine[complaint] if len(mine) else mine, vocabulary["pain"], top),
        "needs": _hits(mine[asks] if len(mine) else mine, vocabulary["needs"], top),
        "opportunities": [
            {"topic": str(t), "count": int(n), "amount": None if a is None else float(a)}
            for t, n, a in opps[:top]
        ],
    }


def _hits(rows: pd.DataFrame, vocabulary: list[str], top: int) -> list[dict[str, Any]]:
    """Vocabulary phrases in these texts, most texts first; a phrase inside a longer one found
    as often is left out (通讯异常 under 固件升级后通讯异常 would not show twice)."""
    if rows.empty:
        return []
    counts = [(p, int(_has(rows["phrases"], p).sum())) for p in vocabulary]
    found = sorted(((p, n) for p, n in counts if n), key=lambda pn: (-pn[1], -len(pn[0])))
    kept: list[tuple[str, int]] = []
    for p, n in found:
        if not any(p in q and n == m for q, m in kept):
            kept.append((p, n))
    out = []
    for p, n in kept[:top]:
        quote = _examples(rows[_has(rows["phrases"], p)], 1, p)
        out.append({"phrase": p, "count": n, "quote": quote[0]["text"] if quote else ""})
    return out
