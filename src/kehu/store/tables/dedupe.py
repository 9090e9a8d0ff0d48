"""System tables of the dedupe floor: runs, scored pairs, decisions, the merge log.

`merge_customer_rows` keeps the full prior row of every customer a merge touched (same
columns as `customers`, so types round-trip exactly) and `merge_rows` the prior
`customer_id` / `updated_at` of every child row and alias a merge re-pointed: together
they let `kehu dedupe undo` restore the exact prior state.
"""

from __future__ import annotations

from kehu.store.schema import CUSTOMERS, Table, register_table

MERGES = register_table(
    Table(
        "merges",
        {
            "merge_id": "VARCHAR NOT NULL",
            "seq": "BIGINT NOT NULL",
            "run_id": "VARCHAR",
            "created_at": "TIMESTAMP",
            "user_name": "VARCHAR",
            "method": "VARCHAR",  # auto | manual
            "rule": "VARCHAR",  # survivorship rule in force
            "survivor_id": "VARCHAR NOT NULL",
            "merged_ids": "VARCHAR",  # JSON list of the ids folded into the survivor
            "probability": "DOUBLE",  # lowest pair probability inside the cluster (auto)
            "provenance": "VARCHAR",  # JSON {field: id the survivor's value came from}
            "survivor_updated_at": "TIMESTAMP",  # survivor's updated_at right after the merge
            "status": "VARCHAR",  # applied | undone
            "undone_at": "TIMESTAMP",
        },
        key=("merge_id",),
        audit=False,
    )
)


def _plain(sql_type: str) -> str:
    return sql_type.replace("NOT NULL", "").strip()


MERGE_CUSTOMER_ROWS = register_table(
    Table(
        "merge_customer_rows",
        {
            "merge_id": "VARCHAR NOT NULL",
            **{c: _plain(t) for c, t in CUSTOMERS.all_columns().items()},
        },
        key=("merge_id", "customer_id"),
        audit=False,
    )
)

MERGE_ROWS = register_table(
    Table(
        "merge_rows",
        {
            "merge_id": "VARCHAR NOT NULL",
            "table_name": "VARCHAR NOT NULL",
            "action": "VARCHAR NOT NULL",  # repoint | insert
            "key1": "VARCHAR",
            "key2": "VARCHAR",
            "key3": "VARCHAR",
            "old_customer_id": "VARCHAR",
            "old_updated_at": "TIMESTAMP",
        },
        audit=False,
        indexes=(("merge_id",),),
    )
)

DEDUPE_RUNS = register_table(
    Table(
        "dedupe_runs",
        {
            "run_id": "VARCHAR NOT NULL",
            "started_at": "TIMESTAMP",
            "finished_at": "TIMESTAMP",
            "records": "BIGINT",
            "candidate_pairs": "BIGINT",
            "scored_pairs": "BIGINT",
            "auto_clusters": "BIGINT",
            "auto_records": "BIGINT",
            "review_pairs": "BIGINT",
            "blocked_pairs": "BIGINT",
            "merged_records": "BIGINT",
            "dry_run": "BOOLEAN",
            "trained": "BOOLEAN",
            "timings": "VARCHAR",  # JSON seconds per stage
        },
        key=("run_id",),
        audit=False,
    )
)

DEDUPE_PAIRS = register_table(
    Table(
        "dedupe_pairs",
        {
            "id_l": "VARCHAR NOT NULL",
            "id_r": "VARCHAR NOT NULL",
            "run_id": "VARCHAR",
            "probability": "DOUBLE",
            "match_weight": "DOUBLE",
            "agreed": "VARCHAR",  # comma-separated field names
            "status": "VARCHAR",  # auto | review | blocked | merged | rejected
            "blocked": "VARCHAR",  # type | branch | registration_id | rejected
            "cluster": "BIGINT",
            "created_at": "TIMESTAMP",
        },
        key=("id_l", "id_r"),
        audit=False,
    )
)

DEDUPE_DECISIONS = register_table(
    Table(
        "dedupe_decisions",
        {
            "id_l": "VARCHAR NOT NULL",
            "id_r": "VARCHAR NOT NULL",
            "decision": "VARCHAR NOT NULL",  # reject | merge
            "decided_at": "TIMESTAMP",
            "user_name": "VARCHAR",
            "note": "VARCHAR",
        },
        key=("id_l", "id_r"),
        audit=False,
    )
)

# Every person's decision as a labelled pair, with the pair's comparison vector at that moment
# (the records may be merged away later): what `kehu dedupe` learns m and thresholds from.
DEDUPE_LABELS = register_table(
    Table(
        "dedupe_labels",
        {
            "id_l": "VARCHAR NOT NULL",
            "id_r": "VARCHAR NOT NULL",
            "label": "VARCHAR NOT NULL",  # match | non_match
            "source": "VARCHAR",  # merge | reject | undo
            "decided_at": "TIMESTAMP",
            "pattern": "VARCHAR",  # JSON {comparison: level index, -1 = null}
            "probability": "DOUBLE",  # the pair's score when it was decided (if scored)
        },
        key=("id_l", "id_r"),
        audit=False,
    )
)

# Tables whose content is the dedupe floor's own bookkeeping (not customer data).
DEDUPE_TABLES = (
    "merges",
    "merge_customer_rows",
    "merge_rows",
    "dedupe_runs",
    "dedupe_pairs",
    "dedupe_decisions",
    "dedupe_labels",
)
