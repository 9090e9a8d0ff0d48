"""Planning floor: playbooks and action plans, SMART goals, sales-target decomposition.

Reads the dated `customer_snapshot` and the canonical tables; writes `tasks`, `goals`,
`goal_progress` and (source "plan") `targets`. Entry points:
`kehu.planning.plan.make_plan`, `kehu.planning.goals`, `kehu.planning.targets` (the KPIs
they measure are `kehu.analytics.kpis`).
"""
