"""No codes in user-facing text: every enum renders in zh and en through the label catalogues."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

import pytest

from kehu.analytics.churn.reasons import TEMPLATES
from kehu.analytics.kpis import KPIS
from kehu.analytics.labels import COLUMN_LABELS, KIND_NAMES, LABELS, column_label, label
from kehu.config import Settings
from kehu.i18n import part
from kehu.monitor import labels as mon
from kehu.planning import labels as plan
from kehu.planning.playbook import load_playbooks

CJK = re.compile(r"[\u3400-\u9fff]")
ACRONYM = re.compile(r"^[A-Z][A-Z0-9 /()]*$")  # R, ABC, NPS: the same in both languages


def _ui() -> dict[str, list[str]]:
    return part("web")


def _enums() -> list[tuple[str, str, Callable[[str], str]]]:
    """(enum, code, render(lang)) for every code users can see."""
    out: list[tuple[str, str, Callable[[str], str]]] = []
    for kind, codes in LABELS.items():
        out += [(kind, c, lambda lang, k=kind, c=c: label(k, c, lang)) for c in codes]
    out += [("column", c, lambda lang, c=c: column_label(c, lang)) for c in COLUMN_LABELS]
    out += [("kind", k, lambda lang, p=p: p[lang == "en"]) for k, p in KIND_NAMES.items()]
    for name in ("TASK_STATUS", "BANDS", "GOAL_STATUS", "TEAMS", "DIMENSIONS"):
        table = getattr(plan, name)
        out += [(name, c, lambda lang, t=table, c=c: plan.label(t, c, lang)) for c in table]
    out += [("alert field", f, lambda lang, f=f: mon.field_label(f, lang)) for f in mon.FIELDS]
    out += [("severity", s, lambda lang, s=s: mon.severity_label(s, lang)) for s in mon.SEVERITY]
    out += [("alert status", s, lambda lang, s=s: mon.value_label("status", s, lang))
            for s in mon.STATUS]  # fmt: skip
    out += [("kpi", k.code, k.label) for k in KPIS]
    out += [("kpi alert field", k.code, lambda lang, c=k.code: mon.field_label(c, lang))
            for k in KPIS]  # fmt: skip
    s = Settings()
    out += [("feedback category", c.code, lambda lang, c=c: c.en if lang == "en" else c.zh)
            for c in s.feedback.categories]  # fmt: skip
    out += [("feedback topic", t.code, lambda lang, t=t: t.en if lang == "en" else t.zh)
            for t in s.feedback.topics]  # fmt: skip
    out += [("alert rule", r.name, lambda lang, r=r: r.title_en if lang == "en" else r.title_zh)
            for r in s.alerts.rules]  # fmt: skip
    out += [("churn reason", c, lambda lang, p=p: p[lang == "en"]) for c, p in TEMPLATES.items()]
    for code, pb in load_playbooks(s).items():
        out.append(("playbook", code, pb.name))
        out.append(("direction", code, pb.direction))
        out += [("measure", a.code, a.text) for a in pb.actions]
        out += [("consulted", a.consulted, lambda lang, a=a: plan.team(a.consulted, lang))
                for a in pb.actions if a.consulted]  # fmt: skip
    ui = _ui()
    out += [("role", r, lambda lang, r=r: ui[f"role_{r}"][lang == "en"])
            for r in ("admin", "manager", "rep")]  # fmt: skip
    out += [("web severity", v, lambda lang, v=v: ui[f"sev_{v}"][lang == "en"])
            for v in mon.SEVERITY]  # fmt: skip
    return out


ENUMS = _enums()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_enum_has_a_label_in_both_languages(lang: str) -> None:
    bad = []
    for enum, code, render in ENUMS:
        text = render(lang)
        shown = re.sub(r"\{[^}]*\}", "", text or "")  # template slots are filled later
        # a word may be its own label in its language ("open"; a Chinese code such as the
        # contact role "采购" in zh); a code with "_" never is
        own_word = bool(CJK.search(code)) if lang == "zh" else True
        same = text == code and (not own_word or "_" in code)
        ok = bool(shown.strip()) and not same and "_" not in shown
        if ok and lang == "zh":
            ok = bool(CJK.search(text)) or (ACRONYM.match(text) and text == render("en"))
        if ok and lang == "en":
            ok = not CJK.search(text)
        if not ok:
            bad.append((enum, code, text))
    assert not bad, bad
    assert len(ENUMS) > 200  # the walk really covers the catalogues


def test_the_codes_the_system_writes_all_have_labels() -> None:
    s = Settings()
    assert set(s.report.watch_tiers) <= set(LABELS["value_tier"])
    assert set(s.plan.skip_lifecycles) <= set(LABELS["lifecycle"])
    for rule in s.alerts.rules:
        assert rule.field in mon.FIELDS or rule.field in COLUMN_LABELS
        for key, values in rule.scope.items():
            assert all(v in LABELS[key] for v in values)  # type: ignore[union-attr]
    for code in load_playbooks(s):
        kind, _, value = code.partition(".")
        assert value in LABELS[kind]


def test_goal_title_shows_the_scope_in_words() -> None:
    from kehu.planning.goals import goal_title

    goal = {"metric": "active_customers", "target": 150.0, "deadline": date(2027, 3, 31),
            "scope_key": "rfm_type", "scope_value": "high_value", "name": None}  # fmt: skip
    zh, en = goal_title(goal, "zh"), goal_title(goal, "en")
    assert "客户类型:高价值客户" in zh and "RFM type: High value" in en
    assert "rfm_type" not in zh + en and "high_value" not in zh + en


def test_customer_type_is_labelled_in_the_360(ws) -> None:
    from kehu.cli.analyze_views import render_customer

    view = {"customer_id": "c1", "as_of": None, "snapshot": None, "explanations": {},
            "churn_reasons": [], "profile": {"name": "甲", "customer_type": "person"}}  # fmt: skip
    from rich.console import Console

    console = Console(record=True, width=120)
    console.print(render_customer(view, "zh", False))
    text = console.export_text()
    assert "个人客户" in text and "person" not in text


def test_overdue_alert_names_the_amount_and_whole_days(ws) -> None:
    from kehu.monitor.evaluate import evaluate

    ws.cursor().execute(
        "INSERT INTO customers (source, source_id, customer_id, name)"
        " VALUES ('crm', 'c1', 'c1', '甲')"
    )
    due = date.today() - timedelta(days=39)
    ws.cursor().execute(
        "INSERT INTO orders (source, order_id, customer_id, order_date, amount, due_date,"
        " paid_amount) VALUES ('erp', 'o1', 'c1', ?, 12500, ?, 2000)",
        [due - timedelta(days=30), due],
    )
    s = ws.settings
    s.alerts.rules = [r for r in s.alerts.rules if r.name == "payment_overdue"]
    found = evaluate(ws, s).findings
    assert len(found) == 1
    zh, en = found[0].detail_zh, found[0].detail_en
    assert zh == "逾期天数 39 > 30,未回款 ¥10,500.00", zh
    assert en == "days overdue 39 > 30, ¥10,500.00 unpaid", en


def test_value_label_formats_days_and_money() -> None:
    assert mon.value_label("overdue_days", 39.0, "zh") == "39"
    assert mon.value_label("recency_days", 120.4, "en") == "120"
    assert mon.value_label("spend_12m", 1234.5, "zh") == "¥1,234.50"
    assert mon.value_label("value_tier", "strategic", "zh") == "战略级"
    assert mon.value_label("churn_risk", 0.72, "zh") == "0.72"
    assert mon.value_label("status", "at_risk", "en") == "at risk"


def test_a_standing_overdue_alert_is_reworded_with_todays_days(ws) -> None:
    from kehu.monitor.evaluate import evaluate
    from kehu.monitor.state import apply

    ws.cursor().execute(
        "INSERT INTO customers (source, source_id, customer_id, name)"
        " VALUES ('crm', 'c1', 'c1', '甲')"
    )
    due = date(2026, 9, 1)
    ws.cursor().execute(
        "INSERT INTO orders (source, order_id, customer_id, order_date, amount, due_date)"
        " VALUES ('erp', 'o1', 'c1', DATE '2026-08-01', 800, ?)",
        [due],
    )
    s = ws.settings
    s.alerts.rules = [r for r in s.alerts.rules if r.name == "payment_overdue"]
    for days in (39, 40):
        apply(ws, evaluate(ws, s, due + timedelta(days=days)), s)
    rows = ws.rows("SELECT alert_id, detail_zh FROM alerts")
    assert rows == [(1, "逾期天数 40 > 30,未回款 ¥800.00")]  # one alert, today's figures
