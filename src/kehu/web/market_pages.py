"""Pages of competitors, the market and key-account plans (their texts kept here)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from kehu.analytics.market import DIMENSIONS
from kehu.i18n import Catalog
from kehu.web.api.deps import PageUser, State, lang_of
from kehu.web.api.params import Word
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
