"""Which source churn_risk comes from, decided by a time-split backtest on the workspace.

Candidates: the purchase model's `purchase_exact` and `purchase_poisson` (`baseline.py`,
both adjusted by the evidence rules) and, when they were trained, the `stack` (the purchase
model recalibrated on the workspace's history, `stack.py`, scoring everyone) and the
LightGBM `model` (scored on the active customers it learnt from; the best purchase
candidate scores the customers silent for longer than churn.active_days). At a past date t,
with what was known then, each candidate ranks the customers by risk; the ROC AUC against
"no order in (t, t + h]" decides. Ties go to the simpler candidate (the order of ORDER): a
trained candidate must beat the purchase model to be used. Without any backtest date the
exact probability is used.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import ibis.expr.types as ir
import numpy as np
import pandas as pd

from kehu.analytics.churn.baseline import candidate_risks, labelled_frame
from kehu.analytics.churn.metrics import auc
from kehu.analytics.churn.rules import rule_hits, rules_risk, typical_interval
from kehu.analytics.churn.stack import Stack
from kehu.config import ChurnSettings, Settings
from kehu.i18n import catalog

ORDER = ("purchase_exact", "purchase_poisson", "stack", "model")
DEFAULT = "purchase_exact"
MIN_BACKTEST_DAYS = 28  # a shorter split horizon says too little to choose on

SOURCES = catalog("churn_choice", "sources")
SHORT = catalog("churn_choice", "short")
VERDICT = catalog("churn_choice", "verdict")


def with_fallback(cands: dict[str, np.ndarray], rules: np.ndarray) -> dict[str, np.ndarray]:
    """Candidates with the rules risk where the purchase model has no value (no occasion)."""
    return {k: np.where(np.isnan(v), rules, v) for k, v in cands.items()}


def stack_risk(
    stack: Stack, frame: pd.DataFrame, hits: pd.DataFrame, s: ChurnSettings, rules: np.ndarray
) -> np.ndarray:
    """The stack's candidate risk; the rules risk where the purchase model has no value."""
    none = frame["p_no_purchase"].isna().to_numpy()
    return np.where(none, rules, stack.risk(frame, hits, s))


def hybrid(model: np.ndarray, purchase: np.ndarray) -> np.ndarray:
    """The model's probability where it scored (not NaN), the purchase candidate elsewhere."""
    return np.where(np.isnan(model), purchase, model)


def compare(
    frame: pd.DataFrame,
    s: ChurnSettings,
    model: np.ndarray | None = None,
    stack: Stack | None = None,
) -> dict:
    """AUC of every candidate on a labelled frame (`churned`, purchase features) and the
    winner; `model` = the trained model's probabilities (NaN on rows it does not score),
    `stack` = the stack learnt before the frame's date."""
    hits = rule_hits(frame, s, typical_interval(frame))
    rules = rules_risk(hits, s)
    cands = with_fallback(candidate_risks(frame, hits, s), rules)
    y = frame["churned"].to_numpy()
    scores = {k: auc(y, v) for k, v in cands.items()}
    if model is not None:  # the rows it does not score keep the best other source
        scored = {k: v for k, v in scores.items() if v is not None}
        best = max(scored, key=scored.__getitem__, default=None)
        scores["model"] = auc(y, hybrid(model, cands[best] if best else rules))
    if stack is not None and cands:
        scores["stack"] = auc(y, stack_risk(stack, frame, hits, s, rules))
    known = {k: v for k in ORDER if (v := scores.get(k)) is not None}
    ranked = list(known)
    out: dict[str, Any] = {
        "date": frame["as_of"].iloc[0].isoformat() if len(frame) else None,
        "customers": int(len(frame)),
        "churn_rate": float(y.mean()) if len(y) else None,
        "roc_auc": {k: round(float(known[k]), 4) for k in ranked},
    }
    if not ranked:
        return out | {"winner": None}
    winner = max(ranked, key=lambda k: (known[k], -ORDER.index(k)))
    others = [k for k in ranked if k != winner]
    runner = max(others, key=known.__getitem__) if others else None
    out |= {"winner": winner, "runner_up": runner}
    out["margin"] = round(float(known[winner] - known[runner]), 4) if runner else None
    return out


def backtest_split(first_day: date, as_of: date, s: ChurnSettings) -> tuple[date, int] | None:
    """(t, h): t = as_of − h with h = churn.horizon_days when t leaves churn.period_days of
    history, else the history split in half; None when h would be under MIN_BACKTEST_DAYS."""
    span = (as_of - first_day).days
    h = s.horizon_days if span - s.horizon_days >= s.period_days else span // 2
    if h < MIN_BACKTEST_DAYS:
        return None
    return as_of - timedelta(days=h), h


def purchase_backtest(
    tables: dict[str, ir.Table], as_of: date, first_day: date, settings: Settings
) -> dict[str, Any] | None:
    """The purchase candidates compared at a past date (no trained model); None when the
    history allows no split."""
    from kehu.analytics.churn.sample import training_tables

    split = backtest_split(first_day, as_of, settings.churn)
    if split is None:
        return None
    t, h = split
    with training_tables(tables, as_of, settings.churn.train_customers) as (history, _):
        frame = labelled_frame(history, t, settings, horizon_days=h)
    if frame.empty or frame["churned"].nunique() < 2:
        return None
    return compare(frame, settings.churn) | {"horizon_days": h}


def verdict(choice: dict[str, Any] | None, horizon_days: int) -> dict[str, str]:
    """The bilingual sentences for analyze's summary: the source used and its backtest."""
    winner = (choice or {}).get("winner") or DEFAULT
    src_zh, src_en = SOURCES.pair(winner, days=horizon_days)
    if not (choice and choice.get("winner")):
        zh, en = VERDICT.pair("none")
        return {"source_zh": src_zh, "source_en": src_en, "backtest_zh": zh, "backtest_en": en}
    aucs, runner = choice["roc_auc"], choice.get("runner_up")
    kw = {
        "date": choice["date"],
        "days": choice.get("horizon_days", horizon_days),
        "n": f"{choice['customers']:,}",
        "auc": aucs[winner],
        "runner_auc": aucs[runner] if runner else float("nan"),
    }
    dash = ("—", "—")
    w_zh, w_en = SHORT.pair(winner)
    r_zh, r_en = SHORT.pair(runner) if runner else dash
    key = "won" if runner else "alone"
    zh = VERDICT.pair(key, winner=w_zh, runner=r_zh, **kw)[0]
    en = VERDICT.pair(key, winner=w_en, runner=r_en, **kw)[1]
    return {"source_zh": src_zh, "source_en": src_en, "backtest_zh": zh, "backtest_en": en}
