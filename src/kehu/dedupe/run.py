"""`kehu dedupe`: score every customer pair, merge the sure clusters, queue the rest.

One run: features → Splink (train + predict) → clusters → store the scored pairs and the run
→ merge the automatic clusters (unless dry-run). Storing and merging share one transaction.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow as pa

from kehu.dedupe.cluster import cluster_pairs, split_unsafe
from kehu.dedupe.features import SOURCE_COLUMNS, build_features, feature_lookup
from kehu.dedupe.labels import load_labels
from kehu.dedupe.match import score, splink_settings
from kehu.dedupe.merge import MergeRecord, merge_clusters
from kehu.engines.sql import insert_select, select
from kehu.spreadsheet import excel_writer, frame_to_csv

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

    from kehu.workspace import Workspace

Progress = Callable[[str], None]
MODEL_FILE = ("dedupe", "model.json")


@dataclass
class DedupeResult:
    run_id: str
    records: int
    candidate_pairs: int
    scored_pairs: int
    auto_clusters: int
    auto_records: int
    review_pairs: int
    blocked_pairs: int
    dry_run: bool
    trained: bool
    merges: list[MergeRecord] = field(default_factory=list)
    clusters: list[list[str]] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    output: str | None = None
    pairs: pd.DataFrame | None = field(default=None, repr=False)
    learning: dict[str, Any] | None = None  # what reviewed pairs changed (labels.Learning)
    changes: dict[str, list[int]] = field(default_factory=dict)  # figure -> [last run, now]

    @property
    def merged_records(self) -> int:
        return sum(len(m.merged_ids) for m in self.merges)

    def to_json(self) -> dict[str, Any]:
        """The summary printed by `kehu dedupe --json`."""
        return {
            "run_id": self.run_id,
            "records": self.records,
            "candidate_pairs": self.candidate_pairs,
            "scored_pairs": self.scored_pairs,
            "auto_clusters": self.auto_clusters,
            "auto_records": self.auto_records,
            "review_pairs": self.review_pairs,
            "blocked_pairs": self.blocked_pairs,
            "merged_records": self.merged_records,
            "dry_run": self.dry_run,
            "trained": self.trained,
            "merges": [asdict(m) for m in self.merges],
            "timings": {k: round(v, 3) for k, v in self.timings.items()},
            "output": self.output,
            "learning": self.learning,
            "changes": self.changes,
        }


def rejected_pairs(ws: Workspace) -> list[tuple[str, str]]:
    return [
        (a, b)
        for a, b in ws.rows("SELECT id_l, id_r FROM dedupe_decisions WHERE decision = 'reject'")
    ]


def run_dedupe(
    ws: Workspace,
    dry_run: bool = False,
    *,
    output: str | Path | None = None,
    min_probability: float | None = None,
    user: str | None = None,
    progress: Progress | None = None,
    spark: SparkSession | None = None,
) -> DedupeResult:
    """Find duplicate customers; merge clusters >= dedupe.auto_merge unless `dry_run`;
    pairs between dedupe.review and auto_merge wait in the review queue. Splink runs on
    `spark` when given (`[engine] name = "spark"`, see `kehu.engines.spark.engine_session`)."""
    settings = splink_settings(ws)
    say = progress or (lambda _stage: None)
    timings: dict[str, float] = {}
    started = datetime.now()
    run_id = f"R{started:%Y%m%d%H%M%S}-{uuid.uuid4().hex[:6]}"

    t = time.perf_counter()
    say("load")
    customers = ws.cursor().sql(select("customers", SOURCE_COLUMNS, order_by="customer_id"))
    customers = customers.to_arrow_table()
    timings["load"] = time.perf_counter() - t
    t = time.perf_counter()
    say("features")
    features = build_features(customers)
    del customers
    timings["features"] = time.perf_counter() - t

    rejected = rejected_pairs(ws)
    reviewed = load_labels(ws)
    auto_merge = settings.auto_merge
    learning = None
    floor = min(settings.review, min_probability) if min_probability is not None else None
    say("match")
    if len(features) >= 2:
        result = score(
            features,
            settings,
            rejected=rejected,
            min_probability=floor,
            temp_dir=ws.root / ".kehu_tmp",
            reviewed=reviewed,
            spark=spark,
        )
        pairs_tbl, candidates, trained = result.pairs, result.candidate_pairs, result.trained
        if result.learning is not None:
            learning = result.learning.to_json()
            auto_merge = result.learning.auto_merge or auto_merge
        timings.update({f"match_{k}": v for k, v in result.timings.items()})
        if trained:
            path = ws.path(*MODEL_FILE)
            path.write_text(
                json.dumps(result.model, ensure_ascii=False, indent=1), encoding="utf-8"
            )
    else:
        pairs_tbl = pa.table(
            {
                "id_l": pa.array([], pa.string()),
                "id_r": pa.array([], pa.string()),
                "probability": pa.array([], pa.float64()),
                "match_weight": pa.array([], pa.float64()),
                "agreed": pa.array([], pa.string()),
                "blocked": pa.array([], pa.string()),
                "hold": pa.array([], pa.string()),
            }
        )
        candidates, trained = 0, False

    t = time.perf_counter()
    say("cluster")
    clusters = cluster_pairs(
        pairs_tbl,
        auto_merge=auto_merge,
        review=settings.review,
        max_cluster_size=settings.max_cluster_size,
    )
    big = [cid for members in clusters.auto if len(members) > 2 for cid in members]
    if big:
        rejected_set = set(rejected)
        clusters = split_unsafe(clusters, feature_lookup(features, big), rejected_set)
    timings["cluster"] = time.perf_counter() - t
    pairs = clusters.pairs
    stored = pairs[pairs["status"] != "below"]
    probs = _cluster_probabilities(pairs, clusters.auto)

    t = time.perf_counter()
    say("store")
    merges: list[MergeRecord] = []
    with ws.transaction() as cur:
        _store_pairs(cur, stored, run_id, started)
        if not dry_run and clusters.auto:
            say("merge")
            merges = merge_clusters(
                cur,
                clusters.auto,
                settings,
                method="auto",
                run_id=run_id,
                probabilities=probs,
                user=user,
                default_source=ws.settings.workspace.default_source,
            )
        timings["store_merge"] = time.perf_counter() - t
        res = DedupeResult(
            run_id=run_id,
            records=len(features),
            candidate_pairs=candidates,
            scored_pairs=len(pairs),
            auto_clusters=len(clusters.auto),
            auto_records=sum(len(c) for c in clusters.auto),
            review_pairs=int((pairs["status"] == "review").sum()),
            blocked_pairs=int((pairs["status"] == "blocked").sum()),
            dry_run=dry_run,
            trained=trained,
            merges=merges,
            clusters=clusters.auto,
            timings=timings,
            pairs=pairs,
            learning=learning,
        )
        res.changes = _changes(cur, res)
        _store_run(cur, res, started)
    if output is not None:
        names = ws.cursor().sql("SELECT customer_id, name FROM customers").to_arrow_table()
        res.output = str(write_pairs(names, pairs, Path(output)))
    return res


def _cluster_probabilities(pairs: pd.DataFrame, clusters: list[list[str]]) -> list[float | None]:
    """The lowest pair probability inside each automatic cluster."""
    index = {cid: i for i, members in enumerate(clusters) for cid in members}
    lowest: dict[int, float] = {}
    auto = pairs[pairs["status"] == "auto"]
    for a, p in zip(auto["id_l"].tolist(), auto["probability"].tolist(), strict=True):
        i = index.get(a)
        if i is not None:
            lowest[i] = min(lowest.get(i, 1.0), float(p))
    return [lowest.get(i) for i in range(len(clusters))]


def _texts(col: pd.Series) -> list[str | None]:
    return col.astype(object).where(col.notna(), None).tolist()


def _store_pairs(cur: Any, pairs: pd.DataFrame, run_id: str, now: datetime) -> None:
    cur.execute("DELETE FROM dedupe_pairs")
    if pairs.empty:
        return
    frame = pa.table(
        {
            "id_l": pairs["id_l"].astype(str).to_numpy(),
            "id_r": pairs["id_r"].astype(str).to_numpy(),
            "run_id": [run_id] * len(pairs),
            "probability": pairs["probability"].astype(float).to_numpy(),
            "match_weight": pairs["match_weight"].astype(float).to_numpy(),
            "agreed": pairs["agreed"].astype(str).to_numpy(),
            "status": pairs["status"].astype(str).to_numpy(),
            "blocked": _texts(pairs["blocked"]),
            "hold": _texts(pairs["hold"]) if "hold" in pairs else [None] * len(pairs),
            "cluster": pairs["cluster"].astype("int64").to_numpy(),
            "created_at": [now] * len(pairs),
        }
    )
    cur.register("_kehu_pairs", frame)
    try:
        cur.execute(insert_select("dedupe_pairs", "_kehu_pairs", frame.column_names))
    finally:
        cur.unregister("_kehu_pairs")


_COMPARED = ("auto_clusters", "auto_records", "review_pairs", "scored_pairs")


def _changes(cur: Any, res: DedupeResult) -> dict[str, list[int]]:
    """The last run's figures next to this run's (how review feedback moved them)."""
    last = cur.execute(
        select("dedupe_runs", _COMPARED, order_by="started_at DESC", limit=1)
    ).fetchone()
    if last is None:
        return {}
    return {c: [int(v or 0), int(getattr(res, c))] for c, v in zip(_COMPARED, last, strict=True)}


def _store_run(cur: Any, res: DedupeResult, started: datetime) -> None:
    cur.execute(
        "INSERT INTO dedupe_runs (run_id, started_at, finished_at, records, candidate_pairs, "
        "scored_pairs, auto_clusters, auto_records, review_pairs, blocked_pairs, "
        "merged_records, dry_run, trained, timings) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [
            res.run_id,
            started,
            datetime.now(),
            res.records,
            res.candidate_pairs,
            res.scored_pairs,
            res.auto_clusters,
            res.auto_records,
            res.review_pairs,
            res.blocked_pairs,
            res.merged_records,
            res.dry_run,
            res.trained,
            json.dumps({k: round(v, 3) for k, v in res.timings.items()}),
        ],
    )


def write_pairs(customers: pa.Table, pairs: pd.DataFrame, path: Path) -> Path:
    """Scored pairs with both names: CSV (UTF-8 with BOM, opens in Excel), XLSX or Parquet."""
    names = dict(
        zip(
            customers.column("customer_id").to_pylist(),
            customers.column("name").to_pylist(),
            strict=True,
        )
    )
    out = pairs[
        ["id_l", "id_r", "probability", "match_weight", "status", "agreed", "blocked"]
    ].copy()
    out.insert(1, "name_l", out["id_l"].map(names))
    out.insert(3, "name_r", out["id_r"].map(names))
    out = out.sort_values(["probability", "id_l", "id_r"], ascending=[False, True, True])
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        out.to_parquet(path, index=False)
    elif suffix == ".xlsx":
        with excel_writer(path) as xw:  # names are data: never formulas (kehu.spreadsheet)
            out.to_excel(xw, index=False)
    else:
        frame_to_csv(out, path)
    return path
