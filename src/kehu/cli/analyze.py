"""Analytics commands: analyze, flows, customers, customer (thin: through `kehu.app`)."""

from __future__ import annotations

import typer

from kehu.app import ANALYSIS_STAGES, CustomerFilter
from kehu.cli.common import console, err_console, lang_of, open_app, parse_date, print_json
from kehu.i18n import tr


def register(app: typer.Typer) -> None:
    app.command("analyze")(analyze)
    app.command("flows")(flows)
    app.command("customers")(customers)
    app.command("customer")(customer)


def analyze(
    ctx: typer.Context,
    as_of: str = typer.Option(
        None,
        "--as-of",
        help="Snapshot date YYYY-MM-DD (default: today, or the day after the"
        " last order). Only records on or before it are used.",
    ),
    engine: str = typer.Option(
        None, "--engine", help="duckdb or spark (default: engine.name in kehu.toml, duckdb)."
    ),
    orders: str = typer.Option(
        None, "--orders", help="Read orders from this Parquet/Delta path instead of the store."
    ),
    spark_master: str = typer.Option(
        None, "--spark-master", help="Spark master: local[*], spark://host:7077, sc://host:15002"
    ),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable summary."),
) -> None:
    """Compute the dated customer snapshot and print a summary. 客户分析"""
    from kehu.cli.analyze_views import render_summary

    app = open_app(ctx)
    if orders:
        app.settings.engine.orders_path = orders
    if spark_master:
        app.settings.engine.spark_master = spark_master
    engine = engine or app.settings.engine.name
    lang = lang_of(ctx)
    out = err_console if as_json else console
    with out.status(tr(lang, "分析中…", "analysing…")) as status:

        def progress(stage: str, step: int, total: int) -> None:
            status.update(f"[{step}/{total}] {ANALYSIS_STAGES(stage, lang)}…")

        result = app.analyze(parse_date(as_of, "--as-of"), engine=engine, progress=progress)
    if as_json:
        print_json({"as_of": result.as_of, **result.summary})
        return
    console.print(render_summary(result.summary, lang))


def flows(
    ctx: typer.Context,
    date_from: str = typer.Option(..., "--from", help="Earlier snapshot date (YYYY-MM-DD)."),
    date_to: str = typer.Option(..., "--to", help="Later snapshot date (YYYY-MM-DD)."),
    by: str = typer.Option(
        "lifecycle",
        "--by",
        help="lifecycle | rfm_type | value_tier | rfm_segment | abc_class | matrix_class |"
        " key_class | relationship_phase",
    ),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Migration matrix between two snapshots, in customers and revenue. 客户流转"""
    from kehu.cli.analyze_views import render_flows

    app = open_app(ctx)
    d_from, d_to = parse_date(date_from, "--from"), parse_date(date_to, "--to")
    assert d_from is not None and d_to is not None
    data = app.flows(d_from, d_to, by)
    if as_json:
        print_json(data)
        return
    console.print(render_flows(data, lang_of(ctx)))


def customers(
    ctx: typer.Context,
    rfm_type: str = typer.Option(None, "--type", help="Customer type (code, zh or en label)."),
    tier: str = typer.Option(None, "--tier", help="Value tier: strategic/战略级 ..."),
    segment: str = typer.Option(None, "--segment", help="RFM segment: champions/冠军客户 ..."),
    lifecycle: str = typer.Option(None, "--lifecycle", help="Lifecycle stage: loyal/忠诚客户 ..."),
    abc: str = typer.Option(None, "--abc", help="ABC class: A, B or C."),
    owner: str = typer.Option(None, "--owner", help="Only this owner's customers."),
    industry: str = typer.Option(
        None, "--industry", help="GB/T 4754 section: C, 制造业 or Manufacturing."
    ),
    size: str = typer.Option(
        None, "--size", help="Company size: micro/small/medium/large, 小型企业 …"
    ),
    region: str = typer.Option(None, "--region", help="Sales region as stored: 华东 …"),
    sort: str = typer.Option("value_score", "--sort", help="Any snapshot column."),
    desc: bool = typer.Option(False, "--desc", help="Sort descending (default for value_score)."),
    asc: bool = typer.Option(False, "--asc", help="Sort ascending."),
    limit: int = typer.Option(50, "--limit", help="At most this many rows (0 = all)."),
    as_of: str = typer.Option(None, "--as-of", help="Snapshot date (default: the latest)."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """List customers of a snapshot, filtered and sorted. 客户列表"""
    from kehu.cli.analyze_views import render_customers

    app = open_app(ctx)
    descending = desc or (not asc and sort in {"value_score", "spend_12m", "churn_risk",
                                               "predicted_clv", "orders_12m"})  # fmt: skip
    day, frame, total = app.customers(
        CustomerFilter(
            as_of=parse_date(as_of, "--as-of"),
            rfm_type=rfm_type,
            value_tier=tier,
            segment=segment,
            lifecycle=lifecycle,
            abc_class=abc,
            owner=owner,
            industry=industry,
            size=size,
            region=region,
            sort=sort,
            desc=descending,
            limit=limit or None,
        )
    )
    if as_json:
        records = frame.astype(object).where(frame.notna(), None).to_dict("records")
        print_json({"as_of": day, "total": total, "customers": records})
        return
    console.print(render_customers(frame, lang_of(ctx), day, total))


def customer(
    ctx: typer.Context,
    customer_id: str = typer.Argument(..., help="Customer id (or a source system's id)."),
    as_of: str = typer.Option(None, "--as-of", help="Snapshot date (default: the latest)."),
    show_pii: bool = typer.Option(False, "--show-pii", help="Show phone numbers and e-mails."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """A 360° view of one customer: profile, scores with reasons, CLV, churn, activity. 客户360"""
    from kehu.cli.analyze_views import mask_email, mask_phone, render_customer

    app = open_app(ctx)
    lang = lang_of(ctx)
    view = app.customer_360(customer_id, as_of=parse_date(as_of, "--as-of"), lang=lang)
    view["needs"] = app.customer_needs(view["customer_id"])
    if as_json:
        if not show_pii:
            view["profile"]["phone"] = mask_phone(view["profile"].get("phone"))
            view["profile"]["email"] = mask_email(view["profile"].get("email"))
            for c in view["contacts"]:
                c["phone"] = mask_phone(c.get("phone"))
                c["email"] = mask_email(c.get("email"))
        print_json(view)
        return
    console.print(render_customer(view, lang, show_pii))
