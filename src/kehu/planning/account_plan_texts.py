"""The words of a key-account plan, shared by its page, its CLI view and its XLSX/PDF files."""

from __future__ import annotations

from typing import Any

from kehu.analytics.labels import label
from kehu.i18n import Catalog
from kehu.planning.account_plan import ROLE_CODES, T

TEXTS = Catalog(
    {
        "title": ("大客户计划 · {name}({year} 年)", "Key-account plan · {name} ({year})"),
        "accounts": ("大客户计划", "Key-account plans"),
        "accounts_sub": (
            "{tiers}客户的年度计划:目标、决策链、团队、商机、风险与行动",
            "Yearly plans of {tiers} customers: goals, decision chain, team, deals, risks, actions",
        ),
        "meta": (
            "快照 {as_of} · 区域 {region} · 负责人 {owner} · 状态 {status}",
            "Snapshot {as_of} · region {region} · owner {owner} · status {status}",
        ),
        "plan_status": ("计划状态", "Plan"),
        "customer": ("客户", "Customer"),
        "status_draft": ("草稿", "draft"),
        "status_agreed": ("已确认", "agreed"),
        "status_none": ("未建立", "not started"),
        "draft_note": (
            "尚未保存:以下目标、团队和行动是根据数据生成的草稿",
            "Not saved yet: the goals, team and actions below are a draft made from the data",
        ),
        "saved_note": ("{by} 于 {at} 保存", "saved by {by} on {at}"),
        "facts": ("现状", "Where we stand"),
        "spend_12m": ("近 12 个月收入", "Revenue, last 12 months"),
        "growth": ("同比增长", "Growth"),
        "share_of_wallet": ("我方钱包份额", "Our share of wallet"),
        "wallet": ("客户采购总额", "Customer wallet"),
        "competitor": ("现有供应商(竞争对手)", "Incumbent (competitor)"),
        "value_tier": ("价值分层", "Value tier"),
        "churn_risk": ("流失风险", "Churn risk"),
        "goals": ("年度目标", "Goals for the year"),
        "revenue_goal": ("收入目标", "Revenue goal"),
        "share_goal": ("钱包份额目标", "Share-of-wallet goal"),
        "categories": ("拓展品类", "Categories to grow"),
        "chain": ("决策链", "Decision chain"),
        "chain_gaps": ("缺少的角色:{roles}", "Roles missing: {roles}"),
        "contact": ("联系人", "Contact"),
        "title_col": ("职位", "Title"),
        "role": ("角色", "Role"),
        "influence": ("影响力", "Influence"),
        "attitude": ("态度", "Attitude"),
        "relationship": ("关系强度", "Relationship"),
        "last_contact": ("最近联系", "Last contact"),
        "days_ago": ("{n} 天前", "{n} days ago"),
        "never": ("无记录", "never"),
        "team": ("客户团队(RACI)", "Account team (RACI)"),
        "name": ("姓名", "Name"),
        "raci": ("RACI", "RACI"),
        "raci_R": ("R 负责执行", "R responsible"),
        "raci_A": ("A 最终负责", "A accountable"),
        "raci_C": ("C 咨询", "C consulted"),
        "raci_I": ("I 知会", "I informed"),
        "deals": ("在谈商机", "Open deals"),
        "deal": ("商机", "Deal"),
        "stage": ("阶段", "Stage"),
        "amount": ("金额", "Amount"),
        "rival": ("竞争对手", "Competitor"),
        "risks": ("风险", "Risks"),
        "severity": ("级别", "Severity"),
        "sev_high": ("高", "high"),
        "sev_medium": ("中", "medium"),
        "risk": ("风险", "Risk"),
        "actions": ("行动计划", "Actions"),
        "action": ("行动", "Action"),
        "owner": ("负责人", "Owner"),
        "due": ("截止日期", "Due"),
        "done": ("已完成", "Done"),
        "notes": ("备注", "Notes"),
        "none": ("无", "none"),
        "suggested": ("根据数据建议的行动", "Actions the data suggests"),
        "relationship_map": ("关系图谱", "Relationship map"),
        "map_legend": (
            "节点大小 = 影响力,颜色 = 态度(绿 支持 · 灰 中立 · 红 反对),连线粗细 = 关系强度",
            "Node size = influence, colour = attitude (green supporter · grey neutral · red"
            " opponent), line width = relationship strength",
        ),
        "export_xlsx": ("导出 XLSX", "Export XLSX"),
        "export_pdf": ("导出 PDF", "Export PDF"),
        "save": ("保存计划", "Save plan"),
        "add_row": ("(新增一行)", "(new row)"),
    }
)


def _money(value: Any) -> str:
    return "—" if value is None else f"¥{float(value):,.0f}"


def _pct(value: Any) -> str:
    return "—" if value is None else f"{float(value) * 100:.0f}%"


def contact_when(days: int | None, lang: str) -> str:
    return TEXTS("never", lang) if days is None else TEXTS("days_ago", lang, n=days)


def status_text(status: str | None, lang: str) -> str:
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
