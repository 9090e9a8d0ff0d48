"""zh/en labels of the planning floor: statuses, priority bands, RACI teams, goal states."""

from __future__ import annotations

from kehu.i18n import tr

TASK_STATUS = {
    "open": ("待办", "open"),
    "done": ("已完成", "done"),
    "cancelled": ("已取消", "cancelled"),
}
BANDS = {"high": ("高", "high"), "medium": ("中", "medium"), "low": ("低", "low")}
GOAL_STATUS = {
    "pending": ("未开始", "pending"),
    "on_track": ("进度正常", "on track"),
    "at_risk": ("有风险", "at risk"),
    "achieved": ("已达成", "achieved"),
    "missed": ("未达成", "missed"),
    "no_data": ("无数据", "no data"),
}
# RACI team codes used by the default config and playbooks; other values print as typed.
TEAMS = {
    "sales_manager": ("销售经理", "sales manager"),
    "sales_ops": ("销售运营", "sales operations"),
    "tech_support": ("技术支持", "technical support"),
    "product_team": ("产品团队", "product team"),
    "supply_chain": ("供应链", "supply chain"),
    "customer_service": ("客服团队", "customer service"),
    "marketing": ("市场部", "marketing"),
    "finance": ("财务部", "finance"),
    "senior_management": ("公司高层", "senior management"),
    "emergency_team": ("紧急响应团队", "emergency response team"),
    "unassigned": ("未分配", "unassigned"),
}
DIMENSIONS = {
    "region": ("区域", "region"),
    "owner": ("负责人", "owner"),
    "customer": ("客户", "customer"),
    "rfm_type": ("客户类型", "RFM type"),
    "value_tier": ("价值层级", "value tier"),
}


# priority factors (score_<code> on a task), kehu.planning.priority
FACTORS = {
    "strategic_fit": ("战略对齐", "strategic fit"),
    "value": ("投入产出", "ROI"),
    "growth": ("成长潜力", "growth"),
    "risk": ("风险可控", "risk control"),
    "urgency": ("流失紧迫", "churn urgency"),
}


def factors(task: dict, lang: str) -> str:
    """The priority factors of a task, each 0-1: "战略对齐 1.00 · 投入产出 0.50 …"."""
    parts = []
    for code, pair in FACTORS.items():
        v = task.get(f"score_{code}")
        if v is not None and v == v:  # not NaN
            parts.append(f"{tr(lang, *pair)} {float(v):.2f}")
    return " · ".join(parts)


def label(table: dict[str, tuple[str, str]], code: str | None, lang: str) -> str:
    """The label of a code in `table`, or the code itself when unknown."""
    if code is None:
        return tr(lang, "(未知)", "(unknown)")
    pair = table.get(code)
    return tr(lang, *pair) if pair else code


def team(value: str | None, lang: str) -> str:
    """A RACI value: comma-separated team codes or names, each translated when known."""
    if not value:
        return ""
    return ", ".join(label(TEAMS, part.strip(), lang) for part in value.split(","))
