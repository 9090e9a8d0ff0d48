"""`kehu dedupe` on Spark (Splink's SparkAPI) finds the pairs and clusters it finds on DuckDB.

FEBRL1 (1,000 person records, 500 duplicated): enough records to train, few enough pairs that
the u estimate takes every pair on both engines (no engine-specific random sample).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from kehu.dedupe.run import run_dedupe
from kehu.ingest import import_file
from kehu.workspace import Workspace

pytestmark = pytest.mark.spark

FEBRL1 = Path(__file__).parent / "data" / "febrl" / "febrl1_customers.csv"


@pytest.fixture(scope="module")
def febrl_ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    ws = Workspace.init(tmp_path_factory.mktemp("dedupe_spark") / "ws")
    import_file(ws, FEBRL1, "customers")
    return ws


def _pairs(frame: pd.DataFrame) -> dict[tuple[str, str], dict[str, Any]]:
    cols = ["probability", "match_weight", "status", "agreed", "blocked"]
    rows = frame.set_index(["id_l", "id_r"])[cols].astype(object)
    rows = rows.where(rows.notna(), None)
    return {k: v.to_dict() for k, v in rows.iterrows()}


def test_dedupe_on_spark_equals_duckdb(febrl_ws: Workspace, spark_backend: Any) -> None:
    from kehu.engines.spark import spark_session

    duck = run_dedupe(febrl_ws, dry_run=True)
    spark = run_dedupe(febrl_ws, dry_run=True, spark=spark_session("local[2]"))

    assert duck.trained and spark.trained
    assert duck.records == spark.records == 1000
    assert duck.candidate_pairs == spark.candidate_pairs > 0
    assert duck.pairs is not None and spark.pairs is not None
    left, right = _pairs(duck.pairs), _pairs(spark.pairs)
    assert len(left) > 400
    assert left.keys() == right.keys()
    exact = ("status", "agreed", "blocked")
    assert [(k, [v[c] for c in exact]) for k, v in left.items()] == [
        (k, [right[k][c] for c in exact]) for k in left
    ]
    # Splink's Spark jar computes Jaro-Winkler slightly differently from DuckDB (decision
    # 53.1): the u of the Jaro-Winkler levels moves in the 4th decimal, a pair's weight by
    # at most a few tenths of a bit (0.38 on FEBRL1), and nothing else.
    weight = max(abs(v["match_weight"] - right[k]["match_weight"]) for k, v in left.items())
    prob = max(abs(v["probability"] - right[k]["probability"]) for k, v in left.items())
    assert weight < 0.5 and prob < 1e-3, (weight, prob)
    assert sorted(map(sorted, duck.clusters)) == sorted(map(sorted, spark.clusters))
    assert (duck.auto_clusters, duck.review_pairs) == (spark.auto_clusters, spark.review_pairs)


def test_a_session_splink_cannot_use_is_a_clear_error() -> None:
    """A session without Splink's jar (or Spark Connect): a KehuError (exit 2), no traceback."""
    pytest.importorskip("pyspark")
    from kehu.dedupe.match import spark_api
    from kehu.errors import KehuError

    class NoJar:  # what a Spark Connect session looks like to SparkAPI: no sparkContext
        version = "4.0.0"

    with pytest.raises(KehuError) as err:
        spark_api(NoJar())  # type: ignore[arg-type]
    assert "Splink" in err.value.en and "sc://" in err.value.en and "Splink" in err.value.zh
