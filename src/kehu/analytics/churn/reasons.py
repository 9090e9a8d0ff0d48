"""Churn reasons: bilingual texts with evidence numbers, assembled as JSON per customer.

A reason is `{"code", "zh", "en", "evidence": {...}}`. Rule reasons come from the seed's
rules (`rules.py`); model reasons from the LightGBM SHAP contributions summed per feature
group, shown when the group pushes the risk up by at least `churn.reason_min_contribution`
(log-odds) and the customer's risk is at least `churn.reason_min_risk`. A group whose rule
already fired is not repeated, and a group is shown only when its evidence is a real event
pointing towards churn (`points_to_churn`: a drop, a decline, an open issue; never "0 vs 0",
spend growth or a neutral NPS). Reasons are ranked by their contribution on the log-odds
scale (a rule's is −ln(1 − weight), a model group's its SHAP sum), at most
`churn.max_reasons`.

Texts and JSON are built by one DuckDB query over the frame (no Python loop per customer).
"""

from __future__ import annotations

import string

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from kehu.analytics.churn.rules import RULES
from kehu.config import ChurnSettings
from kehu.datafiles import read_toml
from kehu.i18n import Catalog, pairs

TEMPLATES: dict[str, tuple[str, str]] = pairs("churn_reasons")
TEXTS = Catalog(TEMPLATES)  # templates by reason code, for one-off rendering

# The evidence is data (`kehu/data/churn_evidence.toml`, which says what each table holds).
_EVIDENCE_DATA = read_toml("churn_evidence.toml")
# placeholder / evidence name -> (frame column, format)
FIELDS: dict[str, tuple[str, str]] = {k: (v[0], v[1]) for k, v in _EVIDENCE_DATA["fields"].items()}
# reason code -> evidence items (json key, frame column, json format)
EVIDENCE: dict[str, tuple[tuple[str, str, str], ...]] = {
    code: tuple((a, b, c) for a, b, c in items)
    for code, items in _EVIDENCE_DATA["evidence"].items()
}
# SHAP feature groups: feature -> group (a model reason code); group -> rules it repeats.
GROUPS: dict[str, str] = _EVIDENCE_DATA["groups"]
GROUP_RULES: dict[str, tuple[str, ...]] = {
    g: tuple(rules) for g, rules in _EVIDENCE_DATA["group_rules"].items()
}
MODEL_CODES: tuple[str, ...] = tuple(dict.fromkeys(GROUPS.values()))


def short_days(s: ChurnSettings) -> int:
    """A relationship shorter than two activity periods is "short"."""
    return 2 * s.period_days


def points_to_churn(code: str, df: pd.DataFrame, s: ChurnSettings) -> np.ndarray:
    """Rows where the evidence of a model / purchase-pattern reason is a real event that
    argues for churn (a drop, a decline, an open issue): the only rows it may be shown for."""
    f = lambda c: df[c].astype(float)  # noqa: E731
    tests = {
        "recency": lambda: f("recency_days") > f("mean_interval_days"),
        "order_activity": lambda: f("orders_cur") < f("orders_prev"),
        "spend_trend": lambda: (f("spend_prev_12m") > 0) & (f("spend_12m") < f("spend_prev_12m")),
        "interaction_activity": lambda: f("interactions_cur") < f("interactions_prev"),
        "service_issues": lambda: f("complaints_cur") > 0,
        "open_tickets": lambda: f("open_tickets") > 0,
        "nps_score": lambda: f("nps_last") <= s.detractor_max,
        "payment_delay": lambda: f("overdue_amount") > 0.005,
        "short_relationship": lambda: f("tenure_days") < short_days(s),
        "purchase_pattern": lambda: f("p_no_purchase") >= 0.5,
    }
    if code == "purchase_pattern" and "p_no_purchase" not in df:
        return np.zeros(len(df), dtype=bool)
    return tests[code]().fillna(False).to_numpy(dtype=bool)


def may_show(code: str, df: pd.DataFrame, hits: pd.DataFrame, s: ChurnSettings) -> np.ndarray:
    """Rows where the model reason `code` may be shown whatever its contribution: its
    evidence points to churn and no rule it repeats fired."""
    mask = points_to_churn(code, df, s)
    for rule in GROUP_RULES.get(code, ()):
        mask = mask & ~hits[rule].to_numpy()
    return mask


REASON_CHUNK = 250_000  # customers whose reason texts are built in one query


def _q(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def _sql_text(column: str, kind: str) -> str:
    col = f'"{column}"'
    if kind == "str":
        return f"coalesce(CAST({col} AS VARCHAR), '—')"
    if kind == "money":
        return f"coalesce(format('{{:,.2f}}', CAST({col} AS DOUBLE)), '—')"
    return f"coalesce(CAST(CAST(round({col}) AS BIGINT) AS VARCHAR), '—')"


def _sql_json(column: str, kind: str) -> str:
    col = f'"{column}"'
    if kind == "int":
        return f"CAST(round({col}) AS BIGINT)"
    digits = {"num1": 1, "num2": 2, "num3": 3}[kind]
    return f"round(CAST({col} AS DOUBLE), {digits})"


def _sql_render(template: str) -> str:
    """str.format as a SQL expression: literal parts are constants, fields are columns."""
    parts = []
    for literal, field, _spec, _conv in string.Formatter().parse(template):
        if literal:
            parts.append(_q(literal))
        if field:
            parts.append(_sql_text(*FIELDS[field]))
    return " || ".join(parts) or "''"


def _sql_fragment(code: str, contribution: str | None) -> str:
    zh, en = TEMPLATES[code]
    items = [f"{_q(k)}, {_sql_json(c, kind)}" for k, c, kind in EVIDENCE[code]]
    if contribution:
        items.append(f"'model_contribution', {_sql_json(contribution, 'num3')}")
    evidence = f"json_object({', '.join(items)})"
    return (
        f"json_object('code', {_q(code)}, 'zh', {_sql_render(zh)}, 'en', {_sql_render(en)},"
        f" 'evidence', {evidence})"
    )


def rule_log_odds(s: ChurnSettings, rule: str) -> float:
    """A rule's contribution on the log-odds scale, −ln(1 − weight): rule and model reasons
    are ranked on one scale."""
    return float(-np.log1p(-min(float(getattr(s.rule_weights, rule)), 1.0 - 1e-6)))


def reason_frame(
    df: pd.DataFrame, s: ChurnSettings, *, typical: float | None, currency: str
) -> pd.DataFrame:
    """The columns the texts refer to: features plus constants and derived percentages."""
    cols = {c for c, _ in FIELDS.values()} | {c for ev in EVIDENCE.values() for _, c, _ in ev}
    w = pd.DataFrame({c: df[c] for c in cols if c in df.columns}, index=df.index)
    w["typical_interval"] = np.nan if typical is None else typical
    w["period_days"] = s.period_days
    w["gap_factor"] = s.gap_factor
    w["detractor_max"] = s.detractor_max
    w["overdue_days"] = s.overdue_days
    w["short_days"] = short_days(s)
    w["horizon_days"] = s.horizon_days
    if "p_no_purchase" in df:
        w["p_no_purchase"] = df["p_no_purchase"]
        w["p_no_purchase_pct"] = df["p_no_purchase"].astype(float) * 100
    prev_spend = df["spend_prev_12m"].astype(float)
    ratio = df["spend_12m"].astype(float) / prev_spend.where(prev_spend > 0)
    w["spend_drop_pct"] = (1.0 - ratio) * 100
    w["currency"] = currency
    w["currency_zh"] = "元" if currency.upper() in ("CNY", "RMB") else currency
    for what in ("orders", "interactions"):
        prev = df[f"{what}_prev"].astype(float)
        w[f"{what}_drop_pct"] = (1.0 - df[f"{what}_cur"].astype(float) / prev.where(prev > 0)) * 100
    return w


def build_reasons(
    df: pd.DataFrame,
    hits: pd.DataFrame,
    s: ChurnSettings,
    *,
    typical: float | None,
    currency: str,
    risk: np.ndarray,
    contributions: pd.DataFrame | None = None,
) -> pd.Series:
    """JSON text (a list of reasons) for each row of `df`; "[]" when there is none."""
    w = reason_frame(df, s, typical=typical, currency=currency).reset_index(drop=True)
    w["_row"] = np.arange(len(w))
    selects: list[str] = []
    for code in RULES:
        if hits[code].any():
            w[f"_hit_{code}"] = hits[code].to_numpy()
            weight = rule_log_odds(s, code)
            selects.append(
                f"SELECT _row, 0 AS prio, {weight!r} AS score, {_q(code)} AS code,"
                f' {_sql_fragment(code, None)} AS frag FROM w WHERE "_hit_{code}"'
            )
    if contributions is not None:
        risky = np.asarray(risk) >= s.reason_min_risk
        for code in MODEL_CODES:
            if code not in contributions:
                continue
            contrib = contributions[code].to_numpy(dtype=float)
            mask = risky & (contrib >= max(s.reason_min_contribution, 1e-12))
            mask &= may_show(code, df, hits, s)
            if mask.any():
                w[f"_show_{code}"] = mask
                w[f"_c_{code}"] = contrib
                selects.append(
                    f'SELECT _row, 1 AS prio, "_c_{code}" AS score, {_q(code)} AS code,'
                    f" {_sql_fragment(code, f'_c_{code}')} AS frag FROM w"
                    f' WHERE "_show_{code}"'
                )
    if not selects:
        return pd.Series("[]", index=df.index, dtype="str")
    table = pa.Table.from_pandas(w, preserve_index=False)
    del w
    texts = []
    con = duckdb.connect()
    try:
        # A few hundred thousand rows at a time: the JSON texts of 10^6 customers would
        # otherwise be built, sorted and aggregated all at once (gigabytes).
        for start in range(0, table.num_rows, REASON_CHUNK):
            part = table.slice(start, REASON_CHUNK)
            con.register("w", part)
            texts.append(
                con.sql(
                    f"""
                    WITH long AS ({" UNION ALL ".join(selects)}),
                    ranked AS (
                        SELECT *, row_number() OVER (
                            PARTITION BY _row ORDER BY score DESC, prio, code) AS rn
                        FROM long
                    ),
                    listed AS (
                        SELECT _row, '[' || string_agg(CAST(frag AS VARCHAR), ','
                                                       ORDER BY score DESC, prio, code) || ']'
                                     AS reasons
                        FROM ranked WHERE rn <= {int(s.max_reasons)}
                        GROUP BY _row
                    )
                    SELECT coalesce(listed.reasons, '[]') AS reasons
                    FROM w LEFT JOIN listed USING (_row)
                    ORDER BY w._row
                    """
                ).to_arrow_table()["reasons"]
            )
            con.unregister("w")
    finally:
        con.close()
    column = pa.chunked_array([c for t in texts for c in t.chunks], pa.string())
    return column.to_pandas(types_mapper=pd.ArrowDtype).astype("str").set_axis(df.index)
