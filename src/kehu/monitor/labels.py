"""Display labels for the fields and codes that alerts and reports show (zh / en).

Value codes (tiers, RFM types, lifecycle) and snapshot columns come from `kehu.analytics.labels`;
the fields below are the ones monitoring derives itself (or words differently in alerts).
"""

from __future__ import annotations

from typing import Any

from kehu.analytics.labels import column_label, label
from kehu.i18n import normalize_lang

FIELDS: dict[str, tuple[str, str]] = {
    "churn_risk": ("流失风险", "churn risk"),
    "spend_12m": ("近12个月消费额", "12-month spend"),
    "orders_12m": ("近12个月订单数", "12-month orders"),
    "recency_days": ("距上次购买天数", "days since last purchase"),
    "value_tier": ("价值层级", "value tier"),
    "value_score": ("价值评分", "value score"),
    "rfm_type": ("RFM 类型", "RFM type"),
    "rfm_segment": ("RFM 细分", "RFM segment"),
    "lifecycle": ("生命周期", "lifecycle"),
    "abc_class": ("ABC 分类", "ABC class"),
    "predicted_clv": ("预测 CLV", "predicted CLV"),
    "clv_historical": ("历史 CLV", "historical CLV"),
    "p_alive": ("存活概率", "probability alive"),
    "nps": ("NPS 评分", "NPS score"),
    "csat": ("满意度", "CSAT"),
    "first_response_hours": ("首次响应时长(小时)", "first response (hours)"),
    "resolution_hours": ("解决时长(小时)", "resolution time (hours)"),
    "overdue_days": ("逾期天数", "days overdue"),
    "unpaid_amount": ("未回款金额", "unpaid amount"),
    "status": ("状态", "status"),
    "open_tickets": ("未结工单", "open tickets"),
}

# Fields shown as whole numbers (days, counts) and as money, whatever their storage type.
WHOLE = frozenset({"overdue_days", "recency_days", "orders_12m", "open_tickets", "nps"})
MONEY = frozenset({"spend_12m", "predicted_clv", "clv_historical", "unpaid_amount", "amount"})

SEVERITY: dict[str, tuple[str, str]] = {
    "info": ("提示", "info"),
    "low": ("低", "low"),
    "medium": ("中", "medium"),
    "high": ("高", "high"),
    "critical": ("紧急", "critical"),
}
SEVERITY_ORDER = ("info", "low", "medium", "high", "critical")

STATUS: dict[str, tuple[str, str]] = {
    "open": ("未处理", "open"),
    "acked": ("已确认", "acknowledged"),
    "resolved": ("已解除", "resolved"),
    "at_risk": ("有风险", "at risk"),
    "missed": ("未达成", "missed"),
    "on_track": ("正常", "on track"),
}


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if normalize_lang(lang) == "en" else pair[0]


def field_label(field: str, lang: str) -> str:
    """A rule field for people: a monitoring field, a KPI (of the `kpis` table, also its
    `_previous` / `_change` columns) or a snapshot column."""
    pair = FIELDS.get(field)
    if pair:
        return _pick(pair, lang)
    from kehu.planning.kpis import KPI_BY_CODE

    code, suffix = field, ""
    for end in ("_previous", "_change"):
        if field.endswith(end):
            code, suffix = field.removesuffix(end), end[1:]
    kpi = KPI_BY_CODE.get(code)
    if kpi is not None:
        extra = {"previous": ("(上期同期)", " (previous)"), "change": ("(环比变化)", " (change)")}
        return kpi.label(lang) + (_pick(extra[suffix], lang) if suffix else "")
    return column_label(field, lang)


def severity_label(severity: str, lang: str) -> str:
    """The zh/en name of an alert severity (the code itself when unknown)."""
    pair = SEVERITY.get(severity)
    return _pick(pair, lang) if pair else severity


def value_label(field: str, value: Any, lang: str) -> str:
    """A value shown to people: '战略级' for value_tier 'strategic' in zh, numbers rounded."""
    if value is None:
        return "—"
    if field in WHOLE and isinstance(value, int | float) and not isinstance(value, bool):
        return f"{round(value):,}"
    if field in MONEY and isinstance(value, int | float) and not isinstance(value, bool):
        return f"¥{value:,.2f}"
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) >= 100 else f"{value:.2f}"
    code = str(value)
    text = label(field, code, normalize_lang(lang))
    if text != code:
        return text
    pair = STATUS.get(code)
    return _pick(pair, lang) if pair else code
