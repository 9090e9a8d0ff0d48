"""Feedback analysis: segmentation, classification, frequent issues, complaint trend."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_alerts_support import insert

from kehu.config import Settings
from kehu.monitor.feedback import feedback_summary
from kehu.monitor.textmine import Segmenter, classify, keyword_hits
from kehu.workspace import Workspace

FB = Settings().feedback


def test_segmentation_uses_domain_dictionary_and_stopwords() -> None:
    seg = Segmenter(FB)
    terms = seg.terms("我们的发货延迟了,客服回复太慢,非常不满!")
    assert "发货延迟" in terms and "不满" in terms
    assert not {"我们", "的", "了", "非常", "!"} & set(terms)
    assert seg.terms("The DELIVERY was late, again!") == ["delivery", "late"]
    assert seg.terms("Ｄｅｌｉｖｅｒｙ late") == ["delivery", "late"]  # full-width folded


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=80))
def test_segmenter_never_returns_stopwords_or_blanks(text: str) -> None:
    seg = Segmenter(FB)
    for term in seg.terms(text):
        assert term.strip() == term and term and term not in seg.stop


def test_classify_rules_and_keywords() -> None:
    assert classify("发货延迟,非常不满,要求退款", FB).code == "complaint"
    assert classify("建议增加数据导出功能", FB).code == "suggestion"
    assert classify("设备坏了需要上门维修", FB).code == "service"
    assert classify("请问这个型号的报价是多少?", FB).code == "inquiry"
    assert classify("It would be nice to improve the reports", FB).code == "suggestion"
    assert classify("Terrible support, I want a refund", FB).code == "complaint"
    # rules: a known source category wins; a detractor's neutral comment leans to complaint
    c = classify("请问报价", FB, source_category="售后服务")
    assert (c.code, c.method) == ("service", "source")
    assert classify("还行吧", FB).method == "default"
    assert classify("还行吧", FB, detractor=True).code == "complaint"


def test_keyword_hits_respect_english_word_boundaries() -> None:
    assert keyword_hits("We need a translator", ["late"]) == []
    assert keyword_hits("It arrived late.", ["late"]) == ["late"]
    assert keyword_hits("物流太慢", ["物流"]) == ["物流"]


def _feedback_ws(ws: Workspace) -> None:
    insert(ws, "customers", [{"customer_id": f"c{i}", "name": f"客户{i}"} for i in range(3)])
    texts = [
        # (month, text, category)
        (9, "发货延迟一周,非常不满", "投诉"),
        (9, "请问这个型号的价格", "产品咨询"),
        (10, "发货延迟,物流太慢,投诉", "投诉"),
        (10, "发货延迟三天,客服态度差", "投诉"),
        (10, "建议增加数据导出", "建议"),
        (10, "设备故障需要上门维修", "售后服务"),
    ]
    insert(
        ws,
        "tickets",
        [
            {
                "source": "svc",
                "ticket_id": f"t{i}",
                "customer_id": f"c{i % 3}",
                "opened_at": datetime(2026, m, 5 + i),
                "description": text,
                "category": cat,
            }
            for i, (m, text, cat) in enumerate(texts)
        ],
    )
    insert(
        ws,
        "surveys",
        [
            {
                "source": "svy",
                "survey_id": "s1",
                "customer_id": "c0",
                "surveyed_on": date(2026, 10, 20),
                "nps": 2,
                "comment": "Delivery was late again",
            },
            {
                "source": "svy",
                "survey_id": "s2",
                "customer_id": "c1",
                "surveyed_on": date(2026, 10, 21),
                "nps": 10,
                "comment": "Great, please add an API",
            },
            {
                "source": "svy",
                "survey_id": "s3",
                "customer_id": "c2",
                "surveyed_on": date(2026, 10, 22),
                "nps": 9,
                "comment": "  ",
            },
        ],
    )


def test_feedback_summary_for_one_month(ws: Workspace) -> None:
    _feedback_ws(ws)
    s = feedback_summary(ws, "2026-10", lang="zh")
    assert s["focus"] == "2026-10" and s["texts"] == 6  # the blank comment is ignored
    cats = {c["code"]: c["count"] for c in s["categories"]}
    # October: 2 complaint tickets + the detractor's survey; the API wish is a suggestion
    assert cats == {"complaint": 3, "suggestion": 2, "service": 1, "inquiry": 0}
    top = s["top_issues"][0]
    assert top["term"] == "发货延迟" and top["count"] == 2 and top["complaints"] == 2
    assert top["examples"][0]["text"] in {"发货延迟,物流太慢,投诉", "发货延迟三天,客服态度差"}
    delivery = next(t for t in s["topics"] if t["code"] == "delivery")
    assert delivery["count"] == 3 and delivery["label"] == "交付与物流"  # 2 tickets + 1 survey
    trend = s["complaint_trend"]
    assert trend["periods"] == ["2026-09", "2026-10"] and trend["complaints"] == [1, 3]
    d = next(t for t in trend["topics"] if t["code"] == "delivery")
    assert d["counts"] == [1, 3]
    assert s["classification"]["by_method"] == {"source": 6, "keywords": 2}


def test_feedback_by_quarter_in_english(ws: Workspace) -> None:
    _feedback_ws(ws)
    s = feedback_summary(ws, "quarter", lang="en")
    assert s["focus"] is None and s["periods"] == ["2026-Q3", "2026-Q4"]
    assert [p["texts"] for p in s["by_period"]] == [2, 6]
    assert {c["label"] for c in s["categories"]} >= {"Complaint", "Suggestion"}


def test_feedback_empty_workspace(ws: Workspace) -> None:
    s = feedback_summary(ws)
    assert s["texts"] == 0 and s["top_issues"] == []


def test_phrases_are_adjacent_content_words() -> None:
    seg = Segmenter(FB)
    text = "发票开具错误,已经是第二次了,请财务尽快核实更正。"
    phrases = seg.phrases(text)
    assert "发票开具错误" in phrases and "财务" in phrases
    # a stop word, a number or punctuation ends a phrase; generic words never stand alone
    assert not any("第二次" in p or "," in p for p in phrases)
    assert (
        "服务" not in seg.phrases("申请年度维保服务。") and seg.phrases("申请年度维保服务。") == []
    )
    assert "kh-plc200" not in seg.phrases("KH-PLC200 小型PLC外壳磕坏")  # model codes are names
    assert seg.phrases("Delivery was late again") == ["delivery", "late"]


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=80))
def test_every_phrase_is_a_substring_of_its_text(text: str) -> None:
    from kehu.monitor.textmine import normalize

    seg = Segmenter(FB)
    for p in seg.phrases(text):
        assert p and p in normalize(text) and p not in seg.stop


def test_select_topics_merges_one_finding_and_drops_what_is_said_everywhere() -> None:
    from kehu.monitor.textmine import select_topics

    complaints = [["发票", "发票开具错误", "变频器"]] * 4 + [["交货延迟", "变频器"]] * 3
    others = [["变频器", "报价"]] * 10
    # 发票 and 发票开具错误 are one finding (same texts): the longer phrase stands;
    # 变频器 is as common in inquiries as in complaints: not a finding
    assert select_topics(complaints, 5, others=others, min_lift=1.1) == ["发票开具错误", "交货延迟"]
    assert select_topics(complaints, 5, min_count=4) == ["变频器", "发票开具错误"]
    # cohesion: a phrase seen in few of the texts of its rarest word is a chance neighbourhood
    parts = {"变频器固件": ("变频器", "固件")}
    docs = [["变频器固件", "变频器", "固件"]] * 2 + [["固件"]] * 6 + [["变频器"]] * 6
    assert "变频器固件" not in select_topics(docs, 5, parts=parts, corpus=docs)


@pytest.fixture(scope="module")
def demo_ws(tmp_path_factory):
    from kehu.jobs.demo import run_demo

    result = run_demo(tmp_path_factory.mktemp("fb") / "demo", seed=7, size=0.2, analyze=False)
    ws = Workspace.open(result["workspace"])
    yield ws
    ws.close()


def test_demo_top_topics_read_like_findings(demo_ws: Workspace) -> None:
    from kehu.monitor.textmine import base_stopwords, generic_words, normalize

    s = feedback_summary(demo_ws, lang="zh")
    top = s["top_issues"][:5]
    assert len(top) == 5
    banned = base_stopwords() | generic_words() | {"服务", "年度", "维保", "提供"}
    for issue in top:
        assert issue["term"] not in banned and len(issue["term"]) >= 2
        assert issue["examples"] and all(
            issue["term"] in normalize(e["text"]) for e in issue["examples"]
        )
        assert issue["count"] >= 10 and sum(issue["trend"]) == issue["count"]
    assert len({i["term"] for i in top}) == 5
    # one month in focus: counts come with the month before
    month = feedback_summary(demo_ws, "2026-10", lang="zh")
    assert all(i["previous"] is not None for i in month["top_issues"])


def test_customer_needs_come_from_its_own_texts(demo_ws: Workspace) -> None:
    from kehu.monitor.feedback import analyze_texts, customer_needs, feedback_vocabulary, load_texts
    from kehu.monitor.textmine import normalize

    vocab = feedback_vocabulary(demo_ws)
    texts = analyze_texts(
        load_texts(demo_ws, vocab["start"], vocab["end"]), demo_ws.settings.feedback, 6
    )
    complainers = texts[texts["category"] == "complaint"]["customer_id"].value_counts()
    cid = complainers.index[0]
    needs = customer_needs(demo_ws, cid, vocab)
    own = [normalize(t) for t in texts[texts["customer_id"] == cid]["text"]]
    assert needs["pain_points"]
    categories = {"投诉", "产品咨询", "售后服务", "建议"}
    for item in needs["pain_points"] + needs["needs"]:
        assert item["phrase"] not in categories
        assert item["phrase"] in normalize(item["quote"]) and normalize(item["quote"]) in own
        assert sum(item["phrase"] in t for t in own) >= item["count"] >= 1
    assert customer_needs(demo_ws, "NOPE", vocab) == {
        "pain_points": [], "needs": [], "opportunities": []
    }  # fmt: skip


def test_partial_period_compares_the_same_days_before(demo_ws: Workspace) -> None:
    from kehu.monitor.feedback import analyze_texts, load_texts

    s = feedback_summary(demo_ws, "2026-Q4", lang="zh")  # the demo's data end on 2026-10-31
    assert s["partial"] == {"days": 31, "period_days": 92, "compared_end": "2026-07-31"}
    texts = load_texts(demo_ws, date(2026, 7, 1), date(2026, 7, 31))
    texts = analyze_texts(texts, demo_ws.settings.feedback, 6)
    topical = texts[texts["category"].isin(["complaint", "suggestion"])]
    for issue in s["top_issues"]:
        expected = int(topical["phrases"].map(lambda ps, t=issue["term"]: t in ps).sum())
        assert issue["previous"] == expected
    assert feedback_summary(demo_ws, "2026-09", lang="zh")["partial"] is None


def test_topics_when_every_text_is_a_complaint() -> None:
    from kehu.monitor.textmine import select_topics

    docs = [["交货延迟", "补偿"]] * 3 + [["发票开具错误"]] * 2
    assert select_topics(docs, 5, others=[], min_lift=1.1) == ["交货延迟", "发票开具错误"]
    one_other = [["报价"]]  # 5 of 6 texts: a phrase only in complaints has lift 1.2
    assert select_topics(docs, 5, others=one_other, min_lift=1.5)[0] == "交货延迟"


def test_web_360_shows_pain_points(tmp_path) -> None:
    import warnings

    from test_web_support import login, seed_workspace

    from kehu.web.app import create_app

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    ws = seed_workspace(tmp_path / "ws")
    cid = ws.rows("SELECT customer_id FROM tickets ORDER BY 1 LIMIT 1")[0][0]
    client = TestClient(create_app(ws, background=False))
    login(client, "admin")
    view = client.get(f"/api/v1/customers/{cid}/360").json()
    assert [p["phrase"] for p in view["needs"]["pain_points"]] == ["交货延迟"]
    page = client.get(f"/customers/{cid}", params={"lang": "en"}).text
    assert 'id="pain-points"' in page and "交货延迟" in page and "Pain points" in page
    ws.close()
