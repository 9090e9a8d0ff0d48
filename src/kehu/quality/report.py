"""`quality_report(ws)`: completeness, invalid values, duplicates, orphans, unmatched
industries and stale records — every finding with a severity and a fix (zh and en).

All checks are set-based SQL (one scan per rule), so the report stays quick on 10^6
customers; the dashboard and the monthly report call the same function.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from kehu.access.rows import scoped
from kehu.dedupe.normalize import normalize_registration_id
from kehu.engines.sql import count_rows, identifier
from kehu.quality.checks import ACTIVITY, ORPHAN_TABLES, RULES, Rule
from kehu.quality.targets import gap_text, target_gaps
from kehu.store.schema import DATA_TABLES, table_by_name

if TYPE_CHECKING:
    from kehu.access.scope import Scope
    from kehu.engines.duckdb import DuckDBEngine
    from kehu.workspace import Workspace

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


def _columns(cur: DuckDBEngine, table: str) -> dict[str, str]:
    rows = cur.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ? "
        "ORDER BY ordinal_position",
        [table],
    ).fetchall()
    return {r[0]: r[1] for r in rows}


def _id_expr(table: str) -> str:
    meta = table_by_name(table)
    keys = meta.key if meta and meta.key else ("rowid",)
    key = keys[-1]
    return f"CAST({identifier(key)} AS VARCHAR)" if key != "rowid" else "CAST(rowid AS VARCHAR)"


def _finding(
    code: str,
    table: str,
    column: str | None,
    severity: str,
    count: int,
    rows: int,
    examples: list[str],
    zh: str,
    en: str,
    fix_zh: str,
    fix_en: str,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "code": code,
        "table": table,
        "column": column,
        "severity": severity,
        "count": int(count),
        "share": round(count / rows, 4) if rows else 0.0,
        "examples": examples,
        "message_zh": zh,
        "message_en": en,
        "fix_zh": fix_zh,
        "fix_en": fix_en,
        **extra,
    }


def completeness(cur: DuckDBEngine, table: str) -> tuple[int, dict[str, float]]:
    """(rows, {column: share of rows with a value}) — blank text counts as missing."""
    cols = _columns(cur, table)
    if not cols:
        return 0, {}
    parts = ["count(*)"]
    for col, typ in cols.items():
        if typ.startswith("VARCHAR"):
            parts.append(f"count(nullif(trim({identifier(col)}), ''))")
        else:
            parts.append(f"count({identifier(col)})")
    row = cur.execute(f"SELECT {', '.join(parts)} FROM {identifier(table)}").fetchall()[0]
    n = int(row[0])
    return n, {
        col: (round(int(v) / n, 4) if n else 0.0) for col, v in zip(cols, row[1:], strict=True)
    }


def quality_report(
    ws: Workspace, as_of: date | None = None, *, scope: Scope | None = None
) -> dict[str, Any]:
    """The data-quality report of a workspace (see docs/dedupe.md for every check); with a
    `scope`, of the rows that scope sees (`kehu.access.rows`)."""
    with scoped(ws, scope) as view:
        return _report(view, as_of)


def _report(ws: Workspace, as_of: date | None) -> dict[str, Any]:
    settings = ws.settings.quality
    today = as_of or date.today()
    cur = ws.engine  # every table read from wherever it lives
    tables: list[dict[str, Any]] = []
    findings: list[dict[str, Any]] = []
    sizes: dict[str, int] = {}
    for meta in DATA_TABLES:
        n, comp = completeness(cur, meta.name)
        sizes[meta.name] = n
        tables.append({"table": meta.name, "rows": n, "completeness": comp})
        if n == 0:
            continue
        for col in settings.key_fields.get(meta.name, []):
            share = comp.get(col)
            if share is None or share >= settings.completeness_warn:
                continue
            severity = "error" if share < settings.completeness_error else "warning"
            findings.append(
                _finding(
                    "incomplete",
                    meta.name,
                    col,
                    severity,
                    round(n * (1 - share)),
                    n,
                    [],
                    f"关键字段 {col} 仅 {share:.0%} 有值",
                    f"key field {col} is filled in only {share:.0%} of rows",
                    "从其他来源补全(如 ERP、财务系统)后导入;导入时空值不会覆盖已有值",
                    "fill it from another source (ERP, finance) and import; empty values never "
                    "overwrite stored ones",
                    completeness=share,
                )
            )
    fill = {"today": today, "min_date": date(settings.min_year, 1, 1)}
    for rule in RULES:
        if sizes.get(rule.table, 0) == 0:
            continue
        findings.extend(
            _run_rule(cur, rule, fill, settings.min_year, sizes[rule.table], settings.examples)
        )
    findings.extend(_registration_ids(cur, sizes.get("customers", 0), settings.examples))
    findings.extend(_orphans(cur, settings.examples))
    findings.extend(_duplicates(ws, cur, sizes.get("customers", 0), settings.examples))
    findings.extend(
        _stale(cur, today, settings.stale_days, sizes.get("customers", 0), settings.examples)
    )
    if sizes.get("targets", 0):
        findings.extend(_target_levels(ws, sizes["targets"], settings.examples))
    findings.sort(key=lambda f: (SEVERITY_ORDER[f["severity"]], -f["count"], f["table"], f["code"]))
    summary = {
        sev: sum(1 for f in findings if f["severity"] == sev)
        for sev in ("error", "warning", "info")
    }
    summary["rows"] = sum(sizes.values())
    summary["affected_rows"] = sum(f["count"] for f in findings if f["severity"] != "info")
    return {"as_of": today.isoformat(), "tables": tables, "findings": findings, "summary": summary}


def _target_levels(ws: Workspace, rows: int, examples: int) -> list[dict[str, Any]]:
    """Targets whose levels (company / region / owner / customer) do not add up."""
    gaps = target_gaps(ws)
    if not gaps:
        return []
    first = gaps[0]
    return [
        _finding(
            "targets_disagree",
            "targets",
            "amount",
            "warning",
            len(gaps),
            rows,
            [f"{g['period']} {g['unit'] or ''}".strip() for g in gaps[:examples]],
            f"{len(gaps)} 处目标层级对不上,如 {gap_text(first, 'zh')}",
            f"{len(gaps)} target totals disagree between levels, e.g. {gap_text(first, 'en')}",
            "核对各层级目标(公司、区域、负责人)后重新导入,或用 `kehu targets split` 从上级拆解",
            "reconcile the levels (company, region, owner) and re-import, or derive the lower "
            "level with `kehu targets split`",
            gaps=gaps,
        )
    ]


def _run_rule(
    cur: DuckDBEngine,
    rule: Rule,
    fill: dict[str, date],
    min_year: int,
    rows: int,
    examples: int,
) -> list[dict[str, Any]]:
    cols = _columns(cur, rule.table)
    if rule.column not in cols:
        return []
    where = rule.where.replace("{today}", "$today").replace("{min_date}", "$min_date")
    params: dict[str, Any] = {k: v for k, v in fill.items() if f"${k}" in where}
    ident = _id_expr(rule.table)
    count, ids = cur.execute(
        f"SELECT count(*), list({ident} ORDER BY {ident})[1:$k] FROM {identifier(rule.table)} "
        f"WHERE {where}",
        {**params, "k": examples},
    ).fetchall()[0]
    if not count:
        return []
    zh, en = rule.zh.format(min_year=min_year), rule.en.format(min_year=min_year)
    return [
        _finding(
            rule.code,
            rule.table,
            rule.column,
            rule.severity,
            count,
            rows,
            list(ids or []),
            zh,
            en,
            rule.fix_zh,
            rule.fix_en,
        )
    ]


def _registration_ids(cur: DuckDBEngine, rows: int, examples: int) -> list[dict[str, Any]]:
    if not rows:
        return []
    values = cur.execute(
        "SELECT DISTINCT registration_id FROM customers WHERE registration_id IS NOT NULL"
    ).fetchall()
    bad = []
    for (value,) in values:
        parsed = normalize_registration_id(value)
        if parsed is not None and not parsed.valid:
            bad.append(value)
    if not bad:
        return []
    count, ids = cur.execute(
        "SELECT count(*), list(customer_id ORDER BY customer_id)[1:?] FROM customers "
        "WHERE list_contains(?::VARCHAR[], registration_id)",
        [examples, bad],
    ).fetchall()[0]
    return [
        _finding(
            "bad_registration_id",
            "customers",
            "registration_id",
            "warning",
            count,
            rows,
            list(ids or []),
            "统一社会信用代码/身份证号校验位不符(可能录错)",
            "credit code / ID number fails its check digit (probably mistyped)",
            "对照营业执照或身份证更正;错误的编号会削弱查重",
            "correct it from the business licence or ID card; wrong ids weaken duplicate detection",
        )
    ]


def _orphans(cur: DuckDBEngine, examples: int) -> list[dict[str, Any]]:
    out = []
    for table in ORPHAN_TABLES:
        cols = _columns(cur, table)
        if "customer_id" not in cols:
            continue
        ident = _id_expr(table)
        count, ids = cur.execute(
            f"SELECT count(*), list({ident} ORDER BY {ident})[1:?] FROM {identifier(table)} t "
            "WHERE t.customer_id IS NOT NULL AND NOT EXISTS "
            "(SELECT 1 FROM customers c WHERE c.customer_id = t.customer_id)",
            [examples],
        ).fetchall()[0]
        if count:
            total = cur.execute(count_rows(table)).fetchall()[0][0]
            out.append(
                _finding(
                    "orphan",
                    table,
                    "customer_id",
                    "error",
                    count,
                    total,
                    list(ids or []),
                    "记录指向不存在的客户",
                    "rows point at no customer",
                    "先导入对应的客户档案,或检查客户编号映射(customer_ids)",
                    "import the customers first, or check the id mapping (customer_ids)",
                )
            )
    count, ids = cur.execute(
        "SELECT count(*), list(source || ':' || source_id ORDER BY source, source_id)[1:?] "
        "FROM customer_ids a WHERE NOT EXISTS "
        "(SELECT 1 FROM customers c WHERE c.customer_id = a.customer_id)",
        [examples],
    ).fetchall()[0]
    if count:
        out.append(
            _finding(
                "orphan_alias",
                "customer_ids",
                "customer_id",
                "warning",
                count,
                count,
                list(ids or []),
                "客户编号映射指向不存在的客户",
                "id aliases point at no customer",
                "重新导入这些客户,或删除过期的映射",
                "re-import those customers or drop the aliases",
            )
        )
    return out


def _duplicates(ws: Workspace, cur: DuckDBEngine, rows: int, examples: int) -> list[dict[str, Any]]:
    if not rows:
        return []
    out = []
    last = cur.execute(
        "SELECT run_id, finished_at FROM dedupe_runs ORDER BY started_at DESC LIMIT 1"
    ).fetchall()
    pending, pairs = cur.execute(
        "SELECT count(*), list(id_l || '~' || id_r ORDER BY probability DESC)[1:?] "
        "FROM dedupe_pairs WHERE status = 'review'",
        [examples],
    ).fetchall()[0]
    if pending:
        out.append(
            _finding(
                "duplicate_review",
                "customers",
                None,
                "warning",
                pending,
                rows,
                list(pairs or []),
                "疑似重复客户待人工确认",
                "suspected duplicate customers await review",
                "运行 `kehu dedupe review`,再用 `kehu dedupe merge A B` 或 `reject A B` 处理",
                "run `kehu dedupe review`, then `kehu dedupe merge A B` or `reject A B`",
                last_run=str(last[0][1]) if last else None,
            )
        )
    checks = (
        (
            "duplicate_registration_id",
            "registration_id",
            "error",
            "多个客户使用同一统一社会信用代码/身份证号",
            "several customers share a credit code / ID",
        ),
        (
            "duplicate_name",
            "name",
            "warning",
            "多个客户名称完全相同",
            "several customers have exactly the same name",
        ),
    )
    for code, col, severity, zh, en in checks:
        c = identifier(col)
        count, ids = cur.execute(
            f"SELECT sum(n)::BIGINT, list(v ORDER BY n DESC, v)[1:?] FROM ("
            f"  SELECT lower(trim({c})) AS v, count(*) AS n FROM customers "
            f"  WHERE {c} IS NOT NULL AND trim({c}) <> '' GROUP BY 1 HAVING n > 1)",
            [examples],
        ).fetchall()[0]
        if count:
            out.append(
                _finding(
                    code,
                    "customers",
                    col,
                    severity,
                    count,
                    rows,
                    list(ids or []),
                    zh,
                    en,
                    "运行 `kehu dedupe` 查重合并(先用 --dry-run 预览)",
                    "run `kehu dedupe` to find and merge them (preview with --dry-run)",
                )
            )
    if not last:
        out.append(
            _finding(
                "dedupe_never_run",
                "customers",
                None,
                "info",
                0,
                rows,
                [],
                "尚未运行过查重",
                "duplicate detection has not been run yet",
                "运行 `kehu dedupe --dry-run` 查看疑似重复客户",
                "run `kehu dedupe --dry-run` to see suspected duplicates",
            )
        )
    return out


def _stale(
    cur: DuckDBEngine, today: date, days: int, rows: int, examples: int
) -> list[dict[str, Any]]:
    if not rows:
        return []
    cutoff = today - timedelta(days=days)
    activity = []
    for table, col in ACTIVITY.items():
        if col in _columns(cur, table):
            activity.append(
                f"SELECT customer_id FROM {identifier(table)}"
                f" WHERE CAST({identifier(col)} AS DATE) >= $cutoff"
            )
    active = " UNION ".join(activity) or "SELECT NULL AS customer_id WHERE false"
    count, ids = cur.execute(
        f"SELECT count(*), list(customer_id ORDER BY customer_id)[1:$k] FROM customers c "
        f"WHERE CAST(coalesce(c.updated_at, c.created_at, TIMESTAMP '1900-01-01') AS DATE) "
        f"< $cutoff AND c.customer_id NOT IN ({active})",
        {"cutoff": cutoff, "k": examples},
    ).fetchall()[0]
    if not count:
        return []
    return [
        _finding(
            "stale",
            "customers",
            "updated_at",
            "info",
            count,
            rows,
            list(ids or []),
            f"{days} 天内既无更新也无任何往来",
            f"no update and no activity for {days} days",
            "核实客户是否仍在经营;流失客户可转入挽回计划,失效记录可标记停用",
            "check the customer still trades; move lost ones to a win-back plan, tag dead records",
            days=days,
        )
    ]
