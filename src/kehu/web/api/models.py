"""The JSON API's response models: what each route returns, as /openapi.json shows it.

Rows read from the store (`Row` models) name the fields clients rely on and let the other
columns of the table through (`extra="allow"`), so a column added by a migration reaches
clients without a model change. Fixed shapes (`Fixed` models) allow nothing else.
"""

from __future__ import annotations

import datetime
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Row(BaseModel):
    """A row of a store table: the named fields, plus the table's other columns."""

    model_config = ConfigDict(extra="allow")


class Fixed(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---- system ---------------------------------------------------------------------------------
class Health(Fixed):
    status: str = Field(description="ok | error")
    ready: bool = Field(description="the dashboard caches are warm")
    version: str
    uptime_seconds: float
    snapshot_as_of: str | None


class ScopeInfo(Fixed):
    all: bool
    regions: list[str]
    owners: list[str]
    sees_pii: bool


class UserOut(Fixed):
    user: str
    role: str
    region: str | None = None
    display_name: str | None = None
    active: bool
    last_login_at: str | None = None


class Me(UserOut):
    via: str = Field(description="session | token")
    scope: ScopeInfo


class TokenOut(Row):
    token_id: str
    user: str
    name: str | None = None
    token: str | None = Field(None, description="the secret; shown once, when created")


class AuditEvent(Fixed):
    event_id: str
    at: str
    user: str | None
    action: str
    target: str | None
    detail: dict[str, Any]
    ip: str | None


# ---- customers --------------------------------------------------------------------------------
class Customer(Row):
    """A customer record (phones and e-mails masked unless the role may see them)."""

    customer_id: str
    name: str | None = None
    region: str | None = None
    owner: str | None = None
    phone: str | None = None
    email: str | None = None


class CustomerListItem(Customer):
    """A customer with its latest snapshot's scores."""

    as_of: date | None = None
    rfm_type: str | None = None
    value_tier: str | None = None
    value_score: float | None = None
    lifecycle: str | None = None
    spend_12m: float | None = None
    churn_risk: float | None = None
    predicted_clv: float | None = None


class CustomerPage(Fixed):
    total: int
    page: int
    page_size: int
    pages: int
    sort: str
    order: str
    items: list[CustomerListItem]


class FilterOptions(Fixed):
    region: list[str]
    owner: list[str]
    industry_name: list[str]
    customer_type: list[str]
    province: list[str]
    industry: list[str] = Field(description="industry section letters (GB/T 4754)")
    size: list[str] = Field(description="company size bands: micro, small, medium, large, ...")


class ScoreLine(Fixed):
    """One headline score: its value, the customer's numbers, the rule in force."""

    code: str
    label: str
    text: str
    rule: str


class TimelineEvent(Fixed):
    kind: str = Field(description="order | interaction | ticket | survey")
    at: str | None
    ref: str
    title: str
    amount: float | None
    status: str | None
    detail: str | None


class MonthSpend(Fixed):
    month: str
    amount: float | None
    orders: int


class Story(Row):
    """One story per customer (analytics/coherence.py): a label and the notes behind it."""

    label: str | None
    notes: list[dict[str, Any]]


class Strategy(Fixed):
    playbook: str
    name: str
    direction: str
    cadence: str | None
    standard_service: bool
    actions: list[str]
    tier_direction: str | None


class Needs(Fixed):
    pain_points: list[dict[str, Any]]
    needs: list[dict[str, Any]]
    opportunities: list[dict[str, Any]]


class Customer360(Fixed):
    """The customer as of its latest snapshot day (nothing dated later)."""

    customer: Customer
    as_of: date | None
    snapshot: dict[str, Any] = Field(description="the snapshot row (empty before analysis)")
    churn_reasons: list[dict[str, Any]]
    explanations: list[ScoreLine]
    story: Story | None
    history: list[dict[str, Any]] = Field(description="up to 12 snapshots, oldest first")
    timeline: list[TimelineEvent]
    monthly_spend: list[MonthSpend]
    contacts: list[dict[str, Any]]
    opportunities: list[dict[str, Any]]
    tasks: list[Task]
    alerts: list[Alert]
    strategy: Strategy | None
    clv_band: dict[str, Any] | None
    needs: Needs


# ---- snapshot ---------------------------------------------------------------------------------
class Totals(Row):
    customers: int
    analysed: int | None = None
    spend_12m: float | None = None
    high_churn_risk: int | None = None
    as_of: date | None = None


class Summary(Fixed):
    totals: Totals
    dimensions: dict[str, list[dict[str, Any]]] = Field(
        description="per dimension (rfm_type, value_tier, ...): code, label, count"
    )


class ParetoPoint(Fixed):
    pct: float
    share: float | None


class Pareto(Row):
    revenue: list[ParetoPoint]
    profit: list[ParetoPoint]
    top20_revenue_share: float | None = None
    negative_profit_customers: int | None = None


class WatchItem(Row):
    customer_id: str
    name: str | None = None
    churn_risk: float | None = None
    reasons: list[str]


class FlowLink(Row):
    source: str = Field(alias="from")
    to: str
    customers: int


class Flows(Row):
    source: str | None = Field(None, alias="from")
    to: str | None = None
    dimension: str
    dates: list[date]
    links: list[FlowLink]


# ---- KPIs, alerts, planning -----------------------------------------------------------------
class KpiRow(Row):
    kpi: str
    period: str
    group: str | None = None
    value: float | None = None
    previous: float | None = None
    change: float | None = None


class KpiCard(Row):
    code: str
    label: str
    value: float | None = None
    text: str | None = None
    period: str | None = None


class Alert(Row):
    alert_id: int
    rule: str
    severity: str | None = None
    status: str
    customer_id: str | None = None
    title_zh: str | None = None
    title_en: str | None = None


class Task(Row):
    task_id: int
    customer_id: str
    status: str
    owner: str | None = None
    priority_band: str | None = None
    due_date: date | None = None
    actions: list[Any]
    reason: dict[str, Any]


class Goal(Row):
    goal_id: str
    metric: str
    target: float | None = None


class TargetRow(Row):
    period: str | None = None
    target: float | None = None


class PlanRun(Row):
    created: int | None = None


# ---- imports, push, reports, quality, backtest -----------------------------------------------
class ImportSummary(Row):
    """An import run (also a dry run): counts, the columns found, the rejects."""

    read: int
    loaded: int
    rejected: int
    rejects: list[dict[str, Any]]
    rejects_total: int | None = None


class ImportCommit(Row):
    upload_id: str
    file: str
    kind: str
    result: ImportSummary


class ImportPreview(ImportCommit):
    source: str | None
    mapping: dict[str, str | None]
    targets: list[str]
    error: dict[str, str] | None


class ImportLogRow(Row):
    import_id: str | None = None


class Report(Fixed):
    report_id: str
    file: str
    period: str | None
    format: str
    bytes: int
    created_at: str
    by: str | None


class Quality(Row):
    """The data-quality report of the caller's customers (completeness, validity, ...)."""


class DuplicatePair(Row):
    id_l: str
    id_r: str
    probability: float | None = None


class MergeOut(Row):
    merge_id: str | None = None


class RejectOut(Row):
    pass


class Backtest(Row):
    """Every figure of one backtest run, next to its baselines."""


class BacktestRun(Row):
    run_at: str | None = None


Customer360.model_rebuild()


# ---- competitors, market, key-account plans --------------------------------------------------
class CompetitorOut(Row):
    competitor_id: str
    name: str | None = Field(description="as stored (may be empty)")
    customers: int = Field(description="customers it supplies or is mentioned at")
    revenue_at_stake: float
    pipeline_at_stake: float
    won: int
    lost: int
    win_rate: float | None = Field(description="our wins over closed deals it bid on")


class CompetitorCustomer(Row):
    customer_id: str
    name: str | None = None
    incumbent_supplier: str | None = None
    share_of_wallet: float | None = Field(None, description="our share, 0-1")


class CompetitorMention(Row):
    competitor_id: str
    customer_id: str
    source: str = Field(description="interaction | ticket | survey")
    date: datetime.date | None = None  # named like the data; the type spelled in full
    text: str


class Competitors(Fixed):
    as_of: date | None
    competitors: list[CompetitorOut]
    customers: list[CompetitorCustomer]
    mentions: list[CompetitorMention]


class MarketSegment(Row):
    key: str | None
    label: str
    customers: int
    revenue: float
    growth: float | None
    share: float | None


class MarketCell(Row):
    """One region × industry cell of the imported market potential."""


class Market(Fixed):
    as_of: date | None
    customers: int
    revenue: float
    segments: dict[str, list[MarketSegment]] = Field(description="section, division, region, size")
    market_year: int | None
    cells: list[MarketCell]
    white_space: list[MarketCell]


class KeyAccount(Row):
    customer_id: str
    name: str | None = None
    value_tier: str | None = None
    plan_status: str | None = Field(None, description="draft | agreed | none saved")


class KeyAccounts(Fixed):
    as_of: date | None
    year: int
    accounts: list[KeyAccount]


class AccountPlan(Row):
    as_of: date | None
    year: int
    customer: dict[str, Any]
    facts: dict[str, Any]
    goals: dict[str, Any]
    decision_chain: list[dict[str, Any]]
    team: list[dict[str, Any]]
    opportunities: list[dict[str, Any]]
    risks: list[dict[str, Any]]
    actions: list[dict[str, Any]]
    status: str | None
    saved: bool


# ---- forecast -------------------------------------------------------------------------------
class ForecastUnit(Fixed):
    """The forecast of the company (name ""), a region or a rep."""

    name: str
    closed: float = Field(description="won in the period so far")
    open_deals: int
    pipeline: float = Field(description="amount of the open deals")
    forecast: float = Field(description="closed + Σ P(won by the period end) × amount")
    low: float
    high: float
    stage_weighted: float = Field(description="closed + Σ stage win rate × amount")
    target: float | None
    sales: float = Field(description="the period's orders so far (what targets count)")


class ForecastDeal(Fixed):
    deal: str
    customer_id: str
    customer_name: str
    owner: str
    region: str
    stage: str | None
    days_in_stage: int | None
    amount: float
    p: float = Field(description="calibrated P(won by the period end)")
    p_stage: float = Field(description="the stage's past win rate")
    reasons: list[dict[str, Any]] = Field(description="feature, effect (up | down), zh, en")


class Forecast(Row):
    """The newest `kehu forecast` run (within the caller's scope when `scoped`)."""

    as_of: date
    period: str
    period_end: date
    grain: str
    interval: float
    total: ForecastUnit
    region: list[ForecastUnit]
    owner: list[ForecastUnit]
    deals: list[ForecastDeal]
    trained_on: int
    stage_history: bool
    backtest: dict[str, Any] | None = Field(description="AUC, Brier, reliability, errors")
    run_at: str
    scoped: bool = False


# ---- plan economics, scorecards -------------------------------------------------------------
class BudgetGroup(Fixed):
    group: str = Field(description="playbook | tier | region")
    key: str
    name: str = Field(description="the key for people: a playbook's or tier's name, a region")
    budget: float = Field(description="yuan a year")
    committed: float = Field(description="yearly cost of the group's open tasks")
    left: float
    used_share: float | None


class LeftOut(Row):
    customer_id: str
    playbook: str
    reason: str = Field(description="budget | capacity")
    detail: str | None = None
    cost: float | None = None


class Milestone(Fixed):
    goal_id: int
    level: str = Field(description="quarter | month")
    period: str
    start: date
    end: date
    expected: float | None = Field(description="where the goal's straight line stands at the end")
    actual: float | None
    unit: str
    status: str = Field(description="met | missed | current | planned | no_data")


class GoalMilestones(Row):
    goal_id: int
    metric: str
    milestones: list[Milestone]


class CapacityRow(Fixed):
    owner: str
    period: str
    unit: str = Field(description="tasks | hours")
    capacity: float | None
    open_load: float
    new_load: float
    left_out: int
    left_out_load: float


class Economics(Fixed):
    budget: list[BudgetGroup]
    left_out: list[LeftOut]
    capacity: list[CapacityRow]
    goals: list[GoalMilestones]
    timeline: dict[str, Any] | None = Field(description="the ECharts option of the timeline")


class ScoreCard(Fixed):
    kind: str = Field(description="rep | team")
    unit: str
    region: str | None
    values: dict[str, float | None] = Field(description="money in yuan, rates as fractions")
    points: dict[str, float | None] = Field(description="metric -> 0..100 (None: no data)")
    score: float | None
    previous_score: float | None
    trend: float | None
    rank: int | None
    ranked: int
    counted: list[str]


class Scorecards(Fixed):
    period: str
    previous: str
    start: date
    end: date
    partial: bool
    weights: dict[str, float]
    rubric: dict[str, dict[str, float]]
    reps: list[ScoreCard]
    teams: list[ScoreCard]


# ---- playbook effect ------------------------------------------------------------------------
class EffectEstimate(Fixed):
    """Treated minus control of one outcome (low/high None: not enough data)."""

    kind: str = Field(description="rate (churn) | mean (revenue, NPS)")
    n_treated: int
    n_control: int = Field(description="control customers, or distinct matched neighbours")
    treated: float | None
    control: float | None
    diff: float | None
    low: float | None
    high: float | None
    enough: bool = Field(description="both groups reach effect.min_n")
    excludes_zero: bool


class EffectPlaybook(Fixed):
    playbook: str
    name: str = Field(description="the playbook's name in the caller's language")
    evidence: str = Field(description="randomised | matched (weaker evidence)")
    eligible: int
    held_out: int
    estimates: dict[str, EffectEstimate] = Field(description="churn | revenue | nps")
    verdicts: dict[str, str] = Field(description="per outcome, in the caller's language")


class PlaybookEffect(Fixed):
    """Treated vs control per playbook of one past plan, within the caller's scope."""

    plan_date: date | None
    outcome_date: date | None
    outcome_snapshot: date | None = Field(description="the snapshot churn is read from")
    measurable: bool
    window_days: int
    min_n: int
    confidence: float
    plans: list[date]
    playbooks: list[EffectPlaybook]
