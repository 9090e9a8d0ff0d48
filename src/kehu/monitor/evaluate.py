"""Turn the configured rules into findings: one per subject whose condition holds now."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pandas as pd

from kehu.config import AlertRule, Settings
from kehu.i18n import tr
from kehu.monitor import rules as R
from kehu.monitor import sources as S
from kehu.monitor.labels import field_label, value_label
from kehu.workspace import Workspace

# Snapshot columns copied into the evidence of a customer alert (when present).
CONTEXT_COLUMNS = ("value_tier", "rfm_type", "churn_risk", "spend_12m", "recency_days", "region")
# Row columns copied into the evidence of ticket / survey / order / goal alerts.
EVENT_COLUMNS = (
    "comment",
    "description",
    "amount",
    "due_date",
    "opened_at",
    "first_response_at",
    "metric",
    "target",
    "actual",
    "projected",
    "deadline",
    "partial",
    "days",
    "period_days",
)


@dataclass
class Finding:
    """A rule that holds for one subject, with the evidence and the texts people read."""

    rule: AlertRule
    subject_type: str
    subject_id: str
    customer_id: str | None
    customer_name: str | None
    owner: str | None
    state: str
    evidence: dict[str, Any]
    detail_zh: str
    detail_en: str
    as_of: date | None

    @property
    def key(self) -> str:
        return R.condition_key(self.rule, self.subject_type, self.subject_id)


@dataclass
class Evaluation:
    """Findings per rule; `evaluated` lists rules whose source was available (may resolve)."""

    as_of: date
    snapshot: S.SnapshotPair
    findings: list[Finding] = field(default_factory=list)
    evaluated: set[str] = field(default_factory=set)
    skipped: dict[str, tuple[str, str]] = field(default_factory=dict)  # rule -> (zh, en)


def plain(value: Any) -> Any:
    """A JSON-friendly scalar (numpy, Decimal, timestamps, NaN/NaT -> None)."""
    if value is None or isinstance(value, str | bool | int | list | dict):
        return value
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.to_pydatetime().isoformat()
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
        if isinstance(value, datetime | date):
            return value.isoformat()
    if isinstance(value, float) and math.isnan(value):
        return None
    if not isinstance(value, float | int | str | bool) and pd.isna(value):
        return None
    return value


def _fmt(field_name: str, value: Any, lang: str) -> str:
    return value_label(field_name, plain(value), lang)


def _threshold_text(rule: AlertRule, row: dict[str, Any]) -> tuple[str, str]:
    out = []
    for lang in ("zh", "en"):
        threshold = rule.value
        if isinstance(threshold, list):
            shown = ", ".join(value_label(rule.field, v, lang) for v in threshold)
            shown = f"[{shown}]"
        else:
            shown = value_label(rule.field, threshold, lang)
        op = {"in": "∈", "not_in": "∉"}.get(rule.op, rule.op)
        out.append(
            f"{field_label(rule.field, lang)} {_fmt(rule.field, row[rule.field], lang)}"
            f" {op} {shown}{_context(row, lang)}"
        )
    return out[0], out[1]


def _context(row: dict[str, Any], lang: str) -> str:
    """What the number is about: the amount owed, or a KPI period that is not over."""
    if plain(row.get("unpaid_amount")) is not None and "overdue_days" in row:
        amount = f"¥{plain(row['unpaid_amount']):,.2f}"
        return tr(lang, f",未回款 {amount}", f", {amount} unpaid")
    if plain(row.get("partial")):
        days, total = int(row["days"]), int(row["period_days"])
        return tr(
            lang, f"(本期至今 {days}/{total} 天)", f" (period to date, {days} of {total} days)"
        )
    return ""


def _change_text(rule: AlertRule, row: dict[str, Any]) -> tuple[str, str]:
    out = []
    for lang in ("zh", "en"):
        text = (
            f"{field_label(rule.field, lang)}: {_fmt(rule.field, row['_prev'], lang)} → "
            f"{_fmt(rule.field, row[rule.field], lang)}"
        )
        change = plain(row.get("_change"))
        if change is not None:
            text += f" ({change:+.0%})"
        out.append(text)
    return out[0], out[1]


def _evidence(rule: AlertRule, row: dict[str, Any], table_as_of: date | None) -> dict[str, Any]:
    ev: dict[str, Any] = {
        "table": rule.table,
        "field": rule.field,
        "value": plain(row[rule.field]),
        "op": rule.op,
        "threshold": rule.value if rule.op not in ("transition", "changed") else None,
    }
    if rule.op == "transition":
        ev["from_values"], ev["to_values"] = rule.from_values, rule.to_values
    if "_prev" in row:
        ev["previous"] = plain(row["_prev"])
        ev["change"] = plain(row.get("_change"))
    if table_as_of is not None:
        ev["as_of"] = table_as_of.isoformat()
    if rule.scope:
        ev["scope"] = rule.scope
    for col in CONTEXT_COLUMNS:
        if col in row and col != rule.field:
            ev[col] = plain(row[col])
    if "_event_at" in row:
        ev["event_at"] = plain(row["_event_at"])
    for col in EVENT_COLUMNS:
        if col in row and col != rule.field:
            ev[col] = plain(row[col])
    reasons = row.get("churn_reasons") if "churn_reasons" in row else None
    if rule.field == "churn_risk" and isinstance(reasons, str) and reasons:
        try:
            ev["churn_reasons"] = json.loads(reasons)
        except json.JSONDecodeError:
            ev["churn_reasons"] = reasons
    return ev


def _state(rule: AlertRule, row: dict[str, Any], pair: S.SnapshotPair) -> str:
    """What makes two sightings of a condition 'the same' (a new state re-alerts)."""
    if rule.kind == "change":
        prev = plain(row["_prev"])
        cur = plain(row[rule.field])
        return f"{pair.previous}:{prev}->{pair.current}:{cur}"
    if rule.kind == "event":
        return "event"
    return "active"


def _findings(
    rule: AlertRule, rows: pd.DataFrame, pair: S.SnapshotPair, table_as_of: date | None
) -> list[Finding]:
    found = []
    for row in rows.to_dict("records"):
        if rule.kind == "change":
            zh, en = _change_text(rule, row)
        else:
            zh, en = _threshold_text(rule, row)
        found.append(
            Finding(
                rule=rule,
                subject_type=str(row["_subject_type"]),
                subject_id=str(row["_subject_id"]),
                customer_id=plain(row.get("_customer_id")),
                customer_name=plain(row.get("_customer_name")),
                owner=plain(row.get("_owner")),
                state=_state(rule, row, pair),
                evidence=_evidence(rule, row, table_as_of),
                detail_zh=zh,
                detail_en=en,
                as_of=table_as_of,
            )
        )
    return found


class _Sources:
    """The SELECT each rule runs on, by source name, over one cursor; the small sources
    (goals, KPIs) are frames computed by the planning floor, registered on that cursor."""

    def __init__(self, ws: Workspace, pair: S.SnapshotPair, when: date, now: datetime) -> None:
        self.ws, self.pair, self.when, self.now = ws, pair, when, now
        self.cur = ws.cursor()
        self._sql: dict[str, str | None] = {}
        self._columns: dict[str, dict[str, str]] = {}

    def sql(self, name: str) -> str | None:
        if name not in self._sql:
            self._sql[name] = self._load(name)
        return self._sql[name]

    def columns(self, name: str) -> dict[str, str]:
        if name not in self._columns:
            self._columns[name] = R.columns_of(self.cur, self.sql(name) or "")
        return self._columns[name]

    def _load(self, name: str) -> str | None:
        ws, pair = self.ws, self.pair
        if name in ("snapshot:current", "snapshot:previous"):
            day = pair.current if name == "snapshot:current" else pair.previous
            return S.snapshot_sql(ws, day) if day else None
        if name in ("goals", "kpis"):
            small = S.goals_frame(ws, self.when) if name == "goals" else S.kpi_frame(ws, self.when)
            if small is None:
                return None
            self.cur.register(f"_alert_{name}", small)
            return f"SELECT * FROM _alert_{name}"
        return ws.engine.rewrite(S.row_sql(ws, name, self.now))  # a lake table read there

    def fetch(self, sql: str) -> pd.DataFrame:
        return self.cur.execute(f"SELECT * FROM ({sql}) ORDER BY _subject_id").df()


def _event_window(rule: AlertRule, settings: Settings, now: datetime) -> str:
    """Event rules see the rows of the last `within_days` (default: the lookback) up to now."""
    days = rule.within_days or settings.alerts.event_lookback_days
    since = now - timedelta(days=days)
    at = "CAST(_event_at AS TIMESTAMP)"
    return f"{at} > {S.timestamp_sql(since)} AND {at} <= {S.timestamp_sql(now)}"


def evaluate(ws: Workspace, settings: Settings, as_of: date | None = None) -> Evaluation:
    """Evaluate every enabled rule at `as_of` (default: the latest snapshot, else today);
    each rule is one query in the engine, and only its firing rows come back."""
    pair = S.snapshot_pair(ws, as_of)
    when = as_of or pair.current or date.today()
    now = S.evaluation_now(when)
    result = Evaluation(as_of=when, snapshot=pair)
    sources = _Sources(ws, pair, when, now)
    for rule in settings.alerts.rules:
        if not rule.enabled:
            continue
        if rule.kind == "change":
            if rule.table != S.SNAPSHOT:
                result.skipped[rule.name] = ("变化规则只比较客户快照", "compares snapshots only")
                continue
            if pair.previous is None or pair.current is None:
                result.skipped[rule.name] = ("需要两期客户快照", "needs two snapshots")
                continue
            prev, cur = sources.sql("snapshot:previous"), sources.sql("snapshot:current")
            assert prev is not None and cur is not None
            sql = R.change_sql(rule, prev, cur, "customer_id", sources.columns("snapshot:current"))
            result.findings += _findings(rule, sources.fetch(sql), pair, pair.current)
            result.evaluated.add(rule.name)
            continue
        name = "snapshot:current" if rule.table == S.SNAPSHOT else rule.table
        source = sources.sql(name)
        if source is None:
            result.skipped[rule.name] = (f"{rule.table} 暂无数据", f"no data for {rule.table}")
            continue
        columns = sources.columns(name)
        sql = R.rows_sql(rule, source, columns)
        if rule.kind == "event" and "_event_at" in columns:
            sql = f"SELECT * FROM ({sql}) WHERE {_event_window(rule, settings, now)}"
        table_as_of = pair.current if rule.table == S.SNAPSHOT else when
        result.findings += _findings(rule, sources.fetch(sql), pair, table_as_of)
        result.evaluated.add(rule.name)
    return result
