"""Plain-language explanations of a customer's scores, from the settings in force."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kehu.i18n import tr

if TYPE_CHECKING:
    from kehu.config import Settings


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:g}"


def _rule(levels: list[Any], else_score: int, le: bool, unit_zh: str, unit_en: str) -> tuple:
    zh, en = [], []
    for lv in levels:
        op = "≤" if le else "≥"
        zh.append(f"{op}{_fmt(lv.bound)}{unit_zh}→{lv.score}")
        en.append(f"{op}{_fmt(lv.bound)}{unit_en} → {lv.score}")
    zh.append(f"其余→{else_score}")
    en.append(f"otherwise → {else_score}")
    return ";".join(zh), "; ".join(en)


def explain_scores(snap: dict[str, Any], settings: Settings, lang: str) -> list[dict[str, str]]:
    """One line per score: the value, the input and the rule that produced it."""
    if not snap:
        return []
    rfm = settings.rfm
    out: list[dict[str, str]] = []
    quantiles = rfm.mode == "quantiles"
    specs = [
        ("R", "r_score", "recency_days", rfm.recency, rfm.recency_else, True, " 天", " days"),
        ("F", "f_score", "orders_12m", rfm.frequency, rfm.frequency_else, False, " 单", ""),
        ("M", "m_score", "spend_12m", rfm.monetary, rfm.monetary_else, False, " 元", " yuan"),
    ]
    inputs = {
        "recency_days": tr(lang, "距上次购买 {v} 天", "{v} days since the last order"),
        "orders_12m": tr(lang, "近 {w} 天 {v} 单", "{v} orders in the last {w} days"),
        "spend_12m": tr(lang, "近 {w} 天消费 {v} 元", "spent {v} yuan in the last {w} days"),
    }
    for letter, score_col, input_col, levels, else_score, le, uzh, uen in specs:
        score, value = snap.get(score_col), snap.get(input_col)
        if score is None:
            continue
        shown = "—" if value is None else _fmt(float(value))
        text = inputs[input_col].format(v=shown, w=rfm.window_days)
        if quantiles:
            rule = tr(
                lang,
                f"按 {rfm.quantiles} 分位数打分",
                f"scored by {rfm.quantiles}-quantiles",
            )
        else:
            rule_zh, rule_en = _rule(levels, else_score, le, uzh, uen)
            rule = tr(lang, rule_zh, rule_en)
        out.append({"label": f"{letter} = {score}", "text": text, "rule": rule})
    if snap.get("value_score") is not None:
        w = settings.value.weights
        parts = []
        for key, weight, zh, en in (
            ("value_contribution", w.contribution, "当前价值贡献", "contribution"),
            ("value_growth", w.growth, "成长潜力", "growth"),
            ("value_stability", w.stability, "合作稳定性", "stability"),
            ("value_strategic", w.strategic, "战略意义", "strategic"),
        ):
            dim = snap.get(key)
            if dim is not None:
                parts.append(
                    tr(lang, f"{zh} {dim:.0f}×{weight:.0%}", f"{en} {dim:.0f}×{weight:.0%}")
                )
        v = settings.value
        out.append(
            {
                "label": tr(lang, "综合价值分", "Value score") + f" = {snap['value_score']:.1f}",
                "text": " + ".join(parts)
                or tr(lang, "四个维度加权求和", "weighted sum of four dimensions"),
                "rule": tr(
                    lang,
                    f"战略级 ≥{v.tier_strategic:g},核心级 ≥{v.tier_core:g},"
                    f"潜力级 ≥{v.tier_potential:g},其余基础级",
                    f"strategic ≥ {v.tier_strategic:g}, core ≥ {v.tier_core:g}, "
                    f"potential ≥ {v.tier_potential:g}, else basic",
                ),
            }
        )
    if snap.get("predicted_clv") is not None:
        clv = settings.clv
        unit = {"day": ("天", "days"), "week": ("周", "weeks"), "month": ("月", "months")}[
            clv.time_unit
        ]
        p_alive = snap.get("p_alive")
        expected = snap.get("expected_purchases")
        out.append(
            {
                "label": tr(lang, "预测终生价值", "Predicted CLV")
                + f" = {_fmt(float(snap['predicted_clv']))}",
                "text": tr(
                    lang,
                    f"存活概率 {p_alive or 0:.0%},未来 {clv.horizon:g} {unit[0]}预计购买 "
                    f"{expected or 0:.1f} 次",
                    f"P(alive) {p_alive or 0:.0%}, {expected or 0:.1f} expected purchases in "
                    f"the next {clv.horizon:g} {unit[1]}",
                ),
                "rule": tr(
                    lang,
                    f"{clv.model.upper()} + Gamma-Gamma,毛利率 {clv.margin:.0%},"
                    f"年折现率 {clv.discount_rate:.0%}",
                    f"{clv.model.upper()} + Gamma-Gamma, margin {clv.margin:.0%}, "
                    f"annual discount rate {clv.discount_rate:.0%}",
                ),
            }
        )
    return out
