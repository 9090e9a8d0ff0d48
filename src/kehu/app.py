"""`Kehu`: the typed entry point for Python users (and, in time, the CLI and the web).

It sits above every floor and holds an opened `Workspace` plus the actor acting on it, whose
name goes into the import, merge and alert logs. Each method calls one floor's function and
returns what that function returns (dataclasses for runs, dicts for reports and views).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kehu.access.masking import mask_record, mask_records
from kehu.access.scope import Scope
from kehu.analytics.backtest import score_names
from kehu.analytics.backtest_runs import history as backtest_history
from kehu.analytics.backtest_runs import latest as latest_backtest
from kehu.analytics.coherence import watch_sql
from kehu.analytics.labels import COLUMN_KIND, LABELS, column_label, label
from kehu.analytics.query import customer_360, customer_timeline, pick_as_of
from kehu.analytics.snapshot import AnalyzeResult, analyze
from kehu.dedupe.merge import MergeRecord
from kehu.dedupe.review import merge_pair, pending_pairs, reject_pair
from kehu.dedupe.run import DedupeResult, run_dedupe
from kehu.dedupe.undo import undo_merge
from kehu.ingest import export_table, import_file, import_records, kinds
from kehu.ingest.headers import file_headers, header_columns, importable_columns
from kehu.ingest.result import ImportResult, Progress
from kehu.monitor.alerts import AlertRunResult, run_alerts
from kehu.monitor.feedback import customer_needs, feedback_summary, feedback_vocabulary
from kehu.monitor.pipeline import run_pipeline
from kehu.monitor.report.build import write_report
from kehu.monitor.state import ack, list_alerts
from kehu.planning.goals import add_goal, goal_title, goals_status, parse_scope, scope_text
from kehu.planning.goals import progress as goals_progress
from kehu.planning.kpis import KPIS, compute_kpis, format_value, get_kpi, set_change
from kehu.planning.plan import PlanResult, customer_strategy, make_plan
from kehu.planning.targets import SplitResult, split_targets, target_progress
from kehu.planning.tasks import list_tasks, set_status
from kehu.quality.report import quality_report
from kehu.quality.targets import gap_text, target_gaps
from kehu.store.scope import RowScope
from kehu.workspace import Workspace

if TYPE_CHECKING:
    import ibis.expr.types as ir

# What the interfaces show besides Kehu's results: labels of codes, KPI definitions and number
# formats, goal and target-gap sentences (one place each, below the entry point).
__all__ = [
    "COLUMN_KIND", "KPIS", "LABELS", "Kehu", "Workspace", "column_label", "format_value",
    "gap_text", "get_kpi", "goal_title", "label", "parse_scope", "scope_text", "set_change",
    "watch_sql",
]  # fmt: skip


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
    def init(cls, path: str | Path | None = None, *, actor: str | None = None) -> Kehu:
        """Create a workspace with every default setting and an empty store."""
        return cls(Workspace.init(path), actor)

    def close(self) -> None:
        self.ws.close()

    def __enter__(self) -> Kehu:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

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
        self, kind: str, records: list[dict[str, Any]], *, source: str, dry_run: bool = False
    ) -> ImportResult:
        """Load pushed records (dicts with the file's column names) like a file."""
        return import_records(
            self.ws, kind, records, source=source, dry_run=dry_run, user=self.actor
        )

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

    def header_columns(
        self, headers: list[str], kind: str, *, mapping: str | Path | None = None
    ) -> dict[str, str | None]:
        """header -> canonical column (None: not imported), as `import_file` maps it."""
        return header_columns(headers, kind, mapping)

    def export_table(self, table: str, out_path: str | Path, *, headers: str = "code") -> int:
        """Write a table to CSV, XLSX or Parquet (by extension); returns the row count."""
        return export_table(self.ws, table, out_path, headers=headers)

    # ---- quality and duplicates ----------------------------------------------------------------
    def quality_report(self, as_of: date | None = None) -> dict[str, Any]:
        return quality_report(self.ws, as_of)

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
        )

    def duplicate_pairs(self, limit: int | None = None) -> list[dict[str, Any]]:
        """Suspected duplicate pairs waiting for review, most likely first."""
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

    def customer_360(
        self,
        customer_id: str,
        *,
        as_of: date | None = None,
        lang: str | None = None,
        scope: Scope | None = None,
    ) -> dict[str, Any]:
        """One customer's portrait, scores with their explanations, orders and service, as of
        a snapshot day; `NotFoundError` outside the scope as for an unknown id, phones and
        e-mails masked unless the scope may see them."""
        view = customer_360(
            self.ws, customer_id, as_of=as_of, lang=lang or self.ws.lang, scope=scope
        )
        if scope is not None:
            view["profile"] = mask_record(view["profile"], scope)
            view["contacts"] = mask_records(view["contacts"], scope)
        return view

    def customer_timeline(
        self,
        customer_id: str,
        *,
        as_of: date | None = None,
        limit: int = 200,
        scope: RowScope | None = None,
    ) -> list[dict[str, Any]]:
        """Orders, interactions, tickets and surveys of one customer, newest first."""
        return customer_timeline(self.ws, customer_id, as_of=as_of, limit=limit, scope=scope)

    def customer_needs(
        self, customer_id: str, vocabulary: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Pain points and needs from the customer's own texts and open opportunities."""
        return customer_needs(self.ws, customer_id, vocabulary)

    def feedback_vocabulary(self) -> dict[str, Any]:
        """The phrases of every customer's texts that `customer_needs` picks from."""
        return feedback_vocabulary(self.ws)

    def backtest_latest(self) -> dict[str, Any] | None:
        """Every figure of the newest backtest run (None before the first)."""
        return latest_backtest(self.ws)

    @staticmethod
    def backtest_names(lang: str) -> dict[str, str]:
        """Display names of the backtest's churn scores and purchase models."""
        return score_names(lang)

    def backtest_history(self, limit: int = 50) -> list[dict[str, Any]]:
        """Headline figures of the stored backtest runs, newest first."""
        return backtest_history(self.ws, limit)

    # ---- planning --------------------------------------------------------------------------------
    def plan(self, as_of: date | None = None, *, dry_run: bool = False) -> PlanResult:
        """Create the tasks the snapshot calls for (never duplicating an open one)."""
        return make_plan(self.ws, as_of, dry_run=dry_run)

    def tasks(
        self,
        *,
        status: str | None = None,
        owner: str | None = None,
        band: str | None = None,
        customer_ids: list[str] | None = None,
        scope: RowScope | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        """Tasks on the scope's customers, open and highest priority first."""
        return list_tasks(
            self.ws,
            status=status,
            owner=owner,
            band=band,
            customer_ids=customer_ids,
            scope=scope,
            limit=limit,
        )

    def customer_strategy(
        self, snapshot: dict[str, Any] | None, lang: str | None = None
    ) -> dict[str, Any] | None:
        """The playbook that applies to a snapshot row, with its direction and measures."""
        return customer_strategy(self.ws, snapshot, lang or self.ws.lang)

    def kpis(
        self,
        period: str = "month",
        by: str | None = None,
        start: date | None = None,
        end: date | None = None,
        *,
        kpis: list[str] | None = None,
    ) -> list[dict[str, Any]]:
        """KPI rows per period (and per `by` group), each with the change vs the previous."""
        return compute_kpis(self.ws, period, by, start, end, kpis=kpis)

    def split_targets(
        self, total: Decimal | float | str, period: str, by: str, *, write: bool = True
    ) -> SplitResult:
        """Split a sales target over regions or reps by history and potential."""
        return split_targets(self.ws, total, period, by, write=write, lang=self.ws.lang)

    def set_task_status(self, task_id: int, status: str, note: str | None = None) -> dict:
        """Mark a task done or cancelled (or re-open it); returns the updated task."""
        return set_status(self.ws, task_id, status, note)

    def add_goal(
        self,
        metric: str,
        target: str,
        deadline: date,
        *,
        owner: str | None = None,
        scope: str | None = None,
        name: str | None = None,
    ) -> dict[str, Any]:
        """Record a SMART goal on a KPI (scope `key=value`, e.g. `region=华东`)."""
        return add_goal(
            self.ws, metric, target, deadline, owner or self.actor, scope=scope, name=name
        )

    def goals_progress(self, as_of: date | None = None) -> list[dict[str, Any]]:
        """Every goal evaluated at `as_of` (default: the data's last day), not stored."""
        return goals_progress(self.ws, as_of=as_of, save=False)

    def target_progress(self, period: str | None = None) -> list[dict[str, Any]]:
        """Attainment per imported sales target of `period` (default: the current one)."""
        return target_progress(self.ws, period)

    def target_gaps(self) -> list[dict[str, Any]]:
        """Where imported targets do not add up across levels (region vs owners ...)."""
        return target_gaps(self.ws)

    def goals_status(self, as_of: date | None = None) -> list[dict[str, Any]]:
        return goals_status(self.ws, as_of)

    # ---- monitoring ------------------------------------------------------------------------------
    def run_alerts(self, as_of: date | None = None, *, send: bool = True) -> AlertRunResult:
        """Evaluate the alert rules, store new alerts and notify (unless `send=False`)."""
        return run_alerts(self.ws, as_of, send=send)

    def alerts(
        self, status: str | None = None, *, rule: str | None = None, owner: str | None = None
    ) -> list[dict[str, Any]]:
        return list_alerts(self.ws, status, rule=rule, owner=owner)

    def ack_alert(self, alert_id: int) -> dict[str, Any]:
        return ack(self.ws, alert_id, self.actor)

    def feedback_summary(self, period: str | None = None) -> dict[str, Any]:
        """Feedback categories, frequent issues with quotes, topic trends."""
        return feedback_summary(self.ws, period)

    def report(
        self,
        period: str | None = None,
        *,
        kind: str | None = None,
        fmt: str | None = None,
        out: str | Path | None = None,
        lang: str | None = None,
    ) -> dict[str, Any]:
        """Write a periodic report file (HTML, XLSX or PDF); returns its path and period."""
        return write_report(self.ws, period, kind=kind, fmt=fmt, out=out, lang=lang)

    def run_pipeline(self) -> dict[str, Any]:
        """One idempotent pass: import new files → analyze → plan → alerts → reports."""
        return run_pipeline(self.ws)
