"""Why a deal's chance is what it is: its three strongest feature contributions (SHAP, on
the model's raw score), each a true statement of the deal's value and the direction it
moves the calibrated probability, in zh and en."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from kehu.analytics.forecast.features import FEATURES
from kehu.analytics.forecast.model import WinModel
from kehu.i18n import catalog
from kehu.industries import industry_name

TOP = 3
COUNTS = {"days_in_stage", "age", "days_left", "quarter_left", "customer_orders", "customer_won",
          "customer_lost", "owner_closed"}  # fmt: skip


def _value(feature: str, row: Any, lang: str) -> str:
    if feature == "stage":
        return str(row.stage_name) if isinstance(row.stage_name, str) else _unknown(lang)
    if feature == "section":
        return industry_name(row.section or None, lang) or _unknown(lang)
    v = getattr(row, feature)
    if pd.isna(v):
        return _unknown(lang)
    if feature == "owner_win_rate":
        return f"{v:.0%}"
    if feature in COUNTS:
        return f"{int(v)}"
    return f"{v:,.0f}"


def _unknown(lang: str) -> str:
    return catalog("forecast", "text")("unknown", lang)


def reasons(model: WinModel, deals: pd.DataFrame, stage_order: list[str]) -> list[list[dict]]:
    """Per deal (in `deals` order): up to three reasons, strongest first."""
    if model.booster is None or not len(deals):
        return [[] for _ in range(len(deals))]
    contrib = model.contributions(deals)
    sign = 1.0 if model.platt is None or model.platt.coef_[0][0] >= 0 else -1.0
    names, effects = catalog("forecast", "reasons"), catalog("forecast", "effect")
    out: list[list[dict]] = []
    for row, c in zip(deals.itertuples(), contrib * sign, strict=True):
        picked = [i for i in np.argsort(-np.abs(c), kind="stable")[:TOP] if c[i] != 0]
        items = []
        for i in picked:
            feature, effect = FEATURES[i], "up" if c[i] > 0 else "down"
            text = {
                lang: effects(
                    effect, lang, reason=names(feature, lang, value=_value(feature, row, lang))
                )
                for lang in ("zh", "en")
            }
            items.append(
                {
                    "feature": feature,
                    "effect": effect,
                    "contribution": round(float(c[i]), 4),
                    **text,
                }
            )
        out.append(items)
    return out
