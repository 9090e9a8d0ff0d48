"""System tables of the planning floor: tasks, goals and goal progress."""

from __future__ import annotations

from kehu.store.schema import Table, register_table

TASKS = register_table(
    Table(
        "tasks",
        {
            "task_id": "BIGINT NOT NULL",
            "customer_id": "VARCHAR NOT NULL",
            "customer_name": "VARCHAR",
            "playbook": "VARCHAR NOT NULL",  # rfm_type.churn_risk | value_tier.strategic | ...
            "period": "VARCHAR NOT NULL",  # cadence period: 2026-11 | 2026-Q4 | 2026 | once
            "as_of": "DATE",  # snapshot the task came from
            "direction_zh": "VARCHAR",
            "direction_en": "VARCHAR",
            "actions": "VARCHAR",  # JSON list of {"code","zh","en","cost","consulted"}
            "reason": "VARCHAR",  # JSON: why this customer needs action
            "owner": "VARCHAR",  # RACI R: the customer's owner
            "accountable": "VARCHAR",  # RACI A: owner's manager / region lead
            "consulted": "VARCHAR",  # RACI C (comma-separated)
            "informed": "VARCHAR",  # RACI I
            "region": "VARCHAR",
            "rfm_type": "VARCHAR",
            "value_tier": "VARCHAR",
            "churn_risk": "DOUBLE",
            "predicted_clv": "DOUBLE",
            "cost": "DOUBLE",  # yearly cost-to-serve of the playbook (yuan)
            "score_strategic_fit": "DOUBLE",
            "score_value": "DOUBLE",  # ROI: value at stake vs cost of the measures
            "score_growth": "DOUBLE",
            "score_risk": "DOUBLE",  # controllable (payment) risk: 1 = pays well
            "score_urgency": "DOUBLE",  # churn urgency (churn_risk)
            "priority": "DOUBLE",  # 0-100
            "priority_band": "VARCHAR",  # high | medium | low
            "due_date": "DATE",
            "status": "VARCHAR NOT NULL",  # open | done | cancelled
            "closed_at": "TIMESTAMP",
            "note": "VARCHAR",
        },
        key=("task_id",),
        indexes=(("customer_id", "playbook", "period"), ("owner", "status")),
        refers_to_customer=True,
    )
)

GOALS = register_table(
    Table(
        "goals",
        {
            "goal_id": "BIGINT NOT NULL",
            "name": "VARCHAR",
            "metric": "VARCHAR NOT NULL",  # a KPI code (kehu.analytics.kpis.KPIS)
            "scope_key": "VARCHAR",  # region | owner | rfm_type | value_tier
            "scope_value": "VARCHAR",
            "target_spec": "VARCHAR",  # as typed: 200 | +10% | +5pp | 85%
            "baseline": "DOUBLE",  # value before the start (relative targets)
            "target": "DOUBLE NOT NULL",  # absolute target the progress is measured against
            "start_date": "DATE NOT NULL",
            "deadline": "DATE NOT NULL",
            "grain": "VARCHAR NOT NULL",  # month | quarter | year
            "owner": "VARCHAR",
            "status": "VARCHAR",  # last computed: pending|on_track|at_risk|achieved|missed|no_data
            "actual": "DOUBLE",
            "projected": "DOUBLE",
            "evaluated_as_of": "DATE",
        },
        key=("goal_id",),
    )
)

GOAL_PROGRESS = register_table(
    Table(
        "goal_progress",
        {
            "goal_id": "BIGINT NOT NULL",
            "period": "VARCHAR NOT NULL",
            "period_start": "DATE",
            "period_end": "DATE",
            "actual": "DOUBLE",  # the metric in this period
            "cumulative": "DOUBLE",  # additive metrics: sum since the start
            "expected": "DOUBLE",  # where a straight line from start to target would be
            "projected": "DOUBLE",  # linear projection to the deadline, using data so far
            "status": "VARCHAR",
            "as_of": "DATE",
        },
        key=("goal_id", "period"),
    )
)

PLAN_LEFT_OUT = register_table(
    Table(
        "plan_left_out",
        {
            "as_of": "DATE NOT NULL",  # snapshot of the plan run
            "customer_id": "VARCHAR NOT NULL",
            "customer_name": "VARCHAR",
            "playbook": "VARCHAR NOT NULL",
            "value_tier": "VARCHAR",
            "region": "VARCHAR",
            "owner": "VARCHAR",
            "priority": "DOUBLE",
            "cost": "DOUBLE",  # yearly cost of the measures left out
            "reason": "VARCHAR NOT NULL",  # budget | capacity
            "detail": "VARCHAR",  # budget: the groups over (region.华东, tier.core)
        },
        key=("as_of", "customer_id", "playbook"),
        refers_to_customer=True,
    )
)

PLAN_ARMS = register_table(
    Table(
        "plan_arms",
        {
            "as_of": "DATE NOT NULL",  # snapshot of the plan run
            "customer_id": "VARCHAR NOT NULL",
            "playbook": "VARCHAR NOT NULL",  # the playbook the customer was eligible for
            "arm": "VARCHAR NOT NULL",  # treated | control (held out: no task from it)
            "share": "DOUBLE",  # the control share in force for the playbook
            "draw": "DOUBLE",  # the customer's uniform draw; control when draw < share
            "seed": "BIGINT",  # plan.control_seed of the draw
        },
        key=("as_of", "customer_id", "playbook"),
        refers_to_customer=True,
    )
)

PLAN_CAPACITY = register_table(
    Table(
        "plan_capacity",
        {
            "as_of": "DATE NOT NULL",  # snapshot of the plan run
            "owner": "VARCHAR NOT NULL",
            "period": "VARCHAR NOT NULL",  # the due dates' month or quarter
            "unit": "VARCHAR NOT NULL",  # tasks | hours
            "capacity": "DOUBLE",
            "open_load": "DOUBLE",  # open tasks due in the period
            "new_load": "DOUBLE",  # new tasks given to the rep
            "left_out": "INTEGER",  # new tasks of the rep's customers that fit nobody
            "left_out_load": "DOUBLE",
        },
        key=("as_of", "owner", "period"),
    )
)
