"""`kehu analyze` on a real standalone Spark cluster gives the DuckDB snapshot (docs/spark.md)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from spark_cluster import spark_home
from test_spark_parity import _same

from kehu.workspace import Workspace

pytestmark = pytest.mark.spark

AS_OF = date(2026, 9, 30)


def _snapshot(ws: Workspace) -> dict[str, dict[str, Any]]:
    table = ws.cursor().sql(
        "SELECT * FROM customer_snapshot WHERE as_of = ? ORDER BY customer_id", params=[AS_OF]
    )
    return {r["customer_id"]: r for r in table.to_arrow_table().to_pylist()}


def test_analyze_on_a_standalone_cluster_equals_duckdb(
    tmp_path_factory: pytest.TempPathFactory, spark_cluster: str
) -> None:
    from kehu.analytics.snapshot import analyze
    from kehu.jobs.demo import run_demo

    root: Path = tmp_path_factory.mktemp("cluster") / "ws"
    run_demo(root, seed=11, size=0.08, analyze=False)
    toml = root / "kehu.toml"  # a small driver: the workers have 1 GB each
    text = toml.read_text(encoding="utf-8")
    toml.write_text(text.replace('spark_memory = "4g"', 'spark_memory = "1g"'), encoding="utf-8")
    ws = Workspace.open(root)
    try:
        analyze(ws, AS_OF)
        duck = _snapshot(ws)
    finally:
        ws.close()

    env = dict(os.environ, PYSPARK_PYTHON=sys.executable, SPARK_HOME=str(spark_home()))
    env["KEHU_SPARK_PARTITIONS"] = "2"  # one per worker core: small data, fewer tasks
    cmd = [sys.executable, "-m", "kehu", "-w", str(root), "analyze", "--engine", "spark"]
    cmd += ["--spark-master", spark_cluster, "--as-of", AS_OF.isoformat(), "--json"]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads(done.stdout)
    assert summary["engine"] == "spark"
    print("spark timings", summary["timings"])

    ws = Workspace.open(root)
    try:
        spark = _snapshot(ws)
        runs = ws.rows("SELECT engine FROM analytics_runs WHERE as_of = ?", [AS_OF])
    finally:
        ws.close()
    assert len(duck) > 50 and duck.keys() == spark.keys()
    columns = [c for c in next(iter(duck.values())) if c not in ("computed_at", "run_id")]
    mismatches = [
        (cid, col, row[col], spark[cid][col])
        for cid, row in duck.items()
        for col in columns
        if not _same(row[col], spark[cid][col])
    ]
    assert mismatches == [], mismatches[:10]
    assert runs == [("spark",)]
