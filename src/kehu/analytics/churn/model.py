"""The churn model learnt from the workspace's own history (LightGBM + Platt scaling).

Training rows are customers at past as-of dates t_1 > t_2 > … (t_1 = as_of − horizon, then
every `churn.train_step_days`), features computed point-in-time at each date, label 1 when
the customer placed no order in (t, t + horizon]. Only customers who ordered within
`churn.active_days` before t are training rows (long-lost customers would teach nothing).

The boosting starts from the purchase model's log-odds (`base_logit`, LightGBM's
init_score): the trees learn only what BG/NBD / Pareto/NBD misses, and early stopping keeps
them from unlearning it.
Evaluation recipe (reported): booster on t_3…t_K, early stopping and Platt scaling on t_2,
holdout on t_1 (the latest labelled date). The model used for scoring is the same recipe
one date later: booster on t_2…t_K with the same number of trees, Platt scaling on t_1.
The stacked purchase model (`stack.py`) is trained beside it on every customer of the same
dates: on t_2…t_K for the backtest at t_1, on t_1…t_K for scoring.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import ibis.expr.types as ir
import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

from kehu.analytics.churn.baseline import base_logit, labelled_frame
from kehu.analytics.churn.choose import compare
from kehu.analytics.churn.features import FEATURES
from kehu.analytics.churn.metrics import auc, calibration_report
from kehu.analytics.churn.reasons import GROUPS, MODEL_CODES
from kehu.analytics.churn.rules import rule_hits, rules_risk, typical_interval
from kehu.analytics.churn.sample import training_tables
from kehu.analytics.churn.stack import Stack
from kehu.config import Settings
from kehu.i18n import catalog

LGB_PARAMS: dict[str, Any] = {
    "objective": "binary",
    "learning_rate": 0.1,
    "num_leaves": 15,
    "max_depth": 5,  # shallow trees keep TreeSHAP (pred_contrib) cheap per customer
    "min_data_in_leaf": 40,
    "feature_fraction": 0.9,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "seed": 7,
    "deterministic": True,
    "force_row_wise": True,
    # One thread: `deterministic` holds for a fixed thread count only, so the model is then
    # the same on every machine; fits are bounded by churn.max_train_rows anyway (decision 65)
    "num_threads": 1,
    "verbose": -1,
}
MAX_ROUNDS = 300
EARLY_STOP = 20
IMPORTANCE_ROWS = 4_000  # holdout rows the reported importance is averaged over (TreeSHAP costs)

WHY = catalog("churn_model")


@dataclass
class Platt:
    """p = 1 / (1 + exp(−(a·raw + b))) on LightGBM's raw log-odds."""

    a: float
    b: float

    @classmethod
    def fit(cls, raw: np.ndarray, y: np.ndarray) -> Platt:
        lr = LogisticRegression(C=1e6, max_iter=1000)
        lr.fit(raw.reshape(-1, 1), y.astype(int))
        return cls(float(lr.coef_[0, 0]), float(lr.intercept_[0]))

    def __call__(self, raw: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(self.a * raw + self.b)))


@dataclass
class HistoryModel:
    """A trained booster with its calibration, and the stack trained on the same dates."""

    booster: lgb.Booster
    platt: Platt
    base_mean: float = 0.0  # mean start log-odds: the purchase pattern's reference level
    stack: Stack | None = None

    def raw(self, df: pd.DataFrame) -> np.ndarray:
        """Uncalibrated log-odds: the purchase model's (the boosting's start) + the trees'."""
        return base_logit(df) + _predict(self.booster, df, raw_score=True)

    def predict(self, df: pd.DataFrame) -> np.ndarray:
        return self.platt(self.raw(df))

    def contributions(self, df: pd.DataFrame) -> pd.DataFrame:
        """SHAP contributions (calibrated log-odds) summed per reason group."""
        contrib = _predict(self.booster, df, pred_contrib=True)
        contrib = contrib[:, : len(FEATURES)]
        contrib = contrib * self.platt.a
        out = pd.DataFrame(index=df.index)
        for code in MODEL_CODES:
            cols = [i for i, f in enumerate(FEATURES) if GROUPS.get(f) == code]
            out[code] = contrib[:, cols].sum(axis=1)
        out["purchase_pattern"] += (base_logit(df) - self.base_mean) * self.platt.a
        return out


def _matrix(df: pd.DataFrame) -> np.ndarray:
    return df.loc[:, list(FEATURES)].to_numpy(dtype=float)


def _predict(booster: lgb.Booster, df: pd.DataFrame, **kind: bool) -> np.ndarray:
    """Raw scores or SHAP contributions, on one thread like the fits (LGB_PARAMS)."""
    return np.asarray(booster.predict(_matrix(df), num_threads=1, **kind))


def training_dates(first_day: date, as_of: date, settings: Settings) -> list[date]:
    """t_1 = as_of − horizon, then back by train_step_days, each with a period of history."""
    s = settings.churn
    out = []
    for k in range(s.train_dates):
        t = as_of - timedelta(days=s.horizon_days + k * s.train_step_days)
        if t < first_day + timedelta(days=s.period_days):
            break
        out.append(t)
    return out


def _why(key: str, **kw: object) -> dict[str, str]:
    zh, en = WHY.pair(key, **kw)
    return {"status": key, "message_zh": zh, "message_en": en}


def train_history_model(
    tables: dict[str, ir.Table], as_of: date, settings: Settings
) -> tuple[HistoryModel | None, dict[str, Any]]:
    """Train and evaluate the history model and the stack; (None, info) says why when there
    is none. `info["choice"]` is the backtest at t_1 of both against the purchase candidates."""
    s = settings.churn
    info: dict[str, Any] = {"mode": "rules", "horizon_days": s.horizon_days}
    if s.model == "rules":
        return None, info | _why("disabled")
    o = tables["orders"]
    first = o.filter(o.order_date <= as_of).order_date.min().to_pyarrow().as_py()
    if first is None:
        return None, info | _why("no_orders")
    span = (as_of - first).days
    info["history_days"] = span
    if span < s.min_history_days:
        return None, info | _why("history_short", days=span, need=s.min_history_days)
    dates = training_dates(first, as_of, settings)
    if len(dates) < 3:
        return None, info | _why("few_dates", n=len(dates))

    started = time.perf_counter()
    with training_tables(tables, as_of, s.train_customers) as (history, sample):
        everyone = [labelled_frame(history, t, settings) for t in dates]
    if sample is not None:
        info["training_sample"] = sample
    feature_seconds = time.perf_counter() - started
    frames = [f[f["active"]].reset_index(drop=True) for f in everyone]
    test, calib, train = frames[0], frames[1], pd.concat(frames[2:], ignore_index=True)
    positives = int(train["churned"].sum())
    if positives < s.min_positives:
        return None, info | _why("few_positives", n=positives, need=s.min_positives)
    for day, f in ((dates[0], test), (dates[1], calib)):
        if f["churned"].nunique() < 2:
            return None, info | _why("one_class", day=day.isoformat())

    rng = np.random.default_rng(7)
    train = _cap(train, s.max_train_rows, rng)
    # evaluation recipe: train on t_3.., stop early and calibrate on t_2, test on t_1
    booster = _fit(train, calib)
    rounds = max(booster.best_iteration or booster.current_iteration(), 1)
    evaluated = HistoryModel(booster, Platt(1.0, 0.0))
    platt = Platt.fit(evaluated.raw(calib), calib["churned"].to_numpy())
    evaluated.platt = platt
    p_test = evaluated.predict(test)
    y_test = test["churned"].to_numpy()
    report = calibration_report(y_test, p_test)
    hits = rule_hits(test, s, typical_interval(test))
    report["rules_roc_auc"] = auc(y_test, rules_risk(hits, s))
    report["recency_roc_auc"] = auc(y_test, test["recency_days"].to_numpy(float))
    # the backtest that picks churn_risk's source: every customer at t_1, the model on its
    # active rows and the stack (learnt on t_2…) on all, against the purchase candidates
    last = everyone[0]
    scored = np.full(len(last), np.nan)
    scored[last["active"].to_numpy()] = p_test
    info["choice"] = compare(last, s, scored, Stack.fit(everyone[1:]))
    stack = Stack.fit(everyone)
    # scoring model: the same recipe one date later
    final_train = _cap(pd.concat([calib, *frames[2:]], ignore_index=True), s.max_train_rows, rng)
    final_booster = _fit(final_train, None, rounds=rounds)
    model = HistoryModel(final_booster, Platt(1.0, 0.0), float(base_logit(test).mean()), stack)
    model.platt = Platt.fit(model.raw(test), test["churned"].to_numpy())
    # Mean |SHAP| on a seeded sample: TreeSHAP over every holdout row costs a minute at 10^5.
    shown = _cap(test, IMPORTANCE_ROWS, np.random.default_rng(7))
    contrib = _predict(final_booster, shown, pred_contrib=True)
    importance = np.abs(contrib[:, : len(FEATURES)]).mean(axis=0)
    order = np.argsort(-importance)
    info.update(
        mode="model",
        **_why("trained"),
        algorithm="lightgbm",
        calibration="platt",
        train_dates=[d.isoformat() for d in dates[2:]],
        calibration_date=dates[1].isoformat(),
        test_date=dates[0].isoformat(),
        n_train=int(len(train)),
        train_positive_rate=float(train["churned"].mean()),
        n_calibration=int(len(calib)),
        trees=int(rounds),
        holdout=report,
        top_features=[
            {
                "feature": FEATURES[i],
                "group": GROUPS.get(FEATURES[i]),
                "mean_abs_shap": round(float(importance[i]), 4),
            }
            for i in order[:8]
        ],
        platt={"a": platt.a, "b": platt.b},
        stack={"inputs": stack.describe(), "n_train": int(sum(len(f) for f in everyone))},
        seconds={
            "features": round(feature_seconds, 3),
            "training": round(time.perf_counter() - started - feature_seconds, 3),
        },
    )
    return model, info


def _cap(df: pd.DataFrame, limit: int, rng: np.random.Generator) -> pd.DataFrame:
    if len(df) <= limit:
        return df
    keep = np.sort(rng.choice(len(df), size=limit, replace=False))
    return df.iloc[keep].reset_index(drop=True)


def _fit(
    train: pd.DataFrame, valid: pd.DataFrame | None, *, rounds: int = MAX_ROUNDS
) -> lgb.Booster:
    dtrain = lgb.Dataset(
        _matrix(train),
        label=train["churned"].to_numpy(),
        init_score=base_logit(train),
        feature_name=list(FEATURES),
        free_raw_data=True,
    )
    if valid is None:
        return lgb.train(LGB_PARAMS, dtrain, num_boost_round=rounds)
    dvalid = lgb.Dataset(
        _matrix(valid),
        label=valid["churned"].to_numpy(),
        init_score=base_logit(valid),
        reference=dtrain,
    )
    return lgb.train(
        LGB_PARAMS,
        dtrain,
        num_boost_round=rounds,
        valid_sets=[dvalid],
        callbacks=[lgb.early_stopping(EARLY_STOP, verbose=False)],
    )
