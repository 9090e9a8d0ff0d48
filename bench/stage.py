"""Run one benchmark stage in its own process and print its result as one JSON line.

Usage: python -m bench.stage STAGE WORKDIR [ARGS...]. Each stage runs in a fresh process so its
memory is its own; the harness (`bench.runner`) samples the peak RSS of this process and its
children (the Spark JVM) from outside. The libraries a stage needs are imported before the
clock starts (`import_seconds`), so `seconds` is the stage's own work.
"""

from __future__ import annotations

import importlib
import json
import resource
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

StageFn = Callable[[Path, list[str]], dict[str, Any]]
STAGES: dict[str, StageFn] = {}
IMPORTS: dict[str, tuple[str, ...]] = {}

KEHU = ("kehu.workspace",)
RESULT_PREFIX = "BENCH_RESULT "


def stage(name: str, imports: tuple[str, ...] = KEHU) -> Callable[[StageFn], StageFn]:
    """Register a stage; `imports` are loaded before its clock starts."""

    def wrap(fn: StageFn) -> StageFn:
        def run(work: Path, args: list[str]) -> dict[str, Any]:
            try:
                return fn(work, args)
            finally:  # a stage run in-process (tests) leaves no connection to the file open
                while _OPENED:
                    _OPENED.pop().close()

        STAGES[name] = run
        IMPORTS[name] = imports
        return run

    return wrap


def manifest(work: Path) -> dict[str, Any]:
    return json.loads((work / "manifest.json").read_text())


def _as_of(work: Path) -> date:
    return date.fromisoformat(manifest(work)["as_of"])


_OPENED: list[Any] = []  # the workspaces the running stage opened, closed when it ends


def _open(work: Path) -> Any:
    from kehu.workspace import Workspace

    ws = Workspace.open(work / "ws")
    _OPENED.append(ws)
    return ws


# ---- data ------------------------------------------------------------------------------------
@stage("generate", imports=("kehu.demo", *KEHU))
def _generate(work: Path, args: list[str]) -> dict[str, Any]:
    """Demo exports for N order rows (args: N SEED) and an empty workspace."""
    from bench.data import write_generated

    return write_generated(work, int(args[0]), int(args[1]))


@stage("replicate", imports=("bench.scale", *KEHU))
def _replicate(work: Path, args: list[str]) -> dict[str, Any]:
    """K suffixed copies of an imported base (args: BASE_WORKDIR K N)."""
    from bench.data import write_replicated

    return write_replicated(work, Path(args[0]), int(args[1]), int(args[2]))


# ---- kehu --------------------------------------------------------------------------------------
@stage("import", imports=("kehu.ingest", *KEHU))
def _import(work: Path, args: list[str]) -> dict[str, Any]:
    from kehu.ingest import import_file

    ws = _open(work)
    rows = 0
    for item in manifest(work)["files"]:
        rows += import_file(ws, item["path"], item["kind"], source=item.get("source")).loaded
    # The baselines read the orders as stored (ids resolved across sources), like kehu does.
    target = manifest(work)["orders_parquet"]
    ws.con.execute(
        f"COPY (SELECT customer_id, order_date, amount FROM orders) TO '{target}' (FORMAT parquet)"
    )
    return {"rows": rows}


@stage("quality", imports=("kehu.quality", *KEHU))
def _quality(work: Path, args: list[str]) -> dict[str, Any]:
    from kehu.quality import quality_report

    quality_report(_open(work))
    return {}


@stage("dedupe", imports=("kehu.dedupe.run", *KEHU))
def _dedupe(work: Path, args: list[str]) -> dict[str, Any]:
    from kehu.dedupe.run import run_dedupe

    res = run_dedupe(_open(work), dry_run=True)
    return {
        "records": res.records,
        "candidate_pairs": res.candidate_pairs,
        "auto_clusters": res.auto_clusters,
        "review_pairs": res.review_pairs,
        "timings": res.timings,
    }


@stage(
    "analyze",
    imports=("kehu.analytics.snapshot", "kehu.analytics.clv", "kehu.analytics.churn", *KEHU),
)
def _analyze(work: Path, args: list[str]) -> dict[str, Any]:
    from kehu.analytics.snapshot import analyze

    res = analyze(_open(work), _as_of(work))
    return {"timings": res.timings, "customers": res.customers}


@stage(
    "backtest",
    imports=("kehu.analytics.backtest_runs", "kehu.analytics.clv", "kehu.analytics.churn", *KEHU),
)
def _backtest(work: Path, args: list[str]) -> dict[str, Any]:
    """`kehu backtest` at its default as-of (the data's end − churn.horizon_days)."""
    from kehu.analytics.backtest_runs import backtest

    res = backtest(_open(work))
    churn = res["overall"]["churn"]
    return {
        "timings": res["timings"],
        "customers": res["customers"],
        "as_of": res["as_of"],
        "churn_auc": churn["kehu"]["roc_auc"],
        "bgnbd_auc": churn["bgnbd"]["roc_auc"],
    }


@stage("recommend", imports=("kehu.analytics.recommend.runs", *KEHU))
def _recommend(work: Path, args: list[str]) -> dict[str, Any]:
    """`kehu recommend` at the data's end: per level the holdout (three models) and the lists."""
    from kehu.analytics.recommend.runs import run

    res = run(_open(work), _as_of(work))
    return {
        level: {
            "seconds": out["seconds"],
            "customers": out["customers"],
            "items": out["items"],
            "model": out["model"],
            "recall_at_5": out["recall_at_5"],
            "popularity_recall_at_5": out["popularity_recall_at_5"],
        }
        for level, out in res["levels"].items()
    }


@stage("analyze_spark", imports=("kehu.analytics.snapshot", "kehu.engines.spark", *KEHU))
def _analyze_spark(work: Path, args: list[str]) -> dict[str, Any]:
    """analyze with engine="spark" (args: [DRIVER_MEMORY]); the session (JVM) start is timed
    on its own and counted in `seconds`, not in the analyze timings."""
    from kehu.analytics.snapshot import analyze
    from kehu.engines.spark import spark_session

    ws = _open(work)
    if args and args[0]:
        ws.settings.engine.spark_memory = args[0]
    t = time.perf_counter()
    spark_session(ws.settings.engine.spark_master, ws.settings.engine.spark_memory)
    session = time.perf_counter() - t
    res = analyze(ws, _as_of(work), engine="spark")
    return {"timings": res.timings, "customers": res.customers, "session_seconds": session}


@stage("kpis", imports=("kehu.analytics.kpis", *KEHU))
def _kpis(work: Path, args: list[str]) -> dict[str, Any]:
    """`kehu kpis --period quarter --by region`: every KPI per quarter and region."""
    from kehu.analytics.kpis import compute_kpis

    return {"rows": len(compute_kpis(_open(work), "quarter", "region"))}


@stage("plan", imports=("kehu.planning", *KEHU))
def _plan(work: Path, args: list[str]) -> dict[str, Any]:
    from kehu.planning.plan import make_plan

    make_plan(_open(work))
    return {}


@stage("alerts", imports=("kehu.monitor", *KEHU))
def _alerts(work: Path, args: list[str]) -> dict[str, Any]:
    from kehu.monitor.alerts import run_alerts

    run_alerts(_open(work), send=False)
    return {}


@stage("report", imports=("kehu.monitor.report", *KEHU))
def _report(work: Path, args: list[str]) -> dict[str, Any]:
    from kehu.monitor.report.build import write_report

    month = (_as_of(work) - timedelta(days=1)).strftime("%Y-%m")  # the month the snapshot ends
    write_report(_open(work), month, kind="monthly", fmt="html")
    return {}


# ---- baselines ---------------------------------------------------------------------------------
def _orders_frame(work: Path) -> Any:
    """The orders (customer_id, order_date, amount) as a pandas frame, from Parquet."""
    import pandas as pd

    df = pd.read_parquet(
        manifest(work)["orders_parquet"], columns=["customer_id", "order_date", "amount"]
    )
    df["order_date"] = pd.to_datetime(df["order_date"])
    df["amount"] = df["amount"].astype("float64")
    return df


def _baseline(work: Path, compute: Callable[[Any, date], Any]) -> dict[str, Any]:
    """Load the orders from Parquet, then run `compute`; both timed separately."""
    t = time.perf_counter()
    df = _orders_frame(work)
    load = time.perf_counter() - t
    t = time.perf_counter()
    out = compute(df, _as_of(work))
    return {"load_seconds": load, "compute_seconds": time.perf_counter() - t, "out": out}


PANDAS = ("pandas", "pyarrow", "bench.baselines")


@stage("pandas_rfm", imports=PANDAS)
def _pandas_rfm(work: Path, args: list[str]) -> dict[str, Any]:
    from bench.baselines import pandas_rfm

    res = _baseline(work, pandas_rfm)
    res["customers"] = len(res.pop("out"))
    return res


@stage("duckdb_rfm", imports=("duckdb", "bench.baselines"))
def _duckdb_rfm(work: Path, args: list[str]) -> dict[str, Any]:
    """The hand-written DuckDB RFM pass over the workspace's own orders table (what kehu's
    `rfm` step reads): no file to load, so `load_seconds` is opening the database."""
    import duckdb

    from bench.baselines import duckdb_rfm

    t = time.perf_counter()
    con = duckdb.connect(str(work / "ws" / "kehu.duckdb"), read_only=True)
    con.execute("SET enable_progress_bar = false")
    load = time.perf_counter() - t
    t = time.perf_counter()
    customers = duckdb_rfm(con, _as_of(work))
    return {
        "load_seconds": load,
        "compute_seconds": time.perf_counter() - t,
        "customers": customers,
    }


@stage("lifetimes", imports=(*PANDAS, "lifetimes", "lifetimes.utils"))
def _lifetimes(work: Path, args: list[str]) -> dict[str, Any]:
    from bench.baselines import lifetimes_clv

    res = _baseline(work, lifetimes_clv)
    res["params"] = res.pop("out")
    return res


@stage(
    "pymc_marketing",
    imports=(*PANDAS, "pymc_marketing.clv", "pymc_marketing.clv.utils", "pymc_extras.prior"),
)
def _pymc(work: Path, args: list[str]) -> dict[str, Any]:
    from bench.baselines import pymc_clv

    res = _baseline(work, pymc_clv)
    res["params"] = res.pop("out")
    return res


# ---- process -----------------------------------------------------------------------------------
def self_peak_mb() -> float:
    """This process's own peak RSS (VmHWM). ru_maxrss would include the parent's RSS from
    before exec, which is the harness."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    name, work, *rest = sys.argv[1:]
    t = time.perf_counter()
    for module in IMPORTS[name]:
        importlib.import_module(module)
    imported = time.perf_counter() - t
    start = time.perf_counter()
    extra = STAGES[name](Path(work), rest)
    seconds = time.perf_counter() - start
    result = {
        "stage": name,
        "seconds": seconds,
        "import_seconds": imported,
        "self_peak_mb": self_peak_mb(),
        **extra,
    }
    print(RESULT_PREFIX + json.dumps(result, default=str), flush=True)


if __name__ == "__main__":
    main()
