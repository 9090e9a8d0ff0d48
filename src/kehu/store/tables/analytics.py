"""System tables of the analytics floor: the dated customer snapshot and the run log.

`customer_snapshot` holds one row per (as_of, customer_id); its column names are a public
contract (users script against them). `analytics_runs` keeps, per as_of, the summary of the
run that produced the snapshot (model parameters, timings), as JSON text. `backtest_runs`
keeps every `kehu backtest` result (kehu.analytics.backtest_runs).
"""

from __future__ import annotations

from kehu.store.schema import MONEY, Table, register_table

# Column order = the order users see in exports.
SNAPSHOT_COLUMNS: dict[str, str] = {
    "as_of": "DATE NOT NULL",
    "customer_id": "VARCHAR NOT NULL",
    # RFM
    "recency_days": "INTEGER",
    "orders_12m": "INTEGER",
    "spend_12m": MONEY,
    "r_score": "INTEGER",
    "f_score": "INTEGER",
    "m_score": "INTEGER",
    "rfm_type": "VARCHAR",
    "rfm_segment": "VARCHAR",
    # composite value
    "value_score": "DOUBLE",
    "value_tier": "VARCHAR",
    "value_confidence": "DOUBLE",
    "value_contribution": "DOUBLE",
    "value_growth": "DOUBLE",
    "value_stability": "DOUBLE",
    "value_strategic": "DOUBLE",
    # Pareto / ABC
    "abc_class": "VARCHAR",
    "profit_12m": MONEY,
    # lifecycle
    "lifecycle": "VARCHAR",
    "first_order_date": "DATE",
    "last_order_date": "DATE",
    "orders_total": "INTEGER",
    "spend_total": MONEY,
    "spend_prev_12m": MONEY,
    "mean_interval_days": "DOUBLE",
    # CLV (kehu.analytics.clv)
    "clv_historical": "DOUBLE",
    "profit_historical": "DOUBLE",
    "p_alive": "DOUBLE",
    "expected_purchases": "DOUBLE",
    "predicted_clv": "DOUBLE",
    # churn warning (kehu.analytics.churn)
    "churn_risk": "DOUBLE",
    "churn_reasons": "VARCHAR",
    # portrait (客户画像)
    "name": "VARCHAR",
    "customer_type": "VARCHAR",
    "industry_name": "VARCHAR",
    "region": "VARCHAR",
    "owner": "VARCHAR",
    "main_categories": "VARCHAR",
    "avg_order_value": MONEY,
    "payment_cadence_days": "DOUBLE",
    "days_to_pay": "DOUBLE",
    "collection_rate": "DOUBLE",
    "key_contact": "VARCHAR",
    "open_tickets": "INTEGER",
    "top_needs": "VARCHAR",
    "open_pipeline": MONEY,
    # the seeds' other classes (kehu.analytics.classes) and depth D
    "matrix_class": "VARCHAR",
    "clv_above_share": "DOUBLE",
    "profit_above_share": "DOUBLE",
    "key_class": "VARCHAR",
    "key_basis": "VARCHAR",  # what makes it 重点: benchmark,reference,position:…,industry:…
    "relationship_phase": "VARCHAR",
    "category_count": "INTEGER",
    "share_of_wallet": "DOUBLE",
    "tickets_12m": "INTEGER",
    "tickets_prev_12m": "INTEGER",
    "known_days": "INTEGER",
}

# Logical key (as_of, customer_id). It is deliberately not a PRIMARY KEY: DuckDB's index makes
# replacing a date's 5·10^5 rows (delete + insert in one transaction) ~10x slower. The writer
# (`snapshot.write_snapshot`) guarantees uniqueness: one transaction, ids checked unique.
SNAPSHOT_KEY = ("as_of", "customer_id")

CUSTOMER_SNAPSHOT = register_table(Table("customer_snapshot", SNAPSHOT_COLUMNS, audit=False))

ANALYTICS_RUNS = register_table(
    Table(
        "analytics_runs",
        {
            "as_of": "DATE NOT NULL",
            "computed_at": "TIMESTAMP",
            "customers": "BIGINT",
            "engine": "VARCHAR",
            "summary_json": "VARCHAR",
        },
        key=("as_of",),
        audit=False,
    )
)

# One row per `kehu backtest` run (a history: the same as-of may be tested again after new
# data or settings); the headline figures as columns, every figure in result_json.
BACKTEST_RUNS = register_table(
    Table(
        "backtest_runs",
        {
            "run_at": "TIMESTAMP NOT NULL",
            "as_of": "DATE NOT NULL",
            "horizon_days": "INTEGER",
            "customers": "BIGINT",
            "churn_rate": "DOUBLE",
            "churn_auc": "DOUBLE",
            "bgnbd_auc": "DOUBLE",
            "naive_auc": "DOUBLE",
            "churn_brier": "DOUBLE",
            "purchases_error": "DOUBLE",
            "purchases_corr": "DOUBLE",
            "purchase_model": "VARCHAR",
            "result_json": "VARCHAR",
        },
        key=("run_at",),
        audit=False,
    )
)

# One row per `kehu forecast` run: the period's forecast beside the stage-weighted one and
# the target, the backtest's headline figures; every figure (deals, groups) in result_json.
FORECAST_RUNS = register_table(
    Table(
        "forecast_runs",
        {
            "run_at": "TIMESTAMP NOT NULL",
            "as_of": "DATE NOT NULL",
            "period": "VARCHAR NOT NULL",
            "open_deals": "BIGINT",
            "closed": "DOUBLE",
            "forecast": "DOUBLE",
            "low": "DOUBLE",
            "high": "DOUBLE",
            "stage_weighted": "DOUBLE",
            "target": "DOUBLE",
            "backtest_auc": "DOUBLE",
            "stage_auc": "DOUBLE",
            "backtest_brier": "DOUBLE",
            "stage_brier": "DOUBLE",
            "forecast_error": "DOUBLE",
            "stage_error": "DOUBLE",
            "result_json": "VARCHAR",
        },
        key=("run_at",),
        audit=False,
    )
)
