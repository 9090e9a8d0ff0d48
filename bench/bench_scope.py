"""Reports and the quality check read within a scope (`kehu.access.rows`) vs the whole workspace.

    python bench/bench_scope.py --size 2 --repeats 3

Builds a demo company (`kehu demo`, size 1 ≈ 2,000 customers), then times the periodic HTML
report and the data-quality report for the whole workspace (an admin: the baseline) and
within a manager's region and a rep's customers (the biggest region and owner), median of
`--repeats` runs each, and prints the peak resident memory of the process.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def median_seconds(fn: Callable[[], Any], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=float, default=2.0, help="demo scale (1 ≈ 2,000 customers)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per case; the median counts")
    args = parser.parse_args()

    from kehu.access.scope import Scope
    from kehu.app import Kehu

    with tempfile.TemporaryDirectory(prefix="kehu-bench-scope-") as tmp:
        root = Path(tmp) / "demo"
        Kehu.demo(root, size=args.size, lang="en")
        app = Kehu.open(root)
        ((region, n_region),) = app.ws.rows(
            "SELECT region, count(*) FROM customers GROUP BY 1 ORDER BY 2 DESC LIMIT 1"
        )
        ((owner, n_owner),) = app.ws.rows(
            "SELECT owner, count(*) FROM customers WHERE owner IS NOT NULL"
            " GROUP BY 1 ORDER BY 2 DESC LIMIT 1"
        )
        customers = app.ws.scalar("SELECT count(*) FROM customers")
        scopes: dict[str, Scope | None] = {
            "whole (admin, baseline)": None,
            f"manager: {n_region} customers": Scope("m", "manager", regions=(region,)),
            f"rep: {n_owner} customers": Scope("r", "rep", owners=(owner,)),
        }
        out = Path(tmp) / "report.html"
        results: dict[str, dict[str, float]] = {}
        for name, scope in scopes.items():
            results[name] = {
                "report_s": median_seconds(
                    lambda s=scope: app.report(fmt="html", lang="en", out=out, scope=s),
                    args.repeats,
                ),
                "quality_s": median_seconds(
                    lambda s=scope: app.quality_report(scope=s), args.repeats
                ),
            }
        app.close()
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
    report = {"customers": customers, "repeats": args.repeats, "cases": results,
              "peak_rss_gb": round(peak_gb, 3)}  # fmt: skip
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
