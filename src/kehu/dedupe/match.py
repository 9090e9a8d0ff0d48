"""Probabilistic record linkage with Splink on DuckDB or Spark: train, predict, explain pairs.

Splink runs in its own in-memory DuckDB connection (its many intermediate tables never
touch the workspace store), or, given a Spark session, on Spark (`SparkAPI`): the blocking
and scoring of every candidate pair run there, while the EM pattern counts and the
explanations of the pairs that come back run in the local DuckDB. Pairs come back with
their match probability, the fields that agreed and, when a pair may never be merged, the
reason (`blocked`): different customer types, a branch office against its head office, two
valid but different registration ids, or a pair a user rejected.
"""

from __future__ import annotations

import logging
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from kehu.config import DedupeSettings
from kehu.dedupe import em, labels
from kehu.dedupe.labels import Learning
from kehu.dedupe.model import (
    BLOCKING_RULES,
    COMPARISONS,
    DETERMINISTIC_RULES,
    FIELD_OF,
    FIXED,
    HOLD,
    TRAINING_RULES,
    agree_conditions,
    for_spark,
    settings_dict,
    spark_sql,
    with_sql_of,
    without_term_frequencies,
)
from kehu.errors import KehuError
from kehu.workspace import default_memory_limit

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

    from kehu.workspace import Workspace

log = logging.getLogger(__name__)


@dataclass
class MatchResult:
    """Scored candidate pairs (id_l < id_r) and how the model was obtained."""

    pairs: pa.Table  # id_l, id_r, probability, match_weight, agreed, blocked, hold
    candidate_pairs: int
    trained: bool
    model: dict[str, Any]
    timings: dict[str, float] = field(default_factory=dict)
    learning: Learning | None = None


def _quiet_splink() -> None:
    for name in ("splink", "splink.internals"):
        logging.getLogger(name).setLevel(logging.ERROR)


def splink_settings(ws: Workspace) -> DedupeSettings:
    """The dedupe settings, with the memory limit Splink's own connection gets:
    `dedupe.memory_limit`, else the workspace's (`engine.memory_limit`, else half the RAM),
    never DuckDB's default of 80% of the RAM."""
    limit = (
        ws.settings.dedupe.memory_limit or ws.settings.engine.memory_limit or default_memory_limit()
    )
    return ws.settings.dedupe.model_copy(update={"memory_limit": limit})


def new_connection(
    settings: DedupeSettings, temp_dir: Path | None = None
) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB for Splink's work tables (spills to `temp_dir` when large)."""
    con = duckdb.connect(":memory:")
    # DuckDB draws a progress bar on stdout for queries over 2 s, which would corrupt
    # `kehu dedupe --json` on a busy machine.
    con.execute("SET enable_progress_bar = false")
    if temp_dir is not None:
        temp_dir.mkdir(parents=True, exist_ok=True)
        con.execute(f"SET temp_directory = '{temp_dir.as_posix()}'")
    if settings.memory_limit:
        con.execute(f"SET memory_limit = '{settings.memory_limit}'")
    return con


def prior_lambda(n: int, duplicate_share: float) -> float:
    """Prior probability that two random records match: duplicates / all pairs."""
    if n < 2:
        return 0.5
    return min(0.5, max(1e-9, 2.0 * duplicate_share / (n - 1)))


def _features_for_splink(features: pd.DataFrame) -> pd.DataFrame:
    """Arrow-backed strings and nullable booleans (DuckDB reads them without a copy)."""
    out = {}
    for col in features.columns:
        kind = "boolean" if col in ("reg_valid", "ctype_given") else "string[pyarrow]"
        out[col] = features[col].astype(kind)
    return pd.DataFrame(out)


def spark_api(spark: SparkSession) -> Any:
    """Splink's Spark backend over a session started with Splink's jar (`spark.jars`)."""
    from pyspark.sql.types import DoubleType
    from splink import SparkAPI

    try:
        api = SparkAPI(spark_session=spark, break_lineage_method="persist")
        jar_udf = "uk.gov.moj.dash.linkage.JaroWinklerSimilarity"
        spark.udf.registerJavaFunction("jaro_winkler", jar_udf, DoubleType())
    except Exception as exc:  # Spark Connect, or a session started without Splink's jar
        raise KehuError(
            "查重无法在此 Spark 会话上运行:需要经典会话(非 sc://)并加载 Splink 的 jar"
            f"(spark.jars,kehu 启动会话时自动加载):{type(exc).__name__}",
            "dedupe cannot run on this Spark session: it needs a classic session (not sc://)"
            " with Splink's jar on spark.jars (kehu adds it when it starts the session):"
            f" {type(exc).__name__}",
        ) from None
    return api


class Matcher:
    """One Splink linker over a features table, in its own DuckDB connection or on Spark."""

    def __init__(
        self,
        features: pd.DataFrame,
        settings: DedupeSettings,
        *,
        model: dict[str, Any] | None = None,
        temp_dir: Path | None = None,
        spark: SparkSession | None = None,
    ) -> None:
        from splink import DuckDBAPI

        _quiet_splink()
        self.settings = settings
        self.spark = spark
        self.n = len(features)
        self.con = new_connection(settings, temp_dir)
        self.frame = _features_for_splink(features)
        self.con.register("kehu_features", self.frame)
        if spark is None:
            self.db_api = DuckDBAPI(self.con)
            self.sdf = self.db_api.register(self.frame, dataset_display_name="kehu_customers")
        else:
            self.db_api = spark_api(spark)
            table = pa.Table.from_pandas(self.frame, preserve_index=False)
            self.sdf = self.db_api.register(
                spark.createDataFrame(table), dataset_display_name="kehu_customers"
            )
        base = model or settings_dict(prior_lambda(self.n, settings.prior_duplicate_share))
        if self.n < settings.min_train_records:
            base = without_term_frequencies(base)
        self.linker = self._linker(base)
        self.trained = False
        self.sessions: list[em.Session] = []

    def _linker(self, model: dict[str, Any]) -> Any:
        """A Splink linker for a model in DuckDB SQL (translated when on Spark)."""
        from splink import Linker

        self.base = model
        return Linker(self.sdf, model if self.spark is None else for_spark(model), log_level=None)

    def _rules(self, rules: tuple[str, ...]) -> list[str]:
        return list(rules) if self.spark is None else [spark_sql(r) for r in rules]

    def close(self) -> None:
        self.con.close()

    # ---- training ---------------------------------------------------------------------------
    def train(self) -> bool:
        """u by random sampling and λ from deterministic rules (Splink), then m by EM
        without labels over agreement-pattern counts (`kehu.dedupe.em`).

        Skipped (the documented priors stay) below `dedupe.min_train_records`.
        """
        if self.n < self.settings.min_train_records:
            return False
        from splink.internals.exceptions import SplinkException

        training = self.linker.training
        try:
            training.estimate_probability_two_random_records_match(
                self._rules(DETERMINISTIC_RULES), recall=self.settings.deterministic_recall
            )
        except (SplinkException, ValueError, ZeroDivisionError) as exc:
            log.info("lambda estimate skipped: %s", exc)
        max_pairs = min(self.settings.u_sample_pairs, self.n * (self.n - 1) / 2)
        training.estimate_u_using_random_sampling(max_pairs=max_pairs, seed=1)
        model = self.model_json()
        prior = settings_dict(model["probability_two_random_records_match"])
        prior_m = em.levels_from_model(prior, "m_probability")
        prior_u = em.levels_from_model(prior, "u_probability")
        u = em.fill_missing(em.levels_from_model(model, "u_probability"), prior_u)
        for c, name in enumerate(COMPARISONS):
            if name in FIXED:
                u[c] = prior_u[c]
        estimates: dict[int, list[np.ndarray]] = {}
        columns = [c for c in self.frame.columns if c != "unique_id"]
        self.sessions = []
        for rule in TRAINING_RULES:
            patterns, counts = em.pattern_counts(self.con, "kehu_features", columns, rule)
            if counts.sum() < self.settings.min_training_pairs:
                continue
            active = em.active_comparisons(rule)
            m_new, lam, iterations = em.run_session(
                patterns,
                counts,
                prior_m,
                u,
                0.1,
                active,
                prior_pairs=self.settings.em_prior_pairs,
            )
            for c in active:
                estimates.setdefault(c, []).append(m_new[c])
            self.sessions.append(
                em.Session(
                    rule, int(counts.sum()), iterations, lam, [list(COMPARISONS)[c] for c in active]
                )
            )
        m = [
            np.mean(estimates[c], axis=0) if c in estimates else prior_m[c]
            for c in range(len(prior_m))
        ]
        em.write_levels(model, "m_probability", m)
        em.write_levels(model, "u_probability", u)
        self.linker = self._linker(model)
        self.trained = True
        return True

    def learn(self, found: list[tuple[dict[str, int], str]]) -> Learning:
        """Re-estimate m from reviewed pairs (when there are `dedupe.min_labels`, matches
        among them) and the automatic threshold from the labelled non-matches."""
        matches = sum(1 for _, lab in found if lab == labels.MATCH)
        res = Learning(len(found), matches, len(found) - matches, False, self.settings.min_labels)
        if len(found) < self.settings.min_labels:
            return res
        model = self.model_json()
        m = em.levels_from_model(model, "m_probability")
        u = em.levels_from_model(model, "u_probability")
        lam = float(model["probability_two_random_records_match"])
        m_new = labels.supervised_m(m, found, self.settings.label_prior_pairs) if matches else m
        em.write_levels(model, "m_probability", m_new)
        self.linker = self._linker(model)
        auto = labels.safe_auto_merge(self.settings.auto_merge, found, m_new, u, lam)
        res.applied = True
        res.m_changes = labels.m_changes(m, m_new)
        res.auto_merge = auto if auto != self.settings.auto_merge else None
        return res

    def model_json(self) -> dict[str, Any]:
        """The current model with its SQL in DuckDB form, whichever engine trained it."""
        trained = self.linker.misc.save_model_to_json()
        return trained if self.spark is None else with_sql_of(trained, self.base)

    # ---- prediction -------------------------------------------------------------------------
    def predict(self, min_probability: float, rejected: list[tuple[str, str]]) -> pa.Table:
        """Scored pairs with probability >= min_probability, explained and constrained,
        plus the pairs their clusters imply that no blocking rule proposed."""
        preds = self.linker.inference.predict(
            threshold_match_probability=min_probability, warning_mode="never"
        )
        if self.spark is None:
            pairs = self._explain(preds.physical_name, rejected)
        else:  # the pairs over the threshold come back to be explained locally
            cols = ["unique_id_l", "unique_id_r", "match_probability", "match_weight"]
            found = preds.as_spark_dataframe().select(*cols).toArrow()
            pairs = self._explain_table(found, rejected)
        implied = self.implied_pairs(pairs)
        if implied:
            extra = self._score_pairs(implied)
            extra = extra.filter(
                pc.greater_equal(extra.column("match_probability"), min_probability)
            )
            if extra.num_rows:
                pairs = pa.concat_tables([pairs, self._explain_table(extra, rejected)])
        return pairs

    def implied_pairs(self, pairs: pa.Table) -> list[tuple[str, str]]:
        """Pairs inside a component of the pairs >= dedupe.review (at most
        dedupe.max_cluster_size records) that the blocking rules never proposed: a duplicate
        of a duplicate with a typo in every key still gets its own score."""
        df = pairs.select(["id_l", "id_r", "probability", "blocked"]).to_pandas()
        linked = df[(df["probability"] >= self.settings.review) & df["blocked"].isna()]
        if linked.empty:
            return []
        nodes, inv = np.unique(
            np.concatenate([linked["id_l"].to_numpy(), linked["id_r"].to_numpy()]),
            return_inverse=True,
        )
        from scipy.sparse import coo_matrix
        from scipy.sparse.csgraph import connected_components

        k = len(linked)
        graph = coo_matrix((np.ones(k, dtype=np.int8), (inv[:k], inv[k:])), shape=(len(nodes),) * 2)
        _, labels = connected_components(graph, directed=False)
        sizes = np.bincount(labels)
        seen = set(zip(df["id_l"].tolist(), df["id_r"].tolist(), strict=True))
        groups: dict[int, list[str]] = {}
        for node, lab in zip(nodes.tolist(), labels.tolist(), strict=True):
            if 3 <= sizes[lab] <= self.settings.max_cluster_size:
                groups.setdefault(lab, []).append(node)
        out: list[tuple[str, str]] = []
        for members in groups.values():
            members.sort()
            for i, a in enumerate(members):
                out.extend((a, b) for b in members[i + 1 :] if (a, b) not in seen)
        return out

    def _score_pairs(self, pairs: list[tuple[str, str]]) -> pa.Table:
        """Fellegi-Sunter score of given pairs with the current m, u and λ (no
        term-frequency adjustment): unique_id_l, unique_id_r, match_probability, match_weight."""
        model = self.model_json()
        m = em.levels_from_model(model, "m_probability")
        u = em.levels_from_model(model, "u_probability")
        lam = float(model["probability_two_random_records_match"])
        ids = pd.DataFrame(pairs, columns=["a", "b"], dtype="string")
        self.con.register("kehu_implied", ids)
        cols = [c for c in self.frame.columns if c != "unique_id"]
        sides = ", ".join(f'l."{c}" AS "{c}_l", r."{c}" AS "{c}_r"' for c in cols)
        names = list(COMPARISONS)
        sql = f"""
            WITH j AS (
              SELECT x.a, x.b, {sides} FROM kehu_implied x
              JOIN kehu_features l ON l.unique_id = x.a
              JOIN kehu_features r ON r.unique_id = x.b
            )
            SELECT a, b, {em.gamma_select()} FROM j
        """
        raw = self.con.sql(sql).to_arrow_table()
        self.con.unregister("kehu_implied")
        patterns = np.column_stack(
            [raw.column(f"g_{n}").to_numpy().astype(np.int64) for n in names]
        )
        weight = np.log2(lam / (1 - lam)) + em.log_bf(
            patterns, m, u, list(range(len(names)))
        ) / np.log(2)
        prob = 1.0 / (1.0 + np.power(2.0, -np.clip(weight, -1000, 1000)))
        return pa.table(
            {
                "unique_id_l": raw.column("a"),
                "unique_id_r": raw.column("b"),
                "match_probability": pa.array(prob, pa.float64()),
                "match_weight": pa.array(weight, pa.float64()),
            }
        )

    def _explain_table(self, table: pa.Table, rejected: list[tuple[str, str]]) -> pa.Table:
        self.con.register("kehu_scored", table)
        try:
            return self._explain("kehu_scored", rejected)
        finally:
            self.con.unregister("kehu_scored")

    def candidate_count(self) -> int:
        """Candidate pairs the blocking rules generate (exact below 200k records, else
        Splink's estimate from a 10% sample of records)."""
        from splink.blocking_analysis import count_comparisons_from_blocking_rules

        with warnings.catch_warnings():  # the 10% sample is an estimate by design
            warnings.simplefilter("ignore", UserWarning)
            records = count_comparisons_from_blocking_rules(
                self.sdf,
                blocking_rules=self._rules(BLOCKING_RULES),
                link_type="dedupe_only",
                record_sample_proportion=1.0 if self.n <= 200_000 else 0.1,
            )
        return int(records[-1]["cumulative_comparison_count"]) if records else 0

    def _explain(self, table: str, rejected: list[tuple[str, str]]) -> pa.Table:
        rej = pd.DataFrame(rejected, columns=["a", "b"], dtype="string")
        self.con.register("kehu_rejected", rej)
        cols = [c for c in self.frame.columns if c != "unique_id"]
        sides = ", ".join(f'l."{c}" AS "{c}_l", r."{c}" AS "{c}_r"' for c in cols)
        agree = agree_conditions()
        flags = ", ".join(f"{cond} AS agree_{name}" for name, cond in agree.items())
        hold = " ".join(f"WHEN {cond} THEN '{name}'" for name, cond in HOLD.items())
        sql = f"""
            WITH j AS (
              SELECT least(p.unique_id_l, p.unique_id_r) AS id_l,
                     greatest(p.unique_id_l, p.unique_id_r) AS id_r,
                     p.match_probability AS probability, p.match_weight, {sides}
              FROM {table} p
              JOIN kehu_features l ON l.unique_id = p.unique_id_l
              JOIN kehu_features r ON r.unique_id = p.unique_id_r
            )
            SELECT j.id_l, j.id_r, j.probability, j.match_weight, {flags},
                   CASE {hold} END AS hold,
                   CASE
                     WHEN ctype_given_l AND ctype_given_r AND ctype_l <> ctype_r THEN 'type'
                     WHEN coalesce(entity_l, '') <> coalesce(entity_r, '') THEN 'branch'
                     WHEN reg_valid_l AND reg_valid_r AND reg_id_l <> reg_id_r
                          AND coalesce(org_code_l, '~l') <> coalesce(org_code_r, '~r')
                       THEN 'registration_id'
                     WHEN x.a IS NOT NULL THEN 'rejected'
                   END AS blocked
            FROM j
            LEFT JOIN kehu_rejected x ON x.a = j.id_l AND x.b = j.id_r
        """
        raw = self.con.sql(sql).to_arrow_table()
        self.con.unregister("kehu_rejected")
        names = list(agree)
        flags_np = [
            np.asarray(raw.column(f"agree_{n}").to_numpy(zero_copy_only=False)) for n in names
        ]
        agreed = [
            ",".join(FIELD_OF[names[j]] for j in range(len(names)) if flags_np[j][i])
            for i in range(raw.num_rows)
        ]
        return pa.table(
            {
                "id_l": raw.column("id_l"),
                "id_r": raw.column("id_r"),
                "probability": raw.column("probability"),
                "match_weight": raw.column("match_weight"),
                "agreed": pa.array(agreed, pa.string()),
                "blocked": raw.column("blocked"),
                "hold": raw.column("hold"),
            }
        )


def score(
    features: pd.DataFrame,
    settings: DedupeSettings,
    *,
    rejected: list[tuple[str, str]] | None = None,
    min_probability: float | None = None,
    model: dict[str, Any] | None = None,
    train: bool = True,
    temp_dir: Path | None = None,
    reviewed: list[tuple[dict[str, int], str]] | None = None,
    spark: SparkSession | None = None,
) -> MatchResult:
    """Train (unless a model is given or there are too few records) and score all pairs,
    on Spark when a session is given."""
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    matcher = Matcher(features, settings, model=model, temp_dir=temp_dir, spark=spark)
    try:
        trained = matcher.train() if (train and model is None) else model is not None
        learning = matcher.learn(reviewed) if reviewed else None
        timings["train"] = time.perf_counter() - t0
        t1 = time.perf_counter()
        floor = settings.review if min_probability is None else min_probability
        pairs = matcher.predict(floor, rejected or [])
        timings["predict"] = time.perf_counter() - t1
        t2 = time.perf_counter()
        candidates = matcher.candidate_count() if settings.count_candidates else -1
        timings["count"] = time.perf_counter() - t2
        return MatchResult(pairs, candidates, trained, matcher.model_json(), timings, learning)
    finally:
        matcher.close()
