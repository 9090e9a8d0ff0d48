"""Run one benchmark stage in its own process and print {"seconds", "peak_mb", ...} as JSON.

Usage: python -m bench.stage STAGE WORKDIR [ARGS...]. Each stage runs in a fresh process so
its peak memory (ru_maxrss) is its own.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

STAGES: dict[str, Callable[[Path, list[str]], dict[str, Any]]] = {}


def stage(name: str) -> Callable[[Callable[..., dict[str, Any]]], Callable[..., dict[str, Any]]]:
    def wrap(fn: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
        STAGES[name] = fn
        return fn

    return wrap


def _manifest(work: Path) -> dict[str, Any]:
    return json.loads((work / "manifest.json").read_text())


def _as_of(work: Path) -> date:
    return date.fromisoformat(_manifest(work)["as_of"])


def _orders_frame(work: Path) -> Any:
    import pandas as pd

    df = pd.read_parquet(
        _manifest(work)["orders_parquet"], columns=["customer_id", "order_date", "amount"]
    )
    df["order_date"] = pd.to_datetime(df["order_date"])
    df["amount"] = df["amount"].astype("float64")
    return df


@stage("import")
def _import(work: Path, args: list[str]) -> dict[str, Any]:
    from kehu.ingest import import_file
    from kehu.workspace import Workspace

    ws = Workspace.open(work / "ws")
    rows = 0
    for item in _manifest(work)["files"]:
        rows += import_file(ws, item["path"], item["kind"], source=item.get("source")).loaded
    # The baselines read the orders as stored (ids resolved across sources), like kehu does.
    target = _manifest(work)["orders_parquet"]
    ws.con.execute(
        f"COPY (SELECT customer_id, order_date, amount FROM orders) TO '{target}' (FORMAT parquet)"
    )
    return {"rows": rows}


@stage("quality")
def _quality(work: Path, args: list[str]) -> dict[str, Any]:
    from kehu.quality import quality_report
    from kehu.workspace import Workspace

    quality_report(Workspace.open(work / "ws"))
    return {}


@stage("dedupe")
def _dedupe(work: Path, args: list[str]) -> dict[str, Any]:
    from kehu.dedupe.run import run_dedupe
    from kehu.workspace import Workspace

    run_dedupe(Workspace.open(work / "ws"), dry_run=True)
    return {}


@stage("analyze")
def _analyze(work: Path, args: list[str]) -> dict[str, Any]:
    from kehu.analytics.snapshot import analyze
    from kehu.workspace import Workspace

    res = analyze(Workspace.open(work / "ws"), _as_of(work))
    return {"timings": res.timings, "customers": res.customers}


@stage("analyze_spark")
def _analyze_spark(work: Path, args: list[str]) -> dict[str, Any]:
    from kehu.analytics.snapshot import analyze
    from kehu.workspace import Workspace

    res = analyze(Workspace.open(work / "ws"), _as_of(work), engine="spark")
    return {"timings": res.timings, "customers": res.customers}


@stage("plan")
def _plan(work: Path, args: list[str]) -> dict[str, Any]:
    from kehu.workspace import Workspace

    Workspace.open(work / "ws").plan()
    return {}


@stage("alerts")
def _alerts(work: Path, args: list[str]) -> dict[str, Any]:
    from kehu.workspace import Workspace

    Workspace.open(work / "ws").run_alerts(send=False)
    return {}


@stage("report")
def _report(work: Path, args: list[str]) -> dict[str, Any]:
    from kehu.monitor.report import make_report
    from kehu.workspace import Workspace

    make_report(Workspace.open(work / "ws"), _as_of(work), fmt="html")
    return {}


@stage("pandas_rfm")
def _pandas_rfm(work: Path, args: list[str]) -> dict[str, Any]:
    from bench.baselines import pandas_rfm

    t = time.perf_counter()
    df = _orders_frame(work)
    load = time.perf_counter() - t
    out = pandas_rfm(df, _as_of(work))
    return {"customers": len(out), "load_seconds": load}


@stage("lifetimes")
def _lifetimes(work: Path, args: list[str]) -> dict[str, Any]:
    from bench.baselines import lifetimes_clv

    return {"params": lifetimes_clv(_orders_frame(work), _as_of(work))}


@stage("pymc_marketing")
def _pymc(work: Path, args: list[str]) -> dict[str, Any]:
    from bench.baselines import pymc_clv

    return {"params": pymc_clv(_orders_frame(work), _as_of(work))}


def _peak_mb() -> float:
    """This process's own peak RSS (VmHWM). ru_maxrss would include the parent's RSS from
    before exec, which is the harness that generated the data."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    name, work, *rest = sys.argv[1:]
    start = time.perf_counter()
    extra = STAGES[name](Path(work), rest)
    seconds = time.perf_counter() - start
    peak_mb = _peak_mb()
    print(
        "BENCH_RESULT "
        + json.dumps({"stage": name, "seconds": seconds, "peak_mb": peak_mb, **extra}, default=str)
    )


if __name__ == "__main__":
    main()
