"""The data-quality rules: each one a SQL condition with a severity and a fix, in zh and en.

The rules are data (`kehu/data/quality_rules.toml`, which says what `where` may hold); the
check for text a spreadsheet would run as a formula is one template over the columns listed
there.
"""

from __future__ import annotations

from dataclasses import dataclass

from kehu.datafiles import read_toml
from kehu.spreadsheet import NUMBER, STARTS
from kehu.store.schema import customer_referencing_tables

RULES_FILE = "quality_rules.toml"


@dataclass(frozen=True)
class Rule:
    code: str
    table: str
    column: str
    severity: str  # error | warning | info
    where: str
    zh: str
    en: str
    fix_zh: str
    fix_en: str


def _formula_rule(table: str, column: str, zh: str, en: str) -> Rule:
    return Rule(
        f"formula_{column}",
        table,
        column,
        "warning",
        f"regexp_matches({column}, '{STARTS}') AND NOT regexp_matches({column}, '{NUMBER}')",
        f"{zh}以 = + - @ 或制表符开头(电子表格会当作公式执行)",
        f"{en} starts with = + - @ or a tab (a spreadsheet runs it as a formula)",
        "在源系统中核对;kehu 导出时按文本写出,不会执行",
        "check it in the source system; kehu exports it as text, never as a formula",
    )


def _rules() -> tuple[Rule, ...]:
    data = read_toml(RULES_FILE)
    fix = data["fix"]
    written = tuple(
        Rule(**{"fix_zh": fix["zh"], "fix_en": fix["en"], **entry}) for entry in data["rule"]
    )
    return written + tuple(_formula_rule(**entry) for entry in data["formula"])


RULES = _rules()

# Tables checked for orphans (rows whose customer_id matches no customer).
ORPHAN_TABLES = tuple(t.name for t in customer_referencing_tables() if t.name != "customer_ids")
# Activity tables that keep a customer "alive" for the stale-record check: table -> date column.
ACTIVITY = {
    "orders": "order_date",
    "interactions": "occurred_at",
    "tickets": "opened_at",
    "opportunities": "created_on",
    "surveys": "surveyed_on",
}
