"""The public API of kehu: the typed entry point `Kehu`, the result types its methods return,
and the label and format helpers an interface shows them with.

The CLI and the web import from the kehu package only this, `kehu.access` and the bottom
utilities (`tests/meta/test_interfaces.py`). Constants exported here:

- `ANALYSIS_STAGES`: zh/en names of the snapshot's stages (progress lines);
- `BACKTEST_NAMES`: zh/en names of the backtest's scores and purchase models;
- `ABSENT`: the flow class of a customer missing from one of two snapshots;
- `ALERT_STATUSES`: the states an alert can be in (open, acked, resolved);
- `BANDS`, `TASK_STATUS`, `GOAL_STATUS`, `DIMENSIONS`: zh/en names for `code_label`;
- `PRIORITY_FACTORS`: the five factors of a task's priority (`score_<factor>` columns);
- `KPI_BY_CODE`: every KPI by its code (label, unit, direction);
- `REVIEW_FIELDS`: the customer fields shown side by side when reviewing a duplicate pair;
- `Progress`: the callback an import reports its stages to, `(stage, done, total)`;
- `LABELS`, `COLUMN_KIND`: every coded value's zh/en label, and which columns hold codes;
- `watch_sql`: the churn watch-list's condition (analytics/coherence.py), for list queries;
- `MARKET_DIMENSIONS`: the ways the market view groups customers (industry section, division,
  region, size); `OVERVIEW_DIMENSIONS`: the snapshot classes the overview counts and flows
  follow (RFM type, value tier, lifecycle, RFM segment, ABC class);
- `PLAN_RACI`, `PLAN_ROLES`, `PLAN_ROLE_CODES`, `PLAN_STATUSES`: a key-account plan's RACI letters,
  decision-chain roles, drafted team roles and statuses; `PLAN_TEXTS`: its zh/en texts;
- `SEGMENT_DIMENSIONS`, `segment_label`, `resolve_segment`, `segment_sql`: segmentation by
  industry section, company size and region (list filters, KPIs `--by`), a key's label, what a
  user typed, and the key as an SQL expression (the web list's columns);
- `SCORECARD_METRICS`, `SCORECARD_COLUMNS`: the scorecard's scored metrics and the values its
  tables show, in order (`scorecard_label`, `scorecard_value` name and format them);
- `CustomerFilter`: which customers `Kehu.customers` lists (classes, segments, owner, sort,
  limit);
- `Workspace`: the context a `Kehu` holds (`Kehu.ws`), for type hints.
"""

from __future__ import annotations

from kehu.analytics.backtest import NAMES as BACKTEST_NAMES
from kehu.analytics.coherence import watch_sql, watchable_sql
from kehu.analytics.cohorts import CohortRow, Cohorts, group_label
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
from kehu.analytics.market import DIMENSIONS as MARKET_DIMENSIONS
from kehu.analytics.overview import DIMENSIONS as OVERVIEW_DIMENSIONS
from kehu.analytics.query import CustomerFilter
from kehu.analytics.segments import (
    SEGMENT_DIMENSIONS,
    resolve_segment,
    segment_label,
    segment_sql,
)
from kehu.analytics.snapshot import STAGES as ANALYSIS_STAGES
from kehu.analytics.snapshot import AnalyzeResult
from kehu.app.entry import Kehu
from kehu.dedupe.merge import MergeRecord
from kehu.dedupe.review import REVIEW_FIELDS
from kehu.dedupe.run import DedupeResult
from kehu.ingest.pushed import RecordsOutsideScope
from kehu.ingest.result import ImportResult, Progress
from kehu.jobs.pipeline import print_run as print_pipeline_run
from kehu.monitor.alerts import AlertRunResult
from kehu.monitor.dispatch import DigestResult
from kehu.monitor.feedback import render_console as render_feedback
from kehu.monitor.labels import severity_label, value_label
from kehu.monitor.state import STATUSES as ALERT_STATUSES
from kehu.planning.account_plan import RACI as PLAN_RACI
from kehu.planning.account_plan import ROLE_CODES as PLAN_ROLE_CODES
from kehu.planning.account_plan import ROLES as PLAN_ROLES
from kehu.planning.account_plan import STATUSES as PLAN_STATUSES
from kehu.planning.account_plan_texts import TEXTS as PLAN_TEXTS
from kehu.planning.account_plan_texts import contact_when, team_role
from kehu.planning.account_plan_texts import sections as plan_sections
from kehu.planning.account_plan_texts import status_text as plan_status_text
from kehu.planning.budget import Economics
from kehu.planning.effect import EffectReport
from kehu.planning.goals import goal_title, parse_scope, scope_text
from kehu.planning.labels import BANDS, DIMENSIONS, GOAL_STATUS, TASK_STATUS, team
from kehu.planning.labels import label as code_label
from kehu.planning.milestones import timeline as goal_timeline
from kehu.planning.plan import PlanResult
from kehu.planning.playbook import Playbook
from kehu.planning.priority import FACTORS as PRIORITY_FACTORS
from kehu.planning.scorecard import COLUMNS as SCORECARD_COLUMNS
from kehu.planning.scorecard import METRICS as SCORECARD_METRICS
from kehu.planning.scorecard import Scorecards, ScoreRow, rubric_text, scored_on
from kehu.planning.scorecard import metric_label as scorecard_label
from kehu.planning.scorecard import shown as scorecard_value
from kehu.planning.targets import SplitResult, parse_month_weights, parse_weights
from kehu.quality.targets import gap_text
from kehu.workspace import Workspace, out_of_memory

__all__ = [
    "ABSENT",
    "ALERT_STATUSES",
    "ANALYSIS_STAGES",
    "BACKTEST_NAMES",
    "BANDS",
    "COLUMN_KIND",
    "DIMENSIONS",
    "GOAL_STATUS",
    "KPI_BY_CODE",
    "LABELS",
    "MARKET_DIMENSIONS",
    "OVERVIEW_DIMENSIONS",
    "PLAN_RACI",
    "PLAN_ROLES",
    "PLAN_ROLE_CODES",
    "PLAN_STATUSES",
    "PLAN_TEXTS",
    "PRIORITY_FACTORS",
    "REVIEW_FIELDS",
    "SCORECARD_COLUMNS",
    "SCORECARD_METRICS",
    "SEGMENT_DIMENSIONS",
    "TASK_STATUS",
    "AlertRunResult",
    "AnalyzeResult",
    "CustomerFilter",
    "CohortRow",
    "Cohorts",
    "DedupeResult",
    "DigestResult",
    "Economics",
    "ImportResult",
    "Kehu",
    "MergeRecord",
    "PlanResult",
    "RecordsOutsideScope",
    "EffectReport",
    "Playbook",
    "Progress",
    "ScoreRow",
    "Scorecards",
    "SplitResult",
    "Workspace",
    "code_label",
    "column_label",
    "contact_when",
    "format_change",
    "format_value",
    "gap_text",
    "group_label",
    "get_kpi",
    "goal_timeline",
    "goal_title",
    "label",
    "out_of_memory",
    "parse_month_weights",
    "parse_scope",
    "parse_weights",
    "partial_note",
    "plan_sections",
    "plan_status_text",
    "print_pipeline_run",
    "render_feedback",
    "resolve_segment",
    "rubric_text",
    "scope_text",
    "scored_on",
    "scorecard_label",
    "scorecard_value",
    "segment_label",
    "segment_sql",
    "set_change",
    "severity_label",
    "team",
    "team_role",
    "value_label",
    "watch_sql",
    "watchable_sql",
]
