"""Unsupervised m-probability estimation (Fellegi–Sunter EM) on agreement-pattern counts.

Splink 5's own EM raises as soon as a level's m estimate reaches exactly 0 (it validates
m >= 1e-300, splink#2851), which clean data triggers: a level seen only among non-matches
(e.g. two different legal forms inside a block of equal names) collapses to 0 after a few
iterations. This module runs the same EM over the comparison vectors — computed in DuckDB
with the model's own level SQL, grouped into pattern counts — with m floored, so training
always finishes. Splink still estimates u (random sampling) and λ, and scores the pairs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np

from kehu.dedupe.model import COMPARISONS, FIXED

M_FLOOR = 1e-6


@dataclass
class Session:
    rule: str
    pairs: int
    iterations: int
    lam: float
    trained: list[str]  # comparisons whose m this session estimated


def gamma_select() -> str:
    """SQL expressions `g_<comparison>`: -1 null, then len-1 (top level) down to 0 (ELSE)."""
    parts = []
    for name, (null_cols, levels) in COMPARISONS.items():
        null = " OR ".join(f'"{c}_l" IS NULL OR "{c}_r" IS NULL' for c in null_cols)
        whens = [f"WHEN {null} THEN -1"]
        n = len(levels)
        for i, lv in enumerate(levels):
            if lv.sql == "ELSE":
                continue
            whens.append(f"WHEN {lv.sql} THEN {n - 1 - i}")
        parts.append(f"CASE {' '.join(whens)} ELSE 0 END AS g_{name}")
    return ",\n".join(parts)


def pattern_counts(
    con: duckdb.DuckDBPyConnection, table: str, columns: list[str], rule: str
) -> tuple[np.ndarray, np.ndarray]:
    """(patterns [P x C] of gamma values, counts [P]) for the pairs a blocking rule makes."""
    sides = ", ".join(f'l."{c}" AS "{c}_l", r."{c}" AS "{c}_r"' for c in columns)
    names = list(COMPARISONS)
    sql = f"""
        WITH j AS (
          SELECT {sides} FROM {table} l JOIN {table} r
            ON ({rule}) AND l.unique_id < r.unique_id
        ), g AS (SELECT {gamma_select()} FROM j)
        SELECT {", ".join(f"g_{n}" for n in names)}, count(*) AS n FROM g GROUP BY ALL
    """
    rows = con.sql(sql).fetchall()
    if not rows:
        return np.zeros((0, len(names)), dtype=np.int64), np.zeros(0)
    arr = np.array(rows, dtype=np.int64)
    return arr[:, :-1], arr[:, -1].astype(float)


def log_bf(
    patterns: np.ndarray, m: list[np.ndarray], u: list[np.ndarray], active: list[int]
) -> np.ndarray:
    out = np.zeros(len(patterns))
    for c in active:
        g = patterns[:, c]
        ok = g >= 0
        out[ok] += np.log(m[c][g[ok]]) - np.log(u[c][g[ok]])
    return out


def run_session(
    patterns: np.ndarray,
    counts: np.ndarray,
    m: list[np.ndarray],
    u: list[np.ndarray],
    lam: float,
    active: list[int],
    *,
    prior_pairs: float = 20.0,
    max_iterations: int = 50,
    tol: float = 1e-5,
) -> tuple[list[np.ndarray], float, int]:
    """EM over pattern counts; m of the `active` comparisons and λ are re-estimated.

    The starting m act as a Dirichlet prior worth `prior_pairs` matching pairs, so a level
    never seen among the matches keeps a small, finite m instead of collapsing to 0.
    """
    prior = [x.copy() for x in m]
    m = [x.copy() for x in m]
    iterations = 0
    for iterations in range(1, max_iterations + 1):  # noqa: B007
        lbf = log_bf(patterns, m, u, active)
        logit = np.log(lam) - np.log1p(-lam) + lbf
        p = 1.0 / (1.0 + np.exp(-np.clip(logit, -700, 700)))
        w = counts * p
        total_match = w.sum()
        new_lam = float(np.clip(total_match / counts.sum(), 1e-9, 1 - 1e-9))
        delta = abs(new_lam - lam)
        for c in active:
            g = patterns[:, c]
            ok = g >= 0
            denom = w[ok].sum()
            if denom <= 0:
                continue
            counts_c = np.bincount(g[ok], weights=w[ok], minlength=len(m[c]))
            est = (counts_c + prior_pairs * prior[c]) / (denom + prior_pairs)
            est = np.maximum(est, M_FLOOR)
            est /= est.sum()
            delta = max(delta, float(np.abs(est - m[c]).max()))
            m[c] = est
        lam = new_lam
        if delta < tol:
            break
    return m, lam, iterations


def levels_from_model(model: dict[str, Any], key: str) -> list[np.ndarray]:
    """m or u arrays indexed by gamma (0 = ELSE ... top), from a Splink model dict."""
    out = []
    for comp in model["comparisons"]:
        levels = [lv for lv in comp["comparison_levels"] if not lv.get("is_null_level")]
        vals = []
        for lv in reversed(levels):  # gamma 0 is the last (ELSE) level
            v = lv.get(key)
            vals.append(float(v) if isinstance(v, int | float) and v > 0 else np.nan)
        out.append(np.array(vals))
    return out


def fill_missing(trained: list[np.ndarray], prior: list[np.ndarray]) -> list[np.ndarray]:
    """Replace unobserved (nan) values by the priors, renormalised."""
    out = []
    for t, p in zip(trained, prior, strict=True):
        x = np.where(np.isnan(t), p, t)
        x = np.maximum(x, M_FLOOR)
        out.append(x / x.sum())
    return out


def write_levels(model: dict[str, Any], key: str, values: list[np.ndarray]) -> dict[str, Any]:
    """Put m or u arrays back into a Splink model dict (in place; returned)."""
    for comp, arr in zip(model["comparisons"], values, strict=True):
        levels = [lv for lv in comp["comparison_levels"] if not lv.get("is_null_level")]
        for lv, v in zip(reversed(levels), arr, strict=True):
            lv[key] = float(v)
    return model


def rule_columns(rule: str) -> set[str]:
    """Feature columns a blocking rule reads (l."col" / r."col")."""
    import re

    return set(re.findall(r'[lr]\."([a-z_]+)"', rule))


def active_comparisons(rule: str) -> list[int]:
    """Comparisons a session may train: those not read by its blocking rule."""
    used = rule_columns(rule)
    out = []
    for i, (name, (null_cols, levels)) in enumerate(COMPARISONS.items()):
        if name in FIXED:
            continue
        cols = set(null_cols)
        for lv in levels:
            cols.update(c.removesuffix("_l").removesuffix("_r") for c in _sql_cols(lv.sql))
        if not cols & used:
            out.append(i)
    return out


def _sql_cols(sql: str) -> list[str]:
    import re

    return re.findall(r'"([a-z_]+_[lr])"', sql)
