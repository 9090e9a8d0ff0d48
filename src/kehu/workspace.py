"""`Workspace`: the context every floor works in — root, settings, connection, transaction.

A workspace is a folder holding `kehu.toml` and `kehu.duckdb`. Opening it validates the
config and migrates the store. Writes go through `transaction()`, which holds a lock so a
server process can serialise writers while readers use their own cursors. It knows nothing of
the floors above the store: callers use each floor's functions (decision 40).
"""

from __future__ import annotations

import difflib
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from kehu.config import Settings, dump_settings, load_settings
from kehu.engines.duckdb import DuckDBEngine
from kehu.engines.lake import Location
from kehu.errors import KehuError
from kehu.store import migrate
from kehu.store.schema import DATA_TABLES

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pyarrow as pa
    from ibis.backends.duckdb import Backend as IbisDuckDB

    from kehu.engines import Engine, Params

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
        self._engine: DuckDBEngine | None = None
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
        limit = settings.engine.memory_limit or default_memory_limit()
        if limit:  # DuckDB spills to disk beyond it
            try:
                con.execute(f"SET memory_limit = '{limit}'")
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
        ws = cls(root, settings, con)
        ws.lake()  # a misnamed table in [engine.tables] fails at open, not at first read
        return ws

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

    def lake(self) -> dict[str, Location]:
        """The canonical tables that live outside the workspace file (`[engine.tables]`,
        `[engine] orders_path`), by name."""
        cfg = self.settings.engine
        given = dict(cfg.tables)
        if cfg.orders_path:
            given.setdefault("orders", cfg.orders_path)
        canonical = [t.name for t in DATA_TABLES]
        for name in given:
            if name not in canonical:
                near = difflib.get_close_matches(name, canonical, n=1)
                hint = f"(是不是 {near[0]}?)" if near else ""
                hint_en = f" (did you mean {near[0]}?)" if near else ""
                raise KehuError(
                    f"kehu.toml 中 [engine.tables] {name} 不是标准表{hint};可选:"
                    f"{', '.join(canonical)}",
                    f"[engine.tables] {name} in kehu.toml is not a canonical table{hint_en};"
                    f" use one of {', '.join(canonical)}",
                )
        return {n: Location.of(n, text, self.root) for n, text in given.items()}

    @property
    def engine(self) -> DuckDBEngine:
        """The engine every floor reads the canonical tables through (follows the settings)."""
        lake = self.lake()
        if self._engine is None or self._engine.lake != lake:
            self._engine = DuckDBEngine(self.con, lake, self.ibis, self.reader)
        return self._engine

    def engine_named(self, name: str) -> Engine:
        """The engine called `name`: this workspace's DuckDB, or Spark over its tables."""
        if name == "duckdb":
            return self.engine
        if name == "spark":
            from kehu.engines.spark import SparkEngine

            cfg = self.settings.engine
            names = [t.name for t in DATA_TABLES]
            return SparkEngine.open(self.cursor(), names, self.root / "spark", self.lake(),
                                    cfg.spark_master, cfg.spark_memory)  # fmt: skip
        raise KehuError(
            f"不支持的计算引擎:{name}(可用:duckdb、spark)",
            f"unsupported engine: {name} (available: duckdb, spark)",
        )

    def table(self, name: str) -> ir.Table:
        """A table as Ibis sees it; a canonical one from wherever it lives."""
        return self.engine.table(name)

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor for a concurrent reader (same database, own transaction); it reads the
        workspace file only — `read` also sees the lake tables."""
        return self.con.cursor()

    def reader(self) -> duckdb.DuckDBPyConnection:
        """Where one-off reads (`read`, `arrow`, `rows`, `scalar`) run: a fresh cursor each."""
        return self.cursor()

    def read(self, sql: str, params: Params = None) -> duckdb.DuckDBPyConnection:
        """Run a read on a reader, every canonical table read from where it lives."""
        return self.engine.execute(sql, params)

    def arrow(self, sql: str, params: list[Any] | None = None) -> pa.Table:
        query = self.engine.rewrite(sql)
        return self.reader().sql(query, params=params or None).to_arrow_table()

    def rows(self, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        return self.read(sql, params).fetchall()

    def scalar(self, sql: str, params: list[Any] | None = None) -> Any:
        # fetched to the end: a scoped workspace answers its reads on one shared cursor, which
        # must hold no unfinished result when Ibis next uses it
        rows = self.read(sql, params).fetchall()
        return rows[0][0] if rows else None

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


def default_memory_limit() -> str | None:
    """Half the machine's RAM (DuckDB alone would take 80%): the rest is for the Python side
    of a stage (pandas frames, model fits). None where the RAM cannot be read."""
    try:
        ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None
    return f"{max(ram // 2 // 2**20, 256)}MiB"


def out_of_memory(exc: BaseException) -> KehuError | None:
    """The user's error for DuckDB running out of memory (else None): which setting to raise.
    DuckDB's first line says how much it had (used/limit)."""
    if not isinstance(exc, duckdb.OutOfMemoryException):
        return None
    detail = str(exc).splitlines()[0] if str(exc) else ""
    return KehuError(
        "DuckDB 内存不足:调大 kehu.toml 中的 engine.memory_limit"
        '(如 "8GB"),去重则调大 dedupe.memory_limit。'
        f"DuckDB:{detail}",
        'DuckDB ran out of memory: raise engine.memory_limit in kehu.toml (e.g. "8GB"),'
        " or dedupe.memory_limit for dedupe."
        f" DuckDB: {detail}",
    )


def default_config_text() -> str:
    """The `kehu.toml` written by `kehu init`: every default, with a header comment."""
    header = (
        "# kehu workspace settings. Every number is a default taken from the seed documents;\n"
        "# change it to fit your business cycle. `kehu config show` prints what is in force.\n\n"
    )
    return header + dump_settings(Settings())
