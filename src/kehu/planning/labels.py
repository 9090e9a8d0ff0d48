"""zh/en labels of the planning floor (the catalogue's `planning` part): statuses, priority
bands, RACI teams, goal states."""

from __future__ import annotations

from kehu.i18n import pairs, tr

TASK_STATUS = pairs("planning", "task_status")
BANDS = pairs("planning", "bands")
GOAL_STATUS = pairs("planning", "goal_status")
TEAMS = pairs("planning", "teams")  # RACI teams of the default config and playbooks
DIMENSIONS = pairs("planning", "dimensions")
FACTORS = pairs("planning", "factors")  # priority factors (score_<code> on a task)


def factors(task: dict, lang: str) -> str:
    """The priority factors of a task, each 0-1: "战略对齐 1.00 · 投入产出 0.50 …"."""
    parts = []
    for code, pair in FACTORS.items():
        v = task.get(f"score_{code}")
        if v is not None and v == v:  # not NaN
            parts.append(f"{tr(lang, *pair)} {float(v):.2f}")
    return " · ".join(parts)


def label(table: dict[str, tuple[str, str]], code: str | None, lang: str) -> str:
    """The label of a code in `table`, or the code itself when unknown."""
    if code is None:
        return tr(lang, "(未知)", "(unknown)")
    pair = table.get(code)
    return tr(lang, *pair) if pair else code


def team(value: str | None, lang: str) -> str:
    """A RACI value: comma-separated team codes or names, each translated when known."""
    if not value:
        return ""
    return ", ".join(label(TEAMS, part.strip(), lang) for part in value.split(","))
