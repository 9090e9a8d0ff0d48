"""Benchmark `kehu dedupe` on synthetic customers with planted duplicates.

    python bench/bench_dedupe.py --records 1000000            # the 10^6 target
    python bench/bench_dedupe.py --records 20000 --quality    # + precision / recall by type
    python bench/bench_dedupe.py --records 100000 --splink    # + Splink on the same records

Generates the records (vectorised, kehu.dedupe.synthetic), loads them straight into a fresh
workspace's customers table, then runs the full `run_dedupe` (features, Splink training and
prediction, clustering, storing pairs, merging the automatic clusters) and prints seconds
per stage and the peak resident memory. Target: 10^6 records in < 3 min and < 8 GB.
"""

from __future__ import annotations

import argparse
import os
import resource
import shlex
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import pyarrow as pa


def cpu_seconds() -> float:
    """User + system CPU time of this process so far (shows contention on a busy machine)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_rss_gb() -> float:
    """Peak resident set size of this process (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024


def load(ws: object, records: object) -> None:
    from kehu.store.schema import CUSTOMERS

    frame = records.drop(columns=["entity_id"])  # type: ignore[attr-defined]
    now = datetime(2026, 1, 1)
    frame["created_at"] = now
    frame["updated_at"] = now
    cols = [c for c in frame.columns if c in CUSTOMERS.all_columns()]
    table = pa.Table.from_pandas(frame[cols], preserve_index=False)
    con = ws.con  # type: ignore[attr-defined]
    con.register("bench_customers", table)
    casts = ", ".join(
        f'CAST("{c}" AS {CUSTOMERS.all_columns()[c].replace("NOT NULL", "")}) AS "{c}"'
        for c in cols
    )
    names = ", ".join(f'"{c}"' for c in cols)
    con.execute(f"INSERT INTO customers ({names}) SELECT {casts} FROM bench_customers")
    con.execute(
        "INSERT INTO customer_ids (source, source_id, customer_id) "
        "SELECT source, source_id, customer_id FROM customers"
    )
    con.unregister("bench_customers")


def splink_seconds(records: object) -> tuple[float, int]:
    """Splink 5 alone on the same records, the way its examples set up a dedupe: exact name,
    phone, e-mail, registration id and city, Jaro-Winkler on the name; blocked on each id and
    on the name; λ from a deterministic rule, u from 10^6 random pairs, EM on the phone block;
    pairs at p >= 0.8. (seconds, pairs)."""
    import logging

    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    logging.getLogger("splink").setLevel(logging.ERROR)
    cols = ["customer_id", "name", "phone", "email", "registration_id", "city"]
    df = records[cols].astype(object)  # type: ignore[index]
    df = df.where(df.notna(), None)
    t0 = time.perf_counter()
    settings = SettingsCreator(
        unique_id_column_name="customer_id",
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=[
            block_on("name"),
            block_on("phone"),
            block_on("email"),
            block_on("registration_id"),
        ],
        comparisons=[
            cl.JaroWinklerAtThresholds("name", [0.92, 0.8]),
            cl.ExactMatch("phone"),
            cl.ExactMatch("email"),
            cl.ExactMatch("registration_id"),
            cl.ExactMatch("city"),
        ],
    )
    linker = Linker(DuckDBAPI().register(df), settings)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("registration_id")], recall=0.5
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("phone"))
    pairs = linker.inference.predict(threshold_match_probability=0.8)
    n = int(pairs.as_duckdbpyrelation().aggregate("count(*)").fetchall()[0][0])
    return time.perf_counter() - t0, n


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--dry-run", action="store_true", help="score only, merge nothing")
    parser.add_argument("--quality", action="store_true", help="report precision / recall")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--splink", action="store_true", help="also time Splink alone")
    args = parser.parse_args(argv)

    from kehu.dedupe.run import run_dedupe
    from kehu.dedupe.synthetic import generate
    from kehu.workspace import Workspace

    work = args.workdir or Path(tempfile.mkdtemp(prefix="kehu-bench-dedupe-"))
    t0 = time.perf_counter()
    data = generate(args.records, seed=args.seed)
    t_gen = time.perf_counter() - t0
    ws = Workspace.init(work / "ws")
    t1 = time.perf_counter()
    load(ws, data.records)
    t_load = time.perf_counter() - t1
    n = ws.scalar("SELECT count(*) FROM customers")
    print(
        f"generated {len(data.records):,} records ({len(data.clusters):,} duplicate "
        f"clusters) in {t_gen:.1f}s; loaded in {t_load:.1f}s"
    )

    t2, c2 = time.perf_counter(), cpu_seconds()
    res = run_dedupe(ws, dry_run=args.dry_run)
    seconds, cpu = time.perf_counter() - t2, cpu_seconds() - c2
    print(
        f"dedupe of {n:,} customers: {seconds:.1f} s wall, {cpu:.1f} s CPU, "
        f"peak RSS {peak_rss_gb():.2f} GB (load average {os.getloadavg()[0]:.1f})"
    )
    for stage, s in res.timings.items():
        print(f"  {stage:<16} {s:8.1f} s")
    print(
        f"  candidate pairs {res.candidate_pairs:,}; scored >= review {res.scored_pairs:,}; "
        f"auto clusters {res.auto_clusters:,} ({res.auto_records:,} records); "
        f"review pairs {res.review_pairs:,}; blocked {res.blocked_pairs:,}; "
        f"merged records {res.merged_records:,}"
    )
    if args.quality:
        from kehu.dedupe.evaluate import evaluate

        report = evaluate(data.clusters, res.clusters, res.pairs, data.customer_type)
        for kind in ("company", "person", "all"):
            m = report[kind]
            print(
                f"  {kind:<8} true pairs {m['true_pairs']:,}  precision(auto) "
                f"{m['precision_auto']:.4f}  recall(auto) {m['recall_auto']:.4f}  "
                f"recall(auto+review) {m['recall_auto_review']:.4f}"
            )
    if args.splink:
        c3 = cpu_seconds()
        s_sec, s_pairs = splink_seconds(data.records)
        print(
            f"  splink alone: {s_sec:.1f} s wall, {cpu_seconds() - c3:.1f} s CPU, "
            f"{s_pairs:,} pairs at p >= 0.8"
        )
    ok = seconds < 180 and peak_rss_gb() < 8
    print(
        ("PASS" if ok else "FAIL")
        + " (< 180 s and < 8 GB); command: python "
        + " ".join(shlex.quote(a) for a in ["bench/bench_dedupe.py", *(argv or sys.argv[1:])])
    )
    ws.close()
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
