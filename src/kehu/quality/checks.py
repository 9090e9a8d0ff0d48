"""The data-quality rules: each one a SQL condition with a severity and a fix, in zh and en.

A rule flags the rows of one table that satisfy `where`; `{today}` and `{min_date}` are
filled in at run time (both are DATE literals). Severities: error (the value is wrong and
skews results), warning (suspicious or incomplete), info (worth knowing).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    code: str
    table: str
    column: str
    severity: str  # error | warning | info
    where: str
    zh: str
    en: str
    fix_zh: str
    fix_en: str


_FIX_SOURCE_ZH = "在源系统中更正后重新导入(kehu import 会按编号更新)"
_FIX_SOURCE_EN = "correct it in the source system and re-import (kehu import updates by id)"

RULES: tuple[Rule, ...] = (
    # ---- customers -----------------------------------------------------------------------
    Rule("negative_employees", "customers", "employees", "error", "employees < 0",
         "员工数为负", "negative number of employees", _FIX_SOURCE_ZH, _FIX_SOURCE_EN),
    Rule("negative_revenue", "customers", "annual_revenue", "error", "annual_revenue < 0",
         "年营收为负", "negative annual revenue", _FIX_SOURCE_ZH, _FIX_SOURCE_EN),
    Rule("future_founded", "customers", "founded_on", "error", "founded_on > {today}",
         "成立时间在未来", "founding date in the future", _FIX_SOURCE_ZH, _FIX_SOURCE_EN),
    Rule("ancient_founded", "customers", "founded_on", "error", "founded_on < {min_date}",
         "成立时间早于 {min_year} 年", "founding date before {min_year}",
         "多为日期格式误读(如 Excel 序号);检查源文件的日期列", "often a misread date (e.g. an "
         "Excel serial); check the date column of the source file"),
    Rule("future_birth", "customers", "birth_date", "error", "birth_date > {today}",
         "出生日期在未来", "birth date in the future", _FIX_SOURCE_ZH, _FIX_SOURCE_EN),
    Rule("ancient_birth", "customers", "birth_date", "error", "birth_date < {min_date}",
         "出生日期早于 {min_year} 年", "birth date before {min_year}", _FIX_SOURCE_ZH,
         _FIX_SOURCE_EN),
    Rule("future_cooperation", "customers", "cooperation_start", "warning",
         "cooperation_start > {today}", "合作起始时间在未来", "cooperation start in the future",
         _FIX_SOURCE_ZH, _FIX_SOURCE_EN),
    Rule("bad_customer_type", "customers", "customer_type", "warning",
         "customer_type IS NOT NULL AND customer_type NOT IN ('company', 'person')",
         "客户类型不是 company/person", "customer type is neither company nor person",
         "在导入映射中把客户类型映射为 company(企业)或 person(个人)",
         "map the customer type to company or person in the import mapping"),
    Rule("bad_email", "customers", "email", "warning",
         "email IS NOT NULL AND NOT regexp_full_match(email, '[^@\\s]+@[^@\\s]+\\.[^@\\s]+')",
         "邮箱格式不正确", "malformed e-mail address", _FIX_SOURCE_ZH, _FIX_SOURCE_EN),
    Rule("unnormalised_phone", "customers", "phone", "warning",
         "phone IS NOT NULL AND NOT regexp_full_match(phone, '\\+[0-9]{7,15}')",
         "电话无法规范化(不是 +86… 格式)", "phone could not be normalised (not +86…)",
         "检查号码位数和区号;导入时会自动规范化有效号码",
         "check digits and area code; valid numbers are normalised on import"),
    Rule("bad_postcode", "customers", "postcode", "warning",
         "postcode IS NOT NULL AND NOT regexp_full_match(postcode, '[0-9]{6}')",
         "邮编不是 6 位数字", "postcode is not 6 digits", _FIX_SOURCE_ZH, _FIX_SOURCE_EN),
    Rule("budget_growth_range", "customers", "budget_growth", "error",
         "budget_growth < -1 OR budget_growth > 10",
         "预算增长超出 -100%~+1000%", "budget growth outside -100%..+1000%",
         "预算增长以小数填写(0.1 = +10%)", "enter budget growth as a fraction (0.1 = +10%)"),
    Rule("unmatched_industry", "customers", "industry_code", "warning",
         "industry_name IS NOT NULL AND trim(industry_name) <> '' AND industry_code IS NULL",
         "有行业名称但未匹配到 GB/T 4754 行业代码",
         "industry name without a GB/T 4754 industry code",
         "在源数据中改用标准行业名称,或在导入映射中补充行业代码列",
         "use the standard industry name in the source, or add an industry code column"),
    # ---- orders ----------------------------------------------------------------------------
    Rule("negative_amount", "orders", "amount", "warning", "amount < 0",
         "订单金额为负(退货?)", "negative order amount (a return?)",
         "退货应作为单独的负向单据并注明;否则更正金额",
         "record returns as separate, labelled documents; otherwise correct the amount"),
    Rule("negative_cost", "orders", "cost", "error", "cost < 0", "成本为负", "negative cost",
         _FIX_SOURCE_ZH, _FIX_SOURCE_EN),
    Rule("paid_over_amount", "orders", "paid_amount", "error",
         "paid_amount > amount AND amount >= 0", "回款金额大于订单金额",
         "paid amount exceeds the order amount",
         "核对财务回款是否重复记账或记到了错误订单",
         "check the finance records for double-booked or misallocated payments"),
    Rule("negative_paid", "orders", "paid_amount", "error", "paid_amount < 0",
         "回款金额为负", "negative paid amount", _FIX_SOURCE_ZH, _FIX_SOURCE_EN),
    Rule("future_order", "orders", "order_date", "error", "order_date > {today}",
         "订单日期在未来", "order date in the future", _FIX_SOURCE_ZH, _FIX_SOURCE_EN),
    Rule("ancient_order", "orders", "order_date", "error", "order_date < {min_date}",
         "订单日期早于 {min_year} 年", "order date before {min_year}",
         "多为日期格式误读;检查源文件的日期列", "often a misread date; check the date column"),
    Rule("due_before_order", "orders", "due_date", "warning", "due_date < order_date",
         "应收日期早于订单日期", "due date before the order date", _FIX_SOURCE_ZH,
         _FIX_SOURCE_EN),
    Rule("paid_before_order", "orders", "paid_date", "info", "paid_date < order_date",
         "回款早于下单(预付款?)", "paid before the order date (a prepayment?)",
         "如为预付款可忽略;否则更正日期", "ignore if prepaid; otherwise correct the date"),
    Rule("bad_quantity", "orders", "quantity", "warning", "quantity <= 0",
         "数量不大于 0", "quantity is zero or negative", _FIX_SOURCE_ZH, _FIX_SOURCE_EN),
    Rule("cost_over_amount", "orders", "cost", "info", "cost > amount AND amount > 0",
         "成本高于金额(亏损订单)", "cost above the amount (a loss-making order)",
         "确认是否为战略性亏损;否则检查成本口径",
         "confirm it is a deliberate loss; otherwise check how cost is measured"),
    # ---- tickets ---------------------------------------------------------------------------
    Rule("satisfaction_range", "tickets", "satisfaction", "error",
         "satisfaction < 1 OR satisfaction > 5", "满意度不在 1–5 之间",
         "satisfaction outside 1–5", "满意度按 1–5 分记录", "record satisfaction on a 1–5 scale"),
    Rule("resolved_before_open", "tickets", "resolved_at", "error", "resolved_at < opened_at",
         "解决时间早于受理时间", "resolved before it was opened", _FIX_SOURCE_ZH,
         _FIX_SOURCE_EN),
    Rule("response_before_open", "tickets", "first_response_at", "error",
         "first_response_at < opened_at", "首次响应早于受理时间",
         "first response before it was opened", _FIX_SOURCE_ZH, _FIX_SOURCE_EN),
    Rule("future_ticket", "tickets", "opened_at", "error",
         "CAST(opened_at AS DATE) > {today}", "受理时间在未来", "opened in the future",
         _FIX_SOURCE_ZH, _FIX_SOURCE_EN),
    # ---- surveys ---------------------------------------------------------------------------
    Rule("nps_range", "surveys", "nps", "error", "nps < 0 OR nps > 10", "NPS 不在 0–10 之间",
         "NPS outside 0–10", "NPS 按 0–10 分记录(推荐可能性)",
         "record NPS on the 0–10 likelihood-to-recommend scale"),
    Rule("csat_range", "surveys", "csat", "error", "csat < 1 OR csat > 5",
         "CSAT 不在 1–5 之间", "CSAT outside 1–5", "CSAT 按 1–5 分记录",
         "record CSAT on a 1–5 scale"),
    Rule("future_survey", "surveys", "surveyed_on", "error", "surveyed_on > {today}",
         "调研日期在未来", "survey date in the future", _FIX_SOURCE_ZH, _FIX_SOURCE_EN),
    # ---- opportunities, targets, interactions, contacts -------------------------------------
    Rule("negative_opportunity", "opportunities", "amount", "error", "amount < 0",
         "商机金额为负", "negative opportunity amount", _FIX_SOURCE_ZH, _FIX_SOURCE_EN),
    Rule("closed_before_created", "opportunities", "closed_on", "error",
         "closed_on < created_on", "关闭日期早于创建日期", "closed before it was created",
         _FIX_SOURCE_ZH, _FIX_SOURCE_EN),
    Rule("negative_target", "targets", "amount", "error", "amount < 0", "目标金额为负",
         "negative target amount", _FIX_SOURCE_ZH, _FIX_SOURCE_EN),
    Rule("future_interaction", "interactions", "occurred_at", "warning",
         "CAST(occurred_at AS DATE) > {today}", "沟通记录时间在未来(计划中的拜访?)",
         "interaction in the future (a planned visit?)",
         "计划中的拜访应记为任务而不是沟通记录", "record planned visits as tasks, not interactions"),
    Rule("bad_contact_email", "contacts", "email", "warning",
         "email IS NOT NULL AND NOT regexp_full_match(email, '[^@\\s]+@[^@\\s]+\\.[^@\\s]+')",
         "联系人邮箱格式不正确", "malformed contact e-mail", _FIX_SOURCE_ZH, _FIX_SOURCE_EN),
)

# Child tables checked for orphans (rows whose customer_id matches no customer).
ORPHAN_TABLES = ("contacts", "orders", "interactions", "tickets", "surveys", "opportunities",
                 "targets", "tasks")
# Activity tables that keep a customer "alive" for the stale-record check: table -> date column.
ACTIVITY = {"orders": "order_date", "interactions": "occurred_at", "tickets": "opened_at",
            "opportunities": "created_on", "surveys": "surveyed_on"}
