"""System table of satisfaction management: the improvement measures planned from drivers."""

from __future__ import annotations

from kehu.store.schema import Table, register_table

SATISFACTION_MEASURES = register_table(
    Table(
        "satisfaction_measures",
        {
            "measure_id": "BIGINT NOT NULL",
            "driver": "VARCHAR NOT NULL",  # category:<ticket category> | sla_response | ...
            "region": "VARCHAR",  # the sales region whose customers the driver hit
            "owner": "VARCHAR",  # the region's lead (RACI A of its tasks), else its first rep
            "planned_on": "DATE NOT NULL",  # the drivers' date: before/after is measured here
            "due_date": "DATE",
            "status": "VARCHAR NOT NULL",  # open | done | cancelled
            "action_zh": "VARCHAR",
            "action_en": "VARCHAR",
            "customers": "VARCHAR",  # JSON list: customers whose responses carried the driver
            "difference": "DOUBLE",  # detractor rate with - without, when planned
            "p_adjusted": "DOUBLE",
            "planned_by": "VARCHAR",
        },
        key=("measure_id",),
    )
)
