"""One story per customer (kehu.analytics.coherence): invariants over generated customers
(hypothesis) and on an analysed demo company."""

from __future__ import annotations

import json

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from kehu.analytics.coherence import (
    GOOD_LIFECYCLE,
    GOOD_RFM,
    NOT_AT_RISK,
    customer_story,
    story,
    watch_counts,
)
from kehu.analytics.labels import codes, label
from kehu.analytics.lifecycle import STAGES
from kehu.analytics.summary import numeric_frame, summarize
from kehu.workspace import Workspace

THRESHOLD, HORIZON = 0.6, 90
prob = st.one_of(st.none(), st.floats(0, 1, allow_nan=False))
reason = st.fixed_dictionaries(
    {"code": st.just("order_gap"), "zh": st.text(min_size=1), "en": st.text(min_size=1)}
)
customer = st.fixed_dictionaries(
    {
        "lifecycle": st.sampled_from(STAGES),
        "rfm_type": st.one_of(st.none(), st.sampled_from(codes("rfm_type"))),
        "p_alive": prob,
        "churn_risk": prob,
        "recency_days": st.integers(0, 3000),
        "churn_reasons": st.lists(reason, max_size=3).map(json.dumps),
    }
)


def _check(row: dict, s: dict, lang: str) -> None:
    risk, alive = row["churn_risk"], row["p_alive"]
    life = row["lifecycle"]
    notes = {n["code"]: n["text"] for n in s["notes"]}
    # rule 1: lost / never-bought customers are never on the watch list
    if life in NOT_AT_RISK:
        assert not s["watch"]
    if life in ("lost", "lost_forever"):  # lost for good: its own label, never a good one
        assert s["lost"] and s["label"] == label("lifecycle", life, lang) and life in notes
        assert str(row["recency_days"]) in notes[life]
        if alive is not None and alive >= 0.5:
            assert f"{round(alive * 100)}%" in notes["alive_but_lost"]
        return
    assert s["watch"] == (risk is not None and risk >= THRESHOLD and life not in NOT_AT_RISK)
    # rule 2: a good label with a high risk says so, with the top reason
    good = row["rfm_type"] in GOOD_RFM or life in GOOD_LIFECYCLE
    if s["watch"] and good:
        word = "churn risk rising" if lang == "en" else "流失风险上升"
        assert s["label"] and word in s["label"]
        reasons = json.loads(row["churn_reasons"])
        if reasons:
            assert notes["reason"] == reasons[0]["en" if lang == "en" else "zh"]
    else:
        assert s["label"] is None
    # rule 4: a rule's "at risk" label under a low predicted risk is explained
    warned = life == "at_risk" or row["rfm_type"] == "churn_risk"
    if warned and risk is not None and risk < 0.3:
        assert f"{round(risk * 100)}%" in notes["rule_vs_risk"]
    # rule 3: p_alive and churn risk both high -> an explanation naming both numbers
    if risk is not None and alive is not None and alive >= 0.5 and risk >= 0.5:
        text = notes["both_high"]
        assert f"{round(alive * 100)}%" in text and f"{round(risk * 100)}%" in text
        assert str(HORIZON) in text
    elif risk is not None and alive is not None and risk < (1 - alive) - 0.05:
        # below the purchase model's own "already gone" probability: said and explained
        assert f"{round((1 - alive) * 100)}%" in notes["below_dead"]


@settings(max_examples=300, deadline=None)
@given(customer, st.sampled_from(["zh", "en"]))
def test_story_invariants(row: dict, lang: str) -> None:
    _check(row, story(row, THRESHOLD, HORIZON, lang), lang)


@settings(max_examples=60, deadline=None)
@given(st.lists(customer, min_size=1, max_size=40))
def test_headline_counts_agree_with_the_stories(rows: list[dict]) -> None:
    frame = pd.DataFrame(rows)
    counts = watch_counts(frame, THRESHOLD)
    stories = [story(r, THRESHOLD, HORIZON, "zh") for r in rows]
    assert counts["at_risk"] == sum(s["watch"] for s in stories)
    assert counts["lost"] == sum(r["lifecycle"] == "lost" for r in rows)
    assert not any(s["watch"] and s["lost"] for s in stories)


def test_demo_tells_one_story(analysed_demo: Workspace) -> None:
    ws = analysed_demo
    rows = ws.con.execute(
        "SELECT * FROM customer_snapshot WHERE as_of = (SELECT max(as_of) FROM customer_snapshot)"
    ).df()
    assert len(rows) > 300
    unexplained = []
    for rec in rows.to_dict("records"):
        row = {k: (None if isinstance(v, float) and v != v else v) for k, v in rec.items()}
        row["churn_reasons"] = row["churn_reasons"] or "[]"
        for lang in ("zh", "en"):
            s = customer_story(row, ws.settings, lang)
            good = row["rfm_type"] in GOOD_RFM or row["lifecycle"] in GOOD_LIFECYCLE
            if s["watch"] and good and not s["label"]:
                unexplained.append(row["customer_id"])
            risk, alive = row["churn_risk"], row["p_alive"]
            if risk is not None and alive is not None and min(risk, alive) >= 0.5:
                explained = {"both_high", "alive_but_lost"} & {n["code"] for n in s["notes"]}
                assert explained, row["customer_id"]
            if row["lifecycle"] == "lost":
                assert not s["watch"] and s["lost"]
            elif row["lifecycle"] == "at_risk" and risk is not None and risk < 0.3:
                assert any(n["code"] == "rule_vs_risk" for n in s["notes"]), row["customer_id"]
    assert unexplained == []
    # the headline and the watch list leave the lost customers out
    summary = summarize(numeric_frame(rows), ws.settings)
    assert all(r["lifecycle"] not in NOT_AT_RISK for r in summary["churn_top"])
    lost = int((rows["lifecycle"] == "lost").sum())
    assert summary["churn_watch"]["lost"] == lost > 0
    risky = pd.to_numeric(rows["churn_risk"]) >= ws.settings.plan.churn_threshold
    still = ~rows["lifecycle"].isin(NOT_AT_RISK)
    assert summary["churn_watch"]["at_risk"] == int((risky & still).sum())
