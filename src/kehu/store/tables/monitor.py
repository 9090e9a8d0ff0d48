"""System tables of the monitoring floor (alerts, deliveries, logs, report and pipeline runs)."""

from __future__ import annotations

from kehu.store.schema import Table, register_table

ALERTS = register_table(
    Table(
        "alerts",
        {
            "alert_id": "BIGINT NOT NULL",
            "rule": "VARCHAR NOT NULL",
            "kind": "VARCHAR",  # threshold | change | event
            "severity": "VARCHAR",
            "condition_key": "VARCHAR NOT NULL",  # rule|subject_type:subject_id (stable)
            "state": "VARCHAR",  # what makes the condition "the same" (re-alert when it changes)
            "status": "VARCHAR NOT NULL",  # open | acked | resolved
            "subject_type": "VARCHAR",  # customer | ticket | survey | order | goal | kpi
            "subject_id": "VARCHAR",
            "customer_id": "VARCHAR",
            "customer_name": "VARCHAR",
            "owner": "VARCHAR",
            "title_zh": "VARCHAR",
            "title_en": "VARCHAR",
            "detail_zh": "VARCHAR",
            "detail_en": "VARCHAR",
            "evidence": "VARCHAR",  # JSON
            "as_of": "DATE",
            "first_seen_at": "TIMESTAMP",
            "last_seen_at": "TIMESTAMP",
            "resolved_at": "TIMESTAMP",
            "resolution": "VARCHAR",  # cleared | superseded
            "acked_at": "TIMESTAMP",
            "acked_by": "VARCHAR",
        },
        key=("alert_id",),
        indexes=(("condition_key",), ("status",)),
        refers_to_customer=True,
    )
)

ALERT_DELIVERIES = register_table(
    Table(
        "alert_deliveries",
        {
            "alert_id": "BIGINT NOT NULL",
            "channel": "VARCHAR NOT NULL",
            "status": "VARCHAR NOT NULL",  # pending | sent | failed | cancelled
            "runs": "INTEGER",  # how many `alerts run` tried to deliver it
            "digest_id": "VARCHAR",
            "last_error": "VARCHAR",
            "last_attempt_at": "TIMESTAMP",
            "sent_at": "TIMESTAMP",
        },
        key=("alert_id", "channel"),
    )
)

NOTIFY_LOG = register_table(
    Table(
        "notify_log",
        {
            "log_id": "VARCHAR NOT NULL",
            "logged_at": "TIMESTAMP NOT NULL",
            "digest_id": "VARCHAR",
            "channel": "VARCHAR",
            "channel_type": "VARCHAR",
            "owner": "VARCHAR",
            "target": "VARCHAR",  # URL without query string / recipient list: never a secret
            "attempt": "INTEGER",
            "alerts": "INTEGER",
            "status": "VARCHAR",  # sent | retry | failed
            "http_status": "INTEGER",
            "error": "VARCHAR",
            "duration_ms": "DOUBLE",
        },
        key=("log_id",),
        audit=False,
    )
)

REPORT_RUNS = register_table(
    Table(
        "report_runs",
        {
            "report_id": "VARCHAR NOT NULL",
            "created_at": "TIMESTAMP NOT NULL",
            "kind": "VARCHAR",  # monthly | quarterly
            "period": "VARCHAR",
            "format": "VARCHAR",
            "lang": "VARCHAR",
            "path": "VARCHAR",
            "bytes": "BIGINT",
            "run_id": "VARCHAR",  # pipeline run, if any
        },
        key=("report_id",),
        audit=False,
    )
)

PIPELINE_RUNS = register_table(
    Table(
        "pipeline_runs",
        {
            "run_id": "VARCHAR NOT NULL",
            "started_at": "TIMESTAMP NOT NULL",
            "finished_at": "TIMESTAMP",
            "status": "VARCHAR",  # running | ok | failed
            "trigger": "VARCHAR",  # manual | schedule
            "steps": "VARCHAR",  # JSON: [{step, status, seconds, summary}]
            "error": "VARCHAR",
        },
        key=("run_id",),
        audit=False,
    )
)

# Files seen in the watched folder, by content hash (so `kehu run` imports each file once).
INBOX_FILES = register_table(
    Table(
        "inbox_files",
        {
            "sha256": "VARCHAR NOT NULL",
            "path": "VARCHAR",
            "kind": "VARCHAR",
            "bytes": "BIGINT",
            "import_id": "VARCHAR",
            "status": "VARCHAR",  # imported | failed | skipped
            "message": "VARCHAR",
            "processed_at": "TIMESTAMP",
            "run_id": "VARCHAR",
        },
        key=("sha256",),
        audit=False,
    )
)
