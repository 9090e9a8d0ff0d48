"""The win model: gradient-boosted trees (LightGBM) on the deal features, Platt-calibrated on
out-of-fold scores (folds by deal, so a deal's weeks never sit on both sides), with each
prediction's feature contributions; beside it the stage-weighted rate users know."""

from __future__ import annotations

from dataclasses import dataclass

import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from kehu.analytics.forecast.features import FEATURES

PARAMS = {
    "objective": "binary",
    "learning_rate": 0.05,
    "num_leaves": 15,
    "min_child_samples": 20,
    "subsample": 0.8,
    "subsample_freq": 1,
    "colsample_bytree": 0.8,
    "reg_lambda": 1.0,
    "verbose": -1,
    "seed": 7,
    "deterministic": True,
    "num_threads": 1,
}
ROUNDS = 200
FOLDS = 3
MIN_SAMPLES = 50  # fewer training rows (or a single class): the stage-weighted rate is used


def _matrix(df: pd.DataFrame, sections: list[str]) -> pd.DataFrame:
    x = df[list(FEATURES)].copy()
    x["section"] = pd.Categorical(x["section"].fillna(""), categories=sections)
    return x.astype({c: float for c in FEATURES if c != "section"})


def _logit(p: np.ndarray) -> np.ndarray:
    q = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(q / (1 - q))


@dataclass
class StageRates:
    """The share of deals in each stage won by the period's end (the stage-weighted rate)."""

    rates: dict[str, float]
    base: float

    @classmethod
    def fit(cls, train: pd.DataFrame) -> StageRates:
        if not len(train):  # no deal has a known outcome yet: nothing won is expected
            return cls({}, 0.0)
        base = float(train["won"].mean())
        rates = train.groupby(train["stage_name"].fillna(""))["won"].mean()
        return cls({str(k): float(v) for k, v in rates.items()}, base)

    def predict(self, df: pd.DataFrame) -> np.ndarray:
        return df["stage_name"].fillna("").map(self.rates).fillna(self.base).to_numpy(float)


@dataclass
class WinModel:
    """A fitted model; `booster` is None when there was too little to learn from."""

    booster: lgb.Booster | None
    platt: LogisticRegression | None
    sections: list[str]
    stages: StageRates
    trained_on: int

    @classmethod
    def fit(cls, train: pd.DataFrame) -> WinModel:
        stages = StageRates.fit(train)
        if len(train) < MIN_SAMPLES or train["won"].nunique() < 2:
            return cls(None, None, [], stages, len(train))
        y = train["won"].to_numpy(float)
        sections = sorted(set(train["section"].fillna("")))
        x = _matrix(train, sections)
        oof = np.zeros(len(train))
        groups = train["deal"].to_numpy()
        folds = min(FOLDS, len(set(groups)))
        for fit_idx, held in GroupKFold(n_splits=folds).split(x, y, groups):
            if y[fit_idx].min() == y[fit_idx].max():
                oof[held] = y[fit_idx].mean()
                continue
            b = lgb.train(PARAMS, lgb.Dataset(x.iloc[fit_idx], y[fit_idx]), ROUNDS)
            oof[held] = b.predict(x.iloc[held], raw_score=True)
        platt = LogisticRegression(C=1e6).fit(oof.reshape(-1, 1), y)
        booster = lgb.train(PARAMS, lgb.Dataset(x, y), ROUNDS)
        return cls(booster, platt, sections, stages, len(train))

    def raw(self, df: pd.DataFrame) -> np.ndarray:
        assert self.booster is not None
        return np.asarray(self.booster.predict(_matrix(df, self.sections), raw_score=True))

    def predict(self, df: pd.DataFrame) -> np.ndarray:
        """Calibrated P(won by the period's end) of each deal."""
        if self.booster is None or self.platt is None or not len(df):
            return self.stages.predict(df)
        return self.platt.predict_proba(self.raw(df).reshape(-1, 1))[:, 1]

    def contributions(self, df: pd.DataFrame) -> np.ndarray:
        """(deals, features) SHAP contributions on the raw score (zeros without a model)."""
        if self.booster is None or not len(df):
            return np.zeros((len(df), len(FEATURES)))
        out = self.booster.predict(_matrix(df, self.sections), pred_contrib=True)
        return np.asarray(out)[:, : len(FEATURES)]
