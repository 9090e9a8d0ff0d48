"""Key-account plans (大客户计划) for 战略级 / 核心级 customers: drafted from the data, edited
by the account team, stored per customer and year.

A plan has facts that are always read live (the snapshot's figures, share of wallet and the
competitor, the decision chain with each contact's last contact, open deals, risks) and the
parts people decide (goals, the account team with RACI roles, actions, notes). Until someone
saves the plan those parts are a draft made from the facts (decision 54.2); once saved, the
saved version is shown and the draft is still offered as suggestions.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

import pandas as pd

from kehu.analytics.competition import Matcher, Where, load_competitors, wallet_of
from kehu.analytics.labels import label
from kehu.analytics.query import customer_where, pick_as_of
from kehu.errors import KehuError, NotFoundError
from kehu.i18n import catalog
from kehu.planning.owners import assign, load_team
from kehu.planning.rescue import merge, reason_codes
from kehu.store.lookup import resolve_customer_id

if TYPE_CHECKING:
    from kehu.access.scope import Scope
    from kehu.workspace import Workspace

ROLES = ("采购", "技术", "高层", "财务", "使用")  # the decision chain of seed 002
RACI = ("R", "A", "C", "I")
STATUSES = ("draft", "agreed")
ROLE_CODES = ("account_manager", "sales_lead", "service", "region_lead")  # drafted team roles
INFLUENCE_RANK = {"high": 0, "medium": 1, "low": 2}

T = catalog("account_plan")


def _money(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def _pair(key: str, **kw: Any) -> dict[str, str]:
    """Both languages of a message; `role` and `influence` codes are labelled per language."""
    out = {}
    for lang in ("zh", "en"):
        args = dict(kw)
        if "role" in args:
            args["role"] = label("contact_role", args["role"], lang)
        if "influence" in args:
            code = args["influence"]
            args["influence"] = label("influence", code, lang) if code else T("unknown", lang)
        out[lang] = T(key, lang, **args)
    return out


def key_accounts(
    ws: Workspace,
    as_of: date | None = None,
    *,
    scope: Scope | None = None,
    owner: str | None = None,
    region: str | None = None,
    year: int | None = None,
) -> dict[str, Any]:
    """The customers of the plan tiers (inside `scope`, of this owner / region) with their
    revenue and the state of this year's plan."""
    day = pick_as_of(ws, as_of)
    year = year or day.year
    tiers = ws.settings.account_plan.tiers
    cond, params = customer_where(scope, owner=owner, region=region)
    marks = ", ".join("?" for _ in tiers) or "NULL"
    rows = ws.arrow(
        "SELECT c.customer_id, c.name, c.region, c.owner, s.value_tier, s.value_score,"
        " CAST(s.spend_12m AS DOUBLE) AS spend_12m, s.churn_risk, p.status AS plan_status,"
        " p.updated_at AS plan_updated_at FROM customer_snapshot s"
        " JOIN customers c ON c.customer_id = s.customer_id"
        " LEFT JOIN (SELECT customer_id, arg_max(status, updated_at) AS status,"
        "   max(updated_at) AS updated_at FROM account_plans WHERE year = ?"
        "   GROUP BY customer_id) p ON p.customer_id = c.customer_id"
        f" WHERE s.as_of = ? AND s.value_tier IN ({marks}) AND {cond}"
        " ORDER BY s.value_score DESC, c.customer_id",
        [year, day, *tiers, *params],
    ).to_pylist()
    return {"as_of": day, "year": year, "accounts": rows}


def _one(ws: Workspace, sql: str, params: list[Any]) -> dict[str, Any] | None:
    rows = ws.arrow(sql, params).to_pylist()
    return rows[0] if rows else None


def _customer(ws: Workspace, cid: str, day: date, where: Where) -> dict[str, Any]:
    cond, params = where
    row = _one(
        ws,
        "SELECT c.customer_id, c.name, c.region, c.owner, c.industry_code, c.industry_name,"
        " c.incumbent_supplier, c.share_of_wallet, CAST(c.wallet_size AS DOUBLE) AS wallet_size,"
        " s.value_tier, s.value_score, s.rfm_type, s.lifecycle, s.churn_risk, s.churn_reasons,"
        " s.main_categories, s.predicted_clv,"
        " CAST(coalesce(s.spend_12m, 0) AS DOUBLE) AS spend_12m,"
        " CAST(coalesce(s.spend_prev_12m, 0) AS DOUBLE) AS spend_prev_12m"
        " FROM customers c LEFT JOIN customer_snapshot s"
        "   ON s.customer_id = c.customer_id AND s.as_of = ?"
        f" WHERE c.customer_id = ? AND {cond}",
        [day, cid, *params],
    )
    if row is None:  # outside the scope reads exactly like a customer that does not exist
        raise NotFoundError(f"找不到客户 {cid}", f"customer {cid} not found")
    return row


def decision_chain(ws: Workspace, cid: str, day: date) -> list[dict[str, Any]]:
    """The customer's contacts, most influential first, each with its last contact: the later
    of the CRM's date and the last interaction logged with that contact's name."""
    rows = ws.arrow(
        "SELECT ct.contact_id, ct.name, ct.title, ct.role, ct.influence, ct.attitude,"
        " ct.relationship, ct.is_key, greatest(ct.last_contact_on, i.last_at) AS last_contact"
        " FROM contacts ct LEFT JOIN (SELECT contact_name, max(CAST(occurred_at AS DATE))"
        "   AS last_at FROM interactions WHERE customer_id = ? AND CAST(occurred_at AS DATE) <= ?"
        "   GROUP BY contact_name) i ON i.contact_name = ct.name"
        " WHERE ct.customer_id = ? ORDER BY ct.contact_id",
        [cid, day, cid],
    ).to_pylist()
    for r in rows:
        r["days_since_contact"] = (day - r["last_contact"]).days if r["last_contact"] else None
    rows.sort(
        key=lambda r: (INFLUENCE_RANK.get(r["influence"], 3), not r["is_key"], r["contact_id"])
    )
    return rows


def _deals(ws: Workspace, cid: str, day: date) -> list[dict[str, Any]]:
    return ws.arrow(
        "SELECT opportunity_id, name, stage, CAST(amount AS DOUBLE) AS amount, product_category,"
        " owner, created_on, competitor FROM opportunities"
        " WHERE customer_id = ? AND created_on <= ? AND coalesce(status, 'open') = 'open'"
        " ORDER BY amount DESC NULLS LAST, opportunity_id",
        [cid, day],
    ).to_pylist()


def grow_categories(ws: Workspace, c: dict[str, Any], day: date, n: int) -> list[dict[str, Any]]:
    """Categories most customers of its industry section bought in the last 12 months and
    this customer did not (cross-sell: 更深)."""
    section = (c["industry_code"] or "")[:1]
    if not section or n <= 0:
        return []
    start = day - timedelta(days=365)
    return ws.arrow(
        "SELECT o.product_category AS category, count(DISTINCT o.customer_id) AS peers"
        " FROM orders o JOIN customers p ON p.customer_id = o.customer_id"
        " WHERE left(p.industry_code, 1) = ? AND o.customer_id <> ? AND o.order_date > ?"
        " AND o.order_date <= ? AND o.product_category IS NOT NULL AND o.product_category NOT IN"
        " (SELECT product_category FROM orders WHERE customer_id = ? AND order_date > ?"
        "  AND order_date <= ? AND product_category IS NOT NULL)"
        " GROUP BY 1 ORDER BY peers DESC, category LIMIT ?",
        [section, c["customer_id"], start, day, c["customer_id"], start, day, n],
    ).to_pylist()


def _team(ws: Workspace, c: dict[str, Any]) -> list[dict[str, Any]]:
    """R the owner, A their manager (as tasks assign it), C the service engineer who handles
    most of its tickets, I the region lead when not already A."""
    team_info = load_team(ws, ws.settings.plan)
    frame = pd.DataFrame([{"owner": c["owner"], "region": c["region"]}])
    row = assign(frame, team_info, ws.settings.plan).iloc[0]
    out = []
    if row["owner"]:
        out.append({"name": row["owner"], "role": "account_manager", "raci": "R"})
    if row["accountable"]:
        out.append({"name": row["accountable"], "role": "sales_lead", "raci": "A"})
    engineer = ws.scalar(
        "SELECT owner FROM tickets WHERE customer_id = ? AND owner IS NOT NULL"
        " GROUP BY owner ORDER BY count(*) DESC, owner LIMIT 1",
        [c["customer_id"]],
    )
    if engineer:
        out.append({"name": engineer, "role": "service", "raci": "C"})
    lead = team_info.region_leads.get(c["region"] or "")
    if lead and lead != row["accountable"]:
        out.append({"name": lead, "role": "region_lead", "raci": "I"})
    return out


def _risks_and_actions(
    ws: Workspace,
    c: dict[str, Any],
    day: date,
    chain: list[dict[str, Any]],
    deals: list[dict[str, Any]],
    rival: dict[str, Any] | None,
    goals: dict[str, Any],
    team: list[dict[str, Any]],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    s = ws.settings.account_plan
    risks: list[dict[str, Any]] = []
    actions: list[dict[str, Any]] = []
    owner = next((m["name"] for m in team if m["raci"] == "R"), c["owner"])
    lead = next((m["name"] for m in team if m["raci"] == "A"), owner)
    due = (day + timedelta(days=s.action_days)).isoformat()

    def act(key: str, who: str | None, when: str = due, **kw: Any) -> None:
        actions.append({**_pair(key, **kw), "owner": who, "due": when, "done": False})

    churn_high = (c["churn_risk"] or 0) >= ws.settings.plan.churn_threshold
    for reason in json.loads(c["churn_reasons"] or "[]"):
        risks.append({"code": reason.get("code"), "zh": reason.get("zh"), "en": reason.get("en"),
                      "severity": "high" if churn_high else "medium"})  # fmt: skip
    if churn_high:
        urgent = (c["churn_risk"] or 0) >= ws.settings.plan.urgent_risk
        rescue = merge(reason_codes(c["churn_reasons"]), urgent)
        when = (day + timedelta(days=rescue.due_days or s.action_days)).isoformat()
        for a in rescue.actions:
            actions.append({"zh": a.zh, "en": a.en, "owner": owner, "due": when, "done": False})
    if rival is not None:
        risks.append({"code": "incumbent", "severity": "medium", **_pair(
            "risk_incumbent", name=rival["name"], others_pct=_pct(rival["others_share"]),
            others=_money(rival["others_spend"]))})  # fmt: skip
        act("act_incumbent", owner, name=rival["name"], share=_pct(goals["share_goal"]))
    matcher = rival["matcher"] if rival else Matcher(load_competitors(ws))
    for d in deals:
        comp = matcher.resolve(d["competitor"])
        if comp is not None:
            risks.append({"code": "bidding", "severity": "medium", **_pair(
                "risk_bidding", name=comp.name, deal=d["name"] or d["opportunity_id"],
                amount=_money(d["amount"]))})  # fmt: skip
        act("act_deal", d["owner"] or owner, deal=d["name"] or d["opportunity_id"],
            stage=d["stage"] or "—", amount=_money(d["amount"]))  # fmt: skip
    present = {r["role"] for r in chain}
    for role in s.required_roles:
        if role not in present:
            risks.append(
                {"code": "chain_gap", "severity": "medium", **_pair("risk_gap", role=role)}
            )
            act("act_gap", owner, role=role)
    for r in chain:
        decisive = r["influence"] == "high" or r["role"] in s.required_roles
        who = {"name": r["name"], "role": r["role"], "influence": r["influence"]}
        if r["attitude"] == "opponent" and r["influence"] in ("high", "medium"):
            risks.append({"code": "opponent", "severity": "high", **_pair("risk_opponent", **who)})
            act("act_opponent", lead, lead=lead, name=r["name"])
        days = r["days_since_contact"]
        if decisive and (days is None or days > s.contact_days):
            key = "risk_never" if days is None else "risk_stale"
            risks.append({"code": "stale_contact", "severity": "medium",
                          **_pair(key, **who, days=days)})  # fmt: skip
            act("act_visit", owner, name=r["name"], title=r["title"] or r["role"] or "—")
    for g in goals["categories"]:
        act("act_category", owner, category=g["category"], peers=g["peers"])
    return risks, actions


def _goals(
    c: dict[str, Any], share: float | None, cats: list[dict[str, Any]], ws: Workspace
) -> dict[str, Any]:
    s = ws.settings.account_plan
    goal = round(c["spend_12m"] * (1 + s.revenue_growth) / 1000) * 1000
    return {
        "revenue_goal": float(goal),
        "share_goal": min(1.0, share + s.share_gain) if share is not None else None,
        "categories": cats,
    }


def draft_plan(
    ws: Workspace,
    customer_id: str,
    *,
    year: int | None = None,
    as_of: date | None = None,
    scope: Scope | None = None,
) -> dict[str, Any]:
    """The facts of the account and the drafted goals, team, risks and actions (a customer
    outside `scope` is not found)."""
    day = pick_as_of(ws, as_of)
    cid = resolve_customer_id(ws, customer_id)
    c = _customer(ws, cid, day, customer_where(scope))
    w = wallet_of(c["spend_12m"], c["share_of_wallet"], c["wallet_size"])
    matcher = Matcher(load_competitors(ws))
    comp = matcher.resolve(c["incumbent_supplier"])
    rival = None
    if comp is not None:
        others_share = 1 - w["share_of_wallet"] if w["share_of_wallet"] is not None else None
        rival = {"competitor_id": comp.competitor_id, "name": comp.name, "listed": comp.listed,
                 "others_share": others_share, "others_spend": w["others_spend"],
                 "matcher": matcher}  # fmt: skip
    cats = grow_categories(ws, c, day, ws.settings.account_plan.grow_categories)
    goals = _goals(c, w["share_of_wallet"], cats, ws)
    chain = decision_chain(ws, cid, day)
    deals = _deals(ws, cid, day)
    team = _team(ws, c)
    risks, actions = _risks_and_actions(ws, c, day, chain, deals, rival, goals, team)
    if rival is not None:
        rival.pop("matcher")
    prev = c["spend_prev_12m"]
    return {
        "as_of": day,
        "year": year or day.year,
        "customer": {
            k: c[k]
            for k in (
                "customer_id",
                "name",
                "region",
                "owner",
                "industry_code",
                "industry_name",
                "value_tier",
                "value_score",
                "rfm_type",
                "lifecycle",
                "churn_risk",
                "predicted_clv",
                "main_categories",
            )
        },  # fmt: skip
        "facts": {
            "spend_12m": c["spend_12m"],
            "spend_prev_12m": prev,
            "growth": c["spend_12m"] / prev - 1 if prev > 0 else None,
            **w,
            "competitor": rival,
        },
        "goals": goals,
        "decision_chain": chain,
        "chain_gaps": [
            r
            for r in ws.settings.account_plan.required_roles
            if r not in {x["role"] for x in chain}
        ],  # fmt: skip
        "team": team,
        "opportunities": deals,
        "risks": risks,
        "actions": actions,
        "notes": "",
        "status": "draft",
        "saved": False,
    }


def account_plan(
    ws: Workspace,
    customer_id: str,
    *,
    year: int | None = None,
    as_of: date | None = None,
    scope: Scope | None = None,
) -> dict[str, Any]:
    """The plan as saved (goals, team, actions, notes) over the live facts; the draft's
    actions stay available as `suggested_actions`."""
    plan = draft_plan(ws, customer_id, year=year, as_of=as_of, scope=scope)
    cid = plan["customer"]["customer_id"]
    saved = _one(
        ws,
        "SELECT * FROM account_plans WHERE customer_id = ? AND year = ?"
        " ORDER BY updated_at DESC, plan_id DESC LIMIT 1",
        [cid, plan["year"]],
    )
    plan["suggested_actions"] = plan["actions"]
    if saved is None:
        return plan
    plan.update(
        saved=True,
        status=saved["status"],
        updated_at=saved["updated_at"],
        updated_by=saved["updated_by"],
        notes=saved["notes"] or "",
        team=json.loads(saved["team"] or "[]"),
        actions=json.loads(saved["actions"] or "[]"),
    )
    plan["goals"] = {
        "revenue_goal": float(saved["revenue_goal"]) if saved["revenue_goal"] is not None else None,
        "share_goal": saved["share_goal"],
        "categories": json.loads(saved["categories"] or "[]"),
    }
    return plan


def _revenue(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).replace(",", "").replace("¥", "").strip())
    except InvalidOperation:
        raise KehuError(*T.pair("bad_money", value=value)) from None
    if amount < 0 or not amount.is_finite():
        raise KehuError(*T.pair("bad_money", value=value))
    return amount.quantize(Decimal("0.01"))


def _share(value: Any) -> float | None:
    """'35%', '35' or '0.35' -> 0.35 (a bare number above 1 is read as percent)."""
    if value in (None, ""):
        return None
    text = str(value).strip()
    try:
        number = float(text.rstrip("%").strip())
    except ValueError:
        raise KehuError(*T.pair("bad_share", value=value)) from None
    share = number / 100 if text.endswith("%") or number > 1 else number
    if not 0 <= share <= 1:
        raise KehuError(*T.pair("bad_share", value=value))
    return share


def _clean_team(team: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for m in team:
        name = str(m.get("name") or "").strip()
        if not name:
            continue
        raci = str(m.get("raci") or "").strip().upper()
        if raci not in RACI:
            raise KehuError(*T.pair("bad_raci", value=m.get("raci")))
        out.append({"name": name, "role": str(m.get("role") or "").strip(), "raci": raci})
    return out


def _clean_actions(actions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for a in actions:
        zh = str(a.get("zh") or a.get("text") or "").strip()
        en = str(a.get("en") or "").strip() or zh
        if not zh:
            continue
        due = str(a.get("due") or "").strip() or None
        if due is not None:
            try:
                due = date.fromisoformat(due).isoformat()
            except ValueError:
                raise KehuError(*T.pair("bad_due", value=due)) from None
        owner = str(a.get("owner") or "").strip() or None
        out.append({"zh": zh, "en": en, "owner": owner, "due": due, "done": bool(a.get("done"))})
    return out


def save_plan(
    ws: Workspace,
    customer_id: str,
    edits: dict[str, Any],
    *,
    year: int | None = None,
    scope: Scope | None = None,
    user: str | None = None,
) -> dict[str, Any]:
    """Store the edited parts of a plan (goals, team, actions, notes, status); returns it."""
    current = account_plan(ws, customer_id, year=year, scope=scope)
    cid, year = current["customer"]["customer_id"], current["year"]
    if not 2000 <= year <= 2100:
        raise KehuError(*T.pair("bad_year", value=year))
    goals = current["goals"]
    status = str(edits.get("status") or current["status"])
    if status not in STATUSES:
        raise KehuError(*T.pair("bad_status", value=status))
    revenue = _revenue(edits["revenue_goal"]) if "revenue_goal" in edits else goals["revenue_goal"]
    share = _share(edits["share_goal"]) if "share_goal" in edits else goals["share_goal"]
    categories = edits.get("categories", goals["categories"])
    if isinstance(categories, str):
        categories = [
            {"category": x.strip()} for x in categories.replace(",", ",").split(",") if x.strip()
        ]
    team = _clean_team(edits.get("team", current["team"]))
    actions = _clean_actions(edits.get("actions", current["actions"]))
    notes = str(edits.get("notes", current["notes"]) or "")
    now = datetime.now()
    with ws.transaction() as cur:
        plan_id = cur.execute(
            "SELECT plan_id FROM account_plans WHERE customer_id = ? AND year = ?"
            " ORDER BY updated_at DESC, plan_id DESC LIMIT 1",
            [cid, year],
        ).fetchone()
        values = [status, revenue, share, json.dumps(categories, ensure_ascii=False),
                  json.dumps(team, ensure_ascii=False), json.dumps(actions, ensure_ascii=False),
                  notes, user, now]  # fmt: skip
        if plan_id:
            cur.execute(
                "UPDATE account_plans SET status = ?, revenue_goal = ?, share_goal = ?,"
                " categories = ?, team = ?, actions = ?, notes = ?, updated_by = ?,"
                " updated_at = ? WHERE plan_id = ?",
                [*values, plan_id[0]],
            )
        else:
            (new_id,) = cur.execute(
                "SELECT coalesce(max(plan_id), 0) + 1 FROM account_plans"
            ).fetchone() or (1,)
            cur.execute(
                "INSERT INTO account_plans (status, revenue_goal, share_goal, categories, team,"
                " actions, notes, updated_by, updated_at, plan_id, customer_id, year, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [*values, new_id, cid, year, now],
            )
    return account_plan(ws, cid, year=year, scope=scope)
