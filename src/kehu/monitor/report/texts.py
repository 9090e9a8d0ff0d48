"""Headings and column names shared by the HTML, XLSX and PDF writers (zh / en)."""

from __future__ import annotations

from typing import Any

from kehu.i18n import Catalog
from kehu.monitor.labels import value_label

T = Catalog(
    {
        "kpis": ("一、关键指标(KPI)", "1. Key performance indicators"),
        "segments": ("二、客户结构与流转", "2. Customer mix and flows"),
        "pareto": ("三、帕累托分析", "3. Pareto analysis"),
        "clv": ("四、客户终生价值(CLV)", "4. Customer lifetime value"),
        "watch": ("五、流失预警名单", "5. Churn watch-list"),
        "feedback": ("六、客户反馈高频问题", "6. Top feedback issues"),
        "goals": ("七、目标进度", "7. Goals"),
        "targets": ("八、销售目标达成", "8. Sales target attainment"),
        "quality": ("九、数据质量", "9. Data quality"),
        "kpi": ("指标", "KPI"),
        "value": ("本期", "This period"),
        "previous": ("上期", "Previous"),
        "change": ("变化", "Change"),
        "trend": ("趋势", "Trend"),
        "customer": ("客户", "Customer"),
        "owner": ("负责人", "Owner"),
        "region": ("区域", "Region"),
        "tier": ("价值层级", "Tier"),
        "risk": ("流失风险", "Churn risk"),
        "spend": ("近12个月消费", "12-month spend"),
        "clv_pred": ("预测 CLV", "Predicted CLV"),
        "reasons": ("原因", "Reasons"),
        "term": ("问题", "Issue"),
        "fb_partial": (
            "本期尚未结束(已过 {days}/{total} 天),上期按同样天数计",
            "the period is not over ({days} of {total} days): previous counts cover as many days",
        ),
        "count": ("次数", "Count"),
        "complaints": ("投诉", "Complaints"),
        "example": ("示例原话", "Example quote"),
        "category": ("类别", "Category"),
        "share": ("占比", "Share"),
        "goal": ("目标", "Goal"),
        "target": ("目标值", "Target"),
        "actual": ("实际", "Actual"),
        "projected": ("预计", "Projected"),
        "status": ("状态", "Status"),
        "deadline": ("截止", "Deadline"),
        "unit": ("单元", "Unit"),
        "attainment": ("达成率", "Attainment"),
        "class": ("类别", "Class"),
        "customers": ("客户数", "Customers"),
        "snapshot": ("快照日期", "Snapshot"),
        "prev_snapshot": ("上期快照", "Previous snapshot"),
        "generated": ("生成时间", "Generated"),
        "period": ("期间", "Period"),
        "none": ("暂无数据", "No data"),
        "no_snapshot": (
            "暂无客户快照:请先运行 `kehu analyze`",
            "No customer snapshot: run `kehu analyze`",
        ),
        "top20": (
            "前 20% 客户贡献了 {share} 的近12个月销售额",
            "The top 20% of customers bring {share} of 12-month revenue",
        ),
        "profit_peak": (
            "利润累计曲线最高达 {peak}:部分客户利润为负",
            "Cumulative profit peaks at {peak}: some customers lose money",
        ),
        "clv_stats": (
            "平均 {mean},中位数 {median},90 分位 {p90}(共 {n} 位客户)",
            "mean {mean}, median {median}, 90th percentile {p90} ({n} customers)",
        ),
        "moved": (
            "共 {moved} 位客户层级发生变化(比较 {compared} 位)",
            "{moved} of {compared} customers changed tier",
        ),
        "watch_note": (
            "流失风险 ≥ {risk} 的重点客户(前 {n} 位)",
            "Key accounts with churn risk ≥ {risk} (top {n})",
        ),
        "fb_note": ("本期共 {n} 条反馈文本", "{n} feedback texts this period"),
        "issues_chart": ("高频问题", "Frequent issues"),
        "quality_na": ("数据质量模块不可用", "Data quality report unavailable"),
    }
)


def goal_rows(data: dict[str, Any], lang: str) -> list[list[Any]]:
    """The goals table (title, owner, deadline, target, actual, projected, status) for
    the XLSX and PDF writers."""
    return [
        [
            g["title"],
            g["owner"],
            g["deadline"],
            g["target"],
            g["actual"],
            g["projected"],
            value_label("status", g["status"], lang),
        ]
        for g in data["goals"]["rows"]
    ]
