"""Headings and column names shared by the HTML, XLSX and PDF writers (zh / en)."""

from __future__ import annotations

from kehu.i18n import Catalog

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
        "customer_id": ("客户编号", "Customer ID"),
        "profit": ("利润", "Profit"),
        "bin_from": ("自", "From"),
        "bin_to": ("至", "To"),
        "q_key": ("项目", "Item"),
        "q_value": ("值", "Value"),
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
        "backtest": ("十、预测回测", "10. Prediction backtest"),
        "backtest_na": (
            "暂无回测:运行 `kehu backtest` 检验预测",
            "No backtest yet: run `kehu backtest` to check the predictions",
        ),
        "backtest_note": (
            "截至 {as_of} 只用当时已知的数据预测,与之后 {h} 天的实际对比:{n} 位客户,"
            "{rate} 未再购买",
            "Predicted as of {as_of} from what was known then, compared with the next {h} days:"
            " {n} customers, {rate} bought nothing",
        ),
        "bt_score": ("评分", "Score"),
        "bt_lift10": ("前10%提升度", "Lift top 10%"),
        "bt_capture10": ("前10%捕获率", "Capture top 10%"),
        "bt_lift20": ("前20%提升度", "Lift top 20%"),
        "bt_capture20": ("前20%捕获率", "Capture top 20%"),
        "bt_model": ("模型", "Model"),
        "bt_purchases": ("预测购买次数", "Purchases predicted"),
        "bt_error": ("总量误差", "Total error"),
        "bt_corr": ("相关系数", "Correlation"),
        "bt_revenue": ("预测收入", "Revenue predicted"),
        "bt_history": ("回测历史", "Backtest history"),
        "bt_run_at": ("运行时间", "Run at"),
        "bt_as_of": ("预测日", "As of"),
        "bt_horizon": ("预测期(天)", "Horizon (days)"),
        "bt_naive_auc": ("上期行为 AUC", "Last-period AUC"),
    }
)


def backtest_headers(lang: str) -> dict[str, list[str]]:
    """Column names of the backtest section's three tables (every writer)."""

    def t(key: str) -> str:
        return T(key, lang)

    return {
        "churn": [t("bt_score"), "ROC AUC", "PR AUC", "Brier", t("bt_lift10"),
                  t("bt_capture10"), t("bt_lift20"), t("bt_capture20")],
        "amounts": [t("bt_model"), t("bt_purchases"), t("actual"), t("bt_error"), t("bt_corr"),
                    t("bt_revenue"), t("actual"), t("bt_error")],
        "history": [t("bt_run_at"), t("bt_as_of"), t("bt_horizon"), "kehu AUC", "BG/NBD AUC",
                    t("bt_naive_auc")],
    }  # fmt: skip
