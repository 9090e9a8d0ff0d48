"""Learning from review: every merge / "not a duplicate" decision is a labelled pair.

A label keeps the pair's comparison vector (the level each comparison reached) from the
moment it was decided, so it stays usable after the records are merged. With enough labels
`kehu dedupe` re-estimates m from them — the labelled matches' level counts, smoothed by the
unlabelled (EM) estimate worth `dedupe.label_prior_pairs` pairs — and raises the automatic
threshold above every labelled non-match the new model would still merge.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from kehu.dedupe import em
from kehu.dedupe.model import COMPARISONS, FIXED
from kehu.engines.sql import select

MATCH, NON_MATCH = "match", "non_match"


@dataclass
class Learning:
    """What the labels changed in one run (shown by `kehu dedupe`)."""

    labels: int
    matches: int
    non_matches: int
    applied: bool
    needed: int  # dedupe.min_labels
    # comparison -> level label -> (m before, m after), the largest moves only
    m_changes: dict[str, dict[str, tuple[float, float]]] = field(default_factory=dict)
    auto_merge: float | None = None  # the threshold in force when labels raised it

    def to_json(self) -> dict[str, Any]:
        return {
            "labels": self.labels,
            "matches": self.matches,
            "non_matches": self.non_matches,
            "applied": self.applied,
            "needed": self.needed,
            "m_changes": {
                c: {lv: [round(a, 5), round(b, 5)] for lv, (a, b) in d.items()}
                for c, d in self.m_changes.items()
            },
            "auto_merge": self.auto_merge,
        }


_AMONG = "customer_id IN (SELECT unnest(?))"  # one list parameter


def _customer_rows(cur: Any, ids: list[str]) -> pd.DataFrame:
    from kehu.dedupe.features import SOURCE_COLUMNS

    live = cur.execute(select("customers", SOURCE_COLUMNS, where=_AMONG), [ids]).df()
    missing = [i for i in ids if i not in set(live["customer_id"])]
    if missing:  # merged away: the row as it was before its merge
        old = cur.execute(
            select("merge_customer_rows", SOURCE_COLUMNS, where=_AMONG), [missing]
        ).df()
        live = pd.concat([live, old.drop_duplicates("customer_id", keep="last")])
    return live


def pattern_of(features: pd.DataFrame, a: str, b: str) -> dict[str, int] | None:
    """The level (gamma, -1 null … top) each comparison reaches for records a and b."""
    if not {a, b} <= set(features["unique_id"]):
        return None
    con = duckdb.connect(":memory:")
    try:
        con.register("f", features)
        cols = [c for c in features.columns if c != "unique_id"]
        sides = ", ".join(f'l."{c}" AS "{c}_l", r."{c}" AS "{c}_r"' for c in cols)
        row = con.execute(
            f"WITH j AS (SELECT {sides} FROM f l, f r WHERE l.unique_id = ? AND r.unique_id = ?)"
            f" SELECT {em.gamma_select()} FROM j",
            [a, b],
        ).fetchone()
    finally:
        con.close()
    return dict(zip(COMPARISONS, (int(g) for g in row), strict=True)) if row else None


def record_label(cur: Any, a: str, b: str, label: str, source: str, now: datetime) -> None:
    """Store a person's decision on the pair (a, b) with its comparison vector."""
    from kehu.dedupe.features import build_features

    left, right = (a, b) if a < b else (b, a)
    rows = _customer_rows(cur, [left, right])
    pattern = pattern_of(build_features(rows), left, right) if len(rows) == 2 else None
    prob = cur.execute(
        "SELECT probability FROM dedupe_pairs WHERE id_l = ? AND id_r = ?", [left, right]
    ).fetchone()
    cur.execute(
        "INSERT INTO dedupe_labels (id_l, id_r, label, source, decided_at, pattern, probability)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET label = excluded.label, "
        "source = excluded.source, decided_at = excluded.decided_at, "
        "pattern = coalesce(excluded.pattern, dedupe_labels.pattern), "
        "probability = coalesce(excluded.probability, dedupe_labels.probability)",
        [
            left,
            right,
            label,
            source,
            now,
            json.dumps(pattern) if pattern else None,
            prob[0] if prob else None,
        ],
    )


def load_labels(ws: Any) -> list[tuple[dict[str, int], str]]:
    """(pattern, label) of every labelled pair whose pattern is known."""
    out = []
    for pattern, label in ws.rows(
        "SELECT pattern, label FROM dedupe_labels WHERE pattern IS NOT NULL ORDER BY decided_at"
    ):
        out.append((json.loads(pattern), label))
    return out


def _patterns(labels: list[tuple[dict[str, int], str]], want: str) -> np.ndarray:
    rows = [[p.get(c, -1) for c in COMPARISONS] for p, lab in labels if lab == want]
    return np.array(rows, dtype=np.int64).reshape(-1, len(COMPARISONS))


def supervised_m(
    m: list[np.ndarray], labels: list[tuple[dict[str, int], str]], prior_pairs: float
) -> list[np.ndarray]:
    """m re-estimated from the labelled matches: each comparison's level counts plus the
    current m worth `prior_pairs` pairs (null levels are not counted). FIXED ones stay."""
    matches = _patterns(labels, MATCH)
    out = []
    for c, name in enumerate(COMPARISONS):
        g = matches[:, c]
        g = g[g >= 0]
        if name in FIXED or not len(g):
            out.append(m[c].copy())
            continue
        counts = np.bincount(g, minlength=len(m[c])).astype(float)
        est = (counts + prior_pairs * m[c]) / (len(g) + prior_pairs)
        est = np.maximum(est, em.M_FLOOR)
        out.append(est / est.sum())
    return out


def probabilities(
    patterns: np.ndarray, m: list[np.ndarray], u: list[np.ndarray], lam: float
) -> np.ndarray:
    """Match probability of comparison vectors (no term-frequency adjustment)."""
    if not len(patterns):
        return np.zeros(0)
    logit = np.log(lam / (1 - lam)) + em.log_bf(patterns, m, u, list(range(len(COMPARISONS))))
    return 1.0 / (1.0 + np.exp(-np.clip(logit, -700, 700)))


def safe_auto_merge(
    configured: float,
    labels: list[tuple[dict[str, int], str]],
    m: list[np.ndarray],
    u: list[np.ndarray],
    lam: float,
) -> float:
    """The automatic threshold: the configured one, raised just above the highest score a
    labelled non-match gets from the model (capped below 1), so a pair like one a person
    rejected is never merged without review."""
    scores = probabilities(_patterns(labels, NON_MATCH), m, u, lam)
    top = float(scores.max()) if len(scores) else 0.0
    if top < configured:
        return configured
    return min(0.999999, top + (1 - top) / 2)


def level_labels() -> dict[str, list[str]]:
    """Comparison -> level labels indexed by gamma (0 = ELSE … top)."""
    return {
        name: [lv.label for lv in reversed(levels)] for name, (_, levels) in COMPARISONS.items()
    }


def m_changes(
    before: list[np.ndarray], after: list[np.ndarray], top: int = 6
) -> dict[str, dict[str, tuple[float, float]]]:
    """The `top` largest m moves, by comparison and level."""
    names = level_labels()
    moves = []
    for c, name in enumerate(COMPARISONS):
        for g in range(len(before[c])):
            moves.append((abs(after[c][g] - before[c][g]), name, g))
    moves.sort(reverse=True)
    out: dict[str, dict[str, tuple[float, float]]] = {}
    for delta, name, g in moves[:top]:
        if delta < 1e-4:
            break
        c = list(COMPARISONS).index(name)
        out.setdefault(name, {})[names[name][g]] = (float(before[c][g]), float(after[c][g]))
    return out
