"""Pages of competitors, the market and key-account plans (their texts kept here)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kehu.analytics.labels import label
from kehu.analytics.market import DIMENSIONS
from kehu.i18n import Catalog
from kehu.planning.account_plan import RACI, ROLE_CODES, ROLES, STATUSES
from kehu.planning.account_plan_texts import TEXTS as PLAN_TEXTS
from kehu.planning.account_plan_texts import contact_when, status_text, team_role
from kehu.web.api.deps import FormUser, PageUser, State, client_ip, lang_of
from kehu.web.api.params import PathId, Word
from kehu.web.pages import render
from kehu.web.services import market

router = APIRouter(include_in_schema=False)

TEXTS = Catalog(
    {
        "competitors": ("竞争对手", "Competitors"),
        "competitors_sub": (
            "谁在与我们争夺客户:覆盖的客户、区域和行业,涉及的收入与商机,赢输记录",
            "Who competes for our customers: coverage, revenue and pipeline at stake, win/loss",
        ),
        "competitor": ("竞争对手", "Competitor"),
        "price": ("价格定位", "Pricing"),
        "covered": ("涉及客户", "Customers"),
        "incumbent_at": ("现有供应商", "Incumbent at"),
        "mentioned_at": ("备注提及", "Mentioned at"),
        "revenue": ("我方近12月收入", "Our revenue (12 m)"),
        "others": ("对手占有的采购额", "Wallet it holds"),
        "pipeline": ("在争商机", "Contested pipeline"),
        "won_lost": ("赢 / 输", "Won / lost"),
        "win_rate": ("胜率", "Win rate"),
        "lost_to": ("输给对手的金额", "Lost to it"),
        "regions": ("区域", "Regions"),
        "industries": ("行业门类", "Industry sections"),
        "reasons": ("丢单原因", "Loss reasons"),
        "unlisted": ("未在竞争对手清单中", "not in the competitor list"),
        "by_customer": ("客户的竞争情况", "Competition by customer"),
        "customer": ("客户", "Customer"),
        "region": ("区域", "Region"),
        "owner": ("负责人", "Owner"),
        "sow": ("我方钱包份额", "Our share of wallet"),
        "basis_estimate": ("销售估计", "rep's estimate"),
        "basis_wallet": ("按客户采购总额计算", "from the customer's wallet"),
        "wallet": ("客户采购总额", "Customer wallet"),
        "mentions": ("提及", "Mentions"),
        "recent_mentions": ("最近的提及", "Recent mentions"),
        "src_interaction": ("沟通记录", "interaction"),
        "src_ticket": ("服务工单", "ticket"),
        "src_survey": ("满意度调查", "survey"),
        "none": (
            "还没有竞争对手数据:导入 `kehu import --kind competitors`,并在客户/商机中填写竞争对手",
            "No competitor data yet: import `kehu import --kind competitors` and fill the"
            " competitor fields of customers and opportunities",
        ),
        "formula": (
            "对手占有的采购额 = 客户采购总额 × (1 − 我方钱包份额);胜率 = 赢单 ÷ (赢单 + 输单),"
            "只计有该对手参与的已关闭商机",
            "Wallet it holds = customer wallet × (1 − our share); win rate = won ÷ (won + lost)"
            " over closed deals it took part in",
        ),
        "market": ("市场与行业", "Market and industry"),
        "market_sub": (
            "按行业、区域、企业规模看收入、客户、增长和占比;对照市场规模看渗透率与空白市场",
            "Revenue, customers, growth and share by industry, region and size; penetration and"
            " white space against the market size",
        ),
        "segment": ("分组", "Segment"),
        "customers": ("客户数", "Customers"),
        "active": ("近12月有购买", "Active (12 m)"),
        "growth": ("同比增长", "Growth"),
        "share": ("收入占比", "Revenue share"),
        "cells": ("市场渗透({year} 年市场规模)", "Penetration ({year} market size)"),
        "industry": ("行业", "Industry"),
        "market_size": ("市场规模", "Market size"),
        "penetration": ("渗透率", "Penetration"),
        "coverage": ("客户覆盖", "Coverage"),
        "potential": ("未开发潜力", "Untapped"),
        "white_space": ("空白市场", "White space"),
        "white_rule": (
            "空白市场:有购买的客户不超过 {n} 家,或渗透率低于 {p};"
            "渗透率 = 近 12 个月收入 ÷ 市场规模,客户覆盖 = 有购买的客户 ÷ 企业数",
            "White space: at most {n} active customers, or penetration below {p}; penetration ="
            " revenue over 12 months ÷ market size, coverage = active customers ÷ companies",
        ),
        "no_market": (
            "还没有市场潜力数据:导入 `kehu import --kind market_potential`(区域 × 行业 × 年份)",
            "No market potential yet: import `kehu import --kind market_potential`"
            " (region × industry × year)",
        ),
    }
)


def _texts(request: Request) -> dict[str, Any]:
    lang = lang_of(request)
    return {"m": lambda key, **kw: TEXTS(key, lang, **kw)}


@router.get("/market", response_class=HTMLResponse)
def market_page(
    request: Request, state: State, who: PageUser, by: Word = "section"
) -> HTMLResponse:
    by = by if by in DIMENSIONS else "section"
    view = market.market_view(state, who.scope, lang_of(request))
    rule = state.settings.market
    return render(
        request,
        "market.html",
        who,
        nav="market",
        view=view,
        by=by,
        dims=DIMENSIONS,
        white_n=rule.white_space_customers,
        white_p=f"{rule.white_space_penetration * 100:g}%",
        **_texts(request),
    )


@router.get("/competitors", response_class=HTMLResponse)
def competitors_page(request: Request, state: State, who: PageUser) -> HTMLResponse:
    view = market.competitors(state, who.scope)
    return render(request, "competitors.html", who, nav="competitors", view=view, **_texts(request))


def _plan_texts(request: Request) -> dict[str, Any]:
    lang = lang_of(request)
    return {
        "p": lambda key, **kw: PLAN_TEXTS(key, lang, **kw),
        "status_text": lambda code: status_text(code, lang),
        "team_role": lambda code: team_role(code, lang),
        "contact_when": lambda days: contact_when(days, lang),
    }


@router.get("/accounts", response_class=HTMLResponse)
def accounts_page(request: Request, state: State, who: PageUser) -> HTMLResponse:
    lang = lang_of(request)
    tiers = "/".join(label("value_tier", t, lang) for t in state.settings.account_plan.tiers)
    return render(
        request,
        "accounts.html",
        who,
        nav="accounts",
        view=market.key_accounts(state, who.scope),
        tiers=tiers,
        **_plan_texts(request),
    )


def _map_data(plan: dict[str, Any], lang: str) -> dict[str, Any]:
    """The relationship map: the customer in the middle, its contacts around it."""
    return {
        "center": plan["customer"]["name"],
        "contacts": [
            {
                "name": r["name"],
                "title": r["title"],
                "role": label("contact_role", r["role"], lang),
                "influence": r["influence"],
                "attitude": r["attitude"],
                "attitude_label": label("attitude", r["attitude"], lang),
                "relationship": r["relationship"],
                "last": contact_when(r["days_since_contact"], lang),
            }
            for r in plan["decision_chain"]
        ],
    }


@router.get("/accounts/{customer_id}", response_class=HTMLResponse)
def account_plan_page(
    request: Request,
    state: State,
    who: PageUser,
    customer_id: PathId,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> HTMLResponse:
    plan = market.account_plan(state, who.scope, customer_id, year)
    lang = lang_of(request)
    return render(
        request,
        "account_plan.html",
        who,
        nav="accounts",
        plan=plan,
        chart_data={"relationship": _map_data(plan, lang)},
        can_edit=who.scope.may("edit_plan"),
        raci_codes=RACI,
        statuses=STATUSES,
        roles=ROLES,
        **_plan_texts(request),
    )


def _rows(form: Any, prefix: str, fields: tuple[str, ...]) -> list[dict[str, str]]:
    """Rows posted as `<prefix>_<field>_<i>` (0, 1, ...), in index order."""
    index = sorted({int(k.rsplit("_", 1)[1]) for k in form if k.startswith(prefix + "_")
                    and k.rsplit("_", 1)[1].isdigit()})  # fmt: skip
    return [{f: str(form.get(f"{prefix}_{f}_{i}") or "") for f in fields} for i in index]


def plan_edits(form: Any, lang: str) -> dict[str, Any]:
    """The plan edits of a posted form. An action whose text is unchanged keeps both of its
    languages; an edited one is stored as typed."""
    actions = []
    for a in _rows(form, "act", ("text", "zh", "en", "owner", "due", "done")):
        original = a["en"] if lang == "en" else a["zh"]
        text = a["text"].strip()
        same = text and text == original
        kept = {"zh": a["zh"], "en": a["en"]} if same else {"zh": text, "en": text}
        actions.append({**kept, "owner": a["owner"], "due": a["due"], "done": a["done"] == "1"})
    codes = {team_role(code, lang): code for code in ROLE_CODES}  # drafted roles keep their code
    team = [{**m, "role": codes.get(m["role"].strip(), m["role"])}
            for m in _rows(form, "team", ("name", "role", "raci"))]  # fmt: skip
    return {
        "revenue_goal": str(form.get("revenue_goal") or ""),
        "share_goal": str(form.get("share_goal") or ""),
        "categories": str(form.get("categories") or ""),
        "status": str(form.get("status") or "draft"),
        "notes": str(form.get("notes") or ""),
        "team": team,
        "actions": actions,
    }


@router.post("/accounts/{customer_id}")
async def account_plan_save(
    request: Request, state: State, who: FormUser, customer_id: PathId
) -> Response:
    form = await request.form()
    year = str(form.get("year") or "")
    edits = plan_edits(form, lang_of(request))
    market.save_account_plan(
        state, who.scope, customer_id, edits, int(year) if year.isdigit() else None,
        ip=client_ip(request),
    )  # fmt: skip
    back = f"/accounts/{customer_id}" + (f"?year={year}&" if year.isdigit() else "?")
    return RedirectResponse(back + "done=plan_saved", status_code=303)


@router.get("/accounts/{customer_id}/export")
def account_plan_export(
    request: Request,
    state: State,
    who: PageUser,
    customer_id: PathId,
    format: Annotated[str, Query(pattern="^(xlsx|pdf)$")] = "xlsx",  # noqa: A002
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> Response:
    data, media, name = market.export_account_plan(
        state, who.scope, customer_id, format, lang_of(request), year, ip=client_ip(request)
    )
    return Response(
        data, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
