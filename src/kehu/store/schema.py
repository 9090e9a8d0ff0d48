"""Canonical tables of the store, declared once.

Each table is a `Table` with ordered columns and a natural key. `kehu.store.migrate` creates
missing tables and adds missing columns (additive changes need no hand-written step);
non-additive changes go into `MIGRATIONS` with the version they bring the store to.
Money is DECIMAL(18,2) (yuan, exact to the fen); timestamps are naive local time.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MONEY = "DECIMAL(18,2)"


@dataclass(frozen=True)
class Table:
    name: str
    columns: dict[str, str]
    key: tuple[str, ...] = ()
    kind: str | None = None  # the `kehu import --kind` that loads it, if any
    required: tuple[str, ...] = ()  # columns an import file must provide
    audit: bool = True  # adds created_at / updated_at
    indexes: tuple[tuple[str, ...], ...] = field(default_factory=tuple)
    # Its `customer_id` points at customers.customer_id: merges re-point it, quality checks it.
    refers_to_customer: bool = False

    def all_columns(self) -> dict[str, str]:
        cols = dict(self.columns)
        if self.audit:
            cols.setdefault("created_at", "TIMESTAMP")
            cols.setdefault("updated_at", "TIMESTAMP")
        return cols


CUSTOMERS = Table(
    "customers",
    {
        "customer_id": "VARCHAR NOT NULL",
        "name": "VARCHAR NOT NULL",
        "customer_type": "VARCHAR",  # company | person
        "registration_id": "VARCHAR",  # 统一社会信用代码 or ID number
        "industry_code": "VARCHAR",  # GB/T 4754-2017 (section letter or division digits)
        "industry_name": "VARCHAR",
        "province": "VARCHAR",
        "city": "VARCHAR",
        "district": "VARCHAR",
        "address": "VARCHAR",
        "postcode": "VARCHAR",
        "region": "VARCHAR",  # sales region (华东, 华北, ...)
        "founded_on": "DATE",
        "birth_date": "DATE",
        "cooperation_start": "DATE",  # 合作起始时间
        "employees": "INTEGER",
        "annual_revenue": MONEY,
        "industry_position": "VARCHAR",  # 行业地位: leader | major | follower
        "budget_growth": "DOUBLE",  # 客户采购预算增长预期, a fraction (0.1 = +10%)
        "owner": "VARCHAR",  # the sales rep who owns the customer
        "contact_name": "VARCHAR",
        "phone": "VARCHAR",
        "email": "VARCHAR",
        "is_benchmark": "BOOLEAN",  # 行业标杆
        "is_reference": "BOOLEAN",  # 示范效应 / reference case
        "source": "VARCHAR",
        "source_id": "VARCHAR",
        "tags": "VARCHAR",
        "incumbent_supplier": "VARCHAR",  # 现有供应商: the competitor holding the other share
        "share_of_wallet": "DOUBLE",  # our estimated share of its spend in our categories (0-1)
        "wallet_size": MONEY,  # its estimated yearly spend in our categories (all suppliers)
    },
    key=("customer_id",),
    kind="customers",
    required=("customer_id", "name"),
)

# Every id a source system used for a customer resolves to the surviving customer_id.
CUSTOMER_IDS = Table(
    "customer_ids",
    {"source": "VARCHAR NOT NULL", "source_id": "VARCHAR NOT NULL", "customer_id": "VARCHAR"},
    key=("source", "source_id"),
    refers_to_customer=True,
)

CONTACTS = Table(
    "contacts",
    {
        "source": "VARCHAR NOT NULL",
        "contact_id": "VARCHAR NOT NULL",
        "customer_id": "VARCHAR NOT NULL",
        "name": "VARCHAR",
        "title": "VARCHAR",
        "role": "VARCHAR",  # decision chain: 采购 | 技术 | 高层 | 财务 | 使用
        "is_key": "BOOLEAN",
        "phone": "VARCHAR",
        "email": "VARCHAR",
        "influence": "VARCHAR",  # on the buying decision: high | medium | low
        "attitude": "VARCHAR",  # towards us: supporter | neutral | opponent
        "relationship": "INTEGER",  # strength of our relationship, 1 (cold) - 5 (close)
        "last_contact_on": "DATE",  # as the CRM recorded it (interactions also count)
    },
    key=("source", "contact_id"),
    kind="contacts",
    required=("contact_id", "customer_id", "name"),
    refers_to_customer=True,
)

ORDERS = Table(
    "orders",
    {
        "source": "VARCHAR NOT NULL",
        "order_id": "VARCHAR NOT NULL",
        "customer_id": "VARCHAR NOT NULL",
        "order_date": "DATE NOT NULL",
        "amount": f"{MONEY} NOT NULL",
        "cost": MONEY,
        "product_category": "VARCHAR",
        "product": "VARCHAR",
        "quantity": "DOUBLE",
        "paid_amount": MONEY,
        "due_date": "DATE",
        "paid_date": "DATE",
        "channel": "VARCHAR",
        "owner": "VARCHAR",
    },
    key=("source", "order_id"),
    kind="orders",
    required=("order_id", "customer_id", "order_date", "amount"),
    refers_to_customer=True,
)

INTERACTIONS = Table(
    "interactions",
    {
        "source": "VARCHAR NOT NULL",
        "interaction_id": "VARCHAR NOT NULL",
        "customer_id": "VARCHAR NOT NULL",
        "kind": "VARCHAR",  # visit | call | email | meeting | chat
        "occurred_at": "TIMESTAMP NOT NULL",
        "owner": "VARCHAR",
        "contact_name": "VARCHAR",
        "summary": "VARCHAR",
    },
    key=("source", "interaction_id"),
    kind="interactions",
    required=("interaction_id", "customer_id", "occurred_at"),
    refers_to_customer=True,
)

TICKETS = Table(
    "tickets",
    {
        "source": "VARCHAR NOT NULL",
        "ticket_id": "VARCHAR NOT NULL",
        "customer_id": "VARCHAR NOT NULL",
        "category": "VARCHAR",  # 产品咨询 | 售后服务 | 投诉 | 建议
        "priority": "VARCHAR",
        "opened_at": "TIMESTAMP NOT NULL",
        "first_response_at": "TIMESTAMP",
        "resolved_at": "TIMESTAMP",
        "status": "VARCHAR",
        "satisfaction": "INTEGER",  # 1-5
        "description": "VARCHAR",
        "owner": "VARCHAR",
    },
    key=("source", "ticket_id"),
    kind="tickets",
    required=("ticket_id", "customer_id", "opened_at"),
    refers_to_customer=True,
)

SURVEYS = Table(
    "surveys",
    {
        "source": "VARCHAR NOT NULL",
        "survey_id": "VARCHAR NOT NULL",
        "customer_id": "VARCHAR NOT NULL",
        "surveyed_on": "DATE NOT NULL",
        "nps": "INTEGER",  # 0-10
        "csat": "INTEGER",  # 1-5
        "comment": "VARCHAR",
    },
    key=("source", "survey_id"),
    kind="surveys",
    required=("survey_id", "customer_id", "surveyed_on"),
    refers_to_customer=True,
)

OPPORTUNITIES = Table(
    "opportunities",
    {
        "source": "VARCHAR NOT NULL",
        "opportunity_id": "VARCHAR NOT NULL",
        "customer_id": "VARCHAR NOT NULL",
        "name": "VARCHAR",
        "stage": "VARCHAR",
        "status": "VARCHAR",  # open | won | lost
        "amount": MONEY,
        "product_category": "VARCHAR",
        "owner": "VARCHAR",
        "created_on": "DATE NOT NULL",
        "closed_on": "DATE",
        "competitor": "VARCHAR",  # the main competitor bidding against us
        "lost_to": "VARCHAR",  # lost deals: the competitor that won it
        "lost_reason": "VARCHAR",  # lost deals: price | product | relationship | ... as written
    },
    key=("source", "opportunity_id"),
    kind="opportunities",
    required=("opportunity_id", "customer_id", "created_on"),
    refers_to_customer=True,
)

# Stage history of opportunities: one row each time a deal enters a stage (won / lost
# included), so a deal's stage and age in stage are known at any past date (forecast backtests).
OPPORTUNITY_STAGES = Table(
    "opportunity_stages",
    {
        "source": "VARCHAR NOT NULL",
        "opportunity_id": "VARCHAR NOT NULL",
        "stage": "VARCHAR NOT NULL",
        "entered_on": "DATE NOT NULL",
    },
    key=("source", "opportunity_id", "entered_on", "stage"),
    kind="opportunity_stages",
    required=("opportunity_id", "stage", "entered_on"),
)

TARGETS = Table(
    "targets",
    {
        "source": "VARCHAR NOT NULL",
        "target_id": "VARCHAR NOT NULL",
        "period": "VARCHAR NOT NULL",  # 2026 | 2026-Q1 | 2026-03
        "region": "VARCHAR",
        "owner": "VARCHAR",
        "customer_id": "VARCHAR",
        "amount": f"{MONEY} NOT NULL",
    },
    key=("source", "target_id"),
    kind="targets",
    required=("target_id", "period", "amount"),
    refers_to_customer=True,
)

COMPETITORS = Table(
    "competitors",
    {
        "source": "VARCHAR NOT NULL",
        "competitor_id": "VARCHAR NOT NULL",
        "name": "VARCHAR NOT NULL",
        "aliases": "VARCHAR",  # other names it goes by in notes (; separated), for mentions
        "price_position": "VARCHAR",  # premium | parity | discount
        "strengths": "VARCHAR",
        "weaknesses": "VARCHAR",
    },
    key=("source", "competitor_id"),
    kind="competitors",
    required=("competitor_id", "name"),
)

# Market size per sales region x GB/T 4754 industry x year (区域市场潜力).
MARKET_POTENTIAL = Table(
    "market_potential",
    {
        "source": "VARCHAR NOT NULL",
        "region": "VARCHAR NOT NULL",
        "industry_code": "VARCHAR NOT NULL",  # GB/T 4754-2017 section letter or division
        "industry_name": "VARCHAR",
        "year": "INTEGER NOT NULL",
        "market_size": f"{MONEY} NOT NULL",  # yearly spend of the cell in our categories
        "companies": "INTEGER",  # potential buyers in the cell
    },
    key=("source", "region", "industry_code", "year"),
    kind="market_potential",
    required=("region", "industry_code", "year", "market_size"),
)

IMPORTS = Table(
    "imports",
    {
        "import_id": "VARCHAR NOT NULL",
        "started_at": "TIMESTAMP",
        "finished_at": "TIMESTAMP",
        "file": "VARCHAR",
        "kind": "VARCHAR",
        "source": "VARCHAR",
        "encoding": "VARCHAR",
        "file_format": "VARCHAR",
        "read": "BIGINT",
        "loaded": "BIGINT",
        "inserted": "BIGINT",
        "updated": "BIGINT",
        "unchanged": "BIGINT",
        "rejected": "BIGINT",
        "rejects_file": "VARCHAR",
        "unmapped_columns": "VARCHAR",
        "status": "VARCHAR",  # committed | dry-run | failed
        "user_name": "VARCHAR",
    },
    key=("import_id",),
    audit=False,
)

REJECTS = Table(
    "rejects",
    {
        "import_id": "VARCHAR NOT NULL",
        "file": "VARCHAR",
        "row_number": "BIGINT",
        "column_name": "VARCHAR",
        "value": "VARCHAR",
        "reason_code": "VARCHAR",
        "reason_zh": "VARCHAR",
        "reason_en": "VARCHAR",
    },
    audit=False,
)

# Canonical tables in load order (parents first). Other modules append their system tables
# (snapshots, merges, alerts, tasks, users, ...) to SYSTEM_TABLES through `register_table`.
DATA_TABLES: tuple[Table, ...] = (
    CUSTOMERS,
    CONTACTS,
    ORDERS,
    INTERACTIONS,
    TICKETS,
    SURVEYS,
    OPPORTUNITIES,
    OPPORTUNITY_STAGES,
    TARGETS,
    COMPETITORS,
    MARKET_POTENTIAL,
)
SYSTEM_TABLES: list[Table] = [CUSTOMER_IDS, IMPORTS, REJECTS]


def register_table(table: Table) -> Table:
    """Declare a system table owned by another module (idempotent by name)."""
    for i, existing in enumerate(SYSTEM_TABLES):
        if existing.name == table.name:
            SYSTEM_TABLES[i] = table
            return table
    SYSTEM_TABLES.append(table)
    return table


def all_tables() -> list[Table]:
    return [*DATA_TABLES, *SYSTEM_TABLES]


def table_by_name(name: str) -> Table | None:
    return next((t for t in all_tables() if t.name == name), None)


def table_for_kind(kind: str) -> Table | None:
    return next((t for t in DATA_TABLES if t.kind == kind), None)


def customer_referencing_tables() -> list[Table]:
    """Every table whose rows point at a customer (derived from the declarations)."""
    return [t for t in all_tables() if t.refers_to_customer]
