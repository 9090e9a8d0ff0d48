"""Knobs of the demo generator, with the defaults that make the demo company look real.

These are not business rules (those live in `kehu.toml`); they describe the synthetic
company: how many customers per unit of `size`, how often they order, how many of them
churn, how dirty the exports are. `DemoParams()` is what `kehu demo` uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class DemoParams:
    """Shape of the demo company. Shares are fractions of all customers (entities)."""

    as_of: date = date(2026, 10, 31)  # the reference date the order history ends on
    years: int = 3
    customers_per_size: int = 2000
    reps_per_size: float = 20.0
    person_share: float = 0.12  # 个人客户
    prospect_share: float = 0.06  # in the CRM, no order yet (潜在/目标客户)
    new_share: float = 0.05  # first order within the last `new_days`
    new_days: int = 120
    acquired_share: float = 0.22  # first order inside the window (before the new ones)
    churn_share: float = 0.14  # orders stop at a date (truth.json "churned")
    wonback_share: float = 0.03  # a long gap, then orders resume in the last months
    growing_share: float = 0.10
    declining_share: float = 0.05
    loss_making_share: float = 0.04  # negative margin
    bad_payer_share: float = 0.10  # pays long after the due date
    # order rate (orders per year, lognormal) and order value (yuan, lognormal)
    orders_median: float = 6.0
    orders_sigma: float = 0.9
    aov_median: float = 16000.0
    aov_sigma: float = 1.0
    person_orders_median: float = 1.6
    person_aov_median: float = 2500.0
    # dirt
    erp_share: float = 0.20  # customers that also have a record in the ERP export
    erp_variant_share: float = 0.65  # of those, recorded under a variant name
    crm_dup_share: float = 0.02  # entered twice in the CRM
    branch_share: float = 0.015  # 分公司 of another customer (not a duplicate)
    same_name_share: float = 0.012  # same 字号 + 行业 in another city (not a duplicate)
    bad_rows_per_kind: int = 2  # planted unusable rows per kind of fault
    # service
    sla_minutes: int = 120  # first response SLA (the seed's "2 hours")
    survey_share: float = 0.30  # customers asked in each NPS wave
    english_comment_share: float = 0.08
