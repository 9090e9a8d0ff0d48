"""The playbook-effect report as users read it (zh/en), shared by the CLI, the web and the
monthly report: one row per playbook and outcome, with a verdict that follows the interval."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from kehu.analytics.effect import Estimate
from kehu.i18n import catalog
from kehu.planning.effect import OUTCOMES, EffectReport
from kehu.planning.playbook import Playbook
from kehu.spreadsheet import excel_writer

T = catalog("effect")
COLUMNS = (
    "playbook", "evidence", "outcome", "n_treated", "n_control", "treated", "control", "diff",
    "interval", "verdict",
)  # fmt: skip


def verdict(outcome: str, e: Estimate, min_n: int, lang: str) -> str:
    """What the estimate says: not enough data, no clear effect, or which way it works."""
    if not e.enough or e.diff is None:
        return T("not_enough", lang, min_n=min_n)
    if not e.excludes_zero:
        return T("no_clear", lang)
    up = e.diff > 0
    if outcome == "churn":
        return T(
            "worse" if up else "better", lang, what=T("churn_up" if up else "churn_down", lang)
        )
    what = T("more" if up else "less", lang, outcome=T(outcome, lang))
    return T("better" if up else "worse", lang, what=what)


def _value(outcome: str, v: float | None, signed: bool = False) -> str:
    if v is None:
        return "—"
    if OUTCOMES[outcome] == "rate":
        return format(v, "+.1%" if signed else ".1%")
    return format(v, "+,.2f" if signed else ",.2f")


def rows(report: EffectReport, books: dict[str, Playbook], lang: str) -> list[dict[str, Any]]:
    """One display row per playbook and outcome (values formatted, texts in `lang`)."""
    out = []
    for p in report.playbooks:
        name = books[p.playbook].name(lang) if p.playbook in books else p.playbook
        for outcome, e in p.estimates.items():
            interval = (
                f"[{_value(outcome, e.low, True)}, {_value(outcome, e.high, True)}]"
                if e.low is not None
                else "—"
            )
            out.append(
                {
                    "playbook": name,
                    "evidence": T(p.evidence, lang),
                    "outcome": T(outcome, lang),
                    "n_treated": e.n_treated,
                    "n_control": e.n_control,
                    "treated": _value(outcome, e.treated),
                    "control": _value(outcome, e.control),
                    "diff": _value(outcome, e.diff, True),
                    "interval": interval,
                    "verdict": verdict(outcome, e, report.min_n, lang),
                }
            )
    return out


def headers(report: EffectReport, lang: str) -> dict[str, str]:
    """Column titles in `lang`; `n_matched` and `matched` title the control columns of a
    playbook compared by matching, where the other group is not a control group."""
    out = {c: T(c, lang) for c in COLUMNS}
    out["interval"] = T("interval", lang, conf=report.confidence)
    out["n_matched"] = T("n_matched", lang)
    out["matched"] = T("matched_group", lang)
    return out


def frame(report: EffectReport, books: dict[str, Playbook], lang: str) -> pd.DataFrame:
    table = pd.DataFrame(rows(report, books, lang), columns=list(COLUMNS))
    return table.rename(columns=headers(report, lang))


def export(path: Path, report: EffectReport, books: dict[str, Playbook], lang: str) -> Path:
    """The effect table as one XLSX sheet."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with excel_writer(path) as xw:
        sheet = T("sheet", lang)
        frame(report, books, lang).to_excel(xw, sheet_name=sheet, index=False)
        xw.sheets[sheet].freeze_panes(1, 0)
    return path
