"""`Workspace`: the one entry point that the CLI, the API and Python users share.

A workspace is a folder holding `kehu.toml` and `kehu.duckdb`. Opening it validates the
config and migrates the store. Writes go through `transaction()`, which holds a lock so a
server process can serialise writers while readers use their own cursors.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from kehu.config import Settings, dump_settings, load_settings
from kehu.errors import KehuError
from kehu.store import migrate

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pyarrow as pa
    from ibis.backends.duckdb import Backend as IbisDuckDB

CONFIG_FILE = "kehu.toml"
DB_FILE = "kehu.duckdb"


def resolve_path(path: str | Path | None) -> Path:
    """The workspace folder: the argument, else $KEHU_WORKSPACE, else the current folder."""
    chosen = path or os.environ.get("KEHU_WORKSPACE") or "."
    return Path(chosen).expanduser().resolve()


class Workspace:
    """An opened workspace: settings + a DuckDB connection (+ an Ibis view of it)."""

    def __init__(self, root: Path, settings: Settings, con: duckdb.DuckDBPyConnection) -> None:
        self.root = root
        self.settings = settings
        self.con = con
        self._ibis: IbisDuckDB | None = None
        self._write_lock = threading.RLock()

    # ---- opening -------------------------------------------------------------------------
    @classmethod
    def init(cls, path: str | Path | None = None, *, overwrite: bool = False) -> Workspace:
        """Create a workspace folder with a default `kehu.toml` and an empty store."""
        root = resolve_path(path)
        root.mkdir(parents=True, exist_ok=True)
        cfg = root / CONFIG_FILE
        if cfg.exists() and not overwrite:
            raise KehuError(
                f"{root} 已经是 kehu 工作区(存在 {CONFIG_FILE})",
                f"{root} is already a kehu workspace ({CONFIG_FILE} exists)",
            )
        cfg.write_text(default_config_text(), encoding="utf-8")
        return cls.open(root)

    @classmethod
    def open(cls, path: str | Path | None = None, *, read_only: bool = False) -> Workspace:
        """Open an existing workspace (validates the config, migrates the store)."""
        root = resolve_path(path)
        if not (root / CONFIG_FILE).exists():
            raise KehuError(
                f"{root} 不是 kehu 工作区:找不到 {CONFIG_FILE}。先运行 `kehu init {root}`"
                " 或用 -w 指定工作区",
                f"{root} is not a kehu workspace: no {CONFIG_FILE}. Run `kehu init {root}`"
                " or point -w at a workspace",
            )
        settings = load_settings(root / CONFIG_FILE)
        try:
            con = duckdb.connect(str(root / DB_FILE), read_only=read_only)
        except duckdb.IOException as exc:
            raise KehuError(
                f"无法打开 {root / DB_FILE}:{exc}(是否有另一个 kehu 进程正在写入?)",
                f"cannot open {root / DB_FILE}: {exc} (is another kehu process writing?)",
            ) from None
        if settings.engine.memory_limit:  # DuckDB spills to disk beyond it
            try:
                con.execute(f"SET memory_limit = '{settings.engine.memory_limit}'")
            except duckdb.Error:
                con.close()
                raise KehuError(
                    f"kehu.toml 中 engine.memory_limit = {settings.engine.memory_limit!r} 无效,"
                    '请写成 "8GB" 或 "512MB" 这样的大小',
                    f"engine.memory_limit = {settings.engine.memory_limit!r} in kehu.toml is not"
                    ' a size: write it like "8GB" or "512MB"',
                ) from None
        if not read_only:
            migrate(con)
        return cls(root, settings, con)

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- paths and settings ----------------------------------------------------------------
    @property
    def lang(self) -> str:
        return self.settings.workspace.lang

    def path(self, *parts: str) -> Path:
        """A path inside the workspace folder (created parents)."""
        p = self.root.joinpath(*parts)
        p.parent.mkdir(parents=True, exist_ok=True)
        return p

    def save_settings(self) -> None:
        (self.root / CONFIG_FILE).write_text(dump_settings(self.settings), encoding="utf-8")

    # ---- data access -----------------------------------------------------------------------
    @property
    def ibis(self) -> IbisDuckDB:
        """An Ibis backend over the same DuckDB connection (analytics are Ibis expressions)."""
        if self._ibis is None:
            import ibis

            self._ibis = ibis.duckdb.from_connection(self.con)
        return self._ibis

    def table(self, name: str) -> ir.Table:
        return self.ibis.table(name)

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor for a concurrent reader (same database, own transaction)."""
        return self.con.cursor()

    def arrow(self, sql: str, params: list[Any] | None = None) -> pa.Table:
        return self.cursor().sql(sql, params=params or None).to_arrow_table()

    def rows(self, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        return self.cursor().execute(sql, params or []).fetchall()

    def scalar(self, sql: str, params: list[Any] | None = None) -> Any:
        row = self.cursor().execute(sql, params or []).fetchone()
        return row[0] if row else None

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """One write transaction: everything inside commits together or not at all."""
        with self._write_lock:
            cur = self.con.cursor()
            cur.execute("BEGIN TRANSACTION")
            try:
                yield cur
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            else:
                cur.execute("COMMIT")
            finally:
                cur.close()

    # Each area adds thin methods below its own marker (delegating to its package), so the
    # CLI, the API and Python users share one entry point. Keep imports inside the methods.
    # ---- ingest (kehu.ingest) ----
    def import_file(self, path: str | Path, kind: str, **options: Any) -> Any:
        """Import an export file (see `kehu.ingest.import_file`); returns an ImportResult."""
        from kehu.ingest import import_file

        return import_file(self, path, kind, **options)

    def import_records(self, kind: str, records: list[dict[str, Any]], **options: Any) -> Any:
        """Import pushed records (see `kehu.ingest.import_records`)."""
        from kehu.ingest import import_records

        return import_records(self, kind, records, **options)

    def export_table(self, table: str, out_path: str | Path, **options: Any) -> int:
        """Export a table to CSV/XLSX/Parquet by extension; returns the row count."""
        from kehu.ingest import export_table

        return export_table(self, table, out_path, **options)

    # ---- demo (kehu.demo) ----
    # ---- analytics (kehu.analytics) ----
    def analyze(self, as_of: Any = None, **kwargs: Any) -> Any:
        """Compute and store the customer snapshot of `as_of` (kehu.analytics.snapshot)."""
        from kehu.analytics.snapshot import analyze

        return analyze(self, as_of, **kwargs)

    def snapshot(self, as_of: Any = None) -> ir.Table:
        """The stored customer snapshot of `as_of` (default: the latest) as an Ibis table."""
        import ibis

        from kehu.analytics.query import pick_as_of

        t = self.table("customer_snapshot")
        return t.filter(t.as_of == ibis.literal(pick_as_of(self, as_of)))

    def customer_360(self, customer_id: str, **kwargs: Any) -> dict[str, Any]:
        from kehu.analytics.query import customer_360

        return customer_360(self, customer_id, **kwargs)

    # ---- quality and dedupe (kehu.quality, kehu.dedupe) ----
    def quality_report(self, as_of: Any = None) -> dict[str, Any]:
        """The data-quality report (see kehu.quality.report)."""
        from kehu.quality.report import quality_report

        return quality_report(self, as_of)

    def dedupe(self, dry_run: bool = False, **kwargs: Any) -> Any:
        """Find and merge duplicate customers (see kehu.dedupe.run.run_dedupe)."""
        from kehu.dedupe.run import run_dedupe

        return run_dedupe(self, dry_run, **kwargs)

    def merge_customers(self, a: str, b: str, **kwargs: Any) -> Any:
        from kehu.dedupe.review import merge_pair

        return merge_pair(self, a, b, **kwargs)

    def reject_duplicate(self, a: str, b: str, **kwargs: Any) -> dict[str, Any]:
        from kehu.dedupe.review import reject_pair

        return reject_pair(self, a, b, **kwargs)

    def undo_merge(self, merge_id: str, *, force: bool = False, user: str | None = None) -> Any:
        from kehu.dedupe.undo import undo_merge

        with self.transaction() as cur:
            return undo_merge(cur, merge_id, force=force, user=user)

    # ---- planning (kehu.planning) ----
    def plan(self, as_of: Any = None, *, dry_run: bool = False) -> Any:
        """Create the tasks the snapshot at `as_of` (a date) calls for (planning.plan)."""
        from kehu.planning.plan import make_plan

        return make_plan(self, as_of, dry_run=dry_run)

    def kpis(
        self,
        period: str = "month",
        by: str | None = None,
        start: Any = None,
        end: Any = None,
        **kw: Any,
    ) -> list[dict[str, Any]]:
        """KPI rows per period and group; start/end are dates (planning.kpis.compute_kpis)."""
        from kehu.planning.kpis import compute_kpis

        return compute_kpis(self, period, by, start, end, **kw)

    def split_targets(self, total: Any, period: str, by: str, **kw: Any) -> Any:
        """Split a sales target (kehu.planning.targets.split_targets)."""
        from kehu.planning.targets import split_targets

        return split_targets(self, total, period, by, **kw)

    def goals_status(self, as_of: Any = None) -> list[dict[str, Any]]:
        """Every goal's status at `as_of`, without writing (kehu.planning.goals)."""
        from kehu.planning.goals import goals_status

        return goals_status(self, as_of)

    # ---- monitoring (kehu.monitor) ----
    def run_alerts(self, as_of: Any = None, *, send: bool = True) -> Any:
        """Evaluate alert rules, store events, notify (see kehu.monitor.alerts)."""
        from kehu.monitor.alerts import run_alerts

        return run_alerts(self, as_of, send=send)

    def alerts(self, status: str | None = None, **filters: Any) -> list[dict[str, Any]]:
        from kehu.monitor.state import list_alerts

        return list_alerts(self, status, **filters)

    def ack_alert(self, alert_id: int, user: str | None = None) -> dict[str, Any]:
        from kehu.monitor.state import ack

        return ack(self, alert_id, user)

    def feedback_summary(self, period: str | None = None, **kwargs: Any) -> dict[str, Any]:
        from kehu.monitor.feedback import feedback_summary

        return feedback_summary(self, period, **kwargs)

    def report(self, period: str, **kwargs: Any) -> Any:
        """Write a periodic report file (see kehu.monitor.report.build.write_report)."""
        from kehu.monitor.report.build import write_report

        return write_report(self, period, **kwargs)

    def run_pipeline(self, **kwargs: Any) -> Any:
        """One idempotent pipeline run: import → analyze → plan → alerts → reports."""
        from kehu.monitor.pipeline import run_pipeline

        return run_pipeline(self, **kwargs)

    # ---- web, users, audit (kehu.web) ----
    def audit(
        self,
        action: str,
        *,
        user: str | None = None,
        target: str | None = None,
        detail: dict[str, Any] | None = None,
    ) -> str:
        """Append an event to the audit log (logins, exports, imports, merges, config)."""
        from kehu.web import audit

        return audit.record(self, action, user=user, target=target, detail=detail)

    def auth(self) -> Any:
        """Users, sessions and API tokens of this workspace (`kehu.web.auth.Auth`)."""
        from kehu.web.auth import Auth

        return Auth(self)

    # ---- engines (kehu.engines: spark) ----


def default_config_text() -> str:
    """The `kehu.toml` written by `kehu init`: every default, with a header comment."""
    header = (
        "# kehu workspace settings. Every number is a default taken from the seed documents;\n"
        "# change it to fit your business cycle. `kehu config show` prints what is in force.\n\n"
    )
    return header + dump_settings(Settings())
