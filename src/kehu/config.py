"""Workspace configuration: every seed number is a documented default here, never a constant.

`kehu.toml` is validated with pydantic; a bad file raises `ConfigError` naming the key and the
fix. Each section is a small model; the defaults come from the seed documents (see DOMAIN.md).
"""

from __future__ import annotations

import difflib
import tomllib
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal, get_args, get_origin

import tomli_w
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import ErrorDetails

from kehu import datafiles
from kehu.errors import ConfigError

Lang = Literal["zh", "en"]


class Section(BaseModel):
    """Base for config sections: unknown keys are errors (typos must not pass silently)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class WorkspaceSettings(Section):
    name: str = "kehu"
    lang: Lang = "zh"
    currency: str = "CNY"
    timezone: str = "Asia/Shanghai"
    default_source: str = "crm"


class IngestSettings(Section):
    watch_dir: str = "inbox"
    rejects_dir: str = "rejects"
    encoding: str | None = None  # None = BOM sniff -> strict UTF-8 -> GB18030
    phone_region: str = "CN"
    chunk_rows: int = Field(200_000, gt=0)
    batch_rows: int = Field(250_000, gt=0)  # rows cleaned, checked and loaded at a time
    header_scan_rows: int = Field(10, ge=1, le=200)  # rows searched for the header row
    max_field_chars: int = Field(1 << 20, ge=1)  # a longer cell rejects its row (1 MiB chars)
    # Dates outside [min_year-01-01, max_year-12-31] are rejected as implausible.
    min_year: int = Field(1900, ge=1)
    max_year: int = Field(2100, le=9999)
    day_first: bool | None = None  # None: 05/03/2024 is ambiguous and rejected
    # CSV: a 5-digit number in a date column is an Excel serial if within these bounds
    # (18264 = 1950-01-01, 73050 = 2099-12-31). XLSX cells are always read as serials.
    csv_excel_serials: bool = True
    excel_serial_min: int = Field(18264, ge=1)
    excel_serial_max: int = Field(73050, le=2958465)
    null_markers: list[str] = Field(
        default_factory=lambda: [
            "-",
            "--",
            "---",
            "—",
            "——",
            "/",
            "\\",
            "n/a",
            "na",
            "#n/a",
            "null",
            "none",
            "nan",
            "nil",
            "无",
            "空",
            "暂无",
            "未知",
            "不详",
            "#value!",
            "#ref!",
        ]  # fmt: skip
    )


class RfmLevel(Section):
    """One score level: R applies when recency_days <= bound; F and M when value >= bound."""

    score: int = Field(ge=1, le=5)
    bound: float


class RfmSettings(Section):
    mode: Literal["thresholds", "quantiles"] = "thresholds"
    window_days: int = Field(365, gt=0)
    merge_same_day: bool = True
    # R: days since last purchase; a level applies when recency_days <= bound.
    recency: list[RfmLevel] = Field(
        default_factory=lambda: [RfmLevel(score=5, bound=30), RfmLevel(score=3, bound=90)]
    )
    recency_else: int = Field(1, ge=1, le=5)
    # F: purchases in the window; a level applies when orders_12m >= bound.
    frequency: list[RfmLevel] = Field(
        default_factory=lambda: [RfmLevel(score=5, bound=10), RfmLevel(score=3, bound=5)]
    )
    frequency_else: int = Field(1, ge=1, le=5)
    # M: spend in the window (yuan); a level applies when spend_12m >= bound.
    monetary: list[RfmLevel] = Field(
        default_factory=lambda: [
            RfmLevel(score=5, bound=500_000),
            RfmLevel(score=3, bound=200_000),
        ]
    )
    monetary_else: int = Field(1, ge=1, le=5)
    quantiles: int = Field(5, ge=2, le=10)
    # Score >= high counts as "high", >= mid as "mid", else "low" (for the five types).
    high: int = Field(4, ge=1, le=5)
    mid: int = Field(2, ge=1, le=5)

    @model_validator(mode="after")
    def _levels_ordered(self) -> RfmSettings:
        checks = (
            ("recency", self.recency, self.recency_else, True),
            ("frequency", self.frequency, self.frequency_else, False),
            ("monetary", self.monetary, self.monetary_else, False),
        )
        for name, levels, other, smaller_is_better in checks:
            if len(levels) > 4:
                raise ValueError(f"rfm.{name}: at most 4 levels (plus rfm.{name}_else)")
            ranked = sorted(levels, key=lambda lv: -lv.score)
            scores = [lv.score for lv in ranked]
            if len(set(scores)) != len(scores) or any(s <= other for s in scores):
                raise ValueError(
                    f"rfm.{name}: level scores must differ and exceed rfm.{name}_else ({other})"
                )
            bounds = [lv.bound for lv in ranked]
            pairs = list(zip(bounds, bounds[1:], strict=False))
            ok = all(a < b for a, b in pairs) if smaller_is_better else all(a > b for a, b in pairs)
            if not ok:
                order = "grow" if smaller_is_better else "shrink"
                raise ValueError(f"rfm.{name}: bounds must {order} as the score goes down")
        if self.mid >= self.high:
            raise ValueError("rfm.mid must be lower than rfm.high")
        return self


class ValueWeights(Section):
    contribution: float = Field(0.40, ge=0)
    growth: float = Field(0.30, ge=0)
    stability: float = Field(0.20, ge=0)
    strategic: float = Field(0.10, ge=0)

    @model_validator(mode="after")
    def _sum_to_one(self) -> ValueWeights:
        total = self.contribution + self.growth + self.stability + self.strategic
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"value.weights must sum to 1.0 (got {total:.4f})")
        return self


class ValueIndicatorWeights(Section):
    """Weights of the indicators inside each dimension (renormalised over those with data)."""

    # contribution (当前价值贡献)
    sales_share: float = Field(0.50, ge=0)
    margin: float = Field(0.25, ge=0)
    collection: float = Field(0.25, ge=0)
    # growth (成长潜力)
    spend_trend: float = Field(0.45, ge=0)
    pipeline: float = Field(0.10, ge=0)
    budget_growth: float = Field(0.25, ge=0)
    industry_growth: float = Field(0.10, ge=0)
    company_size: float = Field(0.10, ge=0)
    # stability (合作稳定性)
    tenure: float = Field(0.40, ge=0)
    regularity: float = Field(0.30, ge=0)
    complaints: float = Field(0.30, ge=0)
    # strategic (战略意义)
    benchmark: float = Field(0.40, ge=0)
    reference: float = Field(0.30, ge=0)
    industry_position: float = Field(0.30, ge=0)


Breakpoints = list[tuple[float, float]]


class ValueRubric(Section):
    """Absolute 0-100 rubrics: (input, points) breakpoints, linear in between, flat outside.

    Inputs are ratios, so the rubric means the same in every company (docs/analytics.md).
    """

    # share of 12-month revenue from customers that spend more (Pareto position; 0 = the top)
    sales_share: Breakpoints = Field(
        default_factory=lambda: [(0.0, 100.0), (0.5, 95.0), (0.8, 80.0), (0.95, 50.0), (1.0, 10.0)]
    )
    # the customer's margin rate / the workspace's margin rate
    margin: Breakpoints = Field(
        default_factory=lambda: [(0.0, 0.0), (0.5, 50.0), (0.9, 85.0), (1.1, 100.0)]
    )
    # 回款率: paid / due over the window's due orders
    collection: Breakpoints = Field(
        default_factory=lambda: [(0.5, 0.0), (0.8, 50.0), (0.95, 90.0), (1.0, 100.0)]
    )
    # year-on-year spend growth (spend_12m / spend_prev_12m - 1); no previous year = the top
    spend_trend: Breakpoints = Field(
        default_factory=lambda: [(-0.5, 0.0), (-0.2, 30.0), (0.0, 60.0), (0.1, 85.0), (0.2, 100.0)]
    )
    # open pipeline / spend_12m (no spend but a pipeline = the top)
    pipeline: Breakpoints = Field(
        default_factory=lambda: [(0.0, 0.0), (0.1, 40.0), (0.3, 70.0), (0.6, 100.0)]
    )
    # coefficient of variation of the gaps between purchase days (1 = as random as Poisson)
    regularity: Breakpoints = Field(
        default_factory=lambda: [(0.3, 100.0), (0.6, 85.0), (1.0, 70.0), (1.5, 40.0), (2.5, 0.0)]
    )
    # complaints per order over 12 months
    complaints: Breakpoints = Field(
        default_factory=lambda: [(0.0, 100.0), (0.1, 70.0), (0.3, 30.0), (0.5, 0.0)]
    )

    @model_validator(mode="after")
    def _ordered(self) -> ValueRubric:
        for name in type(self).model_fields:
            points = getattr(self, name)
            xs = [x for x, _ in points]
            if len(points) < 2 or any(a >= b for a, b in zip(xs, xs[1:], strict=False)):
                raise ValueError(f"value.rubric.{name}: 2+ breakpoints with growing inputs")
            if any(not 0.0 <= y <= 100.0 for _, y in points):
                raise ValueError(f"value.rubric.{name}: points must be within 0-100")
        return self


def _default_position_scores() -> dict[str, float]:
    return {
        "leader": 100,
        "龙头": 100,
        "领先": 100,
        "major": 60,
        "骨干": 60,
        "主要": 60,
        "follower": 20,
        "跟随": 20,
        "一般": 20,
    }


class ValueSettings(Section):
    weights: ValueWeights = Field(default_factory=ValueWeights)
    indicators: ValueIndicatorWeights = Field(default_factory=ValueIndicatorWeights)
    rubric: ValueRubric = Field(default_factory=ValueRubric)
    # Tier cut-offs on the 0-100 score: strategic >= 90, core >= 70, potential >= 50.
    tier_strategic: float = 90.0
    tier_core: float = 70.0
    tier_potential: float = 50.0
    tenure_full_years: float = Field(5.0, gt=0)  # years of cooperation worth 100 points
    growth_full: float = Field(0.10, gt=0)  # budget/industry growth of +x -> 100, -x -> 0
    collection_grace_days: int = Field(30, ge=0)  # an order without due_date is due after this
    complaint_categories: list[str] = Field(
        default_factory=lambda: ["投诉", "complaint", "complaints"]
    )
    industry_position_scores: dict[str, float] = Field(default_factory=_default_position_scores)
    industry_growth: dict[str, float] = Field(default_factory=dict)  # industry_code -> growth

    @model_validator(mode="after")
    def _tiers_ordered(self) -> ValueSettings:
        if not (self.tier_strategic > self.tier_core > self.tier_potential):
            raise ValueError("value tiers must satisfy tier_strategic > tier_core > tier_potential")
        return self


class AbcSettings(Section):
    a_share: float = Field(0.70, gt=0, lt=1)
    b_share: float = Field(0.90, gt=0, lt=1)
    pareto_top: float = Field(0.20, gt=0, lt=1)  # "the top x% of customers give y% ..."

    @model_validator(mode="after")
    def _shares_ordered(self) -> AbcSettings:
        if self.a_share >= self.b_share:
            raise ValueError("abc.a_share must be lower than abc.b_share")
        return self


class LifecycleSettings(Section):
    loyal_min_orders: int = Field(5, ge=2)
    loyal_min_years: float = Field(1.0, ge=0)
    at_risk_gap_factor: float = Field(2.0, gt=1)
    lost_days: int = Field(365, gt=0)
    # no order for this many days: 永远流失 (lost for good, no win-back campaign)
    forever_days: int = Field(730, gt=0)
    # never ordered, no open opportunity, first record this long ago: 非客户 (non-customer)
    non_customer_days: int = Field(365, gt=0)

    @model_validator(mode="after")
    def _forever_after_lost(self) -> LifecycleSettings:
        if self.forever_days <= self.lost_days:
            raise ValueError("lifecycle.forever_days must be greater than lifecycle.lost_days")
        return self


class ClassesSettings(Section):
    """The seeds' other classifications (docs/analytics.md, "Classes"): CLV × profit matrix,
    key customers, relationship phase."""

    # buyers ranked by predicted CLV / by 12-month profit contribution: the top share is "high"
    clv_top_share: float = Field(0.30, gt=0, lt=1)
    profit_top_share: float = Field(0.30, gt=0, lt=1)
    # influence (重点客户): benchmark or reference flag, one of these industry positions, or an
    # industry code starting with one of these (GB/T 4754 section letter or division digits)
    strategic_positions: list[str] = Field(default_factory=lambda: ["leader"])
    strategic_industries: list[str] = Field(default_factory=list)
    # relationship phase: 12-month spend vs the 12 months before, as a fraction
    phase_growth: float = Field(0.25, ge=0)  # up by at least this: 成长期
    phase_decline: float = Field(0.25, ge=0, lt=1)  # down by at least this: 挽留期
    # service load (cost to serve) rising: at least this many more tickets than the year before
    phase_ticket_rise: int = Field(2, ge=1)


class ConversionSettings(Section):
    """Success rates per class (seed 003: 6% / 15% / 50%), re-estimated from the workspace's
    own orders when each class had at least `min_customers` customers a horizon ago
    (kehu.analytics.conversion)."""

    prospect: float = Field(0.06, ge=0, le=1)  # prospect / target → a first order
    first_purchase: float = Field(0.15, ge=0, le=1)  # one purchase day → another
    repeat: float = Field(0.50, ge=0, le=1)  # repeat / loyal → another order
    horizon_days: int = Field(365, gt=0)
    min_customers: int = Field(30, ge=1)
    confidence: float = Field(0.95, gt=0, lt=1)  # of the Wilson interval
    estimate: bool = True  # false: always the configured rates


class ClvSettings(Section):
    """CLV models (docs/clv_churn.md): purchase model + Gamma-Gamma spend, discounted margin."""

    # "auto": BG/NBD or Pareto/NBD, whichever predicts the last `auto_holdout` time units of
    # the workspace's own purchases better (kehu.analytics.clv.choose)
    model: Literal["auto", "bgnbd", "paretonbd"] = "bgnbd"
    auto_holdout: float = Field(26, gt=0)  # in time units
    margin: float = Field(0.30, ge=0, le=1)  # gross margin when orders carry no cost
    use_observed_margin: bool = True  # customer's own (amount - cost) / amount when cost known
    discount_rate: float = Field(0.10, ge=0)  # annual; applied in monthly steps
    horizon: float = Field(52, gt=0)  # in time units
    time_unit: Literal["day", "week", "month"] = "week"
    calibration_end: date | None = None  # fit the models on orders up to this day only
    min_repeat_customers: int = Field(10, ge=3)  # fewer customers with x > 0: no model fit


class ChurnRuleWeights(Section):
    """Risk weight of each warning rule; rules risk = 1 − Π(1 − weight) over the rules hit."""

    order_gap: float = Field(0.6, ge=0, le=1)
    single_order_gap: float = Field(0.4, ge=0, le=1)
    order_drop: float = Field(0.4, ge=0, le=1)
    interaction_drop: float = Field(0.2, ge=0, le=1)
    complaints_rising: float = Field(0.35, ge=0, le=1)
    nps_detractor: float = Field(0.3, ge=0, le=1)
    payment_overdue: float = Field(0.3, ge=0, le=1)


class ChurnSettings(Section):
    """Churn warning (docs/clv_churn.md): the seed's rules + a LightGBM model on own history."""

    horizon_days: int = Field(90, gt=0)  # churned = no order within this many days
    period_days: int = Field(90, gt=0)  # "current" vs "previous" period of the activity rules
    gap_factor: float = Field(2.0, gt=1)  # gap > factor × the customer's mean order interval
    gap_min_days: int = Field(30, ge=0)  # gaps shorter than this never warn
    activity_drop: float = Field(0.5, gt=0, lt=1)  # current <= previous × (1 − drop)
    activity_min_previous: int = Field(2, ge=1)  # previous-period count needed to judge a drop
    complaint_rise: int = Field(2, ge=1)  # complaints now >= this and more than before
    complaint_categories: list[str] = Field(default_factory=lambda: ["投诉", "complaint"])
    detractor_max: int = Field(6, ge=0, le=10)  # NPS <= this is a detractor
    nps_lookback_days: int = Field(365, gt=0)  # only surveys this recent count
    overdue_days: int = Field(30, ge=0)  # unpaid more than this many days past due_date
    rule_weights: ChurnRuleWeights = Field(default_factory=ChurnRuleWeights)
    model: Literal["auto", "rules"] = "auto"
    min_history_days: int = Field(365, gt=0)  # less order history: rules only
    train_dates: int = Field(6, ge=3)  # past as-of dates the model learns from (at most)
    train_step_days: int = Field(60, gt=0)  # spacing of those dates
    active_days: int = Field(365, gt=0)  # training population: ordered within this many days
    min_positives: int = Field(30, ge=5)  # churners needed in the training dates
    max_train_rows: int = Field(100_000, ge=1000)  # larger histories are sampled (seeded)
    train_customers: int = Field(60_000, ge=100)  # training dates use a sample this large
    max_explained: int = Field(20_000, ge=0)  # SHAP reasons for at most this many (top risk)
    max_reasons: int = Field(5, ge=1)
    reason_min_risk: float = Field(0.3, ge=0, le=1)  # model reasons only above this risk
    reason_min_contribution: float = Field(0.05, ge=0)  # SHAP (log-odds) a model reason needs


def _default_field_rules() -> dict[str, Literal["first", "min", "max", "union"]]:
    return {
        "cooperation_start": "min",
        "tags": "union",
        "is_benchmark": "max",
        "is_reference": "max",
    }


class DedupeSettings(Section):
    """`kehu dedupe` (docs/dedupe.md): thresholds, survivorship, Splink training knobs."""

    auto_merge: float = Field(0.99, gt=0, le=1)  # clusters at or above merge automatically
    review: float = Field(0.80, gt=0, le=1)  # pairs at or above (and below auto_merge): review
    survivorship: Literal["most_recent", "most_complete", "source_priority"] = "most_recent"
    source_priority: list[str] = Field(default_factory=lambda: ["crm", "erp", "finance", "service"])
    # Per-field override of "first non-empty value in survivorship order".
    field_rules: dict[str, Literal["first", "min", "max", "union"]] = Field(
        default_factory=_default_field_rules
    )
    max_cluster_size: int = Field(20, ge=2)  # larger automatic clusters go to review instead
    min_train_records: int = Field(1000, ge=10)  # fewer records: the documented priors are used
    prior_duplicate_share: float = Field(0.05, gt=0, lt=1)  # prior λ = duplicates / pairs
    deterministic_recall: float = Field(0.8, gt=0, le=1)  # for the λ estimate
    u_sample_pairs: int = Field(5_000_000, ge=1000)  # random pairs for the u estimate
    min_training_pairs: int = Field(50, ge=1)  # an EM session with fewer pairs is skipped
    em_prior_pairs: float = Field(20.0, ge=0)  # weight of the prior m values in EM (pairs)
    count_candidates: bool = True  # report the number of candidate pairs (costs a pass)
    memory_limit: str | None = None  # DuckDB memory limit for Splink's work, e.g. "6GB"
    min_labels: int = Field(20, ge=1)  # reviewed pairs needed before m is learned from them
    label_prior_pairs: float = Field(20.0, ge=0)  # weight of the unlabelled m against labels

    @model_validator(mode="after")
    def _thresholds_ordered(self) -> DedupeSettings:
        if self.review > self.auto_merge:
            raise ValueError("dedupe.review must not exceed dedupe.auto_merge")
        return self


class QualitySettings(Section):
    """`kehu quality` (docs/dedupe.md): when a finding is raised and how serious it is."""

    stale_days: int = Field(365, gt=0)  # no update and no activity for this long: stale
    completeness_warn: float = Field(0.8, ge=0, le=1)  # key field filled below this: warning
    completeness_error: float = Field(0.5, ge=0, le=1)  # key field filled below this: error
    min_year: int = Field(1900, ge=1000)  # dates before this year are invalid
    examples: int = Field(5, ge=0, le=50)  # example ids listed per finding
    target_tolerance: float = Field(0.001, ge=0)  # target levels may differ by this share
    key_fields: dict[str, list[str]] = Field(
        default_factory=lambda: {
            "customers": [
                "name",
                "customer_type",
                "industry_code",
                "province",
                "city",
                "phone",
                "owner",
            ],
            "orders": ["customer_id", "order_date", "amount", "cost", "product_category"],
            "contacts": ["name", "phone"],
            "tickets": ["category", "first_response_at"],
        }
    )


class WebSettings(Section):
    """`kehu serve`: sessions, row-level access, PII masking, caches (see docs/web.md)."""

    host: str = "127.0.0.1"
    port: int = Field(8000, gt=0, lt=65536)
    pii_roles: list[Literal["admin", "manager", "rep", "viewer"]] = ["admin", "manager"]  # see PII
    rep_aliases: dict[str, list[str]] = Field(default_factory=dict)  # user -> owner names
    session_hours: float = Field(12.0, gt=0)
    password_min_length: int = Field(8, ge=4)
    secure_cookies: Literal["auto", "always", "never"] = "auto"  # auto = Secure on https
    login_max_failures: int = Field(5, ge=1)  # free failures per (name, client address)
    login_backoff_seconds: float = Field(2.0, gt=0)  # first wait after them; doubles
    login_lockout_minutes: float = Field(15.0, gt=0)  # the longest wait (back-off cap)
    page_size: int = Field(50, ge=5, le=500)
    max_page_size: int = Field(500, ge=10)
    export_max_rows: int = Field(200_000, gt=0)
    cache_seconds: float = Field(3600.0, ge=0)  # result cache lifetime; writes invalidate it
    upload_max_mb: int = Field(200, gt=0)
    push_max_records: int = Field(10_000, gt=0)
    watchlist_size: int = Field(10, ge=1)


Severity = Literal["info", "low", "medium", "high", "critical"]
ChannelType = Literal["email", "webhook", "wecom", "dingtalk", "feishu", "slack", "sms"]
SmsProvider = Literal["aliyun", "tencent"]
# what an SMS template's variables may carry (an approved template cannot hold free text)
SmsParam = Literal["count", "top", "title", "owner", "severity"]
SMS_PARAMS: tuple[SmsParam, ...] = ("count", "top")  # the default template variables


class AlertRule(Section):
    """One alert rule (`[[alerts.rules]]`); see docs/monitoring.md for every op."""

    name: str = Field(min_length=1)
    kind: Literal["threshold", "change", "event"] = "threshold"
    table: str = "customer_snapshot"
    field: str = Field(min_length=1)
    op: Literal[
        ">",
        ">=",
        "<",
        "<=",
        "==",
        "!=",
        "in",
        "not_in",
        "pct_drop",
        "pct_rise",
        "transition",
        "changed",
    ] = ">"
    value: float | str | list[str] | list[float] | None = None
    from_values: list[str] = Field(default_factory=list)  # change rules with op "transition"
    to_values: list[str] = Field(default_factory=list)
    scope: dict[str, list[str] | list[float] | str | float | bool] = Field(default_factory=dict)
    severity: Severity = "medium"
    channels: list[str] = Field(default_factory=list)  # empty = alerts.default_channels
    within_days: int | None = Field(None, gt=0)  # event rules; None = alerts.event_lookback_days
    title_zh: str = ""
    title_en: str = ""
    enabled: bool = True

    @model_validator(mode="after")
    def _check_op(self) -> AlertRule:
        change_ops = {"pct_drop", "pct_rise", "transition", "changed"}
        if self.kind == "change" and self.op not in change_ops:
            raise ValueError(f"alert rule {self.name!r}: change rules use op {sorted(change_ops)}")
        if self.kind != "change" and self.op in change_ops:
            raise ValueError(f"alert rule {self.name!r}: op {self.op!r} needs kind = 'change'")
        if self.op == "transition" and not (self.from_values and self.to_values):
            raise ValueError(f"alert rule {self.name!r}: 'transition' needs from_values, to_values")
        if self.op not in {"transition", "changed"} and self.value is None:
            raise ValueError(f"alert rule {self.name!r}: op {self.op!r} needs a value")
        return self


def _default_alert_rules() -> list[AlertRule]:
    """The rules a new workspace starts with: data, `kehu/data/alert_rules.toml`."""
    return [
        AlertRule.model_validate(rule) for rule in datafiles.read_toml("alert_rules.toml")["rule"]
    ]


class AlertSettings(Section):
    """`kehu alerts`: rules, event window, digest size."""

    enabled: bool = True
    event_lookback_days: int = Field(30, gt=0)  # event rules look at rows this recent
    default_channels: list[str] = Field(default_factory=list)  # empty = every channel
    digest_max_items: int = Field(50, ge=1)  # alerts listed in one message; the rest summed up
    rules: list[AlertRule] = Field(default_factory=_default_alert_rules)

    @model_validator(mode="after")
    def _unique_names(self) -> AlertSettings:
        names = [r.name for r in self.rules]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"alerts.rules: duplicate rule names {dupes}")
        return self


class ChannelSettings(Section):
    """One notification channel (`[notify.channels.NAME]`)."""

    type: ChannelType
    enabled: bool = True
    url: str | None = None
    url_env: str | None = None  # read the URL from this env var (robot keys live in URLs)
    secret: str | None = None  # signing secret (dingtalk, feishu, webhook HMAC); never logged
    secret_env: str | None = None
    recipients: list[str] = Field(default_factory=list)  # email addresses / extra mobiles
    send_to_owner: bool = True  # email the owner / @-mention the owner's mobile
    owners: list[str] = Field(default_factory=list)  # only these owners' digests; empty = all
    min_severity: Severity = "info"
    lang: Lang | None = None  # message language; None = workspace.lang
    timeout_seconds: float = Field(10.0, gt=0)
    smtp_host: str = "localhost"
    smtp_port: int = Field(25, gt=0, lt=65536)
    smtp_security: Literal["none", "starttls", "ssl"] = "none"
    username: str | None = None
    password_env: str | None = None
    sender: str = "kehu@localhost"
    provider: SmsProvider | None = None  # sms: whose SMS API (url defaults to its endpoint)
    key_id_env: str | None = None  # sms: env var with the AccessKeyId / SecretId
    sign_name: str | None = None  # sms: the approved 短信签名
    template: str | None = None  # sms: approved TemplateCode (Aliyun) / TemplateId (Tencent)
    template_params: list[SmsParam] = Field(default_factory=lambda: list(SMS_PARAMS))
    sdk_app_id: str | None = None  # sms (tencent): SmsSdkAppId
    region: str | None = None  # sms: RegionId / Region; None = the provider's default
    param_max_chars: int = Field(20, gt=0)  # sms: longer template values are cut with "…"

    @model_validator(mode="after")
    def _needs_target(self) -> ChannelSettings:
        if self.type == "sms":
            return self._sms_complete()
        if self.type != "email" and not (self.url or self.url_env):
            raise ValueError(f"a {self.type} channel needs url or url_env")
        return self

    def _sms_complete(self) -> ChannelSettings:
        needed = {
            "provider": self.provider,
            "key_id_env": self.key_id_env,
            "secret_env": self.secret_env or self.secret,
            "sign_name": self.sign_name,
            "template": self.template,
        }
        if self.provider == "tencent":
            needed["sdk_app_id"] = self.sdk_app_id
        missing = [key for key, value in needed.items() if not value]
        if missing:
            raise ValueError(f"an sms channel needs {', '.join(missing)}")
        return self


class RateLimit(Section):
    per_minute: int | None = Field(None, gt=0)
    per_second: int | None = Field(None, gt=0)


class PersonContact(Section):
    email: str | None = None
    mobile: str | None = None


def _default_rate_limits() -> dict[str, RateLimit]:
    return {
        "wecom": RateLimit(per_minute=20),
        "dingtalk": RateLimit(per_minute=20),
        "feishu": RateLimit(per_minute=100, per_second=5),
        "slack": RateLimit(per_second=1),
        "sms": RateLimit(per_minute=1),  # per mobile number: both providers' default cap
    }


class NotifySettings(Section):
    """Channels, owner contacts, retries with exponential backoff, per-type rate limits."""

    channels: dict[str, ChannelSettings] = Field(default_factory=dict)
    people: dict[str, PersonContact] = Field(default_factory=dict)  # owner -> email / mobile
    retries: int = Field(3, ge=0)  # extra attempts after the first one
    backoff_seconds: float = Field(1.0, ge=0)
    backoff_factor: float = Field(2.0, ge=1)
    backoff_max_seconds: float = Field(30.0, ge=0)
    rate_limits: dict[str, RateLimit] = Field(default_factory=_default_rate_limits)
    max_wait_seconds: float = Field(300.0, ge=0)  # a longer rate-limit wait defers to next run


class FeedbackCategory(Section):
    code: str
    zh: str
    en: str
    keywords: list[str] = Field(default_factory=list)


class FeedbackTopic(Section):
    code: str
    zh: str
    en: str
    keywords: list[str] = Field(default_factory=list)


def _default_feedback_categories() -> list[FeedbackCategory]:
    """Order = priority when two categories score the same (`kehu/data/feedback.toml`)."""
    return [
        FeedbackCategory.model_validate(c) for c in datafiles.read_toml("feedback.toml")["category"]
    ]


def _default_feedback_topics() -> list[FeedbackTopic]:
    return [FeedbackTopic.model_validate(t) for t in datafiles.read_toml("feedback.toml")["topic"]]


class FeedbackSettings(Section):
    """Feedback text analysis: categories (rules + keywords), topics, segmentation."""

    period: Literal["month", "quarter", "year"] = "month"
    top_n: int = Field(10, ge=1)
    examples: int = Field(3, ge=0)
    min_term_chars: int = Field(2, ge=1)
    trust_source_category: bool = True  # use tickets.category when it names a category
    detractor_is_complaint: bool = True  # survey comment with nps <= churn.detractor_max
    default_category: str = "inquiry"
    categories: list[FeedbackCategory] = Field(default_factory=_default_feedback_categories)
    topics: list[FeedbackTopic] = Field(default_factory=_default_feedback_topics)
    extra_words: list[str] = Field(default_factory=list)  # added to the jieba dictionary
    extra_stopwords: list[str] = Field(default_factory=list)
    generic_words: list[str] = Field(default_factory=list)  # never a topic alone (+ data file)
    topic_categories: list[str] = Field(default_factory=lambda: ["complaint", "suggestion"])
    topic_min_count: int = Field(2, ge=1)  # texts a phrase needs to be a topic
    topic_min_lift: float = Field(1.1, ge=0)  # how much likelier in those texts than overall

    @model_validator(mode="after")
    def _default_known(self) -> FeedbackSettings:
        codes = [c.code for c in self.categories]
        if self.default_category not in codes:
            raise ValueError(f"feedback.default_category must be one of {codes}")
        return self


class ReportSettings(Section):
    """`kehu report`: periodic review-meeting reports (HTML / XLSX / PDF)."""

    kind: Literal["monthly", "quarterly"] = "monthly"
    format: Literal["html", "xlsx", "pdf"] = "html"
    out_dir: str = "reports"
    trend_periods: int = Field(6, ge=2)  # KPI trend length
    watchlist_size: int = Field(20, ge=1)
    watch_min_risk: float = Field(0.6, ge=0, le=1)
    watch_tiers: list[str] = Field(default_factory=lambda: ["strategic", "core", "potential"])
    clv_bins: int = Field(20, ge=5)
    top_issues: int = Field(10, ge=1)


class ScheduleSettings(Section):
    """`kehu run` / `kehu schedule`: the pipeline steps and when they run."""

    cron: str = "0 7 * * *"
    steps: list[Literal["import", "dedupe", "analyze", "plan", "alerts", "report"]] = [
        "import",
        "analyze",
        "plan",
        "alerts",
        "report",
    ]  # pydantic copies a mutable default for every instance
    report_formats: list[Literal["html", "xlsx", "pdf"]] = ["html", "xlsx", "pdf"]
    import_dedupe: bool = False
    # File name patterns (fnmatch, case-insensitive) -> import kind; a sub-folder named after a
    # kind (inbox/orders/...) also works. The longest matching pattern wins (商机阶段* over 商机*).
    kind_patterns: dict[str, list[str]] = Field(
        default_factory=lambda: {
            "customers": ["customers*", "客户*"],
            "contacts": ["contacts*", "联系人*"],
            "orders": ["orders*", "订单*", "销售*"],
            "interactions": ["interactions*", "拜访*", "沟通*"],
            "tickets": ["tickets*", "工单*", "客服*"],
            "surveys": ["surveys*", "调研*", "满意度*"],
            "opportunities": ["opportunities*", "商机*"],
            "opportunity_stages": ["opportunity_stages*", "opportunities_stages*", "商机阶段*"],
            "targets": ["targets*", "目标*"],
        }
    )


class PriorityWeights(Section):
    """Task priority weights (seed 000 优先级排序: 战略对齐度, 投入产出比, 成长潜力, 风险可控性)
    plus churn urgency as a separate factor."""

    strategic_fit: float = Field(0.30, ge=0)
    value: float = Field(0.25, ge=0)  # ROI: value at stake / cost of the measures
    growth: float = Field(0.15, ge=0)
    risk: float = Field(0.10, ge=0)  # controllable (payment) risk: paying well ranks higher
    urgency: float = Field(0.20, ge=0)  # churn risk

    @model_validator(mode="after")
    def _positive(self) -> PriorityWeights:
        if self.strategic_fit + self.value + self.growth + self.risk + self.urgency <= 0:
            raise ValueError("plan.weights must not all be 0")
        return self


class PlanSettings(Section):
    """`kehu plan`, tasks and goals: who gets a task, its priority, due date and RACI roles."""

    playbook_file: str | None = None  # a playbook TOML (relative to the workspace) over defaults
    # Playbooks tried in order; a customer's task comes from the first one that matches.
    # Seed order: 战略级 and 高价值 first (深化合作), then rescue, onboarding, core, cultivation;
    # basic / low-value customers get standard service and no individual task.
    precedence: list[str] = Field(
        default_factory=lambda: [
            "value_tier.strategic",
            "rfm_type.high_value",
            "rfm_type.churn_risk",
            "rfm_type.new",
            "value_tier.core",
            "value_tier.potential",
            "rfm_type.potential",
        ]
    )
    # churn_risk >= this: the rescue playbook, or the rescue measures merged into the task of
    # a higher-precedence playbook (one task per customer)
    churn_threshold: float = Field(0.6, ge=0, le=1)
    urgent_risk: float = Field(0.8, ge=0, le=1)  # churn_risk >= this adds the urgent measures
    # lifecycle stages that get no individual task (lost = no order for lifecycle.lost_days)
    skip_lifecycles: list[str] = Field(
        default_factory=lambda: ["lost", "lost_forever", "non_customer"]
    )
    max_open_per_owner: int = Field(0, ge=0)  # cap on open tasks per owner (0 = no cap)
    weights: PriorityWeights = Field(default_factory=PriorityWeights)
    tier_fit: dict[str, float] = Field(
        default_factory=lambda: {"strategic": 1.0, "core": 0.75, "potential": 0.5, "basic": 0.25}
    )
    roi_full: float = Field(100.0, gt=1)  # value at stake / cost worth a full ROI factor
    collection_safe: float = Field(0.95, gt=0, le=1)  # collection rate with no payment risk
    collection_risky: float = Field(0.50, ge=0, lt=1)  # collection rate that is all risk
    high_priority: float = Field(55.0, ge=0, le=100)
    medium_priority: float = Field(45.0, ge=0, le=100)
    due_days_high: int = Field(7, gt=0)
    due_days_medium: int = Field(14, gt=0)
    due_days_low: int = Field(30, gt=0)
    default_owner: str = "unassigned"  # RACI R when neither the customer nor a team has one
    managers: dict[str, str] = Field(default_factory=dict)  # owner -> manager (RACI A)
    region_leads: dict[str, str] = Field(default_factory=dict)  # region -> lead (RACI A)
    # RACI A when none of the above nor an active `manager` user of the region is found
    # (None: left empty and the plan warns)
    accountable: str | None = None
    consulted: str = "tech_support"  # RACI C unless the playbook action names one
    informed: str = "sales_ops"  # RACI I
    goal_grain: Literal["month", "quarter", "year"] = "month"
    # Control groups (decision 71): the share of a playbook's eligible customers held out (no
    # task from it) so `kehu effect` can compare them with the treated; 0 holds out nobody.
    control_share: float = Field(0.1, ge=0, lt=1)
    control_shares: dict[str, Annotated[float, Field(ge=0, lt=1)]] = Field(
        default_factory=dict
    )  # playbook -> share, over control_share
    # never held out: the seed's 深化合作 of strategic and high-value customers (decision 71.1)
    control_protected: list[str] = Field(
        default_factory=lambda: ["value_tier.strategic", "rfm_type.high_value"]
    )
    control_min_eligible: int = Field(30, ge=1)  # fewer eligible in a playbook: none held out
    control_seed: int = 0  # change it to draw a new hold-out
    goal_on_track: float = Field(1.0, gt=0)  # projected / target needed to be on track


class BudgetSettings(Section):
    """`kehu plan`: the yearly budget (yuan) of the plan's measures (seed 000 制定预算分配表) per
    playbook key, value tier and region; a group not named has no limit."""

    playbook: dict[str, float] = Field(default_factory=dict)  # value_tier.strategic = 50000
    tier: dict[str, float] = Field(default_factory=dict)  # strategic = 200000
    region: dict[str, float] = Field(default_factory=dict)  # 华东 = 300000
    count_open: bool = True  # the yearly cost of tasks still open counts against the budget
    # a budget table (CSV: group, key, budget) relative to the workspace; kehu.toml wins a clash
    file: str | None = None

    @model_validator(mode="after")
    def _not_negative(self) -> BudgetSettings:
        for group in ("playbook", "tier", "region"):
            for key, value in getattr(self, group).items():
                if value < 0:
                    raise ValueError(f"budget.{group}.{key} must be >= 0 (got {value})")
        return self


class CapacitySettings(Section):
    """`kehu plan`: how much work a rep can take per period (seed 000 人力资源优化配置); new
    tasks over it go to a rep of the region with room, else are left out (plan_capacity)."""

    unit: Literal["tasks", "hours"] = "tasks"
    period: Literal["month", "quarter"] = "month"  # counted by the tasks' due dates
    per_rep: float = Field(0.0, ge=0)  # each rep's capacity per period (0 = no limit)
    reps: dict[str, float] = Field(default_factory=dict)  # a rep's own capacity
    default_hours: float = Field(2.0, gt=0)  # unit = hours: a task of a playbook not listed
    hours: dict[str, float] = Field(default_factory=dict)  # playbook key -> hours per task


class ScorecardRubric(Section):
    """One scorecard metric: its weight, and the values scoring 0 and 100 (linear between,
    clipped; `zero` above `full` for a metric where lower is better)."""

    weight: float = Field(ge=0)
    zero: float
    full: float

    @model_validator(mode="after")
    def _apart(self) -> ScorecardRubric:
        if self.zero == self.full:
            raise ValueError(f"zero and full must differ (both {self.zero})")
        return self


def _rubric(weight: float, zero: float, full: float) -> Any:
    return Field(default_factory=lambda: ScorecardRubric(weight=weight, zero=zero, full=full))


class ScorecardSettings(Section):
    """`kehu scorecard` (seed 002 绩效评估, seed 000 KPI-linked review): per rep and team, each
    metric scored 0-100 on an absolute rubric, weighted into one score."""

    grain: Literal["month", "quarter", "year"] = "quarter"
    # team -> its reps; empty: the teams are the sales regions
    teams: dict[str, list[str]] = Field(default_factory=dict)
    attainment: ScorecardRubric = _rubric(0.25, 0.5, 1.0)  # revenue / target
    revenue_growth: ScorecardRubric = _rubric(0.10, -0.2, 0.2)  # vs the period before
    new_customers: ScorecardRubric = _rubric(0.10, 0.0, 3.0)  # per month of the period
    retention: ScorecardRubric = _rubric(0.15, 0.5, 0.9)  # last period's buyers who bought
    churned_revenue: ScorecardRubric = _rubric(0.10, 0.3, 0.0)  # share of last period's lost
    nps: ScorecardRubric = _rubric(0.10, 0.0, 50.0)
    on_time: ScorecardRubric = _rubric(0.10, 0.5, 1.0)  # tasks due, done by their due date
    sla: ScorecardRubric = _rubric(0.10, 0.8, 1.0)  # tickets answered within kpi SLA hours

    @model_validator(mode="after")
    def _some_weight(self) -> ScorecardSettings:
        if sum(getattr(self, m).weight for m in SCORECARD_METRICS) <= 0:
            raise ValueError("the scorecard weights must not all be 0")
        return self


SCORECARD_METRICS = (
    "attainment", "revenue_growth", "new_customers", "retention", "churned_revenue", "nps",
    "on_time", "sla",
)  # fmt: skip


class KpiSettings(Section):
    """`kehu kpis`: definitions behind each KPI formula (docs/planning.md)."""

    periods: int = Field(12, ge=1)  # periods shown when no --from is given
    active_days: int = Field(365, gt=0)  # active on day d = an order in the W days up to d
    sla_response_hours: float = Field(2.0, gt=0)  # seed 000: 技术支持 2 小时内
    sla_resolution_hours: float = Field(24.0, gt=0)
    conversion_days: int = Field(90, gt=0)  # first contact -> first order within this
    nps_promoter: int = Field(9, ge=0, le=10)
    nps_detractor: int = Field(6, ge=0, le=10)
    csat_satisfied: int = Field(4, ge=1, le=5)  # rating >= this counts as satisfied
    csat_sources: list[Literal["surveys", "tickets"]] = ["surveys", "tickets"]
    won_statuses: list[str] = Field(default_factory=lambda: ["won", "赢单", "成交"])
    lost_statuses: list[str] = Field(default_factory=lambda: ["lost", "输单", "丢单"])


class TargetSettings(Section):
    """`kehu targets split`: weights, growth bounds, rounding, seasonality."""

    history_weight: float = Field(0.6, ge=0)
    potential_weight: float = Field(0.4, ge=0)
    history_basis: Literal["previous", "last_year", "trailing"] = "previous"
    floor: float | None = Field(None, ge=0)  # target >= floor x last-period sales
    cap: float | None = Field(None, gt=0)  # target <= cap x last-period sales
    rounding: Literal["yuan", "fen"] = "yuan"
    seasonality_years: int = Field(3, ge=1)
    source: str = "plan"
    out_dir: str = "targets"
    simulations: int = Field(4000, ge=100, le=100_000)  # `kehu targets simulate` draws

    @model_validator(mode="after")
    def _check(self) -> TargetSettings:
        if self.history_weight + self.potential_weight <= 0:
            raise ValueError("targets: history_weight + potential_weight must be > 0")
        if self.floor is not None and self.cap is not None and self.floor > self.cap:
            raise ValueError("targets.floor must not exceed targets.cap")
        return self


class PlaybookAction(Section):
    """One concrete measure of a playbook."""

    code: str = Field(min_length=1)
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)
    cost: float = Field(0.0, ge=0)  # yuan per occurrence (cost-to-serve estimate)
    consulted: str | None = None  # RACI C for this measure


class PlaybookEntry(Section):
    """A strategy direction + measures for one rfm_type or value_tier (unset = keep default)."""

    name_zh: str | None = None
    name_en: str | None = None
    direction_zh: str | None = None
    direction_en: str | None = None
    cadence: Literal["once", "week", "month", "quarter", "year"] | None = None
    due_days: int | None = Field(None, gt=0)  # latest due date after the plan date
    actions: list[PlaybookAction] | None = None


class PlaybookSettings(Section):
    """`[playbooks.rfm_type.X]` / `[playbooks.value_tier.X]`: overrides of the shipped playbooks."""

    rfm_type: dict[str, PlaybookEntry] = Field(default_factory=dict)
    value_tier: dict[str, PlaybookEntry] = Field(default_factory=dict)


class EngineSettings(Section):
    """Where the analytics run: the embedded DuckDB, or Spark through Ibis' PySpark backend."""

    name: Literal["duckdb", "spark"] = "duckdb"
    spark_master: str | None = None  # local[*] by default; spark://…, yarn, k8s://…, sc://…
    spark_memory: str = "4g"
    orders_path: str | None = None  # shorthand for `tables.orders`
    # canonical table → where it lives instead of the workspace file (Parquet file, glob or
    # folder; Delta / Iceberg): every stage reads it there, imports append there
    tables: dict[str, str] = Field(default_factory=dict)
    memory_limit: str | None = Field(  # DuckDB's memory limit (default: half the RAM)
        None, pattern=r"^\s*\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$"
    )


class MarketSettings(Section):
    """Market and industry views and key-account plans (docs/market.md)."""

    # company size by employees: a company below a limit is in that band, at or above the
    # last one "large" (GB 统计上大中小微型企业划分办法 2017, industry: 20 / 300 / 1000)
    size_limits: dict[str, int] = Field(
        default_factory=lambda: {"micro": 20, "small": 300, "medium": 1000}
    )
    white_space_penetration: float = Field(0.02, ge=0, le=1)  # below this share of a market
    white_space_customers: int = Field(2, ge=0)  # ... or at most this many customers in it


class AccountPlanSettings(Section):
    """Key-account plans (大客户计划): who gets one and how the draft is made."""

    tiers: list[str] = Field(default_factory=lambda: ["strategic", "core"])  # value tiers
    revenue_growth: float = Field(0.15, ge=-1)  # draft revenue goal: spend_12m x (1 + this)
    share_gain: float = Field(0.05, ge=0, le=1)  # draft goal: share of wallet + this
    required_roles: list[str] = Field(default_factory=lambda: ["采购", "技术", "高层"])
    contact_days: int = Field(90, ge=1)  # a decision maker not reached for longer is a risk
    action_days: int = Field(30, ge=1)  # draft actions are due this many days after the date
    grow_categories: int = Field(3, ge=0)  # categories its industry peers buy, to propose


class SatisfactionSettings(Section):
    """`kehu satisfaction`: NPS/CSAT drivers and improvement measures (docs/satisfaction.md)."""

    window_days: int = Field(90, ge=1)  # events this many days before a survey count for it
    csat_detractor: int = Field(2, ge=1, le=5)  # without an NPS answer: CSAT <= this detracts
    min_support: int = Field(20, ge=1)  # responses needed with and without a driver
    alpha: float = Field(0.05, gt=0, lt=1)  # Holm-adjusted p below this (and interval > 0)
    confidence: float = Field(0.95, gt=0, lt=1)  # of the intervals shown
    follow_days: int = Field(180, ge=1)  # NPS before vs after a measure: this many days each
    due_days: int = Field(30, ge=1)  # a measure is due this many days after it is planned


class ForecastSettings(Section):
    """`kehu forecast`: the win model and the pipeline forecast (docs/forecast.md)."""

    grain: Literal["month", "quarter", "year"] = "quarter"  # the period forecast
    simulations: int = Field(2000, ge=100, le=100_000)  # Monte Carlo draws for the interval
    interval: float = Field(0.9, gt=0, lt=1)  # the interval's coverage
    backtest_periods: int = Field(4, ge=1, le=20)  # past periods the backtest forecasts


class RecommendSettings(Section):
    """`kehu recommend`: next-best-product lists and their holdout (docs/recommend.md)."""

    levels: list[Literal["category", "product"]] = Field(
        ["category", "product"], min_length=1
    )  # what is recommended: product categories, products (each evaluated on its own)
    model: Literal["auto", "popularity", "cooccurrence", "als"] = "auto"  # auto: holdout's best
    horizon_days: int = Field(180, ge=7, le=1095)  # the holdout: first purchases in the last h days
    half_life_days: float = Field(365.0, gt=0)  # recency weight of a purchase halves over this
    top_k: int = Field(5, ge=1, le=50)  # items stored per customer


class CohortSettings(Section):
    """`kehu cohorts`: retention of first-order cohorts beside the BG/NBD expectation
    (docs/cohorts.md)."""

    grain: Literal["month", "quarter"] = "month"  # a cohort is the period of the first order
    cohorts: int = Field(12, ge=1, le=120)  # the latest cohorts shown
    periods: int = Field(12, ge=1, le=120)  # periods after the first one shown per cohort


LifecycleStage = Literal[
    "non_customer", "prospect", "target", "first_purchase", "repeat", "loyal", "at_risk", "lost",
    "lost_forever", "won_back",
]  # fmt: skip


class EffectSettings(Section):
    """`kehu effect`: treated vs control of a past plan (docs/planning.md, "Playbook effect")."""

    window_days: int = Field(180, gt=0)  # outcome date = plan date + this
    # churned at the outcome date: the lifecycle of the first snapshot on or after it is one of
    churn_lifecycles: list[LifecycleStage] = Field(["lost", "lost_forever"])  # pydantic copies it
    min_n: int = Field(30, ge=2)  # fewer customers in an arm: "not enough data", no interval
    confidence: float = Field(0.95, gt=0, lt=1)


class Settings(Section):
    """The whole `kehu.toml`: an unknown section is an error like an unknown key."""

    workspace: WorkspaceSettings = Field(default_factory=WorkspaceSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    rfm: RfmSettings = Field(default_factory=RfmSettings)
    value: ValueSettings = Field(default_factory=ValueSettings)
    abc: AbcSettings = Field(default_factory=AbcSettings)
    lifecycle: LifecycleSettings = Field(default_factory=LifecycleSettings)
    classes: ClassesSettings = Field(default_factory=ClassesSettings)
    conversion: ConversionSettings = Field(default_factory=ConversionSettings)
    clv: ClvSettings = Field(default_factory=ClvSettings)
    churn: ChurnSettings = Field(default_factory=ChurnSettings)
    dedupe: DedupeSettings = Field(default_factory=DedupeSettings)
    engine: EngineSettings = Field(default_factory=EngineSettings)
    quality: QualitySettings = Field(default_factory=QualitySettings)
    web: WebSettings = Field(default_factory=WebSettings)
    alerts: AlertSettings = Field(default_factory=AlertSettings)
    notify: NotifySettings = Field(default_factory=NotifySettings)
    feedback: FeedbackSettings = Field(default_factory=FeedbackSettings)
    report: ReportSettings = Field(default_factory=ReportSettings)
    schedule: ScheduleSettings = Field(default_factory=ScheduleSettings)
    plan: PlanSettings = Field(default_factory=PlanSettings)
    budget: BudgetSettings = Field(default_factory=BudgetSettings)
    capacity: CapacitySettings = Field(default_factory=CapacitySettings)
    scorecard: ScorecardSettings = Field(default_factory=ScorecardSettings)
    kpi: KpiSettings = Field(default_factory=KpiSettings)
    targets: TargetSettings = Field(default_factory=TargetSettings)
    playbooks: PlaybookSettings = Field(default_factory=PlaybookSettings)
    market: MarketSettings = Field(default_factory=MarketSettings)
    account_plan: AccountPlanSettings = Field(default_factory=AccountPlanSettings)
    satisfaction: SatisfactionSettings = Field(default_factory=SatisfactionSettings)
    forecast: ForecastSettings = Field(default_factory=ForecastSettings)
    recommend: RecommendSettings = Field(default_factory=RecommendSettings)
    cohorts: CohortSettings = Field(default_factory=CohortSettings)
    effect: EffectSettings = Field(default_factory=EffectSettings)
    regions: dict[str, str] = Field(default_factory=dict)  # province -> sales region override


def read_toml(path: Path, missing: tuple[str, str]) -> dict[str, Any]:
    """A TOML file the user wrote; `missing` (zh, en) says what to do when it is not there."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(*missing) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"{path} 不是有效的 TOML: {exc}",
            f"{path} is not valid TOML: {exc}",
        ) from None


def load_settings(path: Path) -> Settings:
    """Read and validate `kehu.toml`; errors name the key and say how to fix it."""
    missing = (
        f"找不到配置文件 {path};请先运行 `kehu init`",
        f"config file {path} not found; run `kehu init` first",
    )
    return settings_from_dict(read_toml(path, missing), source=str(path))


def settings_from_dict(raw: dict[str, Any], source: str = "kehu.toml") -> Settings:
    """Validate a raw dict, turning pydantic errors into a readable `ConfigError`."""
    try:
        return Settings.model_validate(raw)
    except ValidationError as exc:
        lines_zh, lines_en = [], []
        for err in exc.errors():
            key = ".".join(str(p) for p in err["loc"])
            got = err.get("input")
            if err["type"] == "extra_forbidden":
                near = nearest_key(err["loc"])
                lines_zh.append(f"  {key}: 未知的配置项" + (f",是否想写 {near}?" if near else ""))
                lines_en.append(
                    f"  {key}: unknown key" + (f"; did you mean {near}?" if near else "")
                )
                continue
            hint = _hint(err)
            lines_zh.append(f"  {key}: {err['msg']}(当前值 {got!r}){hint}")
            lines_en.append(f"  {key}: {err['msg']} (got {got!r}){hint}")
        raise ConfigError(
            f"{source} 配置有误(`kehu config show` 列出全部有效配置项):\n" + "\n".join(lines_zh),
            f"{source} has invalid settings (`kehu config show` lists every valid key):\n"
            + "\n".join(lines_en),
        ) from None


def nearest_key(loc: tuple[int | str, ...]) -> str | None:
    """The valid dotted key closest to the unknown one at `loc` (None if nothing is close)."""
    model: type[BaseModel] = Settings
    parts = [str(p) for p in loc[:-1]]
    while parts:
        field = model.model_fields.get(parts.pop(0))
        kind = field.annotation if field else None
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            model = kind
        elif (value := _dict_value_model(kind)) is not None and parts:
            parts.pop(0)  # a free-form name, e.g. notify.channels.<name>
            model = value
        else:
            return None
    found = difflib.get_close_matches(str(loc[-1]), list(model.model_fields), n=1, cutoff=0.6)
    return ".".join([*map(str, loc[:-1]), found[0]]) if found else None


def _dict_value_model(kind: Any) -> type[BaseModel] | None:
    """`Model` for a `dict[str, Model]` annotation, else None."""
    if get_origin(kind) is dict:
        value = get_args(kind)[1]
        if isinstance(value, type) and issubclass(value, BaseModel):
            return value
    return None


def _hint(err: ErrorDetails) -> str:
    if err["type"] == "literal_error":
        return f" — {err.get('ctx', {}).get('expected', '')}"
    return ""


def dump_settings(settings: Settings) -> str:
    """Render settings as TOML (every default written out, so users can see and edit it)."""
    data = settings.model_dump(mode="json", exclude_none=True)
    return tomli_w.dumps(data)
