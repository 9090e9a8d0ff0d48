"""`kehu plan`: turn the latest customer snapshot into tasks (action plans with RACI roles).

Rules (docs/planning.md):
1. The playbooks in `plan.precedence` are tried in order; a customer gets a task from the
   first playbook that matches: `rfm_type.X` matches rfm_type == X, `value_tier.X` matches
   value_tier == X, and `rfm_type.churn_risk` also matches churn_risk >= plan.churn_threshold.
   Customers matching none (default: basic tier, low-value type) get standard service, no task;
   nor do customers in a lifecycle stage of `plan.skip_lifecycles` (default: lost).
2. Natural key = customer + playbook + cadence period of the snapshot date (2026-11, 2026-Q4,
   2026, once). A task is not created when one with the same key exists (any status), nor
   while the customer still has an open task from the same playbook (an overdue task stays
   the one to work on). So a re-run never duplicates open tasks. With
   `plan.max_open_per_owner` > 0 an owner gets new tasks (highest priority first) only up to
   that many open tasks; the rest are deferred to a later run.
3. Priority from kehu.planning.priority; due = plan date + min(days of the band, playbook's
   due_days / cadence length). RACI: R = owner, A = plan.managers[owner] or
   plan.region_leads[region] or plan.accountable, C = the measures' `consulted` (or
   plan.consulted), I = plan.informed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa

from kehu.planning import priority
from kehu.planning.periods import cadence_period
from kehu.planning.playbook import Playbook, load_playbooks
from kehu.planning.source import SNAPSHOT, snapshot_at, table_columns

if TYPE_CHECKING:
    from kehu.config import PlanSettings
    from kehu.workspace import Workspace

_SNAPSHOT_COLUMNS = (
    "rfm_type",
    "value_tier",
    "lifecycle",
    "churn_risk",
    "churn_reasons",
    "predicted_clv",
    "expected_purchases",
    "orders_12m",
)
_PORTRAIT = ("name", "owner", "region")

TASK_COLUMNS = (
    "task_id", "customer_id", "customer_name", "playbook", "period", "as_of", "direction_zh",
    "direction_en", "actions", "reason", "owner", "accountable", "consulted", "informed",
    "region", "rfm_type", "value_tier", "churn_risk", "predicted_clv", "cost",
    "score_strategic_fit", "score_value", "score_growth", "score_risk", "priority",
    "priority_band", "due_date", "status",
)  # fmt: skip


@dataclass
class PlanResult:
    """What a plan run found and created."""

    as_of: date
    candidates: int  # customers matched by a playbook
    created: int
    existing: int  # matched but already covered by a task
    deferred: int = 0  # new but over plan.max_open_per_owner
    by_playbook: dict[str, int] = field(default_factory=dict)  # created per playbook
    by_band: dict[str, int] = field(default_factory=dict)
    dry_run: bool = False
    frame: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)  # created tasks

    def top(self, n: int = 10) -> list[dict[str, Any]]:
        """The n created tasks with the highest priority."""
        if self.frame.empty:
            return []
        rows = self.frame.sort_values(["priority", "customer_id"], ascending=[False, True])
        return rows.head(n).to_dict("records")

    def to_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "candidates": self.candidates,
            "created": self.created,
            "existing": self.existing,
            "deferred": self.deferred,
            "by_playbook": self.by_playbook,
            "by_band": self.by_band,
            "dry_run": self.dry_run,
        }


def load_candidates(ws: Workspace, as_of: date) -> pd.DataFrame:
    """Snapshot rows of `as_of` with what planning needs (portrait falls back to customers)."""
    have = table_columns(ws, SNAPSHOT)
    cols = [f"s.{c}" if c in have else f"NULL AS {c}" for c in _SNAPSHOT_COLUMNS]
    cols += [f"coalesce(s.{c}, c.{c}) AS {c}" if c in have else f"c.{c}" for c in _PORTRAIT]
    sql = f"""
        SELECT s.customer_id, {", ".join(cols)}, c.budget_growth
        FROM {SNAPSHOT} s LEFT JOIN customers c ON c.customer_id = s.customer_id
        WHERE s.as_of = ?
        ORDER BY s.customer_id
    """
    return ws.cursor().execute(sql, [as_of]).df()


def match_playbooks(
    frame: pd.DataFrame, books: dict[str, Playbook], plan: PlanSettings
) -> pd.Series:
    """The playbook key each customer's task comes from (None: no task)."""
    chosen = pd.Series(None, index=frame.index, dtype="object")
    risk = pd.to_numeric(frame["churn_risk"], errors="coerce")
    for key in plan.precedence:
        book = books[key]
        cond = frame[book.dimension] == book.value
        if key == "rfm_type.churn_risk":
            cond = cond | (risk >= plan.churn_threshold)
        chosen[cond.fillna(False).astype(bool) & chosen.isna()] = key
    return chosen


# The task's reason as JSON, built in SQL over the candidate rows (vectorised): the trigger,
# the segment and, for churn rescues, the top three churn reasons of the snapshot.
REASON_SQL = """json_object(
    'trigger', c.trigger, 'rfm_type', c.rfm_type, 'value_tier', c.value_tier,
    'lifecycle', c.lifecycle, 'churn_risk', round(c.churn_risk, 4),
    'churn_reasons', CASE WHEN c.trigger = 'churn_risk' AND json_valid(c.churn_reasons)
                          AND json_type(c.churn_reasons) = 'ARRAY'
        THEN list_transform(list_slice(from_json(c.churn_reasons, '["JSON"]'), 1, 3),
             lambda e: json_object('code', e->>'code', 'zh', e->>'zh', 'en', e->>'en'))
        END)"""


def build_tasks(
    frame: pd.DataFrame, books: dict[str, Playbook], ws_settings: Any, as_of: date
) -> pd.DataFrame:
    """Candidate task rows (no task_id yet) for the customers that match a playbook."""
    plan = ws_settings.plan
    frame = frame[~frame["lifecycle"].isin(plan.skip_lifecycles)]
    frame = frame.assign(playbook=match_playbooks(frame, books, plan))
    frame = frame[frame["playbook"].notna()].copy()
    if frame.empty:
        return frame
    frame["cost"] = frame["playbook"].map({k: b.yearly_cost for k, b in books.items()})
    frame = priority.score(frame, plan, ws_settings.clv)
    band_days = pd.Series(
        {"high": plan.due_days_high, "medium": plan.due_days_medium, "low": plan.due_days_low}
    )
    days = frame["priority_band"].map(band_days).astype("int64")
    cap = frame["playbook"].map({k: b.max_due_days or 10**6 for k, b in books.items()})
    frame["due_date"] = pd.to_datetime(as_of) + pd.to_timedelta(
        np.minimum(days, cap.astype("int64")), unit="D"
    )
    risk = pd.to_numeric(frame["churn_risk"], errors="coerce")
    by_risk = (frame["playbook"] == "rfm_type.churn_risk") & (risk >= plan.churn_threshold)
    dims = frame["playbook"].map({k: b.dimension for k, b in books.items()})
    frame["trigger"] = np.where(by_risk, "churn_risk", dims)
    frame["period"] = frame["playbook"].map(
        {k: cadence_period(as_of, b.cadence) for k, b in books.items()}
    )
    frame["direction_zh"] = frame["playbook"].map({k: b.direction_zh for k, b in books.items()})
    frame["direction_en"] = frame["playbook"].map({k: b.direction_en for k, b in books.items()})
    frame["actions"] = frame["playbook"].map(
        {
            k: json.dumps([a.to_json() for a in b.actions], ensure_ascii=False)
            for k, b in books.items()
        }
    )
    consulted = {
        k: ",".join(dict.fromkeys(a.consulted or plan.consulted for a in b.actions))
        for k, b in books.items()
    }
    frame["consulted"] = frame["playbook"].map(consulted)
    owner = frame["owner"].where(
        frame["owner"].notna() & (frame["owner"] != ""), plan.default_owner
    )
    frame["owner"] = owner
    acc = owner.map(plan.managers).astype(object)
    acc = acc.where(acc.notna(), frame["region"].map(plan.region_leads).astype(object))
    frame["accountable"] = acc.where(acc.notna(), plan.accountable)
    frame["informed"] = plan.informed
    frame["customer_name"] = frame["name"]
    frame["as_of"] = as_of
    frame["status"] = "open"
    return frame.reset_index(drop=True)


def _arrow(frame: pd.DataFrame) -> pa.Table:
    cols = [c for c in TASK_COLUMNS if c not in ("task_id", "reason")]
    cols += ["trigger", "lifecycle", "churn_reasons"]
    out = frame[cols].copy()
    for c in ("churn_risk", "predicted_clv", "cost"):
        out[c] = pd.to_numeric(out[c], errors="coerce").astype("float64")
    out["due_date"] = out["due_date"].dt.date
    return pa.Table.from_pandas(out, preserve_index=False)


def make_plan(ws: Workspace, as_of: date | None = None, *, dry_run: bool = False) -> PlanResult:
    """Create the tasks the snapshot at `as_of` (latest if None) calls for; idempotent."""
    snap = snapshot_at(ws, as_of)
    books = load_playbooks(ws.settings, ws.root)
    cand = build_tasks(load_candidates(ws, snap), books, ws.settings, snap)
    result = PlanResult(as_of=snap, candidates=len(cand), created=0, existing=0, dry_run=dry_run)
    if cand.empty:
        return result
    cols = [c for c in TASK_COLUMNS if c not in ("task_id", "reason")]
    cap = ws.settings.plan.max_open_per_owner
    uncovered = """
        CREATE OR REPLACE TEMP TABLE _plan_unc AS
        SELECT c.* FROM _plan_cand c
        ANTI JOIN tasks t ON t.customer_id = c.customer_id AND t.playbook = c.playbook
            AND t.period = c.period
        ANTI JOIN (SELECT DISTINCT customer_id, playbook FROM tasks WHERE status = 'open') o
            ON o.customer_id = c.customer_id AND o.playbook = c.playbook
    """
    select_new = f"""
        CREATE OR REPLACE TEMP TABLE _plan_new AS
        SELECT * EXCLUDE (rk, k) FROM (
            SELECT n.*, coalesce(q.k, 0) AS k, row_number() OVER (
                PARTITION BY n.owner ORDER BY n.priority DESC, n.customer_id) AS rk
            FROM _plan_unc n
            LEFT JOIN (SELECT owner, count(*) AS k FROM tasks WHERE status = 'open'
                       GROUP BY 1) q ON q.owner = n.owner
        ) WHERE {int(cap)} = 0 OR rk + k <= {int(cap)}
    """
    with ws.transaction() as cur:
        cur.register("_plan_cand", _arrow(cand))
        cur.execute(uncovered)
        cur.execute(select_new)
        n_uncovered = cur.execute("SELECT count(*) FROM _plan_unc").fetchone()[0]
        fresh = cur.execute("SELECT customer_id, playbook FROM _plan_new").df()
        if not dry_run and len(fresh):
            now = datetime.now()
            cur.execute(
                f"""
                INSERT INTO tasks ({", ".join(cols)}, reason, task_id, created_at, updated_at)
                SELECT {", ".join(f"c.{col}" for col in cols)}, {REASON_SQL},
                       (SELECT coalesce(max(task_id), 0) FROM tasks)
                         + row_number() OVER (ORDER BY c.priority DESC, c.customer_id),
                       ?, ?
                FROM _plan_new c
                """,
                [now, now],
            )
        cur.execute("DROP TABLE _plan_new")
        cur.execute("DROP TABLE _plan_unc")
        cur.unregister("_plan_cand")
    created = cand.merge(fresh, on=["customer_id", "playbook"], how="inner")
    result.created = len(created)
    result.existing = len(cand) - int(n_uncovered)
    result.deferred = int(n_uncovered) - len(created)
    result.by_playbook = {str(k): int(v) for k, v in created["playbook"].value_counts().items()}
    result.by_band = {str(k): int(v) for k, v in created["priority_band"].value_counts().items()}
    result.frame = created.reset_index(drop=True)
    return result
