"""Rich renderings of the analytics results: summary, customer list, 360 view, flow matrix."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from kehu.app import ABSENT, ANALYSIS_STAGES, column_label, label
from kehu.i18n import pairs, tr

BAR_WIDTH = 12
FIT_META = {"loglik", "n", "n_unique", "converged", "iterations", "corr_frequency_spend"}


# ---- formatting helpers ------------------------------------------------------------------------
def money(x: Any) -> str:
    if x is None:
        return "—"
    try:
        v = float(x)
    except (TypeError, ValueError):
        return str(x)
    if v != v:
        return "—"
    return f"-¥{-v:,.2f}" if v < 0 else f"¥{v:,.2f}"


def pct(x: Any, digits: int = 1) -> str:
    if x is None:
        return "—"
    return f"{float(x) * 100:.{digits}f}%"


def num(x: Any, digits: int = 2) -> str:
    if x is None:
        return "—"
    try:
        v = float(x)
    except (TypeError, ValueError):
        return str(x)
    if v != v:
        return "—"
    return f"{v:,.{digits}f}"


def bar(share: float | None, width: int = BAR_WIDTH, style: str = "cyan") -> Text:
    share = max(0.0, min(1.0, share or 0.0))
    full = round(share * width)
    return Text("█" * full + "·" * (width - full), style=style)


def text(x: Any) -> str:
    if x is None:
        return "—"
    if isinstance(x, float) and x != x:
        return "—"
    if isinstance(x, datetime):
        return x.strftime("%Y-%m-%d %H:%M")
    if isinstance(x, date):
        return x.isoformat()
    if isinstance(x, Decimal):
        return f"{x:,.2f}"
    return str(x)


def mask_phone(phone: Any) -> str:
    """138****1234: keep the first three and the last four digits of the national number."""
    if phone is None:
        return "—"
    digits = re.sub(r"\D", "", str(phone))
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_email(email: Any) -> str:
    if not email or "@" not in str(email):
        return text(email)
    user, _, domain = str(email).partition("@")
    return (user[:1] + "***@" + domain) if user else "***@" + domain


def reason_text(reason: dict[str, Any], lang: str) -> str:
    return str(reason.get("en" if lang == "en" else "zh") or reason.get("code", ""))


# ---- analyze summary ---------------------------------------------------------------------------
def _distribution_table(title: str, rows: list[dict[str, Any]], kind: str, lang: str) -> Table:
    t = Table(title=title, title_justify="left", expand=False)
    t.add_column(tr(lang, "类别", "Class"))
    t.add_column(tr(lang, "客户数", "Customers"), justify="right")
    t.add_column(tr(lang, "占比", "Share"), justify="right")
    t.add_column(tr(lang, "近1年收入", "Revenue 12m"), justify="right")
    t.add_column(tr(lang, "收入占比", "Revenue share"), justify="right")
    t.add_column("")
    for r in rows:
        if not r["customers"]:
            continue
        t.add_row(
            label(kind, r["code"], lang),
            f"{r['customers']:,}",
            pct(r["customer_share"]),
            money(r["revenue"]),
            pct(r["revenue_share"]),
            bar(r["revenue_share"]),
        )
    return t


def pareto_sentence(p: dict[str, Any], lang: str) -> str:
    if not p.get("top_revenue_share"):
        return tr(lang, "近1年没有收入,无法计算帕累托分布", "no revenue in the last 12 months")
    x = p["top_share"] * 100
    y = p["top_revenue_share"] * 100
    z = p.get("top_profit_share")
    n = p["top_customers"]
    zh = f"前 {x:g}% 的客户({n:,} 位)贡献了 {y:.1f}% 的收入"
    en = f"The top {x:g}% of customers ({n:,}) give {y:.1f}% of revenue"
    if z is not None:
        zh += f"和 {z * 100:.1f}% 的利润"
        en += f" and {z * 100:.1f}% of profit"
    return tr(lang, zh + "。", en + ".")


def _churn_table(rows: list[dict[str, Any]], lang: str) -> Table:
    t = Table(
        title=tr(lang, "流失风险最高的在营客户(按风险收入排序)",
                 "Active customers most at risk (by revenue at risk)"),
        title_justify="left",
    )  # fmt: skip
    t.add_column(tr(lang, "客户", "Customer"), ratio=2)
    t.add_column(tr(lang, "负责人", "Owner"), no_wrap=True)
    t.add_column(tr(lang, "风险", "Risk"), justify="right", no_wrap=True)
    t.add_column(tr(lang, "近1年消费", "Spend 12m"), justify="right", no_wrap=True)
    t.add_column(tr(lang, "主要原因", "Main reasons"), ratio=3)
    for r in rows:
        reasons = "\n".join("• " + reason_text(x, lang) for x in r["reasons"][:2]) or "—"
        t.add_row(
            f"{r['name'] or ''} ({r['customer_id']})\n"
            f"[dim]{label('value_tier', r['value_tier'], lang)} · "
            f"{label('lifecycle', r.get('lifecycle'), lang)}[/]",
            text(r["owner"]),
            pct(r["churn_risk"], 0),
            money0(r["spend_12m"]),
            reasons,
        )
    return t


def _clv_lines(summary: dict[str, Any], lang: str) -> list[str]:
    clv = summary.get("clv") or {}
    head = summary.get("clv_headline") or {}
    if clv.get("reason") == "no_orders":
        return [tr(lang, "CLV:截至分析日期没有订单", "CLV: no orders up to the analysis date")]
    if not clv.get("available"):
        return [tr(lang, "CLV:模块不可用", "CLV: module not available")]
    params = clv.get("params") or {}
    lines = []
    if head.get("predicted_total") is not None:
        lines.append(
            tr(
                lang,
                f"预测终生价值合计 {money(head['predicted_total'])},"
                f"人均 {money(head['predicted_mean'])}"
                f"({head['customers_with_prediction']:,} 位客户)",
                f"Predicted CLV {money(head['predicted_total'])} in total, "
                f"{money(head['predicted_mean'])} on average "
                f"({head['customers_with_prediction']:,} customers)",
            )
        )
    msg = params.get("message_en" if lang == "en" else "message_zh")
    if msg:
        lines.append(f"CLV: {msg}")
    for key in ("purchase", "spend"):
        fit = params.get(key) or {}
        shown = ", ".join(
            f"{k}={v:.4g}"
            for k, v in fit.items()
            if k not in FIT_META and isinstance(v, int | float) and not isinstance(v, bool)
        )
        if shown:
            lines.append(f"{fit.get('model', key)}: {shown}")
    return lines


def _churn_line(summary: dict[str, Any], lang: str) -> str | None:
    churn = summary.get("churn") or {}
    if not churn.get("available"):
        return tr(lang, "流失预警:模块不可用", "Churn warning: module not available")
    msg = churn.get("message_en" if lang == "en" else "message_zh") or churn.get("status") or ""
    if not msg and not churn.get("customers"):
        msg = tr(lang, "没有可评估的客户(尚无订单)", "no customer to score (no orders yet)")
    auc = (churn.get("holdout") or {}).get("roc_auc")
    if auc is not None:
        msg += tr(lang, f"(时间切分留出集 AUC {auc:.3f})", f" (time-split holdout AUC {auc:.3f})")
    source = churn.get("source_en" if lang == "en" else "source_zh")
    if source:  # where churn_risk comes from, and the backtest that chose it
        backtest = churn.get("backtest_en" if lang == "en" else "backtest_zh") or ""
        msg += tr(lang, f";风险来自{source};{backtest}", f"; risk from {source}; {backtest}")
    return tr(lang, "流失预警:", "Churn warning: ") + msg


def render_summary(summary: dict[str, Any], lang: str) -> Group:
    """The `kehu analyze` report for a sales manager."""
    profit = summary.get("profit_12m")
    zh_profit = f" · 利润 {money(profit)}" if profit is not None else ""
    en_profit = f" · profit {money(profit)}" if profit is not None else ""
    revenue = money(summary["revenue_12m"])
    head = tr(
        lang,
        f"分析日期 {summary['as_of']} · 客户 {summary['customers']:,} 位 · "
        f"近1年有购买 {summary['active_customers']:,} 位 · 近1年收入 {revenue}{zh_profit}",
        f"As of {summary['as_of']} · {summary['customers']:,} customers · "
        f"{summary['active_customers']:,} bought in the last 12 months · revenue {revenue}"
        f"{en_profit}",
    )
    parts: list[Any] = [Panel(head, title=tr(lang, "客户分析", "Customer analysis"))]
    if not summary["customers"]:
        parts.append(
            Text(
                tr(
                    lang,
                    "还没有客户数据:先用 `kehu import` 导入客户和订单(或运行 `kehu demo`)。",
                    "No customers yet: load customers and orders with `kehu import` "
                    "(or try `kehu demo`).",
                )
            )
        )
        return Group(*parts)
    parts.append(_distribution_table(tr(lang, "RFM 客户类型", "RFM customer types"),
                                     summary["rfm_type"], "rfm_type", lang))  # fmt: skip
    parts.append(_distribution_table(tr(lang, "价值等级", "Value tiers"),
                                     summary["value_tier"], "value_tier", lang))  # fmt: skip
    parts.append(_distribution_table(tr(lang, "生命周期", "Lifecycle"),
                                     summary["lifecycle"], "lifecycle", lang))  # fmt: skip
    p = summary["pareto"]
    pareto_lines = [pareto_sentence(p, lang)]
    abc = p.get("abc", {})
    pareto_lines.append(
        "ABC: "
        + " · ".join(
            f"{c} {abc[c]['customers']:,} ({pct(abc[c]['revenue_share'])})" for c in ("A", "B", "C")
        )
    )
    if p.get("negative_profit_count"):
        pareto_lines.append(
            tr(
                lang,
                f"[red]{p['negative_profit_count']:,} 位客户利润为负,合计 "
                f"{money(p['negative_profit_total'])}[/]:",
                f"[red]{p['negative_profit_count']:,} customers lose money, "
                f"{money(p['negative_profit_total'])} in total[/]:",
            )
        )
        for r in p["negative_profit"][:5]:
            pareto_lines.append(f"  {r['name']} ({r['customer_id']}) {money(r['profit_12m'])}")
    parts.append(Panel("\n".join(pareto_lines), title=tr(lang, "帕累托 / ABC", "Pareto / ABC")))
    churn_line = _churn_line(summary, lang)
    if churn_line:
        parts.append(Text(churn_line))
    watch = summary.get("churn_watch")
    if watch:  # lost customers are counted apart, never as "at risk"
        pct_, at, lost = watch["threshold_pct"], watch["at_risk"], watch["lost"]
        parts.append(
            Text(
                tr(
                    lang,
                    f"流失风险 ≥ {pct_}% 的在营客户 {at:,} 位;已流失客户 {lost:,} 位(挽回候选)",
                    f"{at:,} active customers with churn risk ≥ {pct_}%; {lost:,} lost"
                    " customers (win-back candidates)",
                )
            )
        )
    if summary.get("churn_top"):
        parts.append(_churn_table(summary["churn_top"], lang))
    parts.append(Panel("\n".join(_clv_lines(summary, lang)), title="CLV"))
    timings = summary.get("timings") or {}
    if timings:
        known = ANALYSIS_STAGES.keys()  # a Catalog, not a dict
        shown = " · ".join(
            f"{ANALYSIS_STAGES(k, lang) if k in known else k} {v:.2f}s"
            for k, v in timings.items()
            if k != "total"
        )
        total = timings.get("total")
        parts.append(
            Text(tr(lang, "耗时:", "Timings: ") + shown
                 + (f" · {tr(lang, '合计', 'total')} {total:.2f}s" if total else ""),
                 style="dim")
        )  # fmt: skip
    return Group(*parts)


# ---- customer list -----------------------------------------------------------------------------
# The terminal list keeps to ~80 columns; --json has every column.
TERMINAL_COLUMNS = pairs("headers", "customer_list")


def render_customers(frame: Any, lang: str, as_of: date, total: int) -> Table:
    t = Table(
        title=tr(lang, f"客户列表({as_of},共 {total:,} 位)", f"Customers ({as_of}, {total:,})"),
        title_justify="left",
        pad_edge=False,
    )
    cols = [c for c in TERMINAL_COLUMNS if c in frame.columns]
    for col in cols:
        left = col in {"customer_id", "name", "owner"} or _is_code(col)
        t.add_column(
            tr(lang, *TERMINAL_COLUMNS[col]),
            justify="left" if left else "right",
            no_wrap=not left,
            overflow="fold",
            min_width=6 if col == "name" else None,
        )
    for row in frame.to_dict("records"):
        cells = []
        for col in cols:
            v = row[col]
            cells.append(money0(v) if col == "spend_12m" else _cell(col, v, lang))
        t.add_row(*cells)
    return t


def money0(x: Any) -> str:
    """Money rounded to the yuan, for narrow tables."""
    try:
        v = float(x)
    except (TypeError, ValueError):
        return "—"
    if v != v:
        return "—"
    return f"-¥{-v:,.0f}" if v < 0 else f"¥{v:,.0f}"


def _is_code(col: str) -> bool:
    return col in {"rfm_type", "rfm_segment", "value_tier", "lifecycle", "abc_class"}


def _cell(col: str, value: Any, lang: str) -> str:
    if _is_code(col):
        kind = col
        return label(kind, value, lang) if value is not None else "—"
    if col in {"spend_12m", "predicted_clv", "profit_12m", "avg_order_value", "spend_total"}:
        return money(value)
    if col in {"churn_risk", "p_alive", "value_confidence"}:
        return pct(value, 0) if value is not None and value == value else "—"
    if col == "value_score":
        return num(value)
    if col in {"recency_days", "orders_12m"}:
        return num(value, 0)
    return text(value)


# ---- 360 view ----------------------------------------------------------------------------------
def _kv_table(rows: list[tuple[str, str]]) -> Table:
    t = Table.grid(padding=(0, 2))
    t.add_column(style="bold")
    t.add_column()
    for k, v in rows:
        t.add_row(k, v)
    return t


def _needs_rows(needs: dict[str, Any] | None, lang: str) -> list[tuple[str, str]]:
    """主要痛点 / 主要需求 lines: phrases from the customer's own texts, open opportunities."""
    if not needs:
        return []

    def phrases(items: list[dict[str, Any]]) -> list[str]:
        return [i["phrase"] + (f" ×{i['count']}" if i["count"] > 1 else "") for i in items]

    opps = [tr(lang, f"{o['topic']}(在谈商机)", f"{o['topic']} (open opportunity)")
            for o in needs["opportunities"]]  # fmt: skip
    return [
        (tr(lang, "主要痛点", "Pain points"), "、".join(phrases(needs["pain_points"])) or "—"),
        (tr(lang, "主要需求", "Needs"), "、".join(phrases(needs["needs"]) + opps) or "—"),
    ]


def render_customer(view: dict[str, Any], lang: str, show_pii: bool = False) -> Group:
    prof = view["profile"]
    snap = view["snapshot"] or {}
    phone = prof.get("phone")
    email = prof.get("email")
    place = " ".join(x for x in (prof.get("region"), prof.get("province"), prof.get("city")) if x)
    profile_rows = [
        (tr(lang, "客户编号", "ID"), view["customer_id"]),
        (tr(lang, "客户性质", "Type"), label("customer_type", prof.get("customer_type"), lang)),
        (
            tr(lang, "行业", "Industry"),
            text(prof.get("industry_name") or prof.get("industry_code")),
        ),
        (tr(lang, "区域", "Region"), place or "—"),
        (tr(lang, "负责人", "Owner"), text(prof.get("owner"))),
        (tr(lang, "合作起始", "Customer since"), text(prof.get("cooperation_start"))),
        (
            tr(lang, "关键联系人", "Key contact"),
            text(snap.get("key_contact") or prof.get("contact_name")),
        ),
        (tr(lang, "电话", "Phone"), text(phone) if show_pii else mask_phone(phone)),
        (tr(lang, "邮箱", "Email"), text(email) if show_pii else mask_email(email)),
        (tr(lang, "主要品类", "Main categories"), text(snap.get("main_categories"))),
        (tr(lang, "客单价", "Avg order value"), money(snap.get("avg_order_value"))),
        (tr(lang, "回款周期", "Payment cadence"), _days(snap.get("payment_cadence_days"), lang)),
        (tr(lang, "回款率", "Collection rate"), _pct(snap.get("collection_rate"))),
        (tr(lang, "未结工单", "Open tickets"), text(snap.get("open_tickets"))),
        (tr(lang, "主要工单类别", "Main ticket categories"), text(snap.get("top_needs"))),
        *_needs_rows(view.get("needs"), lang),
    ]
    title = f"{prof.get('name') or view['customer_id']}"
    parts: list[Any] = [Panel(_kv_table(profile_rows), title=title, subtitle=tr(
        lang, f"客户画像 · 快照 {text(view['as_of'])}", f"Portrait · snapshot {text(view['as_of'])}"
    ))]  # fmt: skip
    if not snap:
        parts.append(Text(tr(lang, "该客户还没有快照;运行 `kehu analyze`",
                             "no snapshot for this customer yet; run `kehu analyze`")))  # fmt: skip
    else:
        parts.append(_scores_table(snap, view["explanations"], lang))
        parts.append(_value_table(snap, view["explanations"], lang))
        parts.append(
            _clv_churn_panel(
                snap, view["churn_reasons"], lang, view.get("story"), view.get("clv_band")
            )
        )
    parts.extend(_activity_tables(view, lang, show_pii))
    return Group(*parts)


def _pct(value: Any, digits: int = 1) -> str:
    return "—" if value is None or value != value else pct(value, digits)


def _days(value: Any, lang: str) -> str:
    shown = num(value, 0)
    return shown if shown == "—" else tr(lang, f"{shown} 天", f"{shown} days")


def _scores_table(snap: dict[str, Any], ex: dict[str, Any], lang: str) -> Table:
    t = Table(title=tr(lang, "评分与分类", "Scores and classes"), title_justify="left")
    t.add_column(tr(lang, "项目", "Item"), style="bold")
    t.add_column(tr(lang, "结果", "Result"))
    t.add_column(tr(lang, "依据", "Why"))
    rows = [
        ("R", str(snap.get("r_score")), ex["r_score"]),
        ("F", str(snap.get("f_score")), ex["f_score"]),
        ("M", str(snap.get("m_score")), ex["m_score"]),
        (column_label("rfm_type", lang), label("rfm_type", snap.get("rfm_type"), lang),
         ex["rfm_type"]),
        (column_label("rfm_segment", lang), label("rfm_segment", snap.get("rfm_segment"), lang),
         ex["rfm_segment"]),
        (column_label("value_tier", lang), label("value_tier", snap.get("value_tier"), lang),
         ex["value_tier"]),
        ("ABC", text(snap.get("abc_class")), ex["abc_class"]),
        (column_label("lifecycle", lang), label("lifecycle", snap.get("lifecycle"), lang),
         ex["lifecycle"]),
    ]  # fmt: skip
    for r in rows:
        t.add_row(*r)
    return t


def _value_table(snap: dict[str, Any], ex: dict[str, Any], lang: str) -> Table:
    score, conf = num(snap.get("value_score")), pct(snap.get("value_confidence"), 0)
    t = Table(
        title=tr(
            lang,
            f"综合价值分 {score}(数据完整度 {conf})",
            f"Value score {score} (confidence {conf})",
        ),
        title_justify="left",
    )
    t.add_column(tr(lang, "维度", "Dimension"))
    t.add_column(tr(lang, "权重", "Weight"), justify="right")
    t.add_column(tr(lang, "得分", "Score"), justify="right")
    t.add_column("")
    t.add_column(tr(lang, "指标", "Indicators"))
    for d in ex["value"]:
        score = d["score"]
        t.add_row(
            d["label"],
            pct(d["weight"], 0),
            num(score) if score is not None else tr(lang, "无数据", "no data"),
            bar((score or 0) / 100, 10, "green"),
            "、".join(d["indicators"]) if lang != "en" else ", ".join(d["indicators"]),
        )
    return t


def _band(band: dict[str, Any] | None, key: str, fmt: Any, lang: str) -> str:
    """ " (95 % 区间 a–b)" after a figure, when the run kept the model's covariance."""
    values = (band or {}).get(key)
    if not values:
        return ""
    return tr(lang, f" [dim](95% 区间 {fmt(values[1])}–{fmt(values[2])})[/]",
              f" [dim](95% band {fmt(values[1])}–{fmt(values[2])})[/]")  # fmt: skip


def _clv_churn_panel(
    snap: dict[str, Any],
    reasons: list[dict[str, Any]],
    lang: str,
    story: dict[str, Any] | None = None,
    band: dict[str, Any] | None = None,
) -> Panel:
    purchases = num(snap.get("expected_purchases")) + _band(band, "expected_purchases", num, lang)
    clv = money(snap.get("predicted_clv")) + _band(band, "predicted_clv", money, lang)
    items = [
        (("历史价值(收入)", "Historical value (revenue)"), money(snap.get("clv_historical"))),
        (("历史利润", "Historical profit"), money(snap.get("profit_historical"))),
        (("存活概率", "P(alive)"), _pct(snap.get("p_alive"), 0)),
        (("预期购买次数", "Expected purchases"), purchases),
        (("预测终生价值", "Predicted CLV"), clv),
        (("流失风险", "Churn risk"), _pct(snap.get("churn_risk"), 0)),
    ]
    lines = [f"{tr(lang, *names)}: {shown}" for names, shown in items]
    story = story or {}
    if story.get("label"):  # one story (kehu.analytics.coherence): label and explanations
        lines.insert(0, f"[bold]{story['label']}[/]")
    lines += [f"  [dim]ⓘ[/] {n['text']}" for n in story.get("notes", []) if n["code"] != "reason"]
    for r in reasons:
        evidence = r.get("evidence")
        tail = f" [dim]{json.dumps(evidence, ensure_ascii=False)}[/]" if evidence else ""
        lines.append(f"  • {reason_text(r, lang)}{tail}")
    return Panel("\n".join(lines), title=tr(lang, "终生价值与流失预警", "CLV and churn warning"))


def _activity_tables(view: dict[str, Any], lang: str, show_pii: bool) -> list[Table]:
    out = []

    def cols(*pairs: tuple[str, str, str]) -> list[tuple[str, str]]:
        return [(key, tr(lang, zh, en)) for key, zh, en in pairs]

    specs = [
        ("orders", tr(lang, "最近订单", "Recent orders"), cols(
            ("order_id", "订单号", "Order"), ("order_date", "日期", "Date"),
            ("amount", "金额", "Amount"), ("product_category", "品类", "Category"),
            ("paid_amount", "已回款", "Paid"))),
        ("interactions", tr(lang, "最近沟通", "Recent interactions"), cols(
            ("occurred_at", "时间", "When"), ("kind", "方式", "Kind"),
            ("owner", "负责人", "Owner"), ("summary", "内容", "Summary"))),
        ("tickets", tr(lang, "最近工单", "Recent tickets"), cols(
            ("opened_at", "提交时间", "Opened"), ("category", "类别", "Category"),
            ("status", "状态", "Status"), ("description", "描述", "Description"))),
        ("contacts", tr(lang, "联系人", "Contacts"), cols(
            ("name", "姓名", "Name"), ("title", "职位", "Title"), ("role", "角色", "Role"),
            ("phone", "电话", "Phone"))),
    ]  # fmt: skip
    for key, title, columns in specs:
        rows = view.get(key) or []
        if not rows:
            continue
        t = Table(title=title, title_justify="left")
        for _, head in columns:
            t.add_column(head, overflow="fold")
        for r in rows:
            cells = []
            for col, _ in columns:
                v = r.get(col)
                if col == "phone" and not show_pii:
                    cells.append(mask_phone(v))
                elif col in {"amount", "paid_amount"}:
                    cells.append(money(v))
                else:
                    cells.append(text(v))
            t.add_row(*cells)
        out.append(t)
    return out


# ---- flows -------------------------------------------------------------------------------------
def render_flows(data: dict[str, Any], lang: str) -> Group:
    by = data["by"]
    codes = data["codes"]
    cells = {(c["from"], c["to"]): c for c in data["cells"]}

    def name(code: str) -> str:
        if code == ABSENT:
            return tr(lang, "(不在快照中)", "(absent)")
        return label(by, code, lang)

    def matrix(title: str, value: Any) -> Table:
        t = Table(title=title, title_justify="left")
        t.add_column(tr(lang, "从 \\ 到", "from \\ to"), style="bold")
        for c in codes:
            t.add_column(name(c), justify="right")
        for a in codes:
            row = []
            for b in codes:
                cell = cells.get((a, b))
                shown = value(cell) if cell else "·"
                row.append(f"[bold]{shown}[/]" if a == b and cell else shown)
            t.add_row(name(a), *row)
        return t

    head = tr(
        lang,
        f"客户流转 {data['from']} → {data['to']}:{data['customers_moved']:,} / "
        f"{data['customers_total']:,} 位客户类别发生变化",
        f"Customer flows {data['from']} → {data['to']}: {data['customers_moved']:,} of "
        f"{data['customers_total']:,} customers changed class",
    )
    return Group(
        Text(head),
        matrix(tr(lang, "客户数", "Customers"), lambda c: f"{c['customers']:,}"),
        matrix(
            tr(lang, f"近1年收入(截至 {data['from']})", f"12-month revenue as of {data['from']}"),
            lambda c: money(c["revenue_from"]),
        ),
        matrix(
            tr(lang, f"近1年收入(截至 {data['to']})", f"12-month revenue as of {data['to']}"),
            lambda c: money(c["revenue_to"]),
        ),
    )
