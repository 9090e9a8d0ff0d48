"""kehu benchmark suite: times every stage and the baselines on the same data, per size.

For each size (order rows) it builds the data (demo generator up to --max-generate; above it,
K suffixed copies of the --max-generate data, see bench/scale.py), runs each kehu stage and
each baseline in its own process (seconds, peak MB of the process tree), prints a table with
ratios and growth exponents, and regenerates docs/performance.md (unless --no-doc).

examples:
  python -m bench                                        # 1e5, 1e6, 1e7, all stages + baselines
  python -m bench --spark                                # ... plus analyze on Spark local mode
  python -m bench --sizes 1e8 --baselines ''             # 10 copies of the 1e7 data: the
                                                         # pipeline without import and dedupe
  python -m bench --sizes 1e5,1e6,1e7,1e8 --spark        # everything
  python -m bench --sizes 1e5,2e5 --max-generate 1e5 --no-doc --work /tmp/b   # quick check
  python -m bench --merge /tmp/b/results.json /tmp/c/results.json   # one document from two runs
  python -m bench --sizes 1e7 --repeat 3    # analyze and baselines 3 times each, median kept
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape

from bench import data
from bench.render import render
from bench.runner import ROOT, run_stage

console = Console(highlight=False)

KEHU_STAGES = (
    "import", "quality", "dedupe", "analyze", "backtest", "recommend", "kpis", "plan", "alerts",
    "report",
)  # fmt: skip
BASELINES = ("pandas_rfm", "duckdb_rfm", "lifetimes", "pymc_marketing")
# What can run on replicated data (the orders live in Parquet, not in the workspace; the
# hand-written DuckDB RFM reads the workspace's orders table). Import has no files there, and
# dedupe would only find the copies of each customer.
REPLICA_STAGES = (
    "quality",
    "analyze",
    "analyze_spark",
    "backtest",
    "recommend",
    "kpis",
    "plan",
    "alerts",
    "report",
    "pandas_rfm",
    "lifetimes",
    "pymc_marketing",
)
# Run on replicated sizes unless --replicated-stages says otherwise: the pipeline's stages.
REPLICA_DEFAULT = ("quality", "analyze", "kpis", "plan", "alerts", "report")
# Stages that leave the data as they found it, so they can run again (--repeat).
REPEATABLE = ("analyze", "backtest", "recommend", *BASELINES)
DOC = ROOT / "docs" / "performance.md"


def _size(text: str) -> int:
    value = float(text)
    if value < 1 or value != int(value):
        raise argparse.ArgumentTypeError(f"not a whole number of order rows: {text}")
    return int(value)


def _names(text: str, known: tuple[str, ...], what: str) -> list[str]:
    names = [s.strip() for s in text.split(",") if s.strip()]
    unknown = [s for s in names if s not in known]
    if unknown:
        raise SystemExit(f"unknown {what}: {', '.join(unknown)} (known: {', '.join(known)})")
    return names


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument(
        "--sizes",
        default="1e5,1e6,1e7",
        help="order rows per run, comma list (default %(default)s)",
    )
    ap.add_argument(
        "--stages",
        default=",".join(KEHU_STAGES),
        help="kehu stages, in order (default: all: %(default)s); import always starts from an"
        " empty store",
    )
    ap.add_argument(
        "--baselines",
        default=",".join(BASELINES),
        help="baselines on the same orders (default: %(default)s); '' for none",
    )
    ap.add_argument(
        "--spark", action="store_true", help="also run analyze on Spark local mode (analyze_spark)"
    )
    ap.add_argument(
        "--spark-memory", default="", help="Spark driver memory, e.g. 8g (default: workspace's)"
    )
    ap.add_argument(
        "--max-generate",
        type=_size,
        default=10**7,
        help="largest size the demo generator builds (default 1e7); a larger size must be a"
        " multiple of it and is built as copies of it (generated and imported first if missing)",
    )
    ap.add_argument(
        "--work",
        default=str(ROOT / "bench" / "out"),
        help="work folder: n<size>/ per size, results.json, logs (default %(default)s)",
    )
    ap.add_argument(
        "--replicated-stages",
        default=",".join(REPLICA_DEFAULT),
        help="what runs on replicated sizes (default %(default)s; may add analyze_spark,"
        " backtest and baselines); everything else (import, dedupe) is skipped there",
    )
    ap.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="runs of analyze and of each baseline per size; the median run is reported"
        " (default %(default)s)",
    )
    ap.add_argument("--seed", type=int, default=7, help="demo generator seed (default 7)")
    ap.add_argument(
        "--timeout", type=int, default=3600, help="seconds per stage before it is killed"
    )
    ap.add_argument(
        "--no-doc", action="store_true", help="print only; do not rewrite docs/performance.md"
    )
    ap.add_argument(
        "--merge",
        nargs="+",
        metavar="RESULTS_JSON",
        help="run nothing: write the document from these runs' results.json files, later"
        " files replacing the stages they measured again (e.g. one size re-run alone)",
    )
    args = ap.parse_args(argv)
    try:
        args.size_list = [_size(s) for s in args.sizes.split(",") if s.strip()]
    except argparse.ArgumentTypeError as exc:
        ap.error(str(exc))
    if not args.size_list:
        ap.error("--sizes is empty")
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")
    args.stage_list = _names(args.stages, KEHU_STAGES, "stage")
    if args.spark and "analyze_spark" not in args.stage_list:
        args.stage_list.append("analyze_spark")
    args.baseline_list = _names(args.baselines, BASELINES, "baseline")
    args.replicated_list = _names(args.replicated_stages, REPLICA_STAGES, "replicated stage")
    for n in args.size_list:
        try:
            data.replication_plan(n, args.max_generate)
        except ValueError as exc:
            ap.error(str(exc))
    return args


def _show(name: str, res: dict[str, Any]) -> None:
    if "error" in res:
        console.print(f"  {name:<16} [red]{escape(str(res['error']))}[/red]")
    else:
        console.print(f"  {name:<16} {res['seconds']:8.2f} s  {res['peak_mb']:8.0f} MB")


def _stage(
    name: str, work: Path, args: argparse.Namespace, extra: list[str] | None = None
) -> dict[str, Any]:
    runs = args.repeat if name in REPEATABLE else 1
    results = []
    for _ in range(runs):
        res = run_stage(name, work, args.timeout, extra)
        _show(name, res)
        if "error" in res:
            return res
        results.append(res)
    return median_run(results)


def median_run(results: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median seconds (the lower middle one for an even count), with every
    run's seconds under `repeats` and the highest peak of them as `peak_mb`."""
    if len(results) == 1:
        return results[0]
    ordered = sorted(results, key=lambda r: r["seconds"])
    chosen = dict(ordered[(len(ordered) - 1) // 2])
    chosen["repeats"] = [r["seconds"] for r in results]
    chosen["peak_mb"] = max(r["peak_mb"] for r in results)
    return chosen


def ensure_generated(work: Path, n: int, args: argparse.Namespace) -> dict[str, Any]:
    """Generate the demo data for `n` unless `work` already has it; how it was built."""
    if not data.is_generated(work, args.seed):
        res = _stage("generate", work, args, [str(n), str(args.seed)])
        if "error" in res:
            raise SystemExit(f"generating {n:,} order rows failed: {res['error']}")
        built = {"build_peak_mb": res["peak_mb"]}
    else:
        console.print(f"  {'generate':<16} reusing {work}")
        built = {"reused": True}
    seconds = (data.read_manifest(work) or {})["generate_seconds"]
    return {"replicated": None, "build_seconds": seconds, **built}


def ensure_imported(work: Path, args: argparse.Namespace) -> dict[str, Any] | None:
    """Run the import stage (into a fresh store) unless `work` is imported already."""
    if data.is_imported(work):
        return None
    data.reset_workspace(work)
    res = _stage("import", work, args)
    data.mark_imported(work, "error" not in res)
    return res


def ensure_replicated(
    work: Path, n: int, base: int, k: int, args: argparse.Namespace
) -> dict[str, Any]:
    """K copies of the base size (generated and imported first if missing)."""
    if data.is_replica_of(work, base, k):
        console.print(f"  {'replicate':<16} reusing {work}")
        m = data.read_manifest(work) or {}
        return {
            "replicated": m["replicated"],
            "build_seconds": m["generate_seconds"],
            "reused": True,
        }
    base_work = data.work_dir(Path(args.work), base)
    console.print(f"  base: {base:,} order rows in {base_work}")
    ensure_generated(base_work, base, args)
    imported = ensure_imported(base_work, args)
    if imported is not None and "error" in imported:
        raise SystemExit(f"importing the {base:,}-row base failed: {imported['error']}")
    res = _stage("replicate", work, args, [str(base_work), str(k), str(n)])
    if "error" in res:
        raise SystemExit(f"replicating {k} × {base:,} rows failed: {res['error']}")
    m = data.read_manifest(work) or {}
    built = {"build_seconds": res["seconds"], "build_peak_mb": res["peak_mb"]}
    return {"replicated": m["replicated"], **built, "base_import": imported}


def run_size(n: int, args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    """Build the data for `n` order rows and run every asked stage and baseline on it."""
    work = data.work_dir(Path(args.work), n)
    plan = data.replication_plan(n, args.max_generate)
    out: dict[str, dict[str, Any]] = {}
    names, baselines = args.stage_list, args.baseline_list
    if plan is None:
        out["data"] = ensure_generated(work, n, args)
    else:
        out["data"] = ensure_replicated(work, n, *plan, args)
        for s in [*names, *baselines]:
            if s not in args.replicated_list:
                out[s] = {"stage": s, "skipped": "not run on replicated data"}
        names = [s for s in names if s in args.replicated_list]
        baselines = [s for s in baselines if s in args.replicated_list]
    for name in names:
        if name == "import":
            data.reset_workspace(work)
            out[name] = _stage("import", work, args)
            data.mark_imported(work, "error" not in out[name])
            continue
        if plan is None and not data.is_imported(work):
            out["data"]["import"] = ensure_imported(work, args)
        extra = [args.spark_memory] if name == "analyze_spark" else None
        out[name] = _stage(name, work, args, extra)
    for name in baselines:
        if plan is None and not data.is_imported(work):
            out["data"]["import"] = ensure_imported(work, args)
        out[name] = _stage(name, work, args)
    return out


def merge_runs(paths: list[str]) -> tuple[dict[int, dict[str, Any]], list[str]]:
    """Results of several runs, per size and stage (later runs win), and their commands."""
    results: dict[int, dict[str, Any]] = {}
    commands = []
    for path in paths:
        run = json.loads(Path(path).read_text())
        commands.append(run["command"])
        for n, stages in run["results"].items():
            results.setdefault(int(n), {}).update(stages)
    return results, commands


def write_merged(args: argparse.Namespace) -> None:
    results, commands = merge_runs(args.merge)
    sizes = sorted(results)
    seen = {name for n in sizes for name in results[n]}
    stages = [s for s in (*KEHU_STAGES, "analyze_spark") if s in seen]
    baselines = [b for b in BASELINES if b in seen]
    command = "\n    ".join(
        [*commands, shlex.join(["python", "-m", "bench", "--merge", *args.merge])]
    )
    text = render(results, sizes, stages, baselines, command)
    print(text)
    if not args.no_doc:
        DOC.write_text(text, encoding="utf-8")
        console.print(f"wrote {DOC}")


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.merge:
        write_merged(args)
        return
    command = shlex.join(["python", "-m", "bench", *(sys.argv[1:] if argv is None else argv)])
    results: dict[int, dict[str, dict[str, Any]]] = {}
    for n in args.size_list:
        console.rule(f"{n:,} order rows")
        results[n] = run_size(n, args)
        Path(args.work).mkdir(parents=True, exist_ok=True)
        (Path(args.work) / "results.json").write_text(
            json.dumps({"command": command, "results": results}, indent=2, default=str)
        )
    text = render(results, args.size_list, args.stage_list, args.baseline_list, command)
    print(text)
    if not args.no_doc:
        DOC.write_text(text, encoding="utf-8")
        console.print(f"wrote {DOC}")


if __name__ == "__main__":
    main()
