"""`Kehu`: the typed entry point. The CLI, the web and Python users reach the domain here.

It holds an opened `Workspace` plus the actor acting on it, whose name goes into the import,
merge and alert logs. Each method calls one floor's function and returns what that function
returns (dataclasses for runs, dicts and frames for reports and views). Reads take an
optional `scope` (`kehu.access`): within it they see only the scope's rows.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kehu.access import audit
from kehu.access.auth import Auth
from kehu.access.masking import mask_record, mask_records
from kehu.access.rows import scoped
from kehu.analytics import backtest_runs, overview
from kehu.analytics.backtest import score_names
from kehu.analytics.churn.attributes import score_attribute_table, train_attribute_model
from kehu.analytics.cohorts import Cohorts, check_choice, cohort_retention
from kehu.analytics.competition import competitor_view
from kehu.analytics.flows import flows
from kehu.analytics.forecast import runs as forecast_runs
from kehu.analytics.kpis import compute_kpis
from kehu.analytics.market import market_view
from kehu.analytics.query import (
    CustomerFilter,
    customer_360,
    customer_record,
    customer_timeline,
    latest_as_of,
    list_customers,
    pick_as_of,
)
from kehu.analytics.recommend import runs as recommend_runs
from kehu.analytics.recommend.data import check_level
from kehu.analytics.recommend.reasons import sentence as recommend_sentence
from kehu.analytics.snapshot import AnalyzeResult, analyze, default_as_of
from kehu.analytics.stored import data_end, snapshot_dates
from kehu.calendar import check_grain
from kehu.dedupe.merge import MergeRecord
from kehu.dedupe.review import merge_log, merge_pair, pending_pairs, reject_pair
from kehu.dedupe.run import DedupeResult, run_dedupe
from kehu.dedupe.undo import undo_merge
from kehu.engines.spark import engine_session
from kehu.ingest import export_table, import_file, import_records, kinds
from kehu.ingest.headers import file_headers, header_columns, importable_columns
from kehu.ingest.history import import_log
from kehu.ingest.pushed import check_pushed
from kehu.ingest.result import ImportResult, Progress
from kehu.jobs.demo import run_demo
from kehu.jobs.pipeline import run_pipeline
from kehu.jobs.schedule import run_schedule
from kehu.monitor.alerts import AlertRunResult, run_alerts
from kehu.monitor.feedback import customer_needs, feedback_summary, feedback_vocabulary
from kehu.monitor.report.account_plan import write_plan
from kehu.monitor.report.build import write_report
from kehu.monitor.state import ack, list_alerts, open_alert_counts
from kehu.planning import (
    budget,
    capacity,
    effect,
    effect_view,
    goals,
    milestones,
    scorecard,
    tasks,
    visibility,
)
from kehu.planning.account_plan import account_plan, key_accounts, save_plan
from kehu.planning.plan import PlanResult, customer_strategy, make_plan
from kehu.planning.playbook import Action, Playbook, load_playbooks
from kehu.planning.rescue import rescue_rules
from kehu.planning.satisfaction import close_measure, plan_measures, satisfaction_view
from kehu.planning.simulate import simulate_targets
from kehu.planning.targets import SplitResult, split_targets, target_periods, target_progress
from kehu.quality.report import quality_report
from kehu.quality.targets import target_gaps
from kehu.workspace import Workspace

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pandas as pd
    from rich.console import Console

    from kehu.access.scope import Scope
    from kehu.config import Settings


class Kehu:
    """One workspace, opened for one actor (None: a local, unnamed user)."""

    def __init__(self, ws: Workspace, actor: str | None = None) -> None:
        self.ws = ws
        self.actor = actor

    @classmethod
    def open(
        cls, path: str | Path | None = None, *, actor: str | None = None, read_only: bool = False
    ) -> Kehu:
        """Open an existing workspace (the folder, else $KEHU_WORKSPACE, else `.`)."""
        return cls(Workspace.open(path, read_only=read_only), actor)

    @classmethod
    def init(
        cls, path: str | Path | None = None, *, actor: str | None = None, overwrite: bool = False
    ) -> Kehu:
        """Create a workspace with every default setting and an empty store."""
        return cls(Workspace.init(path, overwrite=overwrite), actor)

    # build a demo company into a folder, import it and (unless told not) analyse it
    demo = staticmethod(run_demo)

    def close(self) -> None:
        """Close the workspace's connection."""
        self.ws.close()

    def __enter__(self) -> Kehu:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def root(self) -> Path:
        """The workspace folder."""
        return self.ws.root

    @property
    def settings(self) -> Settings:
        """The settings in force (kehu.toml over the seed defaults)."""
        return self.ws.settings

    @property
    def lang(self) -> str:
        """The workspace's default language (`[workspace] lang`)."""
        return self.ws.lang

    # ---- access ------------------------------------------------------------------------------
    def auth(self) -> Auth:
        """Users, sessions and API tokens of this workspace."""
        return Auth(self.ws)

    def has_admin(self) -> bool:
        """Whether an active admin exists (who could log in to the web)."""
        return any(u.role == "admin" and u.active for u in self.auth().list_users())

    def audit_events(
        self,
        *,
        action: str | None = None,
        user: str | None = None,
        since: datetime | None = None,
        limit: int = 100,
    ) -> list[audit.AuditEvent]:
        """The newest audit events first, optionally filtered."""
        return audit.events(self.ws, action=action, user=user, since=since, limit=limit)

    # ---- ingest ------------------------------------------------------------------------------
    def import_file(
        self,
        path: str | Path,
        kind: str,
        *,
        source: str | None = None,
        mapping: str | Path | None = None,
        encoding: str | None = None,
        dry_run: bool = False,
        dedupe: bool = False,
        progress: Progress | None = None,
    ) -> ImportResult:
        """Load an export file into the table of `kind`; every row is loaded or rejected."""
        return import_file(
            self.ws,
            path,
            kind,
            source=source,
            mapping=mapping,
            encoding=encoding,
            dry_run=dry_run,
            dedupe=dedupe,
            progress=progress,
            user=self.actor,
        )

    def import_records(
        self,
        kind: str,
        records: list[dict[str, Any]],
        *,
        source: str,
        dry_run: bool = False,
        scope: Scope | None = None,
    ) -> ImportResult:
        """Load pushed records (dicts with the file's column names) like a file. Within
        `scope`: by a role that may push, and the whole batch refused when a record names no
        customer or one outside the scope (`RecordsOutsideScope` lists those records)."""
        if scope is not None:
            scope.require("push")
            if not scope.sees_all:
                check_pushed(self.ws, kind, records, source, scope)
        return import_records(
            self.ws, kind, records, source=source, dry_run=dry_run, user=self.actor
        )

    def import_log(self, limit: int = 50, *, scope: Scope | None = None) -> list[dict[str, Any]]:
        """The latest imports (file, counts, status, who), newest first; within `scope`, only
        for a role that may import."""
        if scope is not None:
            scope.require("import")
        return import_log(self.ws, limit)

    @staticmethod
    def import_kinds() -> list[str]:
        """The kinds of file `import_file` takes (customers, orders, ...)."""
        return kinds()

    @staticmethod
    def import_columns(kind: str) -> list[str]:
        """The columns a file of `kind` may fill."""
        return importable_columns(kind)

    def file_headers(
        self, path: str | Path, kind: str, *, mapping: str | Path | None = None
    ) -> list[str]:
        """A file's header row, found the way `import_file` finds it."""
        return file_headers(self.ws, path, kind, mapping)

    @staticmethod
    def header_columns(
        headers: list[str], kind: str, *, mapping: str | Path | None = None
    ) -> dict[str, str | None]:
        """header -> canonical column (None: not imported), as `import_file` maps it."""
        return header_columns(headers, kind, mapping)

    def export_table(self, table: str, out_path: str | Path, *, headers: str = "code") -> int:
        """Write a table to CSV, XLSX or Parquet (by extension); returns the row count."""
        return export_table(self.ws, table, out_path, headers=headers)

    # ---- quality and duplicates ----------------------------------------------------------------
    def quality_report(
        self, as_of: date | None = None, *, scope: Scope | None = None
    ) -> dict[str, Any]:
        """Completeness, invalid values, duplicates, orphans and stale records (of the rows
        `scope` sees, when given)."""
        return quality_report(self.ws, as_of, scope=scope)

    def target_gaps(self, *, scope: Scope | None = None) -> list[dict[str, Any]]:
        """Periods whose targets do not add up across levels (company, region, owner); within
        `scope`, the gaps of its regions (`kehu.planning.visibility`)."""
        return visibility.visible_gaps(target_gaps(self.ws), scope)

    def dedupe(
        self,
        *,
        dry_run: bool = False,
        output: str | Path | None = None,
        min_probability: float | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> DedupeResult:
        """Find duplicate customers; merge the sure ones (unless `dry_run`), queue the rest."""
        return run_dedupe(
            self.ws,
            dry_run,
            output=output,
            min_probability=min_probability,
            user=self.actor,
            progress=progress,
            spark=engine_session(self.ws.settings.engine),
        )

    def pending_pairs(self, limit: int | None = None) -> list[dict[str, Any]]:
        """Suspected duplicate pairs waiting for a decision, most likely first."""
        return pending_pairs(self.ws, limit)

    def merge(self, a: str, b: str, *, keep: str | None = None) -> MergeRecord:
        """Merge two customers (exactly undoable)."""
        return merge_pair(self.ws, a, b, keep=keep, user=self.actor)

    def reject(self, a: str, b: str, *, note: str | None = None) -> dict[str, Any]:
        """Record that two customers are not the same."""
        return reject_pair(self.ws, a, b, user=self.actor, note=note)

    def undo_merge(self, merge_id: str, *, force: bool = False) -> dict[str, Any]:
        """Put every row a merge touched back as it was."""
        with self.ws.transaction() as cur:
            return undo_merge(cur, merge_id, force=force, user=self.actor)

    def merge_log(self, limit: int = 50) -> list[dict[str, Any]]:
        """The latest merges, newest first."""
        return merge_log(self.ws, limit)

    # ---- analytics -------------------------------------------------------------------------------
    def analyze(
        self,
        as_of: date | None = None,
        *,
        engine: str = "duckdb",
        progress: Callable[[str, int, int], None] | None = None,
    ) -> AnalyzeResult:
        """Compute and store the customer snapshot of `as_of` (default: the data's last day)."""
        return analyze(self.ws, as_of, engine=engine, progress=progress)

    def snapshot(self, as_of: date | None = None) -> ir.Table:
        """The stored snapshot of `as_of` (default: the latest) as an Ibis table."""
        import ibis

        t = self.ws.table("customer_snapshot")
        return t.filter(t.as_of == ibis.literal(pick_as_of(self.ws, as_of)))

    def snapshot_dates(self) -> list[date]:
        """The dates of the stored customer snapshots, oldest first (empty before analysing)."""
        return snapshot_dates(self.ws)

    def latest_as_of(self) -> date | None:
        """The newest snapshot date (None before the first analysis)."""
        return latest_as_of(self.ws)

    def overview_cards(self, *, scope: Scope | None = None) -> list[dict[str, Any]]:
        """The overview's headline figures at the latest snapshot beside the previous one (of
        the customers inside `scope`)."""
        with scoped(self.ws, scope) as ws:
            return overview.snapshot_cards(ws)

    def overview_summary(self, *, scope: Scope | None = None) -> dict[str, Any]:
        """Totals of every customer beside the latest snapshot, and per dimension (RFM type,
        tier, lifecycle, segment, ABC class) the customers and revenue per code."""
        as_of = latest_as_of(self.ws)
        with scoped(self.ws, scope) as ws:
            return overview.summary(ws, as_of)

    def pareto(self, points: int = 100, *, scope: Scope | None = None) -> dict[str, Any]:
        """Cumulative share of revenue and profit held by the top x% of customers (latest
        snapshot), the top 20%'s share and the customers with a negative profit."""
        as_of = latest_as_of(self.ws)
        with scoped(self.ws, scope) as ws:
            return overview.pareto(ws, as_of, points)

    def watchlist(
        self, limit: int, *, lang: str | None = None, scope: Scope | None = None
    ) -> list[dict[str, Any]]:
        """The customers most at risk of churning that can still be won, valuable ones first,
        with their reasons (phones masked unless `scope` may see them)."""
        as_of = latest_as_of(self.ws)
        with scoped(self.ws, scope) as ws:
            rows = overview.watchlist(ws, as_of, limit, lang or self.ws.lang)
        return rows if scope is None else mask_records(rows, scope)

    def flows(
        self, d_from: date, d_to: date, by: str = "lifecycle", *, scope: Scope | None = None
    ) -> dict[str, Any]:
        """Customers and revenue moving between classes of `by` from one snapshot to another."""
        with scoped(self.ws, scope) as ws:
            return flows(ws.table("customer_snapshot"), d_from, d_to, by)

    def customers(
        self, f: CustomerFilter = CustomerFilter(), *, scope: Scope | None = None
    ) -> tuple[date, pd.DataFrame, int]:
        """Customers of a snapshot, filtered and sorted: (snapshot date, rows, total)."""
        with scoped(self.ws, scope) as ws:
            return list_customers(ws, f)

    def customer_record(self, customer_id: str, *, scope: Scope | None = None) -> dict[str, Any]:
        """One customer's stored record, exactly by id (a customer outside `scope` is not
        found; phones and e-mails masked unless the scope may see them)."""
        with scoped(self.ws, scope) as ws:
            record = customer_record(ws, customer_id)
        return record if scope is None else mask_record(record, scope)

    def customer_360(
        self,
        customer_id: str,
        *,
        as_of: date | None = None,
        lang: str | None = None,
        scope: Scope | None = None,
    ) -> dict[str, Any]:
        """One customer's portrait, scores with their explanations, orders and service (a
        customer outside `scope` is not found, like an unknown id)."""
        with scoped(self.ws, scope) as ws:
            view = customer_360(ws, customer_id, as_of=as_of, lang=lang or self.ws.lang)
        if scope is not None:  # phones and e-mails masked unless the scope may see them
            view["profile"] = mask_record(view["profile"], scope)
            view["contacts"] = mask_records(view["contacts"], scope)
        return view

    def customer_timeline(
        self,
        customer_id: str,
        *,
        as_of: date | None = None,
        limit: int = 200,
        scope: Scope | None = None,
    ) -> list[dict[str, Any]]:
        """Orders, interactions, tickets and surveys of one customer up to its 360 view's
        day, newest first."""
        with scoped(self.ws, scope) as ws:
            return customer_timeline(ws, customer_id, as_of=as_of, limit=limit)

    def customer_needs(
        self,
        customer_id: str,
        *,
        vocabulary: dict[str, Any] | None = None,
        scope: Scope | None = None,
    ) -> dict[str, Any]:
        """What one customer's complaints and suggestions ask for (feedback topics); pass
        `feedback_vocabulary()` to reuse it across customers."""
        with scoped(self.ws, scope) as ws:
            return customer_needs(ws, customer_id, vocabulary)

    def feedback_vocabulary(self) -> dict[str, Any]:
        """The phrases of every customer's texts that `customer_needs` picks from."""
        return feedback_vocabulary(self.ws)

    def customer_strategy(
        self, snapshot: dict[str, Any] | None, lang: str | None = None
    ) -> dict[str, Any] | None:
        """The playbook that applies to a snapshot row, with its direction and measures."""
        return customer_strategy(self.ws, snapshot, lang or self.ws.lang)

    def competitors(
        self,
        as_of: date | None = None,
        *,
        scope: Scope | None = None,
        owner: str | None = None,
        region: str | None = None,
    ) -> dict[str, Any]:
        """Competitors per customer, region and industry; revenue, pipeline and win/loss (of
        the customers inside `scope`, of this owner / region)."""
        return competitor_view(self.ws, as_of, scope=scope, owner=owner, region=region)

    def market(
        self,
        as_of: date | None = None,
        *,
        scope: Scope | None = None,
        owner: str | None = None,
        region: str | None = None,
        lang: str | None = None,
    ) -> dict[str, Any]:
        """Revenue, customers, growth and share by industry, region and size; penetration and
        white space against the imported market potential (of the customers inside `scope`,
        of this owner / region)."""
        return market_view(
            self.ws, as_of, scope=scope, owner=owner, region=region, lang=lang or self.ws.lang
        )

    def satisfaction(
        self, as_of: date | None = None, *, lang: str | None = None, scope: Scope | None = None
    ) -> dict[str, Any]:
        """NPS/CSAT drivers (detractor rate with vs without, interval, Fisher p) and the
        improvement measures with the NPS of their customers before and after."""
        with scoped(self.ws, scope) as ws:
            return satisfaction_view(ws, as_of, lang or self.ws.lang)

    def plan_satisfaction(self, as_of: date | None = None) -> list[dict[str, Any]]:
        """Store an improvement measure per strong driver and region; the new ones."""
        return plan_measures(self.ws, as_of, self.actor or "")

    def close_satisfaction_measure(self, measure_id: int, status: str = "done") -> None:
        """Mark an improvement measure done or cancelled."""
        close_measure(self.ws, measure_id, status)

    def backtest(
        self,
        as_of: date | None = None,
        horizon_days: int | None = None,
        *,
        progress: Callable[[str, int, int], None] | None = None,
    ) -> dict[str, Any]:
        """Predict from a past date with only what was known then; compare with what happened
        (stored as a run)."""
        return backtest_runs.backtest(
            self.ws, as_of, horizon_days, engine=self.ws.settings.engine.name, progress=progress
        )

    def backtest_latest(self) -> dict[str, Any] | None:
        """Every figure of the newest backtest run (None before the first)."""
        return backtest_runs.latest(self.ws)

    @staticmethod
    def backtest_names(lang: str) -> dict[str, str]:
        """Display names of the backtest's churn scores and purchase models."""
        return score_names(lang)

    def backtest_history(self, limit: int = 50) -> list[dict[str, Any]]:
        """The stored backtest runs, newest first."""
        return backtest_runs.history(self.ws, limit)

    def forecast(
        self, as_of: date | None = None, *, grain: str | None = None, backtest: bool = True
    ) -> dict[str, Any]:
        """Win probabilities of the open deals and the period's pipeline forecast beside the
        stage-weighted one and the target, with a backtest on past periods (stored as a run)."""
        return forecast_runs.run(
            self.ws, as_of, grain=check_grain(grain) if grain else None, with_backtest=backtest
        )

    def forecast_latest(self, *, scope: Scope | None = None) -> dict[str, Any] | None:
        """The newest forecast run (None before the first), within `scope`: its deals, and
        totals recomputed from them."""
        with scoped(self.ws, scope) as ws:
            whole = scope is None or scope.sees_all
            return forecast_runs.latest(ws, self.ws.settings.forecast, whole=whole)

    def forecast_history(self, limit: int = 50) -> list[dict[str, Any]]:
        """The stored forecast runs, newest first."""
        return forecast_runs.history(self.ws, limit)

    def recommend(self, as_of: date | None = None) -> dict[str, Any]:
        """Next-best-product: per level the holdout evaluation (each model beside popularity),
        the chosen model's list for every customer with its reasons (stored as a run)."""
        return recommend_runs.run(self.ws, as_of)

    def recommend_latest(self) -> dict[str, Any] | None:
        """The newest recommendation run's evaluations (None before the first)."""
        return recommend_runs.latest(self.ws)

    def recommend_history(self, limit: int = 50) -> list[dict[str, Any]]:
        """The stored recommendation runs, newest first (one row per level)."""
        return recommend_runs.history(self.ws, limit)

    def cross_sell(
        self,
        customers: list[str] | None = None,
        *,
        level: str = "category",
        limit: int = 3,
        lang: str = "zh",
        scope: Scope | None = None,
    ) -> dict[str, list[dict[str, Any]]]:
        """The newest stored next-best lists of `customers` (every one within `scope` when
        None), best first, each item with its reason as a sentence in `lang`."""
        with scoped(self.ws, scope) as ws:
            found = recommend_runs.lists(ws, check_level(level), limit, customers)
        return {
            cid: [{**e, "reason": recommend_sentence(e, lang)} for e in entries]
            for cid, entries in found.items()
        }

    def cohorts(
        self,
        as_of: date | None = None,
        *,
        grain: str | None = None,
        split: str | None = None,
        scope: Scope | None = None,
    ) -> Cohorts:
        """Retention and revenue-retention of first-order cohorts (optionally split by region,
        channel or tier) beside the snapshot's purchase-model expectation, point-in-time."""
        cohort_grain, by = check_choice(grain, split)
        when = as_of or default_as_of(self.ws)
        with scoped(self.ws, scope) as ws:  # within a scope the views live on DuckDB
            engine = self.ws.settings.engine.name if scope is None or scope.sees_all else "duckdb"
            return cohort_retention(ws, when, grain=cohort_grain, split=by, engine=engine)

    def train_churn_model(
        self,
        table: str | Path,
        label: str,
        *,
        id_column: str | None = None,
        test_size: float = 0.25,
        seed: int = 42,
    ) -> dict[str, Any]:
        """Train a churn model on a labelled attribute table; holdout figures and the file."""
        return train_attribute_model(
            self.ws, table, label, id_column=id_column, test_size=test_size, seed=seed
        )

    def score_churn_table(self, table: str | Path, *, id_column: str | None = None) -> pd.DataFrame:
        """Score an attribute table with the model `train_churn_model` saved."""
        return score_attribute_table(self.ws, table, id_column=id_column)

    # ---- planning --------------------------------------------------------------------------------
    def plan(self, as_of: date | None = None, *, dry_run: bool = False) -> PlanResult:
        """Create the tasks the snapshot calls for (never duplicating an open one)."""
        return make_plan(self.ws, as_of, dry_run=dry_run)

    def playbook_effect(
        self, plan_date: date | None = None, *, scope: Scope | None = None
    ) -> effect.EffectReport:
        """Treated vs control (or matched untreated) per playbook of a past plan: churn,
        revenue and NPS differences with intervals, for the customers inside `scope`."""
        with scoped(self.ws, scope) as ws:
            return effect.measure(
                ws, self.ws.settings.effect, self.ws.settings.plan.skip_lifecycles, plan_date
            )

    def playbook_effect_rows(self, report: effect.EffectReport, lang: str) -> dict[str, Any]:
        """The effect report as display rows with their column titles, in `lang`."""
        return {
            "headers": effect_view.headers(report, lang),
            "rows": effect_view.rows(report, self.playbooks(), lang),
        }

    @staticmethod
    def effect_verdict(outcome: str, estimate: Any, min_n: int, lang: str) -> str:
        """What one estimate says (not enough data, no clear effect, works, backfires)."""
        return effect_view.verdict(outcome, estimate, min_n, lang)

    def export_playbook_effect(
        self, path: str | Path, report: effect.EffectReport, lang: str
    ) -> Path:
        """Write the effect table to an XLSX workbook."""
        return effect_view.export(Path(path), report, self.playbooks(), lang)

    def plan_economics(self, *, scope: Scope | None = None) -> budget.Economics:
        """Budget groups with the yearly cost of their open tasks, and what the last plan left
        out (over budget or capacity), as `scope` may see them."""
        spend = budget.budget_status(self.ws, set(self.playbooks()))
        load = capacity.capacity_report(self.ws)
        with scoped(self.ws, scope) as ws:
            left = budget.left_out(ws)
            if scope is not None and not scope.sees_all:  # reps with customers in the scope
                reps = {r[0] for r in ws.rows("SELECT DISTINCT owner FROM customers")}
                load = [r for r in load if r["owner"] in reps]
            return budget.Economics(budget.visible_budget(spend, scope), left, load)

    def goal_milestones(
        self, reports: list[dict[str, Any]], as_of: date | None = None
    ) -> list[dict[str, Any]]:
        """Each goal report (from `goal_progress`) with its quarter → month `milestones`,
        judged at `as_of` (default: the data's last day)."""
        when = as_of or data_end(self.ws)
        return [{**g, "milestones": milestones.milestones(g, when)} for g in reports]

    def playbooks(self) -> dict[str, Playbook]:
        """The playbooks in force: defaults, the playbook file, then kehu.toml."""
        return load_playbooks(self.ws.settings, self.ws.root)

    @staticmethod
    def rescue_rules() -> list[tuple[str, str, tuple[Action, ...], int]]:
        """Rescue measures by churn reason: (name zh, name en, actions, due days)."""
        return rescue_rules()

    def tasks(
        self,
        *,
        owner: str | None = None,
        status: str | None = None,
        customer_id: str | None = None,
        band: str | None = None,
        customer_ids: list[str] | None = None,
        limit: int | None = None,
        scope: Scope | None = None,
    ) -> list[dict[str, Any]]:
        """Tasks, highest priority first (within `scope`: on the scope's customers)."""
        with scoped(self.ws, scope) as ws:
            return tasks.list_tasks(
                ws, owner=owner, status=status, customer_id=customer_id, band=band,
                customer_ids=customer_ids, limit=limit,
            )  # fmt: skip

    def customers_among(self, ids: list[str], *, scope: Scope | None = None) -> set[str]:
        """Which of these customer ids exist (within `scope`: inside it)."""
        return visibility.customers_among(self.ws, ids, scope)

    def task_counts(self, *, scope: Scope | None = None) -> dict[str, int]:
        """Open, overdue and done tasks (within `scope`: on the scope's customers)."""
        return visibility.task_counts(self.ws, scope)

    def set_task_status(
        self, task_id: int, status: str, note: str | None = None, *, scope: Scope | None = None
    ) -> dict[str, Any]:
        """Close a task as done or cancelled (or re-open it), with an optional note. Within
        `scope`: only a task on the scope's customers, by a role that may."""
        if scope is not None:
            scope.require("update_task")
            visibility.task_customer(self.ws, task_id, scope)
        return tasks.set_status(self.ws, task_id, status, note)

    def export_tasks(
        self,
        out: str | Path,
        *,
        status: str | None = None,
        owner: str | None = None,
        lang: str = "zh",
    ) -> int:
        """Write tasks to a spreadsheet (by extension); returns the row count."""
        return tasks.export_tasks(self.ws, out, status=status, owner=owner, lang=lang)

    def kpis(
        self,
        period: str = "month",
        by: str | None = None,
        start: date | None = None,
        end: date | None = None,
        *,
        kpis: list[str] | None = None,
        scope: Scope | None = None,
    ) -> list[dict[str, Any]]:
        """KPI rows per period (and per `by` group), each with the change vs the previous;
        within `scope`, of the facts of the scope's customers."""
        with scoped(self.ws, scope) as ws:
            return compute_kpis(ws, period, by, start, end, kpis=kpis)

    def add_goal(
        self,
        metric: str,
        target: str | float,
        deadline: date,
        owner: str,
        *,
        scope: str | None = None,
        name: str | None = None,
        start: date | None = None,
        grain: str | None = None,
    ) -> dict[str, Any]:
        """Add a SMART goal on a KPI (e.g. new customers reach 200 by the quarter's end)."""
        return goals.add_goal(
            self.ws, metric, target, deadline, owner, scope=scope, name=name, start=start,
            grain=grain,
        )  # fmt: skip

    def goals(self, owner: str | None = None) -> list[dict[str, Any]]:
        """The goals, optionally one owner's."""
        return goals.list_goals(self.ws, owner)

    def goal_progress(
        self,
        goal_id: int | None = None,
        as_of: date | None = None,
        *,
        save: bool = True,
        scope: Scope | None = None,
    ) -> list[dict[str, Any]]:
        """Progress of one goal (or all) per period of its grain, with the projection
        (recorded in the goals' history unless `save=False`); within `scope`, the goals it
        sees (`kehu.planning.visibility`)."""
        rows = goals.progress(self.ws, goal_id, as_of, save=save)
        return visibility.visible_goals(self.ws, rows, scope)

    def remove_goal(self, goal_id: int) -> None:
        """Delete a goal and its progress history."""
        goals.remove_goal(self.ws, goal_id)

    def key_accounts(
        self,
        as_of: date | None = None,
        *,
        scope: Scope | None = None,
        owner: str | None = None,
        region: str | None = None,
        year: int | None = None,
    ) -> dict[str, Any]:
        """The 战略级 / 核心级 customers (`[account_plan] tiers`) and their plans' state
        (inside `scope`, of this owner / region)."""
        return key_accounts(self.ws, as_of, scope=scope, owner=owner, region=region, year=year)

    def account_plan(
        self,
        customer_id: str,
        *,
        year: int | None = None,
        as_of: date | None = None,
        scope: Scope | None = None,
    ) -> dict[str, Any]:
        """A key-account plan: live facts, saved (or drafted) goals, team and actions (a
        customer outside `scope` is not found)."""
        return account_plan(self.ws, customer_id, year=year, as_of=as_of, scope=scope)

    def save_account_plan(
        self,
        customer_id: str,
        edits: dict[str, Any],
        *,
        year: int | None = None,
        scope: Scope | None = None,
    ) -> dict[str, Any]:
        """Store the edited goals, team, actions, notes or status of a plan (of a customer
        inside `scope`)."""
        return save_plan(self.ws, customer_id, edits, year=year, scope=scope, user=self.actor)

    def export_account_plan(
        self,
        customer_id: str,
        out: str | Path,
        *,
        year: int | None = None,
        scope: Scope | None = None,
        lang: str | None = None,
        fmt: str | None = None,
    ) -> Path:
        """Write a plan to XLSX or PDF (by `fmt` or the file's extension)."""
        plan = self.account_plan(customer_id, year=year, scope=scope)
        return write_plan(plan, out, lang or self.ws.lang, fmt)

    def goals_status(self, as_of: date | None = None) -> list[dict[str, Any]]:
        """Every goal's status at `as_of`, without writing (what alerts and reports read)."""
        return goals.goals_status(self.ws, as_of)

    def split_targets(
        self,
        total: Decimal | float | str,
        period: str,
        by: str,
        *,
        weights: dict[str, float] | None = None,
        floor: float | None = None,
        cap: float | None = None,
        months: bool = False,
        month_weights: list[float] | None = None,
        rounding: str | None = None,
        write: bool = True,
        out: str | Path | None = None,
        lang: str | None = None,
    ) -> SplitResult:
        """Split a sales target over regions, owners or customers by history and potential."""
        return split_targets(
            self.ws, total, period, by, weights=weights, floor=floor, cap=cap, months=months,
            month_weights=month_weights, rounding=rounding, write=write, out=out,
            lang=lang or self.ws.lang,
        )  # fmt: skip

    def simulate_targets(
        self, total: Decimal | float | str, period: str, by: str = "region"
    ) -> dict[str, Any]:
        """The chance each region or rep reaches its share of `total` (Monte Carlo on CLV
        expectations and the prospects' pipeline), under the current split and the best."""
        return simulate_targets(self.ws, total, period, by)

    def target_periods(self) -> list[str]:
        """The periods that have sales targets, latest label first."""
        return target_periods(self.ws)

    def target_progress(
        self, period: str | None = None, as_of: date | None = None, *, scope: Scope | None = None
    ) -> list[dict[str, Any]]:
        """Actual sales against the targets of a period, per unit; within `scope`, the target
        rows it sees (`kehu.planning.visibility`)."""
        return visibility.visible_targets(self.ws, target_progress(self.ws, period, as_of), scope)

    def scorecards(
        self, period: str | None = None, *, grain: str | None = None, scope: Scope | None = None
    ) -> scorecard.Scorecards:
        """Rep and team scorecards of a period (default: the last complete one), ranked over
        everyone; `scope` keeps the rows it may see (a rep its own, a manager its region's)."""
        cards = scorecard.scorecards(self.ws, period, grain)
        return scorecard.visible(cards, scope, self.ws.settings.scorecard.teams)

    def export_scorecards(
        self,
        out: str | Path,
        period: str | None = None,
        *,
        grain: str | None = None,
        scope: Scope | None = None,
        lang: str = "zh",
    ) -> Path:
        """Write the scorecards a scope may see to an XLSX workbook for the review meeting."""
        cards = self.scorecards(period, grain=grain, scope=scope)
        return scorecard.write_xlsx(cards, Path(out), lang)

    # ---- monitoring ------------------------------------------------------------------------------
    def run_alerts(
        self, as_of: date | None = None, *, send: bool = True, lang: str | None = None
    ) -> AlertRunResult:
        """Evaluate the alert rules, store new alerts and notify (unless `send=False`)."""
        return run_alerts(self.ws, as_of, send=send, lang=lang)

    def notify_targets(self, digest_ids: list[str]) -> list[str]:
        """The endpoints the notify log recorded for these digests (no secrets kept there)."""
        if not digest_ids:
            return []
        marks = ", ".join("?" for _ in digest_ids)
        rows = self.ws.rows(
            f"SELECT DISTINCT target FROM notify_log WHERE digest_id IN ({marks}) ORDER BY 1",
            digest_ids,
        )
        return [r[0] for r in rows if r[0]]

    def alerts(
        self,
        status: str | None = None,
        *,
        rule: str | None = None,
        owner: str | None = None,
        severity: str | None = None,
        customer_id: str | None = None,
        limit: int = 200,
        scope: Scope | None = None,
    ) -> list[dict[str, Any]]:
        """Alerts, last seen first (within `scope`: those about the scope's customers, and for
        managers the company's KPI and goal alerts too)."""
        return list_alerts(
            self.ws, status, rule=rule, owner=owner, severity=severity, customer_id=customer_id,
            limit=limit, scope=scope,
        )  # fmt: skip

    def open_alert_counts(self, *, scope: Scope | None = None) -> dict[str, int]:
        """Open alerts per severity (of those `alerts` shows `scope`)."""
        return open_alert_counts(self.ws, scope)

    def ack_alert(
        self, alert_id: int, user: str | None = None, *, scope: Scope | None = None
    ) -> dict[str, Any]:
        """Acknowledge an alert (by `user`, else the actor): it stops notifying. Within
        `scope`: only an alert the scope sees, by a role that may."""
        if scope is not None:
            scope.require("ack_alert")
        return ack(self.ws, alert_id, user or self.actor, scope=scope)

    def feedback_summary(
        self,
        period: str | None = None,
        *,
        top: int | None = None,
        lang: str | None = None,
        scope: Scope | None = None,
    ) -> dict[str, Any]:
        """Feedback categories, frequent issues with quotes, topic trends."""
        with scoped(self.ws, scope) as ws:
            return feedback_summary(ws, period, top=top, lang=lang)

    def report(
        self,
        period: str | None = None,
        *,
        kind: str | None = None,
        fmt: str | None = None,
        lang: str | None = None,
        out: str | Path | None = None,
        scope: Scope | None = None,
    ) -> dict[str, Any]:
        """Write a periodic report file (HTML, XLSX or PDF) of what `scope` sees (default:
        everything); returns its path and period."""
        return write_report(self.ws, period, kind=kind, fmt=fmt, lang=lang, out=out, scope=scope)

    def run_pipeline(self, *, lang: str | None = None) -> dict[str, Any]:
        """One idempotent pass: import new files → analyze → plan → alerts → reports."""
        return run_pipeline(self.ws, lang=lang)

    def run_schedule(
        self,
        cron: str | None = None,
        *,
        console: Console | None = None,
        lang: str = "zh",
        max_runs: int | None = None,
    ) -> int:
        """Run the pipeline on a cron schedule (default `[schedule] cron`) until stopped."""
        return run_schedule(
            self.ws, cron or self.ws.settings.schedule.cron, console=console, lang=lang,
            max_runs=max_runs,
        )  # fmt: skip
