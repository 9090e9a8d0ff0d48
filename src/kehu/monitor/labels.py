"""Display labels for the fields and codes that alerts and reports show (zh / en).

Value codes (tiers, RFM types, lifecycle) and snapshot columns come from `kehu.analytics.labels`;
the fields here (the catalogue's `monitor` part) are the ones monitoring derives itself (or
words differently in alerts).
"""

from __future__ import annotations

from typing import Any

from kehu.analytics.labels import column_label, label
from kehu.i18n import normalize_lang, pairs

FIELDS: dict[str, tuple[str, str]] = pairs("monitor", "fields")

# Fields shown as whole numbers (days, counts) and as money, whatever their storage type.
WHOLE = frozenset({"overdue_days", "recency_days", "orders_12m", "open_tickets", "nps"})
MONEY = frozenset({"spend_12m", "predicted_clv", "clv_historical", "unpaid_amount", "amount"})

SEVERITY: dict[str, tuple[str, str]] = pairs("monitor", "severity")
SEVERITY_ORDER = ("info", "low", "medium", "high", "critical")

STATUS: dict[str, tuple[str, str]] = pairs("monitor", "status")


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if normalize_lang(lang) == "en" else pair[0]


def field_label(field: str, lang: str) -> str:
    """A rule field for people: a monitoring field, a KPI (of the `kpis` table, also its
    `_previous` / `_change` columns) or a snapshot column."""
    pair = FIELDS.get(field)
    if pair:
        return _pick(pair, lang)
    from kehu.analytics.kpis import KPI_BY_CODE

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
