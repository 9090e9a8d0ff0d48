"""Explanations of one customer's scores in words (zh/en), from a snapshot row and the settings.

Used by the 360 view (`kehu customer ID`, the web page and the API): each score says which
rule produced it, with the customer's own numbers, so a sales rep can check it by hand.
`explain_all` keys the texts by score; `score_lines` gives the headline scores one line each
(score, the customer's numbers, the whole rule) from the same texts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kehu.analytics import rfm
from kehu.analytics.classes_explain import class_rules, class_texts
from kehu.analytics.labels import column_label, label
from kehu.analytics.numeric import as_float as _n
from kehu.analytics.numeric import yuan as _money
from kehu.analytics.value import DIMENSIONS
from kehu.config import RfmLevel, Settings
from kehu.i18n import tr

LEVEL_NAMES = {rfm.HIGH: ("高", "high"), rfm.MID: ("中", "mid"), rfm.LOW: ("低", "low")}


def _threshold_rule(
    value: float | None,
    levels: list[RfmLevel],
    otherwise: int,
    smaller_is_better: bool,
    fmt: Any,
    lang: str,
) -> str:
    ranked = sorted(levels, key=lambda lv: -lv.score)
    if value is not None:
        for lv in ranked:
            hit = value <= lv.bound if smaller_is_better else value >= lv.bound
            if hit:
                op = "≤" if smaller_is_better else "≥"
                return f"{fmt(value)} {op} {fmt(lv.bound)} → {lv.score}"
    last = ranked[-1] if ranked else None
    if last is None:
        return f"→ {otherwise}"
    op = ">" if smaller_is_better else "<"
    shown = fmt(value) if value is not None else tr(lang, "无", "none")
    return f"{shown} {op} {fmt(last.bound)} → {otherwise}"


def explain_rfm(row: dict[str, Any], settings: Settings, lang: str) -> dict[str, str]:
    s = settings.rfm
    rec, orders, spend = (
        _n(row.get("recency_days")),
        _n(row.get("orders_12m")),
        _n(row.get("spend_12m")),
    )
    days = settings.rfm.window_days
    if s.mode == "quantiles":
        how = tr(lang, f"按 {s.quantiles} 分位排名", f"ranked into {s.quantiles} quantiles")
        r = f"{how}: " + (
            tr(lang, f"{rec:.0f} 天未购买", f"{rec:.0f} days since the last order")
            if rec is not None
            else tr(lang, "从未下单 → 1", "never ordered → 1")
        )
        f = f"{how}: " + tr(lang, f"{days} 天内 {orders:.0f} 次", f"{orders:.0f} in {days} days")
        m = f"{how}: " + _money(spend or 0.0)
    else:
        day_fmt = lambda v: tr(lang, f"{v:.0f} 天", f"{v:.0f} days")  # noqa: E731
        cnt_fmt = lambda v: tr(lang, f"{v:.0f} 次", f"{v:.0f} orders")  # noqa: E731
        r = tr(lang, "距上次购买 ", "days since the last order: ") + _threshold_rule(
            rec, s.recency, s.recency_else, True, day_fmt, lang
        )
        merged = tr(lang, "(同日订单合并)", " (same-day orders merged)") if s.merge_same_day else ""
        f = tr(lang, f"近 {days} 天购买{merged}:", f"purchases in {days} days{merged}: ")
        f += _threshold_rule(orders or 0.0, s.frequency, s.frequency_else, False, cnt_fmt, lang)
        m = tr(lang, f"近 {days} 天消费:", f"spend in {days} days: ")
        m += _threshold_rule(spend or 0.0, s.monetary, s.monetary_else, False, _money, lang)
    return {"r_score": r, "f_score": f, "m_score": m}


def explain_type(row: dict[str, Any], settings: Settings, lang: str) -> str:
    scores = [int(row.get(k) or 1) for k in ("r_score", "f_score", "m_score")]
    lr, lf, lm = (rfm.level_of(sc, settings.rfm) for sc in scores)
    levels = (lr, lf, lm)
    shown = " ".join(
        f"{k}={sc}({LEVEL_NAMES[lv][1 if lang == 'en' else 0]})"
        for k, sc, lv in zip("RFM", scores, levels, strict=True)
    )
    code = rfm.TYPE_TABLE[levels]
    exact = rfm.SEED_TYPES[code] == levels
    how = (
        tr(lang, "与模板完全一致", "matches the seed pattern")
        if exact
        else tr(lang, "取最接近的模板", "nearest seed pattern")
    )
    return (
        f"{shown} → {label('rfm_type', code, lang)}({how})"
        if lang != "en"
        else (f"{shown} → {label('rfm_type', code, lang)} ({how})")
    )


def explain_segment(row: dict[str, Any], lang: str) -> str:
    r, f, m = (int(row.get(k) or 1) for k in ("r_score", "f_score", "m_score"))
    fm = rfm.fm_score(f, m)
    return f"R={r}, FM=⌈({f}+{m})/2⌉={fm} → {label('rfm_segment', rfm.segment_for(r, f, m), lang)}"


def explain_value(row: dict[str, Any], settings: Settings, lang: str) -> list[dict[str, Any]]:
    """Per dimension: score, weight, the indicators it draws on."""
    out = []
    weights = settings.value.weights.model_dump()
    for dim, names in DIMENSIONS.items():
        out.append(
            {
                "dimension": dim,
                "label": label("dimension", dim, lang),
                "score": _n(row.get(f"value_{dim}")),
                "weight": weights[dim],
                "indicators": [label("indicator", n, lang) for n in names],
            }
        )
    return out


def explain_tier(row: dict[str, Any], settings: Settings, lang: str) -> str:
    score = _n(row.get("value_score")) or 0.0
    v = settings.value
    edges = [
        ("strategic", v.tier_strategic),
        ("core", v.tier_core),
        ("potential", v.tier_potential),
    ]
    for code, edge in edges:
        if score >= edge:
            return f"{score:.2f} ≥ {edge:g} → {label('value_tier', code, lang)}"
    return f"{score:.2f} < {v.tier_potential:g} → {label('value_tier', 'basic', lang)}"


def explain_abc(row: dict[str, Any], settings: Settings, lang: str) -> str:
    code = row.get("abc_class") or "C"
    a, b = settings.abc.a_share * 100, settings.abc.b_share * 100
    text = {
        "A": tr(lang, f"属于贡献前 {a:g}% 收入的头部客户", f"in the head giving {a:g}% of revenue"),
        "B": tr(lang, f"累计收入 {a:g}%–{b:g}% 区间", f"in the {a:g}–{b:g}% band of revenue"),
        "C": tr(lang, f"累计收入 {b:g}% 之后或无收入", f"beyond {b:g}% of revenue, or none"),
    }[code]
    return f"{code}: {text}"


def explain_lifecycle(row: dict[str, Any], settings: Settings, lang: str) -> str:
    s = settings.lifecycle
    code = row.get("lifecycle")
    rec = _n(row.get("recency_days"))
    mean = _n(row.get("mean_interval_days"))
    n = _n(row.get("orders_total")) or 0
    known = _n(row.get("known_days")) or 0
    texts = {
        "non_customer": tr(
            lang,
            f"从无订单、无在途商机,首次记录已 {known:.0f} 天 ≥ {s.non_customer_days} 天",
            f"never ordered, no open opportunity, first record {known:.0f} days ago"
            f" ≥ {s.non_customer_days}",
        ),
        "prospect": tr(lang, "尚无订单,也无在途商机", "no order and no open opportunity yet"),
        "lost_forever": tr(
            lang,
            f"{rec or 0:.0f} 天无订单 ≥ {s.forever_days} 天",
            f"no order for {rec or 0:.0f} days ≥ {s.forever_days}",
        ),
        "target": tr(lang, "尚无订单,有在途商机", "no order yet, an open opportunity"),
        "lost": tr(
            lang,
            f"{rec or 0:.0f} 天无订单 ≥ {s.lost_days} 天",
            f"no order for {rec or 0:.0f} days ≥ {s.lost_days}",
        ),
        "at_risk": tr(
            lang,
            f"{rec or 0:.0f} 天未下单 > {s.at_risk_gap_factor:g} × 平均间隔 {mean or 0:.0f} 天",
            f"{rec or 0:.0f} days since the last order > {s.at_risk_gap_factor:g} × its mean"
            f" interval of {mean or 0:.0f} days",
        ),
        "won_back": tr(
            lang,
            f"中断 ≥ {s.lost_days} 天后重新下单",
            f"ordered again after a gap of ≥ {s.lost_days} days",
        ),
        "loyal": tr(
            lang,
            f"≥ {s.loyal_min_orders} 个购买日且合作 ≥ {s.loyal_min_years:g} 年",
            f"≥ {s.loyal_min_orders} purchase days over ≥ {s.loyal_min_years:g} years",
        ),
        "repeat": tr(lang, f"多次购买(共 {n:.0f} 单)", f"bought more than once ({n:.0f} orders)"),
        "first_purchase": tr(lang, "只有一个购买日", "one purchase day so far"),
    }
    return f"{label('lifecycle', code, lang)}: {texts.get(code, '') if code else ''}"


UNITS = {"day": ("天", "days"), "week": ("周", "weeks"), "month": ("月", "months")}


def explain_clv(row: dict[str, Any], settings: Settings, lang: str) -> str:
    """P(alive) and the purchases expected over the horizon that the CLV rests on."""
    clv = settings.clv
    zh, en = UNITS[clv.time_unit]
    p_alive = _n(row.get("p_alive")) or 0.0
    expected = _n(row.get("expected_purchases")) or 0.0
    return tr(
        lang,
        f"存活概率 {p_alive:.0%},未来 {clv.horizon:g} {zh}预计购买 {expected:.1f} 次",
        f"P(alive) {p_alive:.0%}, {expected:.1f} expected purchases in the next"
        f" {clv.horizon:g} {en}",
    )


def explain_all(row: dict[str, Any], settings: Settings, lang: str) -> dict[str, Any]:
    """Every explanation for one snapshot row."""
    return {
        **explain_rfm(row, settings, lang),
        "rfm_type": explain_type(row, settings, lang),
        "rfm_segment": explain_segment(row, lang),
        "value": explain_value(row, settings, lang),
        "value_tier": explain_tier(row, settings, lang),
        "abc_class": explain_abc(row, settings, lang),
        "lifecycle": explain_lifecycle(row, settings, lang),
        "predicted_clv": explain_clv(row, settings, lang),
        **class_texts(row, settings, lang),
    }


@dataclass(frozen=True)
class ScoreLine:
    """One headline score: `label` (name = value), `text` (the customer's numbers, the step
    that applied), `rule` (the whole rule in force)."""

    code: str
    label: str
    text: str
    rule: str


def _ladder(levels: list[RfmLevel], otherwise: int, le: bool, fmt: Any, lang: str) -> str:
    op = "≤" if le else "≥"
    steps = [f"{op} {fmt(lv.bound)} → {lv.score}" for lv in sorted(levels, key=lambda v: -v.score)]
    steps.append(tr(lang, f"其余 → {otherwise}", f"otherwise → {otherwise}"))
    return tr(lang, ";", "; ").join(steps)


def _rfm_rules(settings: Settings, lang: str) -> dict[str, str]:
    s = settings.rfm
    if s.mode == "quantiles":
        text = tr(lang, f"按 {s.quantiles} 分位数打分", f"scored by {s.quantiles}-quantiles")
        return dict.fromkeys(("r_score", "f_score", "m_score"), text)
    days = lambda v: tr(lang, f"{v:g} 天", f"{v:g} days")  # noqa: E731
    count = lambda v: tr(lang, f"{v:g} 次", f"{v:g} orders")  # noqa: E731
    return {
        "r_score": _ladder(s.recency, s.recency_else, True, days, lang),
        "f_score": _ladder(s.frequency, s.frequency_else, False, count, lang),
        "m_score": _ladder(s.monetary, s.monetary_else, False, _money, lang),
    }


def _value_text(row: dict[str, Any], settings: Settings, lang: str) -> str:
    weights = settings.value.weights.model_dump()
    parts = [
        f"{label('dimension', dim, lang)} {score:.0f}×{weights[dim]:.0%}"
        for dim in DIMENSIONS
        if (score := _n(row.get(f"value_{dim}"))) is not None
    ]
    return " + ".join(parts) or tr(lang, "四个维度加权求和", "weighted sum of four dimensions")


def score_lines(row: dict[str, Any] | None, settings: Settings, lang: str) -> list[ScoreLine]:
    """R, F, M, the value score, the predicted CLV, the seeds' other classes and the depth D
    of one snapshot row, one line each."""
    if not row:
        return []
    texts = explain_all(row, settings, lang)
    rules = _rfm_rules(settings, lang)
    out = [
        ScoreLine(code, f"{letter} = {row[code]}", texts[code], rules[code])
        for letter, code in (("R", "r_score"), ("F", "f_score"), ("M", "m_score"))
        if row.get(code) is not None
    ]
    if (score := _n(row.get("value_score"))) is not None:
        v = settings.value
        rule = tr(
            lang,
            f"{texts['value_tier']}(战略级 ≥ {v.tier_strategic:g},核心级 ≥ {v.tier_core:g},"
            f"潜力级 ≥ {v.tier_potential:g},其余基础级)",
            f"{texts['value_tier']} (strategic ≥ {v.tier_strategic:g}, core ≥"
            f" {v.tier_core:g}, potential ≥ {v.tier_potential:g}, else basic)",
        )
        name = tr(lang, "综合价值分", "Value score")
        out.append(
            ScoreLine(
                "value_score", f"{name} = {score:.1f}", _value_text(row, settings, lang), rule
            )
        )
    if (clv := _n(row.get("predicted_clv"))) is not None:
        c = settings.clv
        name = tr(lang, "预测终生价值", "Predicted CLV")
        model = _model_name(c.model, lang)
        rule = tr(
            lang,
            f"{model} + Gamma-Gamma,毛利率 {c.margin:.0%},年折现率 {c.discount_rate:.0%}",
            f"{model} + Gamma-Gamma, margin {c.margin:.0%}, annual discount rate"
            f" {c.discount_rate:.0%}",
        )
        out.append(
            ScoreLine("predicted_clv", f"{name} = {_money(clv)}", texts["predicted_clv"], rule)
        )
    rules = class_rules(settings, lang)
    for code in ("matrix_class", "key_class", "relationship_phase"):
        shown = f"{column_label(code, lang)} = {label(code, row.get(code), lang)}"
        text = texts[code]
        if code == "matrix_class" and texts.get("matrix_strategy"):
            text += tr(lang, ";资源策略:", "; resources: ") + texts["matrix_strategy"]
        out.append(ScoreLine(code, shown, text, rules[code]))
    name = tr(lang, "关系深度", "Depth")
    out.append(
        ScoreLine(
            "depth", f"{name} D = {row.get('category_count') or 0}", texts["depth"], rules["depth"]
        )
    )
    return out


def _model_name(model: str, lang: str) -> str:
    if model == "auto":
        return tr(
            lang,
            "BG/NBD 或 Pareto/NBD(取回测更准者)",
            "BG/NBD or Pareto/NBD (whichever backtests better)",
        )
    return {"bgnbd": "BG/NBD", "paretonbd": "Pareto/NBD"}[model]
