"""`import_file` and `import_records`: read → map → clean → validate → (dedupe) → load.

Everything that touches the store happens in one `ws.transaction()`: the data, the
`customer_ids` aliases, the `imports` log row and the `rejects`. A failure anywhere rolls
all of it back; a dry run does every read and check, then rolls back without writing.
"""

from __future__ import annotations

import getpass
import json
import secrets
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from kehu.errors import KehuError
from kehu.ingest import load, stage
from kehu.ingest.batches import Tally, parquet_batches, slices
from kehu.ingest.clean.dates import year_bounds
from kehu.ingest.clean.place import normalize_province
from kehu.ingest.columns import Context
from kehu.ingest.mapping import (
    ColumnMatch,
    MappingFile,
    alias_lists,
    header_score,
    load_mapping_file,
    map_headers,
)
from kehu.ingest.prepare import Prepared, prepare
from kehu.ingest.read import (
    RawTable,
    file_format,
    read_delimited,
    read_excel,
    read_parquet,
    records_table,
)
from kehu.ingest.rejects import RejectLog, rejects_table, to_rejects, write_rejects_csv
from kehu.ingest.result import ImportResult, Progress
from kehu.store.schema import DATA_TABLES, Table, table_for_kind

if TYPE_CHECKING:
    import duckdb

    from kehu.workspace import Workspace


class _DryRun(Exception):
    """Raised inside the transaction of a dry run so that it rolls back."""


def kinds() -> list[str]:
    return [t.kind for t in DATA_TABLES if t.kind]


def _table(kind: str) -> Table:
    table = table_for_kind(kind)
    if table is None:
        raise KehuError(
            f"未知的数据类型 {kind!r};可用: {', '.join(kinds())}",
            f"unknown kind {kind!r}; use one of: {', '.join(kinds())}",
        )
    return table


def import_file(
    ws: Workspace,
    path: str | Path,
    kind: str,
    *,
    source: str | None = None,
    mapping: str | Path | None = None,
    encoding: str | None = None,
    dry_run: bool = False,
    dedupe: bool = False,
    progress: Progress | None = None,
    user: str | None = None,
) -> ImportResult:
    """Import a CSV/TSV/XLSX/Parquet export into the canonical table of `kind`."""
    started = time.perf_counter()
    table = _table(kind)
    p = Path(path).expanduser()
    if not p.is_file():
        raise KehuError(f"找不到文件 {p}", f"file {p} not found")
    mapping_file = load_mapping_file(mapping, table) if mapping else None
    options = mapping_file.options if mapping_file else {}
    settings = ws.settings.ingest

    def score(cells: list[str]) -> int:
        return header_score(cells, table)

    try:
        head, batches = read_batches(
            p, score, options, encoding or options.get("encoding") or settings.encoding,
            settings.header_scan_rows, settings.batch_rows, progress,
        )  # fmt: skip
    except OSError as exc:  # the disk, not the data: say so instead of a traceback
        raise KehuError(
            f"无法读取文件 {p}: {exc.strerror or exc}", f"cannot read {p}: {exc.strerror or exc}"
        ) from None
    return _run(
        ws, head, batches, table, source, mapping_file, dry_run, dedupe, progress, str(p), user,
        started,
    )  # fmt: skip


def read_batches(
    p: Path,
    score: Any,
    options: dict[str, Any],
    encoding: str | None,
    scan_rows: int,
    batch_rows: int,
    progress: Progress | None,
) -> tuple[RawTable, Iterator[RawTable]]:
    """(what the file is: header, format, encoding; its rows in batches of `batch_rows`)."""
    if file_format(p) == "parquet":
        return parquet_batches(p, batch_rows, progress)
    raw = read_raw(p, score, options, encoding, scan_rows, progress)
    return raw, slices(raw, batch_rows)


def read_raw(
    p: Path,
    score: Any,
    options: dict[str, Any],
    encoding: str | None,
    scan_rows: int,
    progress: Progress | None,
) -> RawTable:
    header_row = options.get("header_row")
    fmt = file_format(p)
    if fmt == "excel":
        return read_excel(
            p, score=score, sheet=options.get("sheet"), header_row=header_row,
            scan_rows=scan_rows, progress=progress,
        )  # fmt: skip
    if fmt == "parquet":
        return read_parquet(p, progress=progress)
    return read_delimited(
        p, score=score, encoding=encoding, delimiter=options.get("delimiter"),
        header_row=header_row, scan_rows=scan_rows, progress=progress,
    )  # fmt: skip


def import_records(
    ws: Workspace,
    kind: str,
    records: list[dict[str, Any]],
    *,
    source: str,
    dry_run: bool = False,
    user: str | None = None,
) -> ImportResult:
    """The push API: records (dicts keyed by canonical names or any header alias) take the
    same mapping, cleaning, validation and reject path as a file; row numbers count from 1."""
    started = time.perf_counter()
    table = _table(kind)
    if not records:  # nothing pushed: nothing to check, nothing to log
        return ImportResult(
            import_id="", file=None, kind=kind, source=source or "", encoding=None,
            file_format="records", status="dry-run" if dry_run else "committed",
        )  # fmt: skip
    raw = records_table(records)
    batches = slices(raw, ws.settings.ingest.batch_rows)
    return _run(ws, raw, batches, table, source, None, dry_run, False, None, None, user, started)


def _context(ws: Workspace, raw: RawTable) -> Context:
    s = ws.settings.ingest
    low, high = year_bounds(s.min_year, s.max_year)
    if raw.file_format in ("csv", "tsv"):
        serials: bool | tuple[int, int] = (
            (s.excel_serial_min, s.excel_serial_max) if s.csv_excel_serials else False
        )
    elif raw.file_format == "records":
        serials = False
    else:
        serials = True
    return Context(
        null_markers=frozenset(m.casefold() for m in s.null_markers),
        date_min=low,
        date_max=high,
        day_first=s.day_first,
        timezone=ws.settings.workspace.timezone,
        phone_region=s.phone_region,
        excel_serials=serials,
        sales_regions={
            normalize_province(p) or p: region for p, region in ws.settings.regions.items()
        },
        max_field_chars=s.max_field_chars,
    )


def _check_required(table: Table, raw: RawTable, mapped: set[str]) -> None:
    # an industry is given by its code or its name (the importer derives one from the other)
    given = mapped | ({"industry_code"} if "industry_name" in mapped else set())
    missing = [c for c in table.required if c not in given]
    if not missing:
        return
    aliases = alias_lists(table)

    def needed(lang: str) -> str:
        parts = []
        for col in missing:
            names = [a for a in aliases.get(col, []) if (not a.isascii()) == (lang == "zh")][:3]
            parts.append(f"{col} ({' / '.join(names)})" if names else col)
        return ", ".join(parts)

    found = ", ".join(h for h in raw.headers if h) or "—"
    raise KehuError(
        f"文件缺少必需的列: {needed('zh')}。文件中的列: {found}。"
        "请修改表头,或用 --mapping 指定对应关系",
        f"the file lacks required columns: {needed('en')}. Columns found: {found}. "
        "Rename the headers or pass --mapping",
    )


def _unmapped_labels(matches: list[ColumnMatch]) -> list[str]:
    """How every unmapped file column is named in the result, in file order."""
    return [m.header or f"(column {m.index + 1})" for m in matches if m.via == "unmapped"]


def _unmapped(raw: RawTable, matches: list[ColumnMatch]) -> set[str]:
    """The unmapped columns of this batch worth naming: a header, or values without one."""
    out = set()
    for m in matches:
        if m.via != "unmapped":
            continue
        if m.header:
            out.add(m.header)
            continue
        col = raw.table.column(f"c{m.index}")
        if (
            col.null_count < len(col)
            and pc.any(pc.not_equal(pc.utf8_trim_whitespace(col.cast(pa.string())), "")).as_py()
        ):
            out.add(f"(column {m.index + 1})")
    return out


def _run(
    ws: Workspace,
    head: RawTable,
    batches: Iterator[RawTable],
    table: Table,
    source: str | None,
    mapping_file: MappingFile | None,
    dry_run: bool,
    dedupe: bool,
    progress: Progress | None,
    file: str | None,
    user: str | None,
    started: float,
) -> ImportResult:
    source = (source or ws.settings.workspace.default_source).strip()
    if not source:
        raise KehuError("来源名称不能为空", "the source name must not be empty")
    matches = map_headers(head.headers, table, mapping_file)
    _check_required(table, head, {m.column for m in matches if m.column})
    log = RejectLog()
    tally = Tally()
    prepared = _prepared(batches, table, matches, _context(ws, head), log, tally, progress)
    tz = ZoneInfo(ws.settings.workspace.timezone)
    now = datetime.now(tz).replace(tzinfo=None, microsecond=0)
    import_id = f"{now:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"
    result = ImportResult(
        import_id=import_id,
        file=file,
        kind=table.kind or table.name,
        source=source,
        encoding=head.encoding,
        file_format=head.file_format,
        status="dry-run" if dry_run else "committed",
        columns={m.header: m.column for m in matches if m.column},
        header_row=head.header_row,
    )
    rejects_path = ws.root / ws.settings.ingest.rejects_dir / f"{import_id}.csv"
    store_rejects = None
    staged: list[tuple[Path, Path]] = []  # lake files written, renamed into place at COMMIT
    try:
        with ws.transaction() as cur:
            inserted, updated, unchanged = _load(
                ws, cur, prepared, table, source, log, dedupe, dry_run, now, progress, staged
            )
            result.inserted, result.updated, result.unchanged = inserted, updated, unchanged
            result.loaded = inserted + updated + unchanged
            result.findings, result.blank_rows, result.read = (
                tally.findings, tally.blank_rows, tally.read
            )  # fmt: skip
            result.unmapped_columns = [u for u in _unmapped_labels(matches) if u in tally.unmapped]
            reject_rows = log.table()
            result.rejects = to_rejects(reject_rows)
            result.rejected = len(log.rows())
            if result.loaded + result.rejected != result.read:
                raise RuntimeError(
                    f"row accounting is off: loaded {result.loaded} + rejected "
                    f"{result.rejected} != read {result.read}"
                )
            if result.rejects and not dry_run:
                result.rejects_file = str(rejects_path)
            result.seconds = time.perf_counter() - started
            if dry_run:
                raise _DryRun
            store_rejects = rejects_table(import_id, file, result.rejects)
            if store_rejects.num_rows:
                load.over(cur, store_rejects, f"INSERT INTO rejects SELECT * FROM {load.ROWS}")
            _log_import(cur, result, now, tz, user)
    except _DryRun:
        pass
    except BaseException:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        raise
    for tmp, final in staged:  # only after COMMIT, so readers never see a rolled-back file
        tmp.rename(final)
    if result.rejects_file and store_rejects is not None:
        # Only after COMMIT: a killed or failed import leaves no file behind. (Killed in
        # between, the rejects are still in the `rejects` table: `kehu export rejects`.)
        write_rejects_csv(rejects_path, store_rejects.drop_columns(["import_id"]))
    result.seconds = time.perf_counter() - started
    return result


def _prepared(
    batches: Iterator[RawTable],
    table: Table,
    matches: list[ColumnMatch],
    ctx: Context,
    log: RejectLog,
    tally: Tally,
    progress: Progress | None,
) -> Iterator[Prepared]:
    """Each batch cleaned and checked (its rejects in `log`, what it found in `tally`)."""
    for raw in batches:
        prepared = prepare(raw, table, matches, ctx, log)
        tally.add(prepared.read, prepared.blank_rows, prepared.findings, _unmapped(raw, matches))
        if progress:
            progress("clean", tally.read, None)
        yield prepared


def _rows_where(data: pa.Table, mask: pa.Array | pa.ChunkedArray) -> pa.Table:
    """`data.filter(mask)` without the copy when every row (or none) is kept: a fresh import
    inserts every row, and a copy of the whole file is what the import's peak is made of."""
    kept = pc.sum(mask).as_py() or 0
    if kept == data.num_rows:
        return data
    return data.slice(0, 0) if kept == 0 else data.filter(mask)


def _load(
    ws: Workspace,
    cur: duckdb.DuckDBPyConnection,
    batches: Iterator[Prepared],
    table: Table,
    source: str,
    log: RejectLog,
    dedupe: bool,
    dry_run: bool,
    now: datetime,
    progress: Progress | None,
    staged: list[tuple[Path, Path]],
) -> tuple[int, int, int]:
    """(inserted, updated, unchanged). A customers file is checked whole (its rows are merged
    and deduplicated against each other); a child file batch by batch through a `Staging`."""
    lake = ws.engine.location(table.name)
    if table.name == "customers":
        if lake is not None:
            raise KehuError(
                f"{lake.setting}:客户表在湖中时不能导入(导入需要合并和更新客户)",
                f"{lake.setting}: customers cannot be imported while they live in a lake"
                " (an import merges and updates customers)",
            )
        prepared = stage.combined([_ok_rows(p) for p in batches])
        data = prepared.data
        n = data.num_rows
        data = stage.stage_customers(ws, cur, data, source, log, prepared, dedupe)
        if progress:
            progress("check", n, n)
        columns = (prepared.present, prepared.fill_only)
        writer = _Writer(ws, cur, table, columns, dry_run, now, progress, staged, data.num_rows)
        writer.write(data, ["customer_id"])
        if not dry_run and data.num_rows:
            load.register_customer_ids(cur, data, source, now)
        return writer.counts
    staging = stage.Staging(cur, table)
    shape: tuple[list[str], set[str]] = ([], set())
    for prepared in batches:
        batch = stage.resolve_children(cur, _ok_rows(prepared).data, source, log, prepared)
        staging.add(batch, prepared)
        shape = (prepared.present, prepared.fill_only)  # the same in every batch of a file
    staging.drop_duplicates(log)
    if progress:
        progress("check", staging.rows, staging.rows)
    writer = _Writer(ws, cur, table, shape, dry_run, now, progress, staged, staging.rows)
    for batch in staging.batches():
        writer.write(batch, list(table.key))
    staging.drop()
    return writer.counts


def _ok_rows(prepared: Prepared) -> Prepared:
    """The batch without its rejected rows (the written ids aligned with them)."""
    data = _rows_where(prepared.data, prepared.ok)
    if data.num_rows == prepared.data.num_rows:
        return prepared
    raw_ids = {c: a.filter(prepared.ok) for c, a in prepared.raw_ids.items()}
    ok = pa.array(np.ones(data.num_rows, dtype=bool))
    return replace(prepared, data=data, ok=ok, raw_ids=raw_ids)


class _Writer:
    """Rows into the store (or a lake folder), classified against what it holds; the counts
    add up over the batches written."""

    def __init__(
        self,
        ws: Workspace,
        cur: duckdb.DuckDBPyConnection,
        table: Table,
        shape: tuple[list[str], set[str]],
        dry_run: bool,
        now: datetime,
        progress: Progress | None,
        staged: list[tuple[Path, Path]],
        total: int,
    ) -> None:
        self.ws, self.cur, self.table = ws, cur, table
        self.present, self.fill_only = shape  # the columns the file gives; fill-only ones
        self.dry_run, self.now, self.progress, self.staged = dry_run, now, progress, staged
        self.lake = ws.engine.location(table.name)
        self.total, self.done = total, 0
        self.inserted = self.updated = self.unchanged = 0

    @property
    def counts(self) -> tuple[int, int, int]:
        return self.inserted, self.updated, self.unchanged

    def write(self, data: pa.Table, keys: list[str]) -> None:
        if data.num_rows == 0:
            return
        table, cur, now, fill_only = self.table, self.cur, self.now, self.fill_only
        columns = [c for c in self.present if c not in keys]
        insert_cols = ([*keys, "source", "source_id", *columns] if table.name == "customers"
                       else [*keys, *columns])  # fmt: skip
        read = self.ws.engine.rewrite
        actions = load.classify(cur, data, table, keys, columns, fill_only, read)
        inserts = _rows_where(data, pc.equal(actions, "i"))
        updates = _rows_where(data, pc.equal(actions, "u"))
        self.inserted += inserts.num_rows
        self.unchanged += data.num_rows - inserts.num_rows - updates.num_rows
        lake = self.lake
        if lake is not None:
            if updates.num_rows:
                raise KehuError(
                    f"{updates.num_rows} 行会修改 {lake.setting} 中已有的记录;kehu 只向湖表追加"
                    "新行,不改写已有文件",
                    f"{updates.num_rows} rows would change records already in {lake.setting};"
                    " kehu appends new rows to a lake table and never rewrites its files",
                )
            if inserts.num_rows and not self.dry_run:
                final = lake.new_file()
                tmp = final.with_name(f".{final.name}.tmp")
                load.append_to_lake(cur, inserts, table, insert_cols, now, tmp)
                self.staged.append((tmp, final))
            return
        self.updated += updates.num_rows
        if self.dry_run:
            return
        chunk = self.ws.settings.ingest.chunk_rows
        done, total, progress = self.done, self.total, self.progress
        done = load.insert_rows(cur, inserts, table, insert_cols, now, chunk, progress, done, total)
        done = load.update_rows(cur, updates, table, keys, columns, fill_only, now,
                                chunk, progress, done, total)  # fmt: skip
        self.done = done + data.num_rows - inserts.num_rows - updates.num_rows


def _log_import(
    cur: duckdb.DuckDBPyConnection,
    result: ImportResult,
    now: datetime,
    tz: ZoneInfo,
    user: str | None,
) -> None:
    if user is None:
        try:
            user = getpass.getuser()
        except (KeyError, OSError):
            user = None
    finished = datetime.now(tz).replace(tzinfo=None, microsecond=0)
    cur.execute(
        "INSERT INTO imports (import_id, started_at, finished_at, file, kind, source, encoding,"
        " file_format, read, loaded, inserted, updated, unchanged, rejected, rejects_file,"
        " unmapped_columns, status, user_name) VALUES"
        " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            result.import_id, now, finished, result.file, result.kind, result.source,
            result.encoding, result.file_format, result.read, result.loaded, result.inserted,
            result.updated, result.unchanged, result.rejected, result.rejects_file,
            json.dumps(result.unmapped_columns, ensure_ascii=False), result.status, user,
        ],
    )  # fmt: skip
