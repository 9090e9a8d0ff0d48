"""One coherent story per customer: how lifecycle, RFM type, p_alive and churn risk combine.

The rules (docs/clv_churn.md, "One story per customer"):
1. Lost customers (lifecycle `lost`: silent for lifecycle.lost_days; `lost_forever`: silent
   for lifecycle.forever_days) and customers who never bought (`non_customer`, `prospect`,
   `target`) are not "at risk": they leave the churn watch list and the "churn risk ≥ x"
   headline; `lost` ones are counted as win-back candidates instead, `lost_forever` ones apart
   (no win-back campaign). Neither ever carries a good label ("loyal", "· 流失风险上升").
2. A customer with a good label (RFM type high_value / potential / new, lifecycle loyal /
   repeat / won_back) whose churn risk is at or above the threshold is shown as
   "<label> · 流失风险上升", with the top reason when there is one.
3. p_alive (is the customer still a buyer *now*) and churn risk (will they buy *within the
   horizon*) may both be high: a live customer who buys rarely. Whenever p_alive ≥ 0.5 and
   churn risk ≥ 0.5 the view carries a line that says so. When churn risk is below
   1 − p_alive (possible for the trained model, which reads more than the purchase
   history), the line says the warning uses more evidence than the purchase model. A lost
   customer with a high p_alive gets a line saying that p_alive ignores the lifecycle rule.
4. A rule's warning label (lifecycle `at_risk`, RFM type `churn_risk`) with a churn risk
   below 30 % gets a line: the label is a rule on the gap since the last order, the risk a
   prediction that also weighs frequency and how similar customers behaved.
`story` applies them to one customer, `watch_counts` to a snapshot frame.
"""

from __future__ import annotations

import json
import math
from typing import Any

import pandas as pd

from kehu.analytics.labels import label
from kehu.config import Settings
from kehu.i18n import catalog

# lifecycle stages that are never "at risk" (rule 1)
NOT_AT_RISK = ("lost", "lost_forever", "non_customer", "prospect", "target")
LOST = ("lost", "lost_forever")
GOOD_RFM = ("high_value", "potential", "new")
GOOD_LIFECYCLE = ("loyal", "repeat", "won_back")
HIGH = 0.5  # p_alive / churn risk both "high" (rule 3)
LOW = 0.3  # a churn risk this low under a rule's "at risk" label needs a line (rule 4)
WARNING_LABELS = (("lifecycle", "at_risk"), ("rfm_type", "churn_risk"))

TEXT = catalog("coherence")


def _num(v: Any) -> float | None:
    if v is None:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def on_watch_list(lifecycle: str | None, churn_risk: Any, threshold: float) -> bool:
    """Rule 1: at or above the threshold and neither lost nor without a purchase."""
    risk = _num(churn_risk)
    return risk is not None and risk >= threshold and (lifecycle or "") not in NOT_AT_RISK


def top_reason(reasons: Any, lang: str) -> str | None:
    """The first reason's text in `lang` (reasons as JSON text or a list)."""
    if isinstance(reasons, str):
        try:
            reasons = json.loads(reasons)
        except ValueError:
            return None
    if not reasons or not isinstance(reasons, list) or not isinstance(reasons[0], dict):
        return None
    return reasons[0].get("en" if lang == "en" else "zh")


def story(row: dict[str, Any], threshold: float, horizon_days: int, lang: str) -> dict[str, Any]:
    """The headline label and explanation lines of one customer (rules 1–4).

    `row`: lifecycle, rfm_type, p_alive, churn_risk, churn_reasons, recency_days (optional).
    """
    life, rfm = row.get("lifecycle"), row.get("rfm_type")
    risk, alive = _num(row.get("churn_risk")), _num(row.get("p_alive"))
    pick = 1 if lang == "en" else 0
    out: dict[str, Any] = {"label": None, "notes": [], "watch": False, "lost": life in LOST}
    if life in LOST:
        days = row.get("recency_days")
        out["label"] = label("lifecycle", life, lang)
        if days is not None:
            out["notes"].append({"code": life, "text": TEXT.pair(life, days=days)[pick]})
        if alive is not None and alive >= HIGH:
            text = TEXT.pair("alive_but_lost", alive=round(alive * 100))[pick]
            out["notes"].append({"code": "alive_but_lost", "text": text})
        return out
    out["watch"] = on_watch_list(life, risk, threshold)
    good = (
        ("rfm_type", rfm)
        if rfm in GOOD_RFM
        else ("lifecycle", life)
        if life in GOOD_LIFECYCLE
        else None
    )
    if out["watch"] and good is not None:
        name = label(good[0], good[1], lang)
        out["label"] = TEXT.pair("rising", label=name)[pick]
        why = top_reason(row.get("churn_reasons"), lang)
        if why:
            out["notes"].append({"code": "reason", "text": why})
    if risk is not None and alive is not None:
        pct = {"alive": round(alive * 100), "risk": round(risk * 100), "days": horizon_days}
        if alive >= HIGH and risk >= HIGH:
            out["notes"].append({"code": "both_high", "text": TEXT.pair("both_high", **pct)[pick]})
        elif risk < (1.0 - alive) - 0.05:
            dead = round((1.0 - alive) * 100)
            text = TEXT.pair("below_dead", dead=dead, **pct)[pick]
            out["notes"].append({"code": "below_dead", "text": text})
    warned = [(kind, code) for kind, code in WARNING_LABELS if row.get(kind) == code]
    if risk is not None and risk < LOW and warned:
        name = label(warned[0][0], warned[0][1], lang)
        pair = TEXT.pair("rule_vs_risk", label=name, risk=round(risk * 100), days=horizon_days)
        out["notes"].append({"code": "rule_vs_risk", "text": pair[pick]})
    return out


def customer_story(row: dict[str, Any], settings: Settings, lang: str) -> dict[str, Any]:
    """`story` with the workspace's threshold (plan.churn_threshold) and churn horizon."""
    return story(row, settings.plan.churn_threshold, settings.churn.horizon_days, lang)


def watch_counts(frame: pd.DataFrame, threshold: float) -> dict[str, int]:
    """Headline counts (rule 1): at risk (watch list), lost (win-back candidates), the rest."""
    risk = pd.to_numeric(frame["churn_risk"], errors="coerce")
    life = frame["lifecycle"].fillna("")
    watch = (risk >= threshold) & ~life.isin(NOT_AT_RISK)
    lost = life == "lost"
    return {
        "threshold_pct": round(threshold * 100),
        "at_risk": int(watch.sum()),
        "lost": int(lost.sum()),
        "lost_high_risk": int((lost & (risk >= threshold)).sum()),
        "lost_forever": int((life == "lost_forever").sum()),
    }


def watchable_sql(prefix: str = "") -> str:
    """The lifecycle half of rule 1 as SQL: the stages that can be "at risk"."""
    stages = ", ".join(f"'{s}'" for s in NOT_AT_RISK)
    return f"coalesce({prefix}lifecycle, '') NOT IN ({stages})"


def watch_sql(threshold: float, prefix: str = "") -> str:
    """Rule 1 as a SQL condition on snapshot rows (`prefix` = a table alias with its dot)."""
    return f"{prefix}churn_risk >= {float(threshold)!r} AND {watchable_sql(prefix)}"
