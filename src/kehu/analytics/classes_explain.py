"""The classes of `kehu.analytics.classes` explained with the customer's own figures (zh/en).

Each text states the figures of the snapshot row and the rule step that applied, so a rep can
check it by hand; `class_texts` keys them by column, `strategy` gives a matrix class's
resource strategy (`kehu/data/classes.toml`).
"""

from __future__ import annotations

import math
import tomllib
from functools import cache
from importlib import resources
from typing import Any

from kehu.analytics.classes import CULTIVATION, TERMINATION, phase_for
from kehu.analytics.labels import label
from kehu.analytics.numeric import as_float as _n
from kehu.analytics.numeric import yuan as _money
from kehu.config import Settings
from kehu.i18n import tr


@cache
def _strategies() -> dict[str, dict[str, str]]:
    text = resources.files("kehu").joinpath("data", "classes.toml").read_text(encoding="utf-8")
    out: dict[str, dict[str, str]] = tomllib.loads(text)["matrix_class"]
    return out


def strategy(code: str | None, lang: str) -> str | None:
    """The resource strategy of a matrix class in `lang` (None without a class)."""
    entry = _strategies().get(code or "")
    return None if entry is None else tr(lang, entry["zh"], entry["en"])


def _side(
    name: str, value: float, above: float | None, share: float, lang: str, gone: bool = False
) -> str:
    """One axis of the matrix: the value, its rank and whether that counts as high."""
    rank = 0.0 if above is None else above
    high = rank < share and value > 0 and not gone
    shown = math.floor(rank * 1000) / 1000  # floored: never shown at the cut-off when below it
    verdict = tr(lang, "高", "high") if high else tr(lang, "低", "low")
    if gone:
        why = tr(
            lang, f"{_money(value)},但客户已流失", f"{_money(value)}, but the customer is lost"
        )
    elif value <= 0:
        why = tr(lang, f"{_money(value)} ≤ 0", f"{_money(value)} ≤ 0")
    else:
        op = "<" if rank < share else "≥"
        why = tr(
            lang,
            f"{_money(value)},高于它的买家占 {shown:.1%} {op} {share:.1%}",
            f"{_money(value)}, {shown:.1%} of buyers higher {op} {share:.1%}",
        )
    return f"{name} {why} → {verdict}"


def explain_matrix(row: dict[str, Any], settings: Settings, lang: str) -> str:
    code = row.get("matrix_class")
    if code in (None, "none"):
        return tr(
            lang, "尚无订单,不参与 CLV × 利润矩阵", "no order yet: not in the CLV × profit matrix"
        )
    c = settings.classes
    predicted = _n(row.get("predicted_clv"))
    clv = predicted if predicted is not None else (_n(row.get("clv_historical")) or 0.0)
    clv_name = (
        tr(lang, "预测终生价值", "predicted CLV")
        if predicted is not None
        else tr(lang, "历史价值", "historical CLV")
    )
    profit = _n(row.get("profit_12m"))
    if profit is None:
        margin = settings.clv.margin
        profit = (_n(row.get("spend_12m")) or 0.0) * margin
        profit_name = tr(
            lang, f"近1年消费 × 毛利率 {margin:.0%}", f"12-month spend × margin {margin:.0%}"
        )
    else:
        profit_name = tr(lang, "近1年利润", "12-month profit")
    parts = [
        _side(
            clv_name,
            clv,
            _n(row.get("clv_above_share")),
            c.clv_top_share,
            lang,
            gone=row.get("lifecycle") in TERMINATION,
        ),  # fmt: skip
        _side(profit_name, profit, _n(row.get("profit_above_share")), c.profit_top_share, lang),
    ]
    joined = tr(lang, ";", "; ").join(parts)
    return f"{joined} → {label('matrix_class', code, lang)}"


def _basis_text(token: str, lang: str) -> str:
    kind, _, value = token.partition(":")
    return {
        "benchmark": tr(lang, "行业标杆", "industry benchmark"),
        "reference": tr(lang, "示范客户", "reference customer"),
        "position": tr(lang, f"行业地位 {value}", f"industry position {value}"),
        "industry": tr(lang, f"战略行业 {value}", f"strategic industry {value}"),
    }.get(kind, token)


def explain_key(row: dict[str, Any], settings: Settings, lang: str) -> str:
    code = row.get("key_class") or "regular"
    abc = row.get("abc_class") or "C"
    a = settings.abc.a_share
    money = (
        tr(lang, f"ABC 类 A(贡献前 {a:.0%} 收入)", f"ABC class A (head giving {a:.0%} of revenue)")
        if abc == "A"
        else tr(lang, f"ABC 类 {abc},不是 A", f"ABC class {abc}, not A")
    )
    basis = [b for b in (row.get("key_basis") or "").split(",") if b]
    influence = (
        tr(lang, "影响力:", "influence: ")
        + tr(lang, "、", ", ").join(_basis_text(b, lang) for b in basis)
        if basis
        else tr(
            lang,
            "无标杆、示范、战略地位或战略行业",
            "no benchmark, reference, strategic position or industry",
        )
    )
    return f"{money}{tr(lang, ';', '; ')}{influence} → {label('key_class', code, lang)}"


def _trend(spend: float, prev: float, lang: str) -> str:
    if prev <= 0:
        return tr(
            lang,
            f"近1年消费 {_money(spend)},上一年无消费",
            f"12-month spend {_money(spend)}, none the year before",
        )
    change = spend / prev - 1.0
    return tr(
        lang,
        f"近1年消费 {_money(spend)},较上一年 {_money(prev)} {change:+.0%}",
        f"12-month spend {_money(spend)}, {change:+.0%} on {_money(prev)} the year before",
    )


def explain_phase(row: dict[str, Any], settings: Settings, lang: str) -> str:
    life = row.get("lifecycle")
    spend, prev = _n(row.get("spend_12m")) or 0.0, _n(row.get("spend_prev_12m")) or 0.0
    tickets, before = int(row.get("tickets_12m") or 0), int(row.get("tickets_prev_12m") or 0)
    code = phase_for(
        lifecycle=life, spend_12m=spend, spend_prev_12m=prev, tickets_12m=tickets,
        tickets_prev_12m=before, s=settings,
    )  # fmt: skip
    stage = label("lifecycle", life, lang)
    if code == "none":
        return tr(lang, f"{stage}:没有客户关系", f"{stage}: no relationship")
    phase = label("relationship_phase", code, lang)
    if life in (*TERMINATION, *CULTIVATION, "at_risk"):
        return f"{tr(lang, '生命周期', 'lifecycle')} {stage} → {phase}"
    load = tr(
        lang,
        f"服务工单 {tickets}(上一年 {before})",
        f"tickets {tickets} ({before} the year before)",
    )
    c = settings.classes
    rule = tr(
        lang,
        f"增长 ≥ {c.phase_growth:.0%} 为成长期,下降 ≥ {c.phase_decline:.0%} 或工单多出"
        f" ≥ {c.phase_ticket_rise} 张为挽留期",
        f"up ≥ {c.phase_growth:.0%} is growth; down ≥ {c.phase_decline:.0%} or"
        f" ≥ {c.phase_ticket_rise} more tickets is retention",
    )
    sep = tr(lang, ";", "; ")
    head = f"{stage}{sep}" if life == "won_back" else ""
    return f"{head}{_trend(spend, prev, lang)}{sep}{load}{tr(lang, '(', ' (')}{rule}) → {phase}"


def explain_depth(row: dict[str, Any], lang: str) -> str:
    count = int(row.get("category_count") or 0)
    share = _n(row.get("share_of_wallet"))
    text = tr(lang, f"近1年购买 {count} 个品类", f"{count} categories bought in 12 months")
    if share is not None:
        text += tr(lang, f",钱包份额 {share:.0%}", f", share of wallet {share:.0%}")
    return text


def class_rules(settings: Settings, lang: str) -> dict[str, str]:
    """The whole rule behind each class, as the 360 page shows it under the customer's line."""
    c = settings.classes
    return {
        "matrix_class": tr(
            lang,
            f"买家按 CLV 与近1年利润排名,各自前 {c.clv_top_share:.0%} / {c.profit_top_share:.0%}"
            "且为正记为高:双高战略型,仅 CLV 高高潜力型,仅利润高基础型,其余低效型",
            f"buyers ranked by CLV and by 12-month profit; the top {c.clv_top_share:.0%} /"
            f" {c.profit_top_share:.0%} (and positive) are high: both strategic, CLV only high"
            " potential, profit only basic, neither inefficient",
        ),
        "key_class": tr(
            lang,
            "ABC 类 A 为高价值;行业标杆、示范客户、战略行业地位或战略行业为重点;两者兼有为双料",
            "ABC class A is high value; a benchmark, reference, strategic industry position or"
            " strategic industry is key (influence); both is dual",
        ),
        "relationship_phase": tr(
            lang,
            "流失/永远流失 → 终止期;潜在/目标/初次购买 → 培育期;流失风险、消费下降或服务工单上升 →"
            " 挽留期;挽回、新增消费或消费增长 → 成长期;其余 → 回报期",
            "lost / lost for good → termination; prospect / target / first purchase →"
            " cultivation; at risk, falling spend or rising tickets → retention; won back, new"
            " or growing spend → growth; otherwise → return",
        ),
        "depth": tr(
            lang,
            "深度 D:近1年购买的品类数;钱包份额取客户的估计值,否则为消费 ÷ 钱包规模",
            "depth D: categories bought in 12 months; share of wallet from the customer's"
            " estimate, else spend ÷ wallet size",
        ),
    }


def class_texts(row: dict[str, Any], settings: Settings, lang: str) -> dict[str, str]:
    """Every class explanation of one snapshot row, keyed by column."""
    out = {
        "matrix_class": explain_matrix(row, settings, lang),
        "key_class": explain_key(row, settings, lang),
        "relationship_phase": explain_phase(row, settings, lang),
        "depth": explain_depth(row, lang),
    }
    advice = strategy(row.get("matrix_class"), lang)
    if advice:
        out["matrix_strategy"] = advice
    return out
