"""The public API of kehu: the typed entry point `Kehu`, the result types its methods return,
and the label and format helpers an interface shows them with.

The CLI and the web import from the kehu package only this, `kehu.access` and the bottom
utilities (`tests/meta/test_interfaces.py`). Constants exported here:

- `ANALYSIS_STAGES`: zh/en names of the snapshot's stages (progress lines);
- `BACKTEST_NAMES`: zh/en names of the backtest's scores and purchase models;
- `ABSENT`: the flow class of a customer missing from one of two snapshots;
- `BANDS`, `TASK_STATUS`, `GOAL_STATUS`, `DIMENSIONS`: zh/en names for `code_label`;
- `PRIORITY_FACTORS`: the five factors of a task's priority (`score_<factor>` columns);
- `KPI_BY_CODE`: every KPI by its code (label, unit, direction);
- `REVIEW_FIELDS`: the customer fields shown side by side when reviewing a duplicate pair;
- `Progress`: the callback an import reports its stages to, `(stage, done, total)`;
- `LABELS`, `COLUMN_KIND`: every coded value's zh/en label, and which columns hold codes;
- `watch_sql`: the churn watch-list's condition (analytics/coherence.py), for list queries;
- `Workspace`: the context a `Kehu` holds (`Kehu.ws`), for type hints.
"""

from __future__ import annotations

from kehu.analytics.backtest import NAMES as BACKTEST_NAMES
from kehu.analytics.coherence import watch_sql
from kehu.analytics.flows import ABSENT
from kehu.analytics.kpis import (
    KPI_BY_CODE,
    format_change,
    format_value,
    get_kpi,
    partial_note,
    set_change,
)
from kehu.analytics.labels import COLUMN_KIND, LABELS, column_label, label
from kehu.analytics.snapshot import STAGES as ANALYSIS_STAGES
from kehu.analytics.snapshot import AnalyzeResult
from kehu.app.entry import Kehu
from kehu.dedupe.merge import MergeRecord
from kehu.dedupe.review import REVIEW_FIELDS
from kehu.dedupe.run import DedupeResult
from kehu.ingest.result import ImportResult, Progress
from kehu.jobs.pipeline import print_run as print_pipeline_run
from kehu.monitor.alerts import AlertRunResult
from kehu.monitor.dispatch import DigestResult
from kehu.monitor.feedback import render_console as render_feedback
from kehu.monitor.labels import severity_label, value_label
from kehu.planning.goals import goal_title, parse_scope, scope_text
from kehu.planning.labels import BANDS, DIMENSIONS, GOAL_STATUS, TASK_STATUS, team
from kehu.planning.labels import label as code_label
from kehu.planning.plan import PlanResult
from kehu.planning.playbook import Playbook
from kehu.planning.priority import FACTORS as PRIORITY_FACTORS
from kehu.planning.targets import SplitResult, parse_month_weights, parse_weights
from kehu.quality.targets import gap_text
from kehu.workspace import Workspace, out_of_memory

__all__ = [
    "watch_sql",
    "set_change",
    "scope_text",
    "parse_scope",
    "Workspace",
    "LABELS",
    "COLUMN_KIND",
    "ABSENT",
    "ANALYSIS_STAGES",
    "BACKTEST_NAMES",
    "BANDS",
    "DIMENSIONS",
    "GOAL_STATUS",
    "KPI_BY_CODE",
    "PRIORITY_FACTORS",
    "REVIEW_FIELDS",
    "TASK_STATUS",
    "AlertRunResult",
    "AnalyzeResult",
    "DedupeResult",
    "DigestResult",
    "ImportResult",
    "Kehu",
    "MergeRecord",
    "PlanResult",
    "Playbook",
    "Progress",
    "SplitResult",
    "code_label",
    "column_label",
    "format_change",
    "format_value",
    "gap_text",
    "get_kpi",
    "goal_title",
    "label",
    "out_of_memory",
    "parse_month_weights",
    "parse_weights",
    "partial_note",
    "print_pipeline_run",
    "render_feedback",
    "severity_label",
    "team",
    "value_label",
]
