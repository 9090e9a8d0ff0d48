"""The Splink model: comparisons, prior m/u probabilities and blocking rules.

The model is data (`kehu/data/dedupe_model.toml`), built here into a plain Splink settings
dict (portable JSON; the same model runs on DuckDB and Spark). Every comparison of Chinese
text uses either exact equality of cleaned characters or Jaro-Winkler over ASCII pinyin,
never a byte-counting distance on raw Chinese.

The priors are what a small workspace (too few records to train) uses; with enough records
`match.train` re-estimates u by random sampling and m by EM without labels.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kehu.datafiles import read_toml


@dataclass(frozen=True)
class Level:
    sql: str
    label: str
    m: float
    u: float
    agree: bool = False  # counts as "the field agreed" in the pair's report
    tf: str | None = None  # term-frequency adjustment column


def _null(*cols: str) -> dict[str, Any]:
    cond = " OR ".join(f'"{c}_l" IS NULL OR "{c}_r" IS NULL' for c in cols)
    return {"sql_condition": cond, "label_for_charts": "null", "is_null_level": True}


def _levels(levels: list[Level]) -> list[dict[str, Any]]:
    out = []
    for lv in levels:
        d: dict[str, Any] = {
            "sql_condition": lv.sql,
            "label_for_charts": lv.label,
            "m_probability": lv.m,
            "u_probability": lv.u,
        }
        if lv.tf:
            d["tf_adjustment_column"] = lv.tf
            d["tf_adjustment_weight"] = 1.0
        out.append(d)
    return out


def _comparison(entry: dict[str, Any]) -> tuple[tuple[str, ...], list[Level]]:
    levels = [
        Level(
            MODEL["conditions"][lv["condition"]] if "condition" in lv else lv["sql"],
            lv["label"],
            lv["m"],
            lv["u"],
            lv.get("agree", False),
            lv.get("tf"),
        )
        for lv in entry["levels"]
    ]
    return tuple(entry["null"]), levels


# The comparisons, their priors and the blocking rules are data: `kehu/data/dedupe_model.toml`.
MODEL = read_toml("dedupe_model.toml")
COMPARISONS: dict[str, tuple[tuple[str, ...], list[Level]]] = {
    c["name"]: _comparison(c) for c in MODEL["comparison"]
}
# Comparison name -> the user-facing field name reported in "agreed" lists.
FIELD_OF: dict[str, str] = {c["name"]: c["field"] for c in MODEL["comparison"]}
FIXED = frozenset(c["name"] for c in MODEL["comparison"] if c.get("fixed"))
SHORT_NAME: str = MODEL["conditions"]["short_name"]
# A short-name pair waits for a person unless the names read the same in pinyin.
HOLD = {"short_name": f'({SHORT_NAME}) AND "core_py_l" <> "core_py_r"'}
BLOCKING_RULES: tuple[str, ...] = tuple(MODEL["blocking"])
TRAINING_RULES: tuple[str, ...] = tuple(MODEL["training"])
DETERMINISTIC_RULES: tuple[str, ...] = tuple(MODEL["deterministic"])


def agree_conditions() -> dict[str, str]:
    """Comparison -> SQL (over `<col>_l` / `<col>_r`) that is true when the field agreed."""
    out: dict[str, str] = {}
    for name, (_, levels) in COMPARISONS.items():
        parts = [f"({lv.sql})" for lv in levels if lv.agree]
        if parts:
            out[name] = "coalesce(" + " OR ".join(parts) + ", false)"
    return out


def without_term_frequencies(model: dict[str, Any]) -> dict[str, Any]:
    """A copy of a model with the term-frequency adjustments removed (small or foreign data:
    frequencies counted in a handful of records would swamp the evidence)."""
    import copy

    out = copy.deepcopy(model)
    for comp in out["comparisons"]:
        for level in comp["comparison_levels"]:
            level.pop("tf_adjustment_column", None)
            level.pop("tf_adjustment_weight", None)
    return out


def settings_dict(prior_lambda: float) -> dict[str, Any]:
    """The Splink settings (dedupe_only over one features table)."""
    comparisons = []
    for name, (null_cols, levels) in COMPARISONS.items():
        comparisons.append(
            {
                "output_column_name": name,
                "comparison_description": name,
                "comparison_levels": [_null(*null_cols), *_levels(levels)],
            }
        )
    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "unique_id",
        "probability_two_random_records_match": prior_lambda,
        "comparisons": comparisons,
        "blocking_rules_to_generate_predictions": [{"blocking_rule": r} for r in BLOCKING_RULES],
        "retain_matching_columns": False,
        "retain_intermediate_calculation_columns": False,
        "additional_columns_to_retain": [],
        "em_convergence": 0.001,
        "max_iterations": 25,
    }


def spark_sql(sql: str) -> str:
    """A condition of the model (DuckDB SQL) in Spark SQL: backquoted names, and Splink's
    Jaro-Winkler UDF (`jaro_winkler`, from the jar it ships) for DuckDB's built-in."""
    import sqlglot
    import sqlglot.expressions as exp

    if sql == "ELSE":
        return sql

    def swap(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.JarowinklerSimilarity):
            return exp.Anonymous(this="jaro_winkler", expressions=[node.this, node.expression])
        return node

    tree = sqlglot.parse_one(sql, read="duckdb").transform(swap)
    return tree.sql(dialect="spark")


def for_spark(model: dict[str, Any]) -> dict[str, Any]:
    """A copy of a Splink model (DuckDB SQL) whose conditions and rules are Spark SQL."""
    import copy

    out = copy.deepcopy(model)
    out["sql_dialect"] = "spark"
    for comp in out["comparisons"]:
        for level in comp["comparison_levels"]:
            level["sql_condition"] = spark_sql(level["sql_condition"])
    for rule in out["blocking_rules_to_generate_predictions"]:
        rule["blocking_rule"] = spark_sql(rule["blocking_rule"])
    return out


def with_sql_of(trained: dict[str, Any], model: dict[str, Any]) -> dict[str, Any]:
    """`trained` (a Splink model fitted on any engine) with the SQL of `model`, level by
    level: the portable DuckDB form that `kehu dedupe` stores and reloads."""
    import copy

    out = copy.deepcopy(trained)
    out["sql_dialect"] = model.get("sql_dialect", "duckdb")
    for comp, source in zip(out["comparisons"], model["comparisons"], strict=True):
        levels = zip(comp["comparison_levels"], source["comparison_levels"], strict=True)
        for level, src in levels:
            level["sql_condition"] = src["sql_condition"]
    out["blocking_rules_to_generate_predictions"] = copy.deepcopy(
        model["blocking_rules_to_generate_predictions"]
    )
    return out
