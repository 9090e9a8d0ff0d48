"""The Splink model: comparisons, prior m/u probabilities and blocking rules.

Written as a plain Splink settings dict (portable JSON; the same model runs on DuckDB and
Spark). Every comparison of Chinese text uses either exact equality of cleaned characters or
Jaro-Winkler over ASCII pinyin, never a byte-counting distance on raw Chinese.

The priors are what a small workspace (too few records to train) uses; with enough records
`match.train` re-estimates u by random sampling and m by EM without labels.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Comparison name -> the user-facing field name reported in "agreed" lists.
FIELD_OF = {
    "name": "name",
    "region": "name_region",
    "legal": "legal_form",
    "registration_id": "registration_id",
    "phone": "phone",
    "email": "email",
    "address": "address",
    "postcode": "postcode",
    "date": "founded_or_birth_date",
    "contact": "contact_name",
    "street": "street",
    "entity": "entity",
}


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


def _jw(col: str, threshold: float) -> str:
    return f'jaro_winkler_similarity("{col}_l", "{col}_r") >= {threshold}'


# 简称: one company's whole core is the other's brand (华为 vs 华为技术有限公司). Likely the same
# customer, but a person must confirm (HOLD): it is never merged automatically.
SHORT_NAME = (
    "\"ctype_l\" = 'company' AND \"ctype_r\" = 'company' AND "
    '("core_l" = "brand_r" OR "brand_l" = "core_r")'
)
HOLD = {"short_name": f'({SHORT_NAME}) AND "core_py_l" <> "core_py_r"'}


# A person's family or given name agrees while the other is missing or different (FEBRL's
# dropped given names, a married surname).
def _part(side: str, i: int) -> str:
    return f"split_part(\"core_py_{side}\", ' ', {i})"


# The person key is "<part> <part>" (sorted) or one part; split_part runs on DuckDB and Spark.
_SAME_PART = (
    "\"ctype_l\" = 'person' AND \"ctype_r\" = 'person' AND ("
    f"{_part('l', 1)} = {_part('r', 1)} OR {_part('l', 1)} = {_part('r', 2)} OR "
    f"({_part('l', 2)} <> '' AND ({_part('l', 2)} = {_part('r', 1)} OR "
    f"{_part('l', 2)} = {_part('r', 2)})))"
)


COMPARISONS: dict[str, tuple[tuple[str, ...], list[Level]]] = {
    "name": (
        ("core",),
        [
            Level('"name_l" = "name_r"', "full name exact", 0.50, 0.00002, True, "name"),
            Level('"core_l" = "core_r"', "brand+industry exact", 0.30, 0.00005, True, "core"),
            Level('"core_py_l" = "core_py_r"', "pinyin exact", 0.08, 0.00005, True),
            Level(SHORT_NAME, "short name (简称)", 0.02, 0.0002),
            Level(_jw("core_py", 0.92), "pinyin jw>=0.92", 0.07, 0.001),
            # Same 字号 (other industry) or same family name: worth less for 王, 李, 张 or a
            # brand word many companies use (term-frequency adjusted on the brand).
            Level('"brand_l" = "brand_r"', "same brand / family name", 0.01, 0.003, False, "brand"),
            Level(_SAME_PART, "one name part equal", 0.015, 0.004),
            Level(_jw("core_py", 0.80), "pinyin jw>=0.80", 0.02, 0.03),
            Level("ELSE", "else", 0.015, 0.965),
        ],
    ),
    "region": (
        ("region",),
        [
            Level('"region_l" = "region_r"', "exact", 0.93, 0.05, True),
            Level('"name_province_l" = "name_province_r"', "same province", 0.03, 0.05),
            Level("ELSE", "else", 0.04, 0.90),
        ],
    ),
    "legal": (
        ("legal_form",),
        [
            Level('"legal_form_l" = "legal_form_r"', "exact", 0.75, 0.45, True),
            Level('"legal_class_l" = "legal_class_r"', "same class", 0.20, 0.25),
            Level("ELSE", "else", 0.05, 0.30),
        ],
    ),
    "registration_id": (
        ("reg_id",),
        [
            Level('"reg_id_l" = "reg_id_r"', "exact", 0.88, 0.000001, True),
            Level('"org_code_l" = "org_code_r"', "organisation code", 0.04, 0.000001, True),
            Level('levenshtein("reg_id_l", "reg_id_r") <= 2', "typo", 0.04, 0.00001),
            Level("ELSE", "else", 0.04, 0.999988),
        ],
    ),
    "phone": (
        ("phone",),
        [
            Level('"phone_l" = "phone_r"', "exact", 0.85, 0.00001, True),
            Level('right("phone_l", 8) = right("phone_r", 8)', "last 8 digits", 0.03, 0.00001),
            Level("ELSE", "else", 0.12, 0.99998),
        ],
    ),
    "email": (
        ("email",),
        [
            Level('"email_l" = "email_r"', "exact", 0.85, 0.00001, True),
            Level('"email_local_l" = "email_local_r"', "same local part", 0.05, 0.0001),
            Level("ELSE", "else", 0.10, 0.99989),
        ],
    ),
    "address": (
        ("city",),
        [
            Level(
                '"city_l" = "city_r" AND "district_l" = "district_r"',
                "city+district",
                0.70,
                0.002,
                True,
            ),
            Level('"city_l" = "city_r"', "city", 0.25, 0.01, True),
            Level('"province_l" = "province_r"', "province", 0.02, 0.04),
            Level("ELSE", "else", 0.03, 0.948),
        ],
    ),
    "postcode": (
        ("postcode",),
        [
            Level('"postcode_l" = "postcode_r"', "exact", 0.85, 0.002, True),
            Level('left("postcode_l", 4) = left("postcode_r", 4)', "first 4", 0.03, 0.01),
            Level('levenshtein("postcode_l", "postcode_r") <= 1', "one digit", 0.04, 0.01),
            Level("ELSE", "else", 0.08, 0.978),
        ],
    ),
    "date": (
        ("date",),
        [
            Level('"date_l" = "date_r"', "exact", 0.85, 0.0002, True),
            Level('levenshtein("date_l", "date_r") <= 1', "one digit", 0.05, 0.004),
            Level('left("date_l", 4) = left("date_r", 4)', "same year", 0.03, 0.03),
            Level("ELSE", "else", 0.07, 0.9658),
        ],
    ),
    "contact": (
        ("contact_key",),
        [
            Level('"contact_key_l" = "contact_key_r"', "exact", 0.70, 0.002, True),
            Level(_jw("contact_key", 0.90), "jw>=0.90", 0.05, 0.01),
            Level("ELSE", "else", 0.25, 0.988),
        ],
    ),
    "street": (
        ("street",),
        [
            Level('"street_l" = "street_r"', "exact", 0.65, 0.0005, True),
            Level(_jw("street", 0.92), "jw>=0.92", 0.20, 0.003),
            Level(_jw("street", 0.80), "jw>=0.80", 0.08, 0.05),
            Level("ELSE", "else", 0.07, 0.9465),
        ],
    ),
    # A branch (分公司, 分行 …) is another customer than its head office or another branch:
    # domain knowledge, so m and u stay as written (FIXED), never re-estimated. m ≈ 0 (about
    # -45 bits) outweighs an identical name, phone and address.
    "entity": (
        ("entity",),
        [
            Level('"entity_l" = "entity_r"', "same entity", 1.0 - 2e-15, 0.97),
            Level(
                "\"entity_l\" = 'head' OR \"entity_r\" = 'head'",
                "branch vs head office",
                1e-15,
                0.02,
            ),
            Level("ELSE", "two branches", 1e-15, 0.01),
        ],
    ),
}

FIXED = frozenset({"entity"})

# Candidate pairs: any one rule suffices. Each is selective enough for 10^6 records.
BLOCKING_RULES = (
    'l."reg_id" = r."reg_id"',
    'l."phone" = r."phone"',
    'l."email" = r."email"',
    'l."core_py" = r."core_py"',
    'l."org_code" = r."org_code"',
    'l."block_prefix" = r."block_prefix" AND l."city" = r."city" AND l."ctype" = r."ctype"',
    'l."block_prefix" = r."block_prefix" AND l."date" = r."date"',
    'l."block_prefix" = r."block_prefix" AND l."postcode" = r."postcode"',
    # A typo in the name: other keys that rarely coincide together.
    'l."date" = r."date" AND l."postcode" = r."postcode"',
    'l."date" = r."date" AND l."city" = r."city"',
    'l."street" = r."street" AND l."postcode" = r."postcode"',
    'l."street" = r."street" AND l."city" = r."city"',
    'l."name_sdx" = r."name_sdx" AND l."city" = r."city"',
    'l."name_sdx" = r."name_sdx" AND l."date" = r."date"',
)

# EM sessions (each fixes the comparisons its blocking rule uses).
TRAINING_RULES = (
    'l."core_py" = r."core_py"',
    'l."phone" = r."phone"',
    'l."reg_id" = r."reg_id"',
    'l."date" = r."date" AND l."postcode" = r."postcode"',
)

# Deterministic rules for estimating the share of matching pairs (λ).
DETERMINISTIC_RULES = (
    'l."reg_id" = r."reg_id"',
    'l."core" = r."core" AND l."phone" = r."phone"',
    'l."core" = r."core" AND l."email" = r."email"',
)


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
