"""kehu benchmark suite: `python -m bench [--sizes 1e5,1e6,1e7] [--stages ...] [--no-baselines]`.

For each size it generates demo data (Parquet), times every kehu stage in its own process
(seconds, peak MB), runs the baselines a user would otherwise use on the same data, prints a
table with ratios and growth exponents, and regenerates `docs/performance.md`.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from rich.console import Console

ROOT = Path(__file__).resolve().parents[1]
console = Console()

KEHU_STAGES = ("import", "quality", "dedupe", "analyze", "plan", "alerts", "report")
BASELINES = ("pandas_rfm", "lifetimes", "pymc_marketing")


def generate(work: Path, n_orders: int, seed: int) -> dict[str, Any]:
    """Demo data for `n_orders` order rows (customers scale with it), plus a manifest."""
    from kehu.demo import generate as demo_generate
    from kehu.workspace import Workspace

    work.mkdir(parents=True, exist_ok=True)
    manifest_path = work / "manifest.json"
    if manifest_path.exists():
        return json.loads(manifest_path.read_text())
    t = time.perf_counter()
    demo = demo_generate(work / "exports", seed=seed, n_orders=n_orders, fmt="parquet")
    files = [{"path": str(f.path), "kind": f.kind, "source": f.source} for f in demo.files]
    truth = json.loads((work / "exports" / "truth.json").read_text())
    Workspace.init(work / "ws", overwrite=True).close()
    manifest = {
        "n_orders": n_orders,
        "files": files,
        "as_of": truth["as_of"],
        "orders_parquet": str(work / "orders_as_stored.parquet"),  # written by the import stage
        "generate_seconds": time.perf_counter() - t,
    }
    manifest_path.write_text(json.dumps(manifest, indent=2))
    return manifest


def run_stage(name: str, work: Path, timeout: int) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "bench.stage", name, str(work)]
    try:
        proc = subprocess.run(
            cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=os.environ.copy()
        )
    except subprocess.TimeoutExpired:
        return {"stage": name, "error": f"timeout after {timeout}s"}
    for line in proc.stdout.splitlines():
        if line.startswith("BENCH_RESULT "):
            return json.loads(line.removeprefix("BENCH_RESULT "))
    tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
    return {"stage": name, "error": " | ".join(tail)}


def exponent(points: list[tuple[float, float]]) -> float | None:
    """Least-squares slope of log(seconds) over log(size): 1.0 = linear growth."""
    pts = [(math.log(n), math.log(s)) for n, s in points if s and s > 0]
    if len(pts) < 2:
        return None
    mx = sum(p[0] for p in pts) / len(pts)
    my = sum(p[1] for p in pts) / len(pts)
    den = sum((p[0] - mx) ** 2 for p in pts)
    return sum((p[0] - mx) * (p[1] - my) for p in pts) / den if den else None


def machine() -> str:
    import psutil

    cpu = platform.processor() or platform.machine()
    mem = psutil.virtual_memory().total / 2**30
    return (
        f"{platform.system()} {platform.machine()} ({cpu}), {os.cpu_count()} cores, "
        f"{mem:.0f} GiB RAM, Python {platform.python_version()}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    ap.add_argument("--sizes", default="1e5,1e6,1e7", help="order rows per run (comma list)")
    ap.add_argument("--stages", default=",".join(KEHU_STAGES))
    ap.add_argument("--baselines", default=",".join(BASELINES), help="'' to skip")
    ap.add_argument("--spark", action="store_true", help="also time analyze on Spark local mode")
    ap.add_argument("--work", default=str(ROOT / "bench" / "out"))
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--timeout", type=int, default=3600)
    ap.add_argument("--no-doc", action="store_true", help="do not rewrite docs/performance.md")
    args = ap.parse_args()

    sizes = [int(float(s)) for s in args.sizes.split(",") if s]
    stages = [s for s in args.stages.split(",") if s]
    baselines = [s for s in args.baselines.split(",") if s]
    if args.spark:
        stages.append("analyze_spark")
    results: dict[int, dict[str, dict[str, Any]]] = {}
    for n in sizes:
        work = Path(args.work) / f"n{n}"
        console.rule(f"{n:,} order rows")
        manifest = generate(work, n, args.seed)
        results[n] = {"generate": {"seconds": manifest["generate_seconds"]}}
        for name in [*stages, *baselines]:
            res = run_stage(name, work, args.timeout)
            results[n][name] = res
            shown = res.get("error") or f"{res['seconds']:.2f} s, {res['peak_mb']:.0f} MB"
            console.print(f"  {name:<16} {shown}")
    command = "python -m bench " + " ".join(sys.argv[1:])
    (Path(args.work) / "results.json").write_text(json.dumps(results, indent=2, default=str))
    text = render(results, sizes, stages, baselines, command)
    console.print(text, markup=False, highlight=False)
    if not args.no_doc:
        (ROOT / "docs" / "performance.md").write_text(text, encoding="utf-8")


def _timings(res: dict[str, Any]) -> dict[str, float]:
    return res.get("analyze", {}).get("timings") or {}


def _clv_seconds(res: dict[str, Any]) -> float | None:
    t = _timings(res)
    # "core" computes RFM together with value, ABC, lifecycle and portraits (one query), so
    # counting all of it against the RFM baseline is the conservative comparison.
    keys = [k for k in ("core", "clv") if k in t]
    return sum(t[k] for k in keys) if keys else None


def render(
    results: dict[int, dict[str, dict[str, Any]]],
    sizes: list[int],
    stages: list[str],
    baselines: list[str],
    command: str,
) -> str:
    lines = [
        "# Performance",
        "",
        "Generated by the benchmark harness; do not edit by hand. Re-run:",
        "",
        f"    {command}",
        "",
        f"Machine: {machine()}. Date: {time.strftime('%Y-%m-%d')}.",
        "",
        "## Seconds and peak memory per stage",
        "",
        "| stage | " + " | ".join(f"{n:,} rows" for n in sizes) + " | growth exponent |",
        "|---|" + "---|" * len(sizes) + "---|",
    ]
    for name in [*stages, *baselines]:
        cells, pts = [], []
        for n in sizes:
            r = results[n].get(name, {})
            if "seconds" in r:
                cells.append(f"{r['seconds']:.2f} s / {r.get('peak_mb', 0):.0f} MB")
                pts.append((n, r["seconds"]))
            else:
                cells.append(str(r.get("error", "—"))[:60])
        e = exponent(pts)
        lines.append(
            f"| {name} | " + " | ".join(cells) + f" | {e:.2f} |"
            if e
            else f"| {name} | " + " | ".join(cells) + " | — |"
        )
    lines += ["", "## analyze, by stage (seconds)", ""]
    keys = sorted({k for n in sizes for k in _timings(results[n])})
    if keys:
        lines.append("| step | " + " | ".join(f"{n:,}" for n in sizes) + " |")
        lines.append("|---|" + "---|" * len(sizes))
        for k in keys:
            row = [
                f"{(results[n].get('analyze', {}).get('timings') or {}).get(k, float('nan')):.2f}"
                for n in sizes
            ]
            lines.append(f"| {k} | " + " | ".join(row) + " |")
    lines += ["", "## Ratios against the baselines", ""]
    lines.append(
        "| size | pandas RFM + lifetimes (s) | kehu core (RFM, value, ABC, lifecycle, portrait)"
        " + CLV (s) | speed-up |"
    )
    lines.append("|---|---|---|---|")
    for n in sizes:
        base = [results[n].get(b, {}).get("seconds") for b in ("pandas_rfm", "lifetimes")]
        ours = _clv_seconds(results[n])
        if all(base) and ours:
            lines.append(f"| {n:,} | {sum(base):.2f} | {ours:.2f} | {sum(base) / ours:.1f}× |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
