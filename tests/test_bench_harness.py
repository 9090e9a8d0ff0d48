"""The benchmark harness's pure parts: growth exponent, the rendered document, replication."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # `bench/` is a top-level folder, not an installed package
    sys.path.insert(0, str(REPO))

from bench import data, scale, stage  # noqa: E402
from bench.render import (  # noqa: E402
    PIPELINE,
    REPLICA_PIPELINE,
    exponent,
    exponent_sizes,
    kehu_rfm_clv,
    pipeline,
    render,
    rfm_pass_rows,
)

# ---- growth exponent -------------------------------------------------------------------------


def test_exponent_recovers_the_power_of_synthetic_points() -> None:
    sizes = [10**5, 10**6, 10**7]
    assert exponent([(n, 3e-6 * n) for n in sizes]) == pytest.approx(1.0)
    assert exponent([(n, 1e-12 * n**2) for n in sizes]) == pytest.approx(2.0)
    assert exponent([(n, 0.5 * n**0.5) for n in sizes]) == pytest.approx(0.5)
    # Noisy points: the least-squares slope, not the end-to-end one.
    slope = exponent([(1e5, 1.0), (1e6, 12.0), (1e7, 95.0)])
    assert slope == pytest.approx(0.9888, abs=1e-3)


def test_exponent_needs_two_usable_points() -> None:
    assert exponent([(1e5, 2.0)]) is None
    assert exponent([(1e5, 2.0), (1e6, 0.0)]) is None  # zero seconds cannot be logged
    assert exponent([(1e5, 2.0), (1e5, 3.0)]) is None  # one size only


def test_replication_plan() -> None:
    assert data.replication_plan(10**7, 10**7) is None
    assert data.replication_plan(10**8, 10**7) == (10**7, 10)
    assert data.replication_plan(200_000, 100_000) == (100_000, 2)
    with pytest.raises(ValueError, match="multiple"):
        data.replication_plan(15_000_000, 10**7)


# ---- the rendered document ---------------------------------------------------------------------


def _analyze(n: int, *, rfm: bool = True) -> dict[str, Any]:
    timings = {"probe": 0.1, "core": 3.0, "clv": 1.0, "churn": 4.0, "total": 9.0 * n / 1e5}
    if rfm:
        timings["rfm"] = 1.0
    return {"seconds": 1e-4 * n, "peak_mb": 500.0, "timings": timings, "customers": n // 16}


def _baseline(seconds: float, load: float) -> dict[str, Any]:
    return {
        "seconds": seconds,
        "peak_mb": 100.0,
        "load_seconds": load,
        "compute_seconds": seconds - load,
    }


def _results() -> dict[int, dict[str, dict[str, Any]]]:
    out: dict[int, dict[str, dict[str, Any]]] = {}
    for n in (10**5, 10**6, 10**7):
        out[n] = {
            "data": {"replicated": None, "build_seconds": 1.0},
            "import": {"seconds": 2e-5 * n, "peak_mb": 300.0},
            "analyze": _analyze(n),
            "pandas_rfm": _baseline(3.0, 1.0),
            "lifetimes": _baseline(5.0, 1.0),
            "pymc_marketing": _baseline(11.0, 1.0),
            "analyze_spark": {
                "seconds": 40.0,
                "peak_mb": 2500.0,
                "session_seconds": 12.0,
                "timings": {"total": 27.0 * n / 1e5},
            },
        }
    # A replicated size whose seconds would bend the exponent if it were counted.
    out[10**8] = {
        "data": {"replicated": {"k": 10, "base": 10**7}, "build_seconds": 60.0},
        "import": {"stage": "import", "skipped": "not run on replicated data"},
        "analyze": {**_analyze(10**8, rfm=False), "seconds": 1e6},
    }
    return out


def _doc() -> str:
    sizes = [10**5, 10**6, 10**7, 10**8]
    return render(
        _results(),
        sizes,
        ["import", "analyze", "analyze_spark"],
        ["pandas_rfm", "lifetimes", "pymc_marketing"],
        "python -m bench --spark",
        machine_text="test machine, 2 cores",
        software_text="duckdb 0",
        today="2026-01-01",
    )


def test_render_states_command_machine_and_that_it_is_generated() -> None:
    doc = _doc()
    assert "    python -m bench --spark\n" in doc
    assert "Machine: test machine, 2 cores" in doc
    assert "Generated, do not edit" in doc


def test_render_ratio_lines_with_and_without_load() -> None:
    doc = _doc()
    # kehu rfm + clv = 2 s; pandas 3 (load 1) + lifetimes 5 (load 1) = 8 s; 6 s without load.
    lifetimes = (
        "| 100,000 | rfm + clv | 2.00 | 3.00 (1.00) | 5.00 (1.00) | 8.00 | 4.0× | 6.00 | 3.0×"
    )
    assert lifetimes + " |" in doc
    # pandas 3 + pymc 11 = 14 s (12 s without load).
    pymc = "| 10,000,000 | rfm + clv | 2.00 | 3.00 (1.00) | 11.00 (1.00) | 14.00 | 7.0× | 12.00"
    assert pymc + " | 6.0× |" in doc
    assert "### pandas RFM + lifetimes vs kehu RFM + CLV" in doc
    assert "### pandas RFM + pymc-marketing vs kehu RFM + CLV" in doc


def test_render_falls_back_to_core_when_there_is_no_rfm_step() -> None:
    assert kehu_rfm_clv({"core": 3.0, "clv": 1.0}) == (4.0, "core + clv")
    assert kehu_rfm_clv({"rfm": 1.0, "core": 3.0, "clv": 1.0}) == (2.0, "rfm + clv")
    assert kehu_rfm_clv({"core": 3.0}) is None
    results = _results()
    for n in (10**5, 10**6, 10**7):
        results[n]["analyze"] = _analyze(n, rfm=False)
    doc = render(
        results,
        [10**5],
        ["analyze"],
        ["pandas_rfm", "lifetimes"],
        "c",
        machine_text="m",
        software_text="s",
        today="d",
    )
    assert "| 100,000 | core + clv | 4.00 | 3.00 (1.00) | 5.00 (1.00) | 8.00 | 2.0× |" in doc


def test_render_exponent_uses_generated_sizes_only() -> None:
    results = _results()
    assert exponent_sizes(results, [10**4, 10**5, 10**6, 10**7, 10**8]) == [10**5, 10**6, 10**7]
    doc = _doc()
    analyze_row = next(line for line in doc.splitlines() if line.startswith("| analyze |"))
    assert analyze_row.endswith("| 1.00 |")  # seconds = 1e-4 n over 1e5..1e7; 1e8 left out
    assert "100,000,000 †" in doc
    assert "10 copies of the 10,000,000-row data" in doc
    import_row = next(line for line in doc.splitlines() if line.startswith("| import |"))
    assert import_row.endswith("| — (replicated data) | 1.00 |")
    assert "over the generated sizes 100,000, 1,000,000, 10,000,000" in doc


def test_render_spark_against_duckdb() -> None:
    doc = _doc()
    # analyze totals: DuckDB 9 s, Spark 27 s at 10^5 -> 3.0x; stage 40 s with 12 s session.
    assert "| 100,000 | 9.00 | 27.00 | 3.0× | 40.00 (12.00) | 500 | 2500 |" in doc


# ---- replication ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny demo data set (2,000 order rows) generated and imported like the harness does."""
    work = tmp_path_factory.mktemp("bench") / "n2000"
    data.write_generated(work, 2000, 7)
    stage.STAGES["import"](work, [])
    data.mark_imported(work, True)
    return work


def _count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    return int(con.execute(sql).fetchone()[0])


def test_copy_select_suffixes_only_text_id_columns() -> None:
    cols = [
        ("customer_id", "VARCHAR"),
        ("name", "VARCHAR"),
        ("amount", "DECIMAL(18,2)"),
        ("source_id", "VARCHAR"),
        ("employees_id", "INTEGER"),
    ]
    sql = scale.copy_select("customers", cols, 4)
    assert '"customer_id" || \'~4\' AS "customer_id"' in sql
    assert '"source_id" || \'~4\' AS "source_id"' in sql
    assert '"name" ||' not in sql and '"employees_id" ||' not in sql
    assert sql.endswith(f'FROM {scale.BASE}."customers"')


def test_replicate_makes_k_distinct_copies(base: Path, tmp_path: Path) -> None:
    k = 3
    base_db = base / "ws" / "kehu.duckdb"
    with duckdb.connect(str(base_db), read_only=True) as con:
        before = {t: _count(con, f'SELECT count(*) FROM "{t}"') for t in scale.WORKSPACE_TABLES}
        before["orders"] = _count(con, "SELECT count(*) FROM orders")
        base_ids = _count(con, "SELECT count(DISTINCT customer_id) FROM customers")
    work = tmp_path / "n6000"
    data.write_replicated(work, base, k, 6000)
    manifest = json.loads((work / "manifest.json").read_text())
    assert manifest["replicated"]["k"] == k and manifest["replicated"]["base"] == 2000
    orders_dir = Path(manifest["orders_parquet"])
    assert len(list(orders_dir.glob("*.parquet"))) == k

    with duckdb.connect(str(work / "ws" / "kehu.duckdb"), read_only=True) as con:
        for table, rows in before.items():
            if table != "orders":
                assert _count(con, f'SELECT count(*) FROM "{table}"') == k * rows, table
        assert _count(con, "SELECT count(*) FROM orders") == 0  # orders live in Parquet
        assert _count(con, "SELECT count(DISTINCT customer_id) FROM customers") == k * base_ids
        suffixes = con.execute(
            "SELECT DISTINCT split_part(customer_id, '~', 2) FROM customers ORDER BY 1"
        ).fetchall()
        assert [s for (s,) in suffixes] == ["0", "1", "2"]
        orders = f"read_parquet('{orders_dir}/*.parquet')"
        assert _count(con, f"SELECT count(*) FROM {orders}") == k * before["orders"]
        assert _count(con, f"SELECT count(DISTINCT (source, order_id)) FROM {orders}") == (
            k * before["orders"]
        )
        # Every order belongs to a customer of its own copy.
        orphans = f"SELECT count(*) FROM {orders} ANTI JOIN customers USING (customer_id)"
        assert _count(con, orphans) == 0
        assert _count(con, "SELECT count(DISTINCT (source, contact_id)) FROM contacts") == (
            k * before["contacts"]
        )
    with duckdb.connect(str(base_db), read_only=True) as con:  # the base is only read
        assert _count(con, "SELECT count(*) FROM customers") == before["customers"]
    from kehu.workspace import Workspace

    with Workspace.open(work / "ws", read_only=True) as ws:
        assert ws.settings.engine.orders_path == str(orders_dir)
    assert data.is_replica_of(work, 2000, k) and not data.is_replica_of(work, 2000, k + 1)


def test_analyze_reads_the_replicated_orders(base: Path, tmp_path: Path) -> None:
    """Each copy of a customer gets the base customer's RFM facts, from the Parquet orders."""
    from kehu.workspace import Workspace

    work = tmp_path / "n4000"
    data.write_replicated(work, base, 2, 4000)
    for folder in (base, work):  # the churn model is not under test here: rules only (faster)
        with Workspace.open(folder / "ws") as ws:
            ws.settings.churn.model = "rules"
            ws.save_settings()
    stage.STAGES["analyze"](base, [])
    res = stage.STAGES["analyze"](work, [])
    cols = "recency_days, orders_12m, spend_12m, r_score, f_score, m_score, rfm_type, rfm_segment"
    with Workspace.open(base / "ws", read_only=True) as ws:
        expected = ws.rows(f"SELECT customer_id, {cols} FROM customer_snapshot ORDER BY 1")
    with Workspace.open(work / "ws", read_only=True) as ws:
        got = ws.rows(
            f"SELECT split_part(customer_id, '~', 1) AS id, {cols} FROM customer_snapshot"
            " WHERE customer_id LIKE '%~1' ORDER BY 1"
        )
    assert res["customers"] == 2 * len(expected)
    assert sum(1 for row in got if row[2]) > 0  # orders were read
    assert got == expected


def test_kpis_on_replicated_data_are_k_times_the_base(base: Path, tmp_path: Path) -> None:
    """The KPI stage reads the orders where the replica keeps them (Parquet): each region's
    revenue per quarter is K times the base's, since every copy keeps its customers' region."""
    work = tmp_path / "n6000"
    data.write_replicated(work, base, 3, 6000)
    from kehu.analytics.kpis import compute_kpis
    from kehu.workspace import Workspace

    def revenue(folder: Path) -> dict[tuple[str, str], float]:
        with Workspace.open(folder / "ws") as ws:
            rows = compute_kpis(ws, "quarter", "region", kpis=["revenue"])
        return {(r["period"], r["group"]): r["value"] for r in rows}

    got, expected = revenue(work), revenue(base)
    assert stage.STAGES["kpis"](work, [])["rows"] > 0
    assert got.keys() == expected.keys() and sum(expected.values()) > 0
    for key, value in expected.items():
        assert got[key] == pytest.approx(3 * value), key


# ---- measuring ----------------------------------------------------------------------------


def test_tree_peak_counts_the_memory_of_child_processes() -> None:
    """A stage's children (Spark's JVM) count towards its peak: here a grandchild holding
    200 MB while its parent stays small."""
    import subprocess

    from bench.runner import TreePeak

    child = "b = bytearray(200 * 2**20); import time; time.sleep(1.5)"
    parent = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {child!r}])"
    proc = subprocess.Popen([sys.executable, "-c", parent])
    sampler = TreePeak(proc.pid, interval=0.05)
    sampler.start()
    proc.wait(timeout=30)
    sampler.stop()
    assert sampler.children_peak >= 200 * 2**20
    assert sampler.peak >= sampler.children_peak


def test_cli_rejects_sizes_that_cannot_be_built() -> None:
    from bench.__main__ import parse_args

    args = parse_args(["--sizes", "1e5,2e5", "--max-generate", "1e5", "--spark"])
    assert args.size_list == [100_000, 200_000]
    assert args.stage_list[-1] == "analyze_spark"
    assert parse_args(["--baselines", ""]).baseline_list == []
    assert parse_args([]).replicated_list == [
        "quality", "analyze", "kpis", "plan", "alerts", "report"
    ]  # fmt: skip
    with pytest.raises(SystemExit):
        parse_args(["--replicated-stages", "import"])  # no files to import on copies
    with pytest.raises(SystemExit):
        parse_args(["--sizes", "1.5e7"])  # above --max-generate, not a multiple of it
    with pytest.raises(SystemExit):
        parse_args(["--stages", "analyse"])  # unknown stage


def test_merge_runs_later_runs_replace_the_stages_they_measured(tmp_path: Path) -> None:
    from bench.__main__ import merge_runs

    first = {"command": "python -m bench --sizes 1e5,1e8", "results": {
        "100000": {"analyze": {"seconds": 8.0}, "import": {"seconds": 4.0}},
        "100000000": {"analyze": {"seconds": 600.0, "peak_mb": 19000.0}},
    }}  # fmt: skip
    again = {"analyze": {"seconds": 540.0, "peak_mb": 15000.0}}
    second = {"command": "python -m bench --sizes 1e8", "results": {"100000000": again}}
    paths = []
    for i, run in enumerate((first, second)):
        paths.append(str(tmp_path / f"r{i}.json"))
        Path(paths[-1]).write_text(json.dumps(run))
    results, commands = merge_runs(paths)
    assert commands == [first["command"], second["command"]]
    assert results[100_000] == first["results"]["100000"]
    assert results[100_000_000]["analyze"] == {"seconds": 540.0, "peak_mb": 15000.0}


def test_repeated_stages_report_the_median_run_and_the_highest_peak() -> None:
    from bench.__main__ import median_run, parse_args

    runs = [
        {"seconds": 9.0, "peak_mb": 100.0, "timings": {"total": 9.0}},
        {"seconds": 5.0, "peak_mb": 300.0, "timings": {"total": 5.0}},
        {"seconds": 7.0, "peak_mb": 200.0, "timings": {"total": 7.0}},
    ]
    chosen = median_run(runs)
    assert chosen["seconds"] == 7.0 and chosen["timings"] == {"total": 7.0}
    assert chosen["repeats"] == [9.0, 5.0, 7.0]
    assert chosen["peak_mb"] == 300.0
    assert median_run(runs[:2])["seconds"] == 5.0  # even count: the lower middle run
    assert median_run(runs[:1]) == runs[0]
    assert "‡" in render({100_000: {"data": {}, "analyze": chosen}}, [100_000], ["analyze"],
                         [], "python -m bench --repeat 3")  # fmt: skip
    with pytest.raises(SystemExit):
        parse_args(["--repeat", "0"])


def test_render_sums_the_pipeline_and_checks_the_budget() -> None:
    results = _results()
    for n in (10**5, 10**6, 10**7):
        for i, name in enumerate(PIPELINE):
            if name not in results[n]:
                results[n][name] = {"seconds": 1e-6 * n * (i + 1), "peak_mb": 100.0 * (i + 1)}
    results[10**7]["alerts"]["peak_mb"] = 5000.0
    doc = render(
        results,
        [10**5, 10**6, 10**7],
        list(PIPELINE),
        [],
        "c",
        machine_text="m",
        software_text="s",
        today="d",
    )
    row = next(line for line in doc.splitlines() if line.startswith("| pipeline ("))
    # 10^7: import 200 s + analyze 1000 s + the others 10 s × (2+3+5+6+7) = 1430 s
    assert "| 1430.00 s / 5000 MB |" in row
    assert row.endswith("| 1.00 |")
    assert "over 4 GB: alerts 4.9 GB" in doc
    assert "the pipeline took 1430 s, over the 240 s budget" in doc
    assert pipeline({"import": {"seconds": 1.0}}) is None


def test_replicated_pipeline_leaves_out_import_and_dedupe_and_checks_the_16_gb_budget() -> None:
    results = _results()
    n = 10**8
    for name in REPLICA_PIPELINE:
        results[n][name] = {"seconds": 100.0, "peak_mb": 2000.0}
    results[n]["dedupe"] = {"stage": "dedupe", "skipped": "not run on replicated data"}
    results[n]["report"]["peak_mb"] = 17000.0
    doc = render(results, [10**7, n], list(PIPELINE), [], "c", machine_text="m",
                 software_text="s", today="d")  # fmt: skip
    row = next(line for line in doc.splitlines() if line.startswith("| pipeline ("))
    assert "without import and dedupe" in row
    assert "| 500.00 s / 17000 MB |" in row  # quality + analyze + plan + alerts + report
    assert (
        "Budget at 100,000,000 order rows (replicated: import and dedupe not run): over 16 GB:"
        " report 16.6 GB; the pipeline took 500 s, within the 1200 s budget." in doc
    )
    assert "Budget at 10,000,000" not in doc  # 10^7 lacks dedupe, plan, ...: no sum there


def test_rfm_pass_is_compared_with_the_hand_written_duckdb_query() -> None:
    results = _results()
    results[10**6]["duckdb_rfm"] = _baseline(0.9, 0.1)  # compute 0.8 s; kehu's rfm step 1.0 s
    rows = rfm_pass_rows(results, [10**5, 10**6, 10**7, 10**8])
    assert rows == ["| 1,000,000 | 1.00 | 0.80 | 1.25× |"]
    doc = render(results, [10**6], ["analyze"], ["duckdb_rfm"], "python -m bench")
    assert "| 1,000,000 | 1.00 | 0.80 | 1.25× |" in doc
    assert "Not measured in this run (needs analyze and duckdb_rfm)." not in doc


def test_duckdb_rfm_scores_like_kehu(tmp_path: Path) -> None:
    """The baseline computes the RFM scores kehu computes (so the ratio compares like work)."""
    from datetime import date

    from bench.baselines import duckdb_rfm

    con = duckdb.connect(str(tmp_path / "x.duckdb"))
    con.execute("CREATE TABLE customers (customer_id VARCHAR)")
    con.execute("INSERT INTO customers VALUES ('a'), ('b'), ('c')")
    con.execute("CREATE TABLE orders (customer_id VARCHAR, order_date DATE, amount DECIMAL(18,2))")
    rows = [("a", f"2026-{m:02d}-0{d}", 30000) for m in range(1, 11) for d in (1, 2)]
    rows += [("b", "2026-06-01", 10), ("b", "2026-06-01", -5), ("b", "2026-07-01", -20)]
    con.executemany("INSERT INTO orders VALUES (?, ?, ?)", rows)
    assert duckdb_rfm(con, date(2026, 10, 31)) == 3
    got = con.execute(
        "SELECT customer_id, r, f, m, rfm_type, x, m_repeat FROM duckdb_rfm ORDER BY 1"
    ).fetchall()
    assert got == [
        ("a", 5, 5, 5, "high_value", 19, 30000.0),
        ("b", 1, 1, 1, "low_value", 0, None),
        ("c", 1, 1, 1, "low_value", None, None),
    ]
