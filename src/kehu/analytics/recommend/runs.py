"""Recommendation runs: per level, the holdout evaluation, the chosen model fitted on the
whole history, each customer's list with its reason stored in `cross_sell`, the evaluation
in `recommend_runs`; and the reads of both."""

from __future__ import annotations

import json
import time
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa

from kehu.analytics import run_log
from kehu.analytics.recommend.data import Level, Purchases, incidence, load
from kehu.analytics.recommend.evaluate import RECALL_K, best_model, holdout
from kehu.analytics.recommend.models import FIT, available, top_k
from kehu.analytics.recommend.reasons import affinities, because
from kehu.config import RecommendSettings
from kehu.errors import KehuError

if TYPE_CHECKING:
    from kehu.workspace import Workspace

TABLE = "recommend_runs"
HISTORY_COLUMNS = ("run_at", "as_of", "level", "model", "customers_evaluated", "recall_at_5",
                   "popularity_recall_at_5", "hit_at_5", "popularity_hit_at_5")  # fmt: skip
FAR_FUTURE = date(9999, 12, 31)


def run(ws: Workspace, as_of: date | None = None, *, store: bool = True) -> dict[str, Any]:
    """Evaluate and fit every configured level as of `as_of` (default: the latest order);
    store the lists and the evaluation unless `store` is False."""
    cfg = ws.settings.recommend
    run_at = datetime.now().isoformat()
    levels: dict[str, Any] = {}
    for level in cfg.levels:
        p = load(ws, level, as_of or FAR_FUTURE)
        if not len(p.item):
            continue
        day = np.datetime64(as_of, "D") if as_of else p.latest
        out, lists = fit_level(p, day, cfg)
        levels[level] = out
        if store:
            save(ws, level, out, lists, run_at)
    if not levels:
        raise KehuError(
            "订单没有产品类别或产品:无法推荐(导入含 产品类别 / 产品 列的订单)",
            "the orders carry no product category or product: nothing to recommend "
            "(import orders with a product_category / product column)",
        )
    first = next(iter(levels.values()))
    return {"run_at": run_at, "as_of": first["as_of"], "levels": levels}


def fit_level(
    p: Purchases, day: np.datetime64, cfg: RecommendSettings
) -> tuple[dict[str, Any], pd.DataFrame]:
    """The evaluation and choice for one level, and the customers' lists (long form)."""
    models = available()
    clock = time.perf_counter()
    evaluation = holdout(p, day, cfg.horizon_days, cfg.half_life_days, models)
    model = best_model(evaluation) if cfg.model == "auto" else cfg.model
    if model not in models:
        raise KehuError(
            f"模型 {model} 需要安装 implicit 包(pip install implicit)",
            f"the model {model} needs the implicit package (pip install implicit)",
        )
    seconds = {"holdout": time.perf_counter() - clock}
    clock = time.perf_counter()
    known = p.until(day)
    inc = incidence(known, day, cfg.half_life_days, np.unique(known.item))
    best, score = top_k(inc, FIT[model](inc), cfg.top_k)
    seconds["fit"] = time.perf_counter() - clock
    clock = time.perf_counter()
    src, share = because(inc, best)
    n, k = best.shape
    ok = best.ravel() >= 0
    item, src_flat = best.ravel()[ok], src.ravel()[ok]
    lists = pd.DataFrame(
        {
            "customer_id": np.repeat(inc.customers, k)[ok],
            "rank": np.tile(np.arange(1, k + 1), n)[ok],
            "item": inc.items[item],
            "score": score.ravel()[ok],
            "because": np.where(src_flat >= 0, inc.items[np.maximum(src_flat, 0)], None),
            "share": share.ravel()[ok],
        }
    )
    scores = evaluation["models"]
    out = {
        "as_of": str(day),
        "model": model,
        "chosen_by": "holdout" if cfg.model == "auto" else "settings",
        "evaluation": evaluation,
        "recall_at_5": scores.get(model, {}).get(f"recall_at_{RECALL_K}"),
        "popularity_recall_at_5": scores.get("popularity", {}).get(f"recall_at_{RECALL_K}"),
        "customers": int(n),
        "items": int(len(inc.items)),
        "affinities": affinities(inc),
        "seconds": {**seconds, "reasons": time.perf_counter() - clock},
    }
    return out, lists


def save(
    ws: Workspace, level: Level, out: dict[str, Any], lists: pd.DataFrame, run_at: str
) -> None:
    """Replace the level's lists of the date and append the evaluation to the run log."""
    scores = out["evaluation"]["models"]
    model, pop = scores.get(out["model"], {}), scores.get("popularity", {})
    headline = [out["as_of"], level, out["model"], out["evaluation"]["customers_evaluated"],
                model.get("recall_at_5"), pop.get("recall_at_5"), model.get("hit_at_5"),
                pop.get("hit_at_5")]  # fmt: skip
    run_log.append(ws, TABLE, HISTORY_COLUMNS, {**out, "level": level, "run_at": run_at}, headline)
    with ws.transaction() as cur:
        cur.register("_cross_sell_rows", pa.Table.from_pandas(lists, preserve_index=False))
        cur.execute("DELETE FROM cross_sell WHERE as_of = ? AND level = ?", [out["as_of"], level])
        cur.execute(
            "INSERT INTO cross_sell SELECT ?::DATE, ?, customer_id, rank, item, score, because,"
            " share, ? FROM _cross_sell_rows",
            [out["as_of"], level, out["model"]],
        )
        cur.unregister("_cross_sell_rows")


def history(ws: Workspace, limit: int = 50) -> list[dict[str, Any]]:
    """The latest runs' evaluations, newest first (headline columns only)."""
    return run_log.history(ws, TABLE, HISTORY_COLUMNS, limit)


LATEST = (
    "SELECT result_json FROM recommend_runs WHERE run_at = (SELECT max(run_at) FROM recommend_runs)"
)


def latest(ws: Workspace) -> dict[str, Any] | None:
    """The newest run: every level's evaluation, or None before the first."""
    rows = ws.rows(LATEST + " ORDER BY level")
    if not rows:
        return None
    levels = {r["level"]: r for r in (json.loads(t) for (t,) in rows)}
    first = next(iter(levels.values()))
    return {"run_at": first["run_at"], "as_of": first["as_of"], "levels": levels}


FOR_CUSTOMERS = """
SELECT customer_id, rank, item, because, share, model FROM cross_sell
WHERE level = ? AND as_of = (SELECT max(as_of) FROM cross_sell WHERE level = ?)
  AND rank <= ? {where} ORDER BY customer_id, rank
"""


def lists(
    ws: Workspace, level: Level = "category", limit: int = 3, customers: list[str] | None = None
) -> dict[str, list[dict[str, Any]]]:
    """The newest stored lists (best first, at most `limit` each) of `customers` (all when
    None), keyed by customer id."""
    where, params = "", list[Any]([level, level, limit])
    if customers is not None:
        where, params = "AND list_contains(?, customer_id)", [*params, customers]
    out: dict[str, list[dict[str, Any]]] = {}
    for cid, rank, item, src, share, model in ws.rows(FOR_CUSTOMERS.format(where=where), params):
        out.setdefault(cid, []).append(
            {"rank": rank, "item": item, "because": src, "share": share, "model": model}
        )
    return out
