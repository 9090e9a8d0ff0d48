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

from kehu.analytics.competition import Within, competitor_view
from kehu.analytics.market import market_view
from kehu.analytics.query import customer_360, pick_as_of
from kehu.analytics.snapshot import AnalyzeResult, analyze
from kehu.dedupe.merge import MergeRecord
from kehu.dedupe.review import merge_pair, reject_pair
from kehu.dedupe.run import DedupeResult, run_dedupe
from kehu.dedupe.undo import undo_merge
from kehu.ingest import export_table, import_file, import_records
from kehu.ingest.result import ImportResult, Progress
from kehu.monitor.alerts import AlertRunResult, run_alerts
from kehu.monitor.feedback import feedback_summary
from kehu.monitor.pipeline import run_pipeline
from kehu.monitor.report.account_plan import write_plan
from kehu.monitor.report.build import write_report
from kehu.monitor.state import ack, list_alerts
from kehu.planning.account_plan import account_plan, key_accounts, save_plan
from kehu.planning.goals import goals_status
from kehu.planning.kpis import compute_kpis
from kehu.planning.plan import PlanResult, make_plan
from kehu.planning.targets import SplitResult, split_targets
from kehu.quality.report import quality_report
from kehu.workspace import Workspace

if TYPE_CHECKING:
    import ibis.expr.types as ir


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
        self, customer_id: str, *, as_of: date | None = None, lang: str | None = None
    ) -> dict[str, Any]:
        """One customer's portrait, scores with their explanations, orders and service."""
        return customer_360(self.ws, customer_id, as_of=as_of, lang=lang or self.ws.lang)

    def competitors(self, as_of: date | None = None, *, within: Within = None) -> dict[str, Any]:
        """Competitors per customer, region and industry; revenue, pipeline and win/loss."""
        return competitor_view(self.ws, as_of, within)

    def market(
        self, as_of: date | None = None, *, within: Within = None, lang: str | None = None
    ) -> dict[str, Any]:
        """Revenue, customers, growth and share by industry, region and size; penetration and
        white space against the imported market potential."""
        return market_view(self.ws, as_of, within, lang or self.ws.lang)

    # ---- planning --------------------------------------------------------------------------------
    def plan(self, as_of: date | None = None, *, dry_run: bool = False) -> PlanResult:
        """Create the tasks the snapshot calls for (never duplicating an open one)."""
        return make_plan(self.ws, as_of, dry_run=dry_run)

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

    def key_accounts(
        self, as_of: date | None = None, *, within: Within = None, year: int | None = None
    ) -> dict[str, Any]:
        """The 战略级 / 核心级 customers (`[account_plan] tiers`) and their plans' state."""
        return key_accounts(self.ws, as_of, within, year)

    def account_plan(
        self,
        customer_id: str,
        *,
        year: int | None = None,
        as_of: date | None = None,
        within: Within = None,
    ) -> dict[str, Any]:
        """A key-account plan: live facts, saved (or drafted) goals, team and actions."""
        return account_plan(self.ws, customer_id, year=year, as_of=as_of, within=within)

    def save_account_plan(
        self,
        customer_id: str,
        edits: dict[str, Any],
        *,
        year: int | None = None,
        within: Within = None,
    ) -> dict[str, Any]:
        """Store the edited goals, team, actions, notes or status of a plan."""
        return save_plan(self.ws, customer_id, edits, year=year, within=within, user=self.actor)

    def export_account_plan(
        self,
        customer_id: str,
        out: str | Path,
        *,
        year: int | None = None,
        within: Within = None,
        lang: str | None = None,
        fmt: str | None = None,
    ) -> Path:
        """Write a plan to XLSX or PDF (by `fmt` or the file's extension)."""
        plan = self.account_plan(customer_id, year=year, within=within)
        return write_plan(plan, out, lang or self.ws.lang, fmt)

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
    ) -> dict[str, Any]:
        """Write a periodic report file (HTML, XLSX or PDF); returns its path and period."""
        return write_report(self.ws, period, kind=kind, fmt=fmt, out=out)

    def run_pipeline(self) -> dict[str, Any]:
        """One idempotent pass: import new files → analyze → plan → alerts → reports."""
        return run_pipeline(self.ws)
