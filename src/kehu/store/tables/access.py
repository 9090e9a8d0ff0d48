"""System tables of the web layer: users, API tokens, login sessions and the audit log."""

from __future__ import annotations

from kehu.store.schema import Table, register_table

USERS = register_table(
    Table(
        "users",
        {
            "user_name": "VARCHAR NOT NULL",
            "role": "VARCHAR NOT NULL",  # admin | manager | rep
            "region": "VARCHAR",  # a manager sees the customers of this sales region
            "display_name": "VARCHAR",  # matches customers.owner when it differs from user_name
            "password_hash": "VARCHAR",  # argon2id; NULL = may not log in to pages
            "active": "BOOLEAN",
            "last_login_at": "TIMESTAMP",
        },
        key=("user_name",),
    )
)

API_TOKENS = register_table(
    Table(
        "api_tokens",
        {
            "token_id": "VARCHAR NOT NULL",  # public part of the token, shown in lists
            "user_name": "VARCHAR NOT NULL",
            "label": "VARCHAR",
            "token_hash": "VARCHAR NOT NULL",  # sha256 of the secret part
            "last_used_at": "TIMESTAMP",
            "revoked_at": "TIMESTAMP",
        },
        key=("token_id",),
    )
)

SESSIONS = register_table(
    Table(
        "sessions",
        {
            "session_hash": "VARCHAR NOT NULL",  # sha256 of the cookie value
            "user_name": "VARCHAR NOT NULL",
            "csrf_token": "VARCHAR NOT NULL",
            "expires_at": "TIMESTAMP NOT NULL",
            "ip": "VARCHAR",
            "user_agent": "VARCHAR",
        },
        key=("session_hash",),
    )
)

AUDIT_LOG = register_table(
    Table(
        "audit_log",
        {
            "event_id": "VARCHAR NOT NULL",
            "occurred_at": "TIMESTAMP NOT NULL",
            "user_name": "VARCHAR",
            "action": "VARCHAR NOT NULL",  # login | login_failed | logout | export | import | ...
            "target": "VARCHAR",
            "detail": "VARCHAR",  # JSON
            "ip": "VARCHAR",
        },
        key=("event_id",),
        audit=False,
    )
)
