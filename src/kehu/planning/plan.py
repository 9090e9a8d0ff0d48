"""`kehu plan`: turn the latest customer snapshot into tasks (action plans with RACI roles).

Rules (docs/planning.md):
1. The playbooks in `plan.precedence` are tried in order; a customer gets a task from the
   first playbook that matches: `rfm_type.X` matches rfm_type == X, `value_tier.X` matches
   value_tier == X, and `rfm_type.churn_risk` also matches churn_risk >= plan.churn_threshold.
   Customers matching none (default: basic tier, low-value type) get standard service, no task;
   nor do customers in a lifecycle stage of `plan.skip_lifecycles` (default: lost).
   A customer with churn_risk >= plan.churn_threshold gets the rescue measures of its churn
   reasons (kehu.planning.rescue) in its one task, whatever playbook it came from.
2. Natural key = customer + playbook + cadence period of the snapshot date (2026-11, 2026-Q4,
   2026, once). A task is not created when one with the same key exists (any status), nor
   while the customer still has an open task from the same playbook (an overdue task stays
   the one to work on). So a re-run never duplicates open tasks. With
   `plan.max_open_per_owner` > 0 new tasks (highest priority first) go to their owner while
   under the cap, else to the least-loaded rep of the region; the rest are deferred.
3. Priority from kehu.planning.priority; due = plan date + min(days of the band, playbook's
   due_days / cadence length, the rescue's due days). RACI (kehu.planning.owners): R = owner,
   A = the owner's / region's manager, C = the measures' `consulted` (or plan.consulted),
   I = plan.informed. Unresolved R or A is reported once in `PlanResult.warnings`.
4. Control groups (kehu.planning.control): before all this, `plan.control_share` of each
   playbook's eligible customers is held out (no task from it) and every eligible customer's
   arm is recorded in plan_arms, so `kehu effect` can compare treated with control.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa

from kehu.analytics.stored import SNAPSHOT, snapshot_at, table_columns
from kehu.calendar import cadence_period
from kehu.planning import budget, capacity, control, priority, rescue
from kehu.planning.owners import Team, assign, balance, load_team
from kehu.planning.playbook import Action, Playbook, load_playbooks

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
    "spend_12m",
    "collection_rate",
)
_PORTRAIT = ("name", "owner", "region")

TASK_COLUMNS = (
    "task_id", "customer_id", "customer_name", "playbook", "period", "as_of", "direction_zh",
    "direction_en", "actions", "reason", "owner", "accountable", "consulted", "informed",
    "region", "rfm_type", "value_tier", "churn_risk", "predicted_clv", "cost",
    "score_strategic_fit", "score_value", "score_growth", "score_risk", "score_urgency", "priority",
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
    deferred_by_owner: dict[str, int] = field(default_factory=dict)
    over_budget: list[budget.Overrun] = field(default_factory=list)  # groups the plan exceeded
    left_out_budget: int = 0  # new tasks dropped to stay within `[budget]`
    left_out_capacity: int = 0  # new tasks no rep of the region had room for (`[capacity]`)
    no_owner: int = 0  # created tasks whose R fell back to plan.default_owner
    no_accountable: int = 0  # created tasks without an A
    held_out: dict[str, int] = field(default_factory=dict)  # control customers per playbook
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (zh, en), shown once
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
            "deferred_by_owner": self.deferred_by_owner,
            "over_budget": [o.to_json() for o in self.over_budget],
            "left_out_budget": self.left_out_budget,
            "left_out_capacity": self.left_out_capacity,
            "no_owner": self.no_owner,
            "no_accountable": self.no_accountable,
            "held_out": self.held_out,
            "warnings": [{"zh": zh, "en": en} for zh, en in self.warnings],
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
    return ws.read(sql, [as_of]).df()


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


def customer_strategy(
    ws: Workspace, snapshot: dict[str, Any] | None, lang: str
) -> dict[str, Any] | None:
    """The playbook that applies to one snapshot row (plan.precedence), with its measures;
    the value tier's standard service when no playbook picks the customer."""
    if not snapshot:
        return None
    books = load_playbooks(ws.settings, ws.root)
    frame = pd.DataFrame([{k: snapshot.get(k) for k in ("rfm_type", "value_tier", "churn_risk")}])
    key = match_playbooks(frame, books, ws.settings.plan).iloc[0]
    chosen = books.get(key) if key else None
    tier_book = books.get(f"value_tier.{snapshot.get('value_tier')}")
    book = chosen or tier_book
    if book is None:
        return None
    return {
        "playbook": book.key,
        "name": book.name(lang),
        "direction": book.direction(lang),
        "cadence": book.cadence,
        "standard_service": chosen is None,
        "actions": [a.text(lang) for a in book.actions],
        "tier_direction": tier_book.direction(lang)
        if tier_book and tier_book is not book
        else None,
    }


TOP_REASONS = 3  # churn reasons kept on a task; its rescue measures answer these
# The task's reason as JSON, built in SQL over the candidate rows (vectorised): the trigger,
# the segment and, for churn rescues, the top three churn reasons of the snapshot.
REASON_SQL = f"""json_object(
    'trigger', c.trigger, 'rfm_type', c.rfm_type, 'value_tier', c.value_tier,
    'lifecycle', c.lifecycle, 'churn_risk', round(c.churn_risk, 4),
    'churn_reasons', CASE WHEN c.trigger = 'churn_risk' AND json_valid(c.churn_reasons)
                          AND json_type(c.churn_reasons) = 'ARRAY'
        THEN list_transform(list_slice(from_json(c.churn_reasons, '["JSON"]'), 1, {TOP_REASONS}),
             lambda e: json_object('code', e->>'code', 'zh', e->>'zh', 'en', e->>'en'))
        END)"""


def _rescue(frame: pd.DataFrame, books: dict[str, Playbook], plan: PlanSettings) -> pd.DataFrame:
    """Measures, due cap and trigger per task: the rescue merged in above the churn threshold."""
    risk = pd.to_numeric(frame["churn_risk"], errors="coerce").fillna(0.0)
    at_risk = risk >= plan.churn_threshold
    urgent = risk >= plan.urgent_risk
    codes = pd.Series([()] * len(frame), index=frame.index, dtype=object)
    codes[at_risk] = frame.loc[at_risk, "churn_reasons"].map(
        lambda text: rescue.reason_codes(text)[:TOP_REASONS]
    )
    cache: dict[tuple[str, tuple[str, ...], bool, bool], tuple[str, float, int | None]] = {}
    rows = []
    for key, c, r, u in zip(frame["playbook"], codes, at_risk, urgent, strict=True):
        k = (key, c, bool(r), bool(u))
        if k not in cache:
            cache[k] = measures_for(books[key], c, bool(r), bool(u))
        rows.append(cache[k])
    out = pd.DataFrame(rows, columns=["actions", "cost", "rescue_days"], index=frame.index)
    dims = frame["playbook"].map({k: b.dimension for k, b in books.items()})
    out["trigger"] = np.where(at_risk, "churn_risk", dims)
    return out


def measures_for(
    book: Playbook, codes: tuple[str, ...], at_risk: bool, urgent: bool
) -> tuple[str, float, int | None]:
    """(actions JSON, yearly cost, due days of the rescue) of a task from `book` for a customer
    with these churn reason codes (the web's customer page can show the same measures)."""
    actions: tuple[Action, ...] = book.actions
    days = None
    if at_risk:
        found = rescue.merge(codes, urgent)
        days = found.due_days
        if book.key == "rfm_type.churn_risk":  # the rescue replaces the generic win-back
            actions = found.actions if found.codes else found.actions + book.actions
        else:  # the playbook's own measures stay, the rescue comes first
            actions = found.actions + tuple(a for a in book.actions if a not in found.actions)
    cost = sum(a.cost for a in actions) * book.occurrences_per_year
    return json.dumps([a.to_json() for a in actions], ensure_ascii=False), cost, days


def build_tasks(
    frame: pd.DataFrame, books: dict[str, Playbook], ws_settings: Any, as_of: date, team: Team
) -> pd.DataFrame:
    """Candidate task rows (no task_id yet) for the customers that match a playbook."""
    plan = ws_settings.plan
    frame = frame[~frame["lifecycle"].isin(plan.skip_lifecycles)]
    frame = frame.assign(playbook=match_playbooks(frame, books, plan))
    frame = frame[frame["playbook"].notna()].copy()
    if frame.empty:
        return frame
    frame = pd.concat([frame, _rescue(frame, books, plan)], axis=1)
    frame = priority.score(frame, plan, ws_settings.clv)
    band_days = pd.Series(
        {"high": plan.due_days_high, "medium": plan.due_days_medium, "low": plan.due_days_low}
    )
    days = frame["priority_band"].map(band_days).astype("int64")
    cap = frame["playbook"].map({k: b.max_due_days or 10**6 for k, b in books.items()})
    cap = np.minimum(cap.astype("int64"), frame["rescue_days"].fillna(10**6).astype("int64"))
    frame["due_date"] = pd.to_datetime(as_of) + pd.to_timedelta(np.minimum(days, cap), unit="D")
    frame["period"] = frame["playbook"].map(
        {k: cadence_period(as_of, b.cadence) for k, b in books.items()}
    )
    frame["direction_zh"] = frame["playbook"].map({k: b.direction_zh for k, b in books.items()})
    frame["direction_en"] = frame["playbook"].map({k: b.direction_en for k, b in books.items()})
    frame["consulted"] = frame["actions"].map(
        {
            text: ",".join(
                dict.fromkeys(a["consulted"] or plan.consulted for a in json.loads(text))
            )
            for text in frame["actions"].unique()
        }
    )
    frame = assign(frame, team, plan)
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
    for c in ("owner", "accountable"):
        out[c] = out[c].astype(object).where(out[c].notna(), None)
    out["due_date"] = out["due_date"].dt.date
    return pa.Table.from_pandas(out, preserve_index=False)


def make_plan(ws: Workspace, as_of: date | None = None, *, dry_run: bool = False) -> PlanResult:
    """Create the tasks the snapshot at `as_of` (latest if None) calls for; idempotent."""
    snap = snapshot_at(ws, as_of)
    books = load_playbooks(ws.settings, ws.root)
    plan = ws.settings.plan
    team = load_team(ws, plan)
    control.check(plan, books)
    eligible = control.split(
        build_tasks(load_candidates(ws, snap), books, ws.settings, snap, team), plan
    )
    cand = eligible[eligible["arm"] == control.TREATED].drop(columns=["draw", "share", "arm"])
    result = PlanResult(as_of=snap, candidates=len(cand), created=0, existing=0, dry_run=dry_run)
    result.held_out = control.held_out(eligible)
    if not dry_run:
        with ws.transaction() as cur:
            control.record(cur, snap, eligible, plan.control_seed)
    if cand.empty:
        return result
    cols = [c for c in TASK_COLUMNS if c not in ("task_id", "reason")]
    uncovered = """
        SELECT c.customer_id, c.playbook FROM _plan_cand c
        ANTI JOIN tasks t ON t.customer_id = c.customer_id AND t.playbook = c.playbook
            AND t.period = c.period
        ANTI JOIN (SELECT DISTINCT customer_id, playbook FROM tasks WHERE status = 'open') o
            ON o.customer_id = c.customer_id AND o.playbook = c.playbook
    """
    caps = budget.limits(ws.settings.budget, set(books), ws.root)
    committed = budget.open_costs(ws, caps) if ws.settings.budget.count_open else {}
    load = capacity.open_load(ws, ws.settings.capacity)
    with ws.transaction() as cur:
        cur.register("_plan_cand", _arrow(cand))
        keys = cur.execute(uncovered).df()
        cur.unregister("_plan_cand")
        fresh = cand.merge(keys, on=["customer_id", "playbook"], how="inner")
        counts = dict(
            cur.execute(
                "SELECT owner, count(*) FROM tasks WHERE status = 'open' GROUP BY 1"
            ).fetchall()
        )
        balanced, result.deferred_by_owner = balance(fresh, counts, team, plan)
        fitted, no_room, load_rows = capacity.fit(balanced, load, team, ws.settings.capacity, plan)
        created, dropped, result.over_budget = budget.fit(fitted, committed, caps)
        if not dry_run:
            _left_out(cur, snap, dropped, fresh.drop(index=balanced.index), no_room, plan)
            capacity.write(cur, snap, load_rows)
        if not dry_run and len(created):
            now = datetime.now()
            cur.register("_plan_new", _arrow(created))
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
            cur.unregister("_plan_new")
    result.created = len(created)
    result.existing = len(cand) - len(keys)
    result.deferred = len(keys) - len(balanced)
    result.left_out_budget = len(dropped)
    result.left_out_capacity = len(no_room)
    result.by_playbook = {str(k): int(v) for k, v in created["playbook"].value_counts().items()}
    result.by_band = {str(k): int(v) for k, v in created["priority_band"].value_counts().items()}
    result.no_owner = int((created["owner"] == plan.default_owner).sum())
    result.no_accountable = int(created["accountable"].isna().sum())
    result.warnings = _warnings(result, plan)
    result.frame = created.reset_index(drop=True)
    return result


_LEFT_OUT_COLUMNS = (
    "customer_id", "customer_name", "playbook", "value_tier", "region", "owner", "priority",
    "cost",
)  # fmt: skip


def _left_out(
    cur: Any,
    as_of: date,
    dropped: pd.DataFrame,
    deferred: pd.DataFrame,
    no_room: pd.DataFrame,
    plan: PlanSettings,
) -> None:
    """Replace the plan_left_out rows of `as_of`: tasks dropped by the budget, deferred by
    `plan.max_open_per_owner`, or beyond every rep's `[capacity]`."""
    cur.execute("DELETE FROM plan_left_out WHERE as_of = ?", [as_of])
    parts = [dropped.assign(reason="budget"), no_room.assign(reason="capacity")]
    if len(deferred):
        parts.append(
            deferred.assign(
                reason="capacity", detail=f"max_open_per_owner={plan.max_open_per_owner}"
            )
        )
    rows = pd.concat(parts, ignore_index=True)
    if rows.empty:
        return
    out = rows[[*_LEFT_OUT_COLUMNS, "reason", "detail"]].copy()
    for c in ("priority", "cost"):
        out[c] = pd.to_numeric(out[c], errors="coerce").astype("float64")
    for c in ("customer_name", "value_tier", "region", "owner", "detail"):
        out[c] = out[c].astype(object).where(out[c].notna(), None)
    out.insert(0, "as_of", as_of)
    cur.register("_plan_left", pa.Table.from_pandas(out, preserve_index=False))
    cols = ", ".join(out.columns)
    cur.execute(f"INSERT INTO plan_left_out ({cols}) SELECT {cols} FROM _plan_left")
    cur.unregister("_plan_left")


def _money(value: float) -> str:
    return f"{value:,.0f}"


def _budget_warnings(result: PlanResult) -> list[tuple[str, str]]:
    out = []
    for o in result.over_budget:
        zh = (
            f"预算 {o.group}.{o.key}(每年 {_money(o.budget)} 元)超出 {_money(o.over_by)} 元:"
            f"按优先级从低到高去掉 {o.dropped} 项新任务({_money(o.dropped_cost)} 元),"
            "见 `kehu budget`"
        )
        en = (
            f"budget {o.group}.{o.key} ({_money(o.budget)} yuan a year) over by"
            f" {_money(o.over_by)} yuan: dropped {o.dropped} new tasks, lowest priority first"
            f" ({_money(o.dropped_cost)} yuan); see `kehu budget`"
        )
        if o.still_over > 0:
            zh += f";未关闭的任务已超出预算 {_money(o.still_over)} 元"
            en += f"; the open tasks alone exceed it by {_money(o.still_over)} yuan"
        out.append((zh, en))
    return out


def _warnings(result: PlanResult, plan: PlanSettings) -> list[tuple[str, str]]:
    """One line per problem a manager must fix before signing the plan (zh, en)."""
    out = []
    if result.no_accountable:
        out.append(
            (
                f"{result.no_accountable} 项任务没有审批人(A):请在 kehu.toml 的 [plan] 中配置"
                " region_leads(区域 → 经理)或 managers(负责人 → 经理),或添加该区域的经理用户",
                f"{result.no_accountable} tasks have no accountable (A): set [plan] region_leads"
                " (region -> manager) or managers (owner -> manager) in kehu.toml, or add a"
                " manager user for the region",
            )
        )
    if result.no_owner:
        out.append(
            (
                f"{result.no_owner} 项任务的客户没有负责人,暂记为 {plan.default_owner}:请补充客户的"
                " owner 或配置区域经理",
                f"{result.no_owner} tasks are for customers without an owner and went to"
                f" {plan.default_owner}: fill in the customers' owner or a region manager",
            )
        )
    out += _budget_warnings(result)
    if result.left_out_capacity:
        n = result.left_out_capacity
        out.append(
            (
                f"{n} 项新任务超出销售代表的产能([capacity]),区域内也无人有余量,未纳入计划:"
                "见 `kehu budget`",
                f"{n} new tasks exceed the reps' capacity ([capacity]) with no rep of the region"
                " left with room, left out: see `kehu budget`",
            )
        )
    if result.deferred:
        ranked = sorted(result.deferred_by_owner.items(), key=lambda kv: (-kv[1], kv[0]))
        worst = ", ".join(f"{k} {v}" for k, v in ranked[:5])
        if len(ranked) > 5:
            worst += f" … (+{len(ranked) - 5})"
        out.append(
            (
                f"{result.deferred} 项新任务超出 plan.max_open_per_owner ="
                f" {plan.max_open_per_owner},区域内也无人有余量,推迟到下次:{worst}",
                f"{result.deferred} new tasks exceed plan.max_open_per_owner ="
                f" {plan.max_open_per_owner} with no rep of the region left with room, deferred:"
                f" {worst}",
            )
        )
    return out
