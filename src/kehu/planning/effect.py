"""`kehu effect`: did a playbook work? Treated vs control of a past plan, per playbook.

For the plan at date P (plan_arms) the outcome date is O = P + effect.window_days. Per
eligible customer: churned = the lifecycle of the first snapshot on or after O is one of
`effect.churn_lifecycles`; revenue = the order amounts in (P, O]; NPS = the mean score of the
customer's surveys in (P, O] (respondents only). Arms are as drawn (intention to treat: a
treated customer whose task was never done still counts as treated). A playbook with a
control group is compared with it (randomised evidence); one without is compared with the
customers of the plan's snapshot that got no task, matched on the snapshot features at P
(weaker evidence, labelled so).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from kehu.analytics import effect as est
from kehu.analytics.stored import SNAPSHOT, snapshot_dates, table_columns
from kehu.planning.control import CONTROL, TREATED

if TYPE_CHECKING:
    from kehu.config import EffectSettings
    from kehu.workspace import Workspace

Evidence = Literal["randomised", "matched"]
OUTCOMES: dict[str, est.Kind] = {"churn": "rate", "revenue": "mean", "nps": "mean"}
FEATURES = ("churn_risk", "recency_days", "orders_12m", "spend_12m", "predicted_clv")


@dataclass
class PlaybookEffect:
    playbook: str
    evidence: Evidence
    eligible: int
    held_out: int
    estimates: dict[str, est.Estimate]  # churn | revenue | nps -> treated minus control

    def to_json(self) -> dict[str, Any]:
        return {
            "playbook": self.playbook,
            "evidence": self.evidence,
            "eligible": self.eligible,
            "held_out": self.held_out,
            "estimates": {k: v.to_json() for k, v in self.estimates.items()},
        }


@dataclass
class EffectReport:
    plan_date: date | None  # the plan measured (None: no plan recorded a draw)
    outcome_date: date | None
    outcome_snapshot: date | None  # the snapshot churn is read from (None: not yet taken)
    window_days: int
    min_n: int
    confidence: float
    plans: list[date] = field(default_factory=list)  # every plan with a recorded draw
    playbooks: list[PlaybookEffect] = field(default_factory=list)

    @property
    def measurable(self) -> bool:
        return self.outcome_snapshot is not None

    def to_json(self) -> dict[str, Any]:
        def iso(d: date | None) -> str | None:
            return d.isoformat() if d else None

        return {
            "plan_date": iso(self.plan_date),
            "outcome_date": iso(self.outcome_date),
            "outcome_snapshot": iso(self.outcome_snapshot),
            "measurable": self.measurable,
            "window_days": self.window_days,
            "min_n": self.min_n,
            "confidence": self.confidence,
            "plans": [d.isoformat() for d in self.plans],
            "playbooks": [p.to_json() for p in self.playbooks],
        }


def plan_dates(ws: Workspace) -> list[date]:
    return [r[0] for r in ws.rows("SELECT DISTINCT as_of FROM plan_arms ORDER BY 1")]


def _pick(plans: list[date], snaps: list[date], window: int, asked: date | None) -> date | None:
    """The plan asked for, else the latest whose outcome date has a snapshot, else the latest."""
    if asked is not None:
        return max((p for p in plans if p <= asked), default=None)
    ripe = [p for p in plans if snaps and snaps[-1] >= p + timedelta(days=window)]
    return max(ripe or plans, default=None)


def _features_sql(ws: Workspace, alias: str) -> str:
    have = table_columns(ws, SNAPSHOT)
    return ", ".join(f"{alias}.{c}" if c in have else f"NULL AS {c}" for c in FEATURES)


def outcomes(ws: Workspace, plan: date, later: date, settings: EffectSettings) -> pd.DataFrame:
    """One row per customer of the plan's snapshot: its arm (none: not eligible for any
    playbook), features at the plan date, outcomes by the outcome date (churn: at `later`)."""
    end = plan + timedelta(days=settings.window_days)
    lost = ", ".join(f"'{v}'" for v in settings.churn_lifecycles)  # validated codes
    have_surveys = "nps" in table_columns(ws, "surveys")
    nps = (
        """LEFT JOIN (SELECT customer_id, avg(nps) AS nps FROM surveys
            WHERE surveyed_on > ? AND surveyed_on <= ? AND nps IS NOT NULL GROUP BY 1) n
            ON n.customer_id = s0.customer_id"""
        if have_surveys
        else ""
    )
    sql = f"""
        SELECT s0.customer_id, a.playbook, coalesce(a.arm, 'none') AS arm, s0.lifecycle,
               {_features_sql(ws, "s0")},
               CAST(s1.lifecycle IN ({lost}) AS DOUBLE) AS churn,
               coalesce(o.revenue, 0) AS revenue, {"n.nps" if have_surveys else "NULL"} AS nps
        FROM {SNAPSHOT} s0
        LEFT JOIN plan_arms a ON a.customer_id = s0.customer_id AND a.as_of = s0.as_of
        LEFT JOIN {SNAPSHOT} s1 ON s1.customer_id = s0.customer_id AND s1.as_of = ?
        LEFT JOIN (SELECT customer_id, CAST(sum(amount) AS DOUBLE) AS revenue FROM orders
            WHERE order_date > ? AND order_date <= ? GROUP BY 1) o
            ON o.customer_id = s0.customer_id
        {nps}
        WHERE s0.as_of = ?
    """
    params: list[Any] = [later, plan, end]
    params += [plan, end] if have_surveys else []
    return ws.read(sql, [*params, plan]).df()


def measure(
    ws: Workspace,
    settings: EffectSettings,
    skip_lifecycles: list[str],
    plan_date: date | None = None,
) -> EffectReport:
    """Treated minus control (or matched untreated) per playbook of one past plan."""
    plans = plan_dates(ws)
    snaps = snapshot_dates(ws)
    plan = _pick(plans, snaps, settings.window_days, plan_date)
    report = EffectReport(
        plan, None, None, settings.window_days, settings.min_n, settings.confidence, plans
    )
    if plan is None:
        return report
    report.outcome_date = plan + timedelta(days=settings.window_days)
    report.outcome_snapshot = next((d for d in snaps if d >= report.outcome_date), None)
    if report.outcome_snapshot is None:
        return report
    frame = outcomes(ws, plan, report.outcome_snapshot, settings)
    tasked = set(frame.loc[frame["arm"] == TREATED, "customer_id"])
    pool = frame[
        (frame["arm"] != TREATED)
        & ~frame["customer_id"].isin(tasked)
        & ~frame["lifecycle"].isin(skip_lifecycles)
    ].drop_duplicates("customer_id")
    for book, rows in frame[frame["playbook"].notna()].groupby("playbook", sort=True):
        treated = rows[rows["arm"] == TREATED]
        control = rows[rows["arm"] == CONTROL]
        randomised = len(control) > 0
        estimates = {}
        for name, kind in OUTCOMES.items():
            if randomised:
                e = est.compare(
                    kind, treated[name].to_numpy(), control[name].to_numpy(),
                    settings.min_n, settings.confidence,
                )  # fmt: skip
            else:
                t = treated[treated[name].notna()]
                p = pool[pool[name].notna()]
                e = est.matched(
                    kind, _features(t), t[name].to_numpy(), _features(p), p[name].to_numpy(),
                    settings.min_n, settings.confidence,
                )  # fmt: skip
            estimates[name] = e
        report.playbooks.append(
            PlaybookEffect(
                str(book),
                "randomised" if randomised else "matched",
                len(rows),
                len(control),
                estimates,
            )  # fmt: skip
        )
    return report


def _features(rows: pd.DataFrame) -> np.ndarray:
    return rows[list(FEATURES)].apply(pd.to_numeric, errors="coerce").to_numpy("float64")
