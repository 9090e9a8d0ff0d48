"""zh/en labels for every code stored in the customer snapshot, and the reverse lookup.

The snapshot stores English codes (`high_value`, `strategic`, `at_risk` ...); interfaces show
labels in the user's language. `resolve()` turns what a user typed (code, zh or en label,
any case, spaces or hyphens) back into the code.
"""

from __future__ import annotations

import re

from kehu.errors import KehuError
from kehu.i18n import normalize_lang

# kind -> code -> (zh, en); dict order = display order.
LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "rfm_type": {
        "high_value": ("高价值客户", "High value"),
        "potential": ("潜力客户", "Potential"),
        "new": ("新增客户", "New"),
        "churn_risk": ("流失风险客户", "Churn risk"),
        "low_value": ("低价值客户", "Low value"),
    },
    "rfm_segment": {
        "champions": ("冠军客户", "Champions"),
        "loyal": ("忠实客户", "Loyal"),
        "potential_loyalist": ("潜在忠实客户", "Potential loyalist"),
        "new": ("新客户", "New customers"),
        "promising": ("有潜力客户", "Promising"),
        "need_attention": ("需要关注", "Need attention"),
        "about_to_sleep": ("即将沉睡", "About to sleep"),
        "at_risk": ("有流失风险", "At risk"),
        "cant_lose": ("不能失去", "Can't lose them"),
        "hibernating": ("休眠客户", "Hibernating"),
        "lost": ("已流失", "Lost"),
    },
    "value_tier": {
        "strategic": ("战略级", "Strategic"),
        "core": ("核心级", "Core"),
        "potential": ("潜力级", "Potential"),
        "basic": ("基础级", "Basic"),
    },
    "price_position": {
        "premium": ("高价定位", "Premium"),
        "parity": ("价格相当", "Parity"),
        "discount": ("低价定位", "Discount"),
    },
    "contact_role": {
        "采购": ("采购", "Purchasing"),
        "技术": ("技术", "Technical"),
        "高层": ("高层", "Executive"),
        "财务": ("财务", "Finance"),
        "使用": ("使用", "User"),
    },
    "influence": {
        "high": ("高", "high"),
        "medium": ("中", "medium"),
        "low": ("低", "low"),
    },
    "attitude": {
        "supporter": ("支持", "Supporter"),
        "neutral": ("中立", "Neutral"),
        "opponent": ("反对", "Opponent"),
    },
    "market_dimension": {
        "section": ("行业门类", "Industry section"),
        "division": ("行业大类", "Industry division"),
        "region": ("区域", "Region"),
        "size": ("企业规模", "Company size"),
    },
    "company_size": {
        "micro": ("微型企业", "Micro"),
        "small": ("小型企业", "Small"),
        "medium": ("中型企业", "Medium"),
        "large": ("大型企业", "Large"),
        "person": ("个人客户", "Individuals"),
        "unknown": ("规模未填", "Size unknown"),
    },
    "abc_class": {
        "A": ("A 类", "Class A"),
        "B": ("B 类", "Class B"),
        "C": ("C 类", "Class C"),
    },
    "lifecycle": {
        "prospect": ("潜在客户", "Prospect"),
        "target": ("目标客户", "Target"),
        "first_purchase": ("初次购买", "First purchase"),
        "repeat": ("重复购买", "Repeat"),
        "loyal": ("忠诚客户", "Loyal"),
        "at_risk": ("流失风险", "At risk"),
        "lost": ("流失客户", "Lost"),
        "won_back": ("挽回客户", "Won back"),
    },
    "customer_type": {
        "company": ("企业客户", "Company"),
        "person": ("个人客户", "Individual"),
    },
    "dimension": {
        "contribution": ("当前价值贡献", "Current contribution"),
        "growth": ("成长潜力", "Growth potential"),
        "stability": ("合作稳定性", "Stability"),
        "strategic": ("战略意义", "Strategic value"),
    },
    "indicator": {
        "sales_share": ("近1年销售额占比", "Share of last-year sales"),
        "margin": ("利润率", "Margin"),
        "collection": ("回款率", "Payment collection rate"),
        "spend_trend": ("消费趋势", "Spend trend"),
        "pipeline": ("在途商机", "Open pipeline"),
        "budget_growth": ("采购预算增长", "Budget growth"),
        "industry_growth": ("行业增速", "Industry growth"),
        "company_size": ("企业规模", "Company size"),
        "tenure": ("合作年限", "Years of cooperation"),
        "regularity": ("购买规律性", "Purchase regularity"),
        "complaints": ("投诉率", "Complaint rate"),
        "benchmark": ("行业标杆", "Industry benchmark"),
        "reference": ("示范效应", "Reference case"),
        "industry_position": ("行业地位", "Industry position"),
    },
}

# Snapshot columns users see in tables, and the kind of code they hold (if any).
COLUMN_KIND: dict[str, str] = {
    "rfm_type": "rfm_type",
    "rfm_segment": "rfm_segment",
    "value_tier": "value_tier",
    "abc_class": "abc_class",
    "lifecycle": "lifecycle",
    "customer_type": "customer_type",
}

COLUMN_LABELS: dict[str, tuple[str, str]] = {
    "as_of": ("分析日期", "As of"),
    "customer_id": ("客户编号", "Customer ID"),
    "name": ("客户名称", "Name"),
    "recency_days": ("距上次购买天数", "Days since last order"),
    "orders_12m": ("近1年订单数", "Orders (12m)"),
    "spend_12m": ("近1年消费额", "Spend (12m)"),
    "r_score": ("R", "R"),
    "f_score": ("F", "F"),
    "m_score": ("M", "M"),
    "rfm_type": ("客户类型", "Type"),
    "rfm_segment": ("RFM 细分", "Segment"),
    "value_score": ("综合价值分", "Value score"),
    "value_tier": ("价值等级", "Tier"),
    "value_confidence": ("数据完整度", "Confidence"),
    "abc_class": ("ABC", "ABC"),
    "profit_12m": ("近1年利润", "Profit (12m)"),
    "lifecycle": ("生命周期", "Lifecycle"),
    "predicted_clv": ("预测终生价值", "Predicted CLV"),
    "clv_historical": ("历史价值", "Historical CLV"),
    "p_alive": ("存活概率", "P(alive)"),
    "churn_risk": ("流失风险", "Churn risk"),
    "owner": ("负责人", "Owner"),
    "region": ("区域", "Region"),
    "industry_name": ("行业", "Industry"),
    "customer_type": ("客户性质", "Customer type"),
    "main_categories": ("主要品类", "Main categories"),
    "avg_order_value": ("客单价", "Avg order value"),
    "payment_cadence_days": ("回款周期(天)", "Payment cadence (days)"),
    "key_contact": ("关键联系人", "Key contact"),
    "open_tickets": ("未结工单", "Open tickets"),
    "top_needs": ("主要工单类别", "Main ticket categories"),
    "first_order_date": ("首次购买", "First order"),
    "last_order_date": ("最近购买", "Last order"),
    "orders_total": ("累计订单数", "Orders (total)"),
    "spend_total": ("累计消费额", "Spend (total)"),
}

KIND_NAMES: dict[str, tuple[str, str]] = {
    "rfm_type": ("客户类型", "customer type"),
    "rfm_segment": ("RFM 细分", "RFM segment"),
    "value_tier": ("价值等级", "value tier"),
    "abc_class": ("ABC 分类", "ABC class"),
    "lifecycle": ("生命周期阶段", "lifecycle stage"),
    "customer_type": ("客户性质", "customer type"),
}


def label(kind: str, code: str | None, lang: str = "zh") -> str:
    """The label of a code in `lang` (the code itself if unknown, '—' for None)."""
    if code is None:
        return "—"
    pair = LABELS.get(kind, {}).get(code)
    if pair is None:
        return str(code)
    return pair[1] if normalize_lang(lang) == "en" else pair[0]


def column_label(column: str, lang: str = "zh") -> str:
    pair = COLUMN_LABELS.get(column)
    if pair is None:
        return column
    return pair[1] if normalize_lang(lang) == "en" else pair[0]


def codes(kind: str) -> list[str]:
    return list(LABELS[kind])


def _norm(text: str) -> str:
    return re.sub(r"[\s_\-']+", "", text).lower().replace("客户", "")


def resolve(kind: str, text: str) -> str:
    """The code for what a user typed: a code, a zh label or an en label (case-insensitive)."""
    wanted = _norm(text)
    for code, (zh, en) in LABELS[kind].items():
        if wanted in {_norm(code), _norm(zh), _norm(en)}:
            return code
    zh_kind, en_kind = KIND_NAMES.get(kind, (kind, kind))
    choices = ", ".join(f"{c} ({zh})" for c, (zh, _en) in LABELS[kind].items())
    raise KehuError(
        f"未知的{zh_kind}:{text!r};可选:{choices}",
        f"unknown {en_kind}: {text!r}; choose one of: {choices}",
    )
