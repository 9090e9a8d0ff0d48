"""`analyze`: compute the dated customer snapshot and store it (replacing only that date).

Stages: probe the data → RFM (one pass over the orders: purchase facts, scores, type,
segment; materialised on the engine) → core (the other sources, costs, value, ABC, lifecycle,
portrait; materialised) → CLV (`kehu.analytics.clv.clv_from_summary` on those same rows) → churn
(`kehu.analytics.churn.compute_churn`) → classes (`kehu.analytics.classes` on the engine, over
the per-customer rows) → summary → write (delete + insert of that as_of in
one transaction). Only per-customer tables leave the engine.

Default as_of: today, or the day after the latest order when the data ends before today (an
export from last month is analysed as of its own end, not as of a day with no data).
"""

from __future__ import annotations

import importlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from kehu.analytics import classes
from kehu.analytics.core import CORE_COLUMNS, facts_table, rfm_table, score_table
from kehu.analytics.sources import Availability, as_of_view, source_tables
from kehu.analytics.summary import SUMMARY_COLUMNS as SUMMARY_FRAME_COLUMNS
from kehu.analytics.summary import numeric_frame, summarize
from kehu.config import Settings
from kehu.i18n import catalog
from kehu.store.tables.analytics import SNAPSHOT_COLUMNS

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from kehu.workspace import Workspace

Progress = Callable[[str, int, int], None]  # (stage key, step number from 1, total steps)

STAGES = catalog("stages")
STAGE_ORDER = ("probe", "rfm", "core", "clv", "churn", "classes", "summary", "write")

CLV_COLUMNS = ("clv_historical", "profit_historical", "p_alive", "expected_purchases",
               "predicted_clv")  # fmt: skip
CHURN_COLUMNS = ("churn_risk", "churn_reasons")


@dataclass
class AnalyzeResult:
    """What one `analyze` run produced (the rows themselves are in `customer_snapshot`)."""

    as_of: date
    customers: int
    summary: dict[str, Any]
    timings: dict[str, float] = field(default_factory=dict)
    frame: pd.DataFrame | None = field(default=None, repr=False)  # summary columns


def default_as_of(ws: Workspace, today: date | None = None) -> date:
    """Today, or the day after the latest order date when the data ends before today."""
    today = today or date.today()
    latest = ws.scalar("SELECT max(order_date) FROM orders")  # wherever the orders live
    if latest is not None and latest < today:
        return latest + timedelta(days=1)
    return today


def engine_tables(ws: Workspace, engine: str) -> dict[str, ir.Table]:
    """The canonical tables on the engine called `engine`, each from wherever it lives."""
    return source_tables(ws.engine_named(engine))


def _optional(module: str, attr: str) -> Callable[..., Any] | None:
    """`module.attr` when that module exists (CLV/churn are separate, optional stages)."""
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name is not None and module.startswith(exc.name):
            return None
        raise
    return getattr(mod, attr, None)


def clv_inputs() -> tuple[str, ...]:
    """The facts columns `run_clv` reads from the core rows (none without the CLV stage)."""
    if _optional("kehu.analytics.clv", "clv_from_summary") is None:
        return ()
    from kehu.analytics.clv.summary import SUMMARY_COLUMNS

    return ("first_order_date", *SUMMARY_COLUMNS)


def run_clv(
    core: pa.Table, orders: ir.Table, as_of: date, settings: Settings
) -> tuple[Any, pa.Array | None, dict]:
    """CLV from the purchase facts and costs in the core rows (`clv_inputs()` columns; a
    second pass over `orders` only when `clv.calibration_end` asks for an earlier fitting
    cut-off). Returns the CLV frame, the frame row of each core row (null: no orders) and
    the model info."""
    clv = _optional("kehu.analytics.clv", "clv_from_summary")
    if clv is None:
        return None, None, {"available": False}
    from kehu.analytics.clv.summary import SUMMARY_COLUMNS, summary_frame
    from kehu.analytics.features import Windows
    from kehu.analytics.purchases import money_facts, purchase_facts

    unit = settings.clv.time_unit
    has = pc.is_valid(core["first_order_date"]).to_numpy(zero_copy_only=False)
    have = core.select(list(SUMMARY_COLUMNS)).filter(has)
    now = summary_frame(have.to_pandas(), unit)
    cal_end = settings.clv.calibration_end
    calib = now
    if cal_end is not None and cal_end < as_of:
        past = purchase_facts(orders, Windows.of(cal_end, settings))
        past = past.left_join(money_facts(orders, cal_end), "customer_id")
        calib = summary_frame(past.select(*SUMMARY_COLUMNS).to_pyarrow().to_pandas(), unit)
    clv_settings, choice = settings.clv, None
    if clv_settings.model == "auto":
        clv_settings, choice = _choose_purchase_model(orders, now, as_of, settings)
    out = clv(now, calib, as_of, clv_settings)
    if choice is not None:
        out.params["model_choice"] = choice
    # `out.frame` keeps the rows of `now`: core row i is frame row cumsum(has)[i] - 1
    at = np.cumsum(has) - 1
    rows = pa.array(at, pa.int64(), mask=~has)
    return out.frame, rows, {"available": True, "params": out.params, "loglik": out.loglik}


def _choose_purchase_model(
    orders: ir.Table, now: Any, as_of: date, settings: Settings
) -> tuple[Any, dict[str, Any]]:
    """`clv.model = "auto"`: the CLV settings with the model that wins on the holdout of
    `clv.auto_holdout` time units before as_of, and the evidence."""
    from kehu.analytics.clv.choose import choose_model
    from kehu.analytics.clv.summary import SUMMARY_COLUMNS, UNIT_DAYS, summary_frame
    from kehu.analytics.features import Windows
    from kehu.analytics.purchases import purchase_facts

    unit = settings.clv.time_unit
    cut = as_of - timedelta(days=int(round(settings.clv.auto_holdout * UNIT_DAYS[unit])))
    cols = [c for c in SUMMARY_COLUMNS if c in ("customer_id", "x", "t_x_days", "T_days")]
    past = purchase_facts(orders, Windows.of(cut, settings)).select(*cols).to_pyarrow()
    past = past.to_pandas().reindex(columns=list(SUMMARY_COLUMNS))
    name, choice = choose_model(
        now, summary_frame(past, unit), settings.clv.auto_holdout,
        settings.clv.min_repeat_customers,
    )  # fmt: skip
    choice.update(chosen=name, cutoff=cut.isoformat())
    return settings.clv.model_copy(update={"model": name}), choice


def run_churn(
    tables: dict[str, ir.Table],
    as_of: date,
    settings: Settings,
    purchases: ir.Table,
    purchase_fit: dict[str, Any] | None = None,
) -> tuple[Any, dict]:
    """Churn risk and reasons; `purchase_fit` = the CLV stage's purchase model (so churn
    risk and p_alive come from the same fit)."""
    compute = _optional("kehu.analytics.churn", "compute_churn")
    if compute is None:
        return None, {"available": False}
    out = compute(tables, as_of, settings, purchases, purchase_fit)
    return out.frame, {"available": True, **(out.model or {})}


def _attach(
    core: pa.Table, extra: Any, columns: tuple[str, ...], rows: pa.Array | None = None
) -> pa.Table:
    """Append the per-customer `extra` frame's `columns` to `core`, matched on customer_id
    (nulls when absent), or taking frame row `rows[i]` for core row i when the caller knows
    them. A hash lookup and one take per column: no join, no copy of `core`."""
    if extra is None or len(extra) == 0:
        for col in columns:
            typ = pa.string() if col == "churn_reasons" else pa.float64()
            core = core.append_column(col, pa.nulls(core.num_rows, typ))
        return core
    frame = extra if isinstance(extra, pd.DataFrame) else extra.to_pandas()
    if rows is None:
        ids = pc.cast(core["customer_id"], pa.string())
        rows = pc.index_in(ids, value_set=_text(frame["customer_id"]))
    for col in columns:
        if col == "churn_reasons":
            reasons = frame[col]
            values = _text(reasons.map(_as_json) if reasons.dtype == object else reasons)
        else:
            number = pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype="float64")
            values = pa.array(number, pa.float64(), from_pandas=True)  # NaN → null
        core = core.append_column(col, values.take(rows))
    return core


def _text(series: pd.Series) -> pa.Array:
    """A text column as an Arrow string array (pandas' Arrow-backed strings pass as they are)."""
    if series.dtype == object:
        return pa.array(series.to_numpy(dtype=object), pa.string(), from_pandas=True)
    return pc.cast(pa.array(series), pa.string())


def _as_json(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def run_classes(core: pa.Table, tables: dict[str, ir.Table], settings: Settings) -> pa.Table:
    """`core` without the classes' fact inputs, with the class columns (`classes.OUTPUTS`),
    computed on the engine of `tables`."""
    import ibis

    backend = tables["customers"]._find_backend()
    inputs = core.select(list(classes.INPUTS))
    # money as float64 (the rules compare floats anyway): Spark's memtable cannot take a
    # decimal column with nulls
    for i, col in enumerate(inputs.schema):
        if pa.types.is_decimal(col.type):
            inputs = inputs.set_column(i, col.name, pc.cast(inputs[col.name], pa.float64()))
    rows = ibis.memtable(inputs)
    out = backend.to_pyarrow(classes.add_classes(rows, settings))
    core = core.drop_columns(list(classes.FACT_INPUTS))
    at = pc.index_in(core["customer_id"], value_set=out["customer_id"])
    for col in classes.OUTPUTS:
        core = core.append_column(col, out[col].take(at))
    return core


def compute_snapshot(
    tables: dict[str, ir.Table],
    as_of: date,
    settings: Settings,
    *,
    progress: Progress | None = None,
) -> tuple[pa.Table, dict[str, Any], dict[str, float]]:
    """Every snapshot column for `as_of` (no writes): the rows, model info and timings."""
    timings: dict[str, float] = {}
    info: dict[str, Any] = {}

    def stage(key: str) -> None:
        if progress is not None:
            progress(key, STAGE_ORDER.index(key) + 1, len(STAGE_ORDER))

    t0 = time.perf_counter()
    stage("probe")
    view = as_of_view(tables, as_of)
    avail = Availability.of(view)
    timings["probe"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    stage("rfm")
    rfm_rows = rfm_table(tables, as_of, settings).cache()  # one pass over the orders
    timings["rfm"] = time.perf_counter() - t0
    try:
        t0 = time.perf_counter()
        stage("core")
        facts = facts_table(tables, as_of, settings, rfm_rows).cache()
        try:
            extra = (*clv_inputs(), *classes.FACT_INPUTS) if avail.orders else classes.FACT_INPUTS
            core = score_table(facts, settings, avail, extra).to_pyarrow()
        finally:
            facts.release()  # everything later reads `core`
        timings["core"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        stage("clv")
        if avail.orders:
            clv_frame, at, info["clv"] = run_clv(core, tables["orders"], as_of, settings)
        else:
            clv_frame, at, info["clv"] = None, None, {"available": False, "reason": "no_orders"}
        kept = [*CORE_COLUMNS, *classes.FACT_INPUTS]
        core = _attach(core.select(kept), clv_frame, CLV_COLUMNS, at)
        timings["clv"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        stage("churn")
        fit = (info["clv"].get("params") or {}).get("purchase")
        if settings.clv.model == "auto" and fit:  # churn's own fits use the chosen model
            settings = settings.model_copy(deep=True)
            settings.clv.model = fit["model"]
        churn_frame, info["churn"] = run_churn(tables, as_of, settings, rfm_rows, fit)
        core = _attach(core, churn_frame, CHURN_COLUMNS)
        timings["churn"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        stage("classes")
        core = run_classes(core, tables, settings)
        timings["classes"] = time.perf_counter() - t0
    finally:
        rfm_rows.release()
    info["availability"] = avail.__dict__
    return core, info, timings


def write_snapshot(ws: Workspace, as_of: date, rows: pa.Table, run: dict[str, Any]) -> None:
    """Replace the snapshot of `as_of` (and its run record) in one transaction."""
    cols = [c for c in SNAPSHOT_COLUMNS if c != "as_of"]
    missing = [c for c in cols if c not in rows.column_names]
    if missing:
        raise ValueError(f"snapshot rows lack columns {missing}")
    data = rows.select(cols)
    ids = data["customer_id"]
    if pc.count_distinct(ids).as_py() != len(ids) or ids.null_count:
        raise ValueError("snapshot rows must have one row per customer_id")
    col_list = ", ".join(f'"{c}"' for c in cols)
    with ws.transaction() as cur:
        cur.register("_kehu_snapshot_rows", data)
        try:
            cur.execute("DELETE FROM customer_snapshot WHERE as_of = ?", [as_of])
            cur.execute(
                f'INSERT INTO customer_snapshot ("as_of", {col_list}) '
                f"SELECT ?::DATE, {col_list} FROM _kehu_snapshot_rows",
                [as_of],
            )
            cur.execute("DELETE FROM analytics_runs WHERE as_of = ?", [as_of])
            cur.execute(
                "INSERT INTO analytics_runs VALUES (?, ?, ?, ?, ?)",
                [
                    as_of,
                    datetime.now(),
                    rows.num_rows,
                    run.get("engine", "duckdb"),
                    json.dumps(run, ensure_ascii=False, default=str),
                ],
            )
        finally:
            cur.unregister("_kehu_snapshot_rows")


def _summary_frame(rows: pa.Table) -> pd.DataFrame:
    picked = {}
    for name in (c for c in SUMMARY_FRAME_COLUMNS if c in rows.column_names):
        col = rows[name]
        if pa.types.is_decimal(col.type):
            col = pc.cast(col, pa.float64())
        picked[name] = col
    return numeric_frame(pa.table(picked).to_pandas())


def analyze(
    ws: Workspace,
    as_of: date | None = None,
    *,
    engine: str = "duckdb",
    progress: Progress | None = None,
) -> AnalyzeResult:
    """Compute and store the customer snapshot for `as_of` (see module docstring)."""
    started = time.perf_counter()
    # Progress goes through `progress`; DuckDB's own bar would garble stdout (and --json).
    ws.con.execute("SET enable_progress_bar = false")
    as_of = as_of or default_as_of(ws)
    tables = engine_tables(ws, engine)
    rows, info, timings = compute_snapshot(tables, as_of, ws.settings, progress=progress)

    t0 = time.perf_counter()
    if progress is not None:
        progress("summary", STAGE_ORDER.index("summary") + 1, len(STAGE_ORDER))
    frame = _summary_frame(rows)
    summary = summarize(frame, ws.settings)
    summary.update(as_of=as_of.isoformat(), engine=engine, clv=info["clv"], churn=info["churn"])
    summary["availability"] = info["availability"]
    timings["summary"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    if progress is not None:
        progress("write", STAGE_ORDER.index("write") + 1, len(STAGE_ORDER))
    run = {k: summary[k] for k in ("clv", "churn", "pareto", "availability", "engine")}
    run["timings"] = timings
    write_snapshot(ws, as_of, rows, run)
    timings["write"] = time.perf_counter() - t0
    timings["total"] = time.perf_counter() - started
    summary["timings"] = timings
    return AnalyzeResult(as_of, rows.num_rows, summary, timings, frame)
