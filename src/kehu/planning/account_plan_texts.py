"""The words of a key-account plan, shared by its page, its CLI view and its XLSX/PDF files."""

from __future__ import annotations

from typing import Any

from kehu.analytics.labels import label
from kehu.i18n import catalog
from kehu.planning.account_plan import ROLE_CODES, T

TEXTS = catalog("account_plan_texts")


def _money(value: Any) -> str:
    return "—" if value is None else f"¥{float(value):,.0f}"


def _pct(value: Any) -> str:
    return "—" if value is None else f"{float(value) * 100:.0f}%"


def contact_when(days: int | None, lang: str) -> str:
    """When a contact was last reached, as a reader says it ("12 days ago", "never")."""
    return TEXTS("never", lang) if days is None else TEXTS("days_ago", lang, n=days)


def status_text(status: str | None, lang: str) -> str:
    """A plan's status (draft, agreed, or none saved yet) in the reader's language."""
    return TEXTS(f"status_{status if status in ('draft', 'agreed') else 'none'}", lang)


def team_role(role: str | None, lang: str) -> str:
    """A drafted role code in the reader's language; a role a person typed as typed."""
    if role in ROLE_CODES:
        return T(f"role_{role}", lang)
    return role or "—"


def sections(plan: dict[str, Any], lang: str) -> list[tuple[str, list[str], list[list[Any]]]]:
    """(heading, column headers, rows) of every part of a plan, in reading order: the one
    layout the XLSX and PDF files and the terminal share."""
    t = lambda key, **kw: TEXTS(key, lang, **kw)  # noqa: E731
    f, c, g = plan["facts"], plan["customer"], plan["goals"]
    rival = f.get("competitor")
    facts = [
        [t("value_tier"), label("value_tier", c["value_tier"], lang)],
        [t("spend_12m"), _money(f["spend_12m"])],
        [t("growth"), _pct(f["growth"])],
        [t("share_of_wallet"), _pct(f["share_of_wallet"])],
        [t("wallet"), _money(f["wallet"])],
        [t("competitor"), rival["name"] if rival else "—"],
        [t("churn_risk"), _pct(c["churn_risk"])],
    ]
    goals = [
        [t("revenue_goal"), _money(g["revenue_goal"])],
        [t("share_goal"), _pct(g["share_goal"])],
        [t("categories"), ", ".join(x["category"] for x in g["categories"]) or "—"],
    ]
    chain = [
        [r["name"], r["title"] or "—", label("contact_role", r["role"], lang),
         label("influence", r["influence"], lang), label("attitude", r["attitude"], lang),
         r["relationship"] if r["relationship"] is not None else "—",
         contact_when(r["days_since_contact"], lang)]
        for r in plan["decision_chain"]
    ]  # fmt: skip
    team = [[m["name"], team_role(m["role"], lang), t(f"raci_{m['raci']}")] for m in plan["team"]]
    deals = [
        [d["name"] or d["opportunity_id"], d["stage"] or "—", _money(d["amount"]),
         d["competitor"] or "—"]
        for d in plan["opportunities"]
    ]  # fmt: skip
    risks = [[t(f"sev_{r['severity']}"), r[lang] or r["zh"]] for r in plan["risks"]]
    actions = [
        [a["en"] if lang == "en" else a["zh"], a["owner"] or "—", a["due"] or "—",
         "✓" if a["done"] else ""]
        for a in plan["actions"]
    ]  # fmt: skip
    out = [
        (t("facts"), ["", ""], facts),
        (t("goals"), ["", ""], goals),
        (t("chain"), [t("contact"), t("title_col"), t("role"), t("influence"), t("attitude"),
                      t("relationship"), t("last_contact")], chain),
        (t("team"), [t("name"), t("role"), t("raci")], team),
        (t("deals"), [t("deal"), t("stage"), t("amount"), t("rival")], deals),
        (t("risks"), [t("severity"), t("risk")], risks),
        (t("actions"), [t("action"), t("owner"), t("due"), t("done")], actions),
    ]  # fmt: skip
    if plan.get("notes"):
        out.append((t("notes"), [""], [[plan["notes"]]]))
    return out
