"""Alert rules as pure predicates over pandas frames (no I/O).

A threshold or event rule keeps the rows where `field op value` holds; a change rule compares
each subject's previous and current value. `scope` narrows every rule to rows whose columns
hold the given value(s) (e.g. `value_tier in [strategic, core]`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from kehu.config import AlertRule
from kehu.errors import KehuError

COMPARISONS = (">", ">=", "<", "<=", "==", "!=", "in", "not_in")


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple | set) else [value]


def _coerce_like(series: pd.Series, value: Any) -> Any:
    """Compare numbers as numbers even when the rule value came from TOML as a string."""
    if pd.api.types.is_numeric_dtype(series.dtype) and isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    return value


def compare(series: pd.Series, op: str, value: Any) -> pd.Series:
    """Boolean mask of `series op value`; missing values never match."""
    if op in ("in", "not_in"):
        wanted = {str(v) for v in _as_list(value)}
        hit = series.astype("string").isin(wanted).fillna(False).astype(bool)
        present = series.notna()
        return (hit if op == "in" else ~hit) & present
    target = _coerce_like(series, value)
    values = series
    if isinstance(target, int | float) and not pd.api.types.is_numeric_dtype(series.dtype):
        values = pd.to_numeric(series, errors="coerce")
    present = values.notna()
    if op == ">":
        mask = values > target
    elif op == ">=":
        mask = values >= target
    elif op == "<":
        mask = values < target
    elif op == "<=":
        mask = values <= target
    elif op in ("==", "!="):
        if isinstance(target, str):
            values, target = values.astype("string"), str(target)
        mask = values == target if op == "==" else values != target
    else:
        raise ValueError(f"not a comparison: {op}")
    return (mask.fillna(False).astype(bool)) & present


def scope_mask(frame: pd.DataFrame, rule: AlertRule) -> pd.Series:
    """Rows inside the rule's scope (every scope key must match)."""
    mask = pd.Series(True, index=frame.index)
    for column, wanted in rule.scope.items():
        if column not in frame.columns:
            raise KehuError(
                f"预警规则 {rule.name}:范围字段 {column} 不在 {rule.table} 中",
                f"alert rule {rule.name}: scope column {column} is not in {rule.table}",
            )
        if isinstance(wanted, list):
            mask &= compare(frame[column], "in", wanted)
        else:
            mask &= compare(frame[column], "==", wanted)
    return mask


def require_field(frame: pd.DataFrame, rule: AlertRule, column: str) -> None:
    if column not in frame.columns:
        known = ", ".join(sorted(c for c in frame.columns if not c.startswith("_")))
        raise KehuError(
            f"预警规则 {rule.name}:字段 {column} 不在 {rule.table} 中(可用:{known})",
            f"alert rule {rule.name}: field {column} is not in {rule.table} (known: {known})",
        )


def match_rows(frame: pd.DataFrame, rule: AlertRule) -> pd.DataFrame:
    """Rows of `frame` where a threshold/event rule holds (inside its scope)."""
    require_field(frame, rule, rule.field)
    if frame.empty:
        return frame
    mask = compare(frame[rule.field], rule.op, rule.value) & scope_mask(frame, rule)
    return frame[mask]


def match_change(prev: pd.DataFrame, cur: pd.DataFrame, key: str, rule: AlertRule) -> pd.DataFrame:
    """Subjects whose `field` changed as the rule describes between two snapshots.

    Returns the current rows (scope applies to the current row) with `_prev` (the previous
    value) and `_change` (the relative change for pct ops) columns added.
    """
    require_field(cur, rule, rule.field)
    if cur.empty or prev.empty:
        return cur.iloc[0:0].assign(_prev=[], _change=[])
    before = prev[[key, rule.field]].rename(columns={rule.field: "_prev"})
    both = cur.merge(before, on=key, how="inner")
    both = both[scope_mask(both, rule)]
    new, old = both[rule.field], both["_prev"]
    if rule.op in ("pct_drop", "pct_rise"):
        new_f = pd.to_numeric(new, errors="coerce").astype(float)
        old_f = pd.to_numeric(old, errors="coerce").astype(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            change = (new_f - old_f) / old_f.abs()
        threshold = float(rule.value)  # type: ignore[arg-type]
        valid = old_f.notna() & new_f.notna() & (old_f != 0)
        mask = valid & ((change < -threshold) if rule.op == "pct_drop" else (change > threshold))
        return both[mask.fillna(False)].assign(_change=change[mask.fillna(False)])
    if rule.op == "transition":
        mask = compare(old, "in", rule.from_values) & compare(new, "in", rule.to_values)
    else:  # changed
        mask = old.astype("string") != new.astype("string")
        mask = mask.fillna(old.isna() != new.isna()).astype(bool)
    return both[mask].assign(_change=np.nan)


def condition_key(rule: AlertRule, subject_type: str, subject_id: str) -> str:
    """The stable identity of a condition: the same key + state is never alerted twice."""
    return f"{rule.name}|{subject_type}:{subject_id}"
