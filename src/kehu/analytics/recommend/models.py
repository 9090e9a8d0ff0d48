"""The candidate recommenders, each fitted on an `Incidence` and scoring blocks of its
customers: popularity (the baseline), item-item co-occurrence (cosine over who bought
what, summed with the customer's recency weights) and implicit-feedback ALS."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from threadpoolctl import threadpool_limits

from kehu.analytics.recommend.data import Incidence

Scorer = Callable[[np.ndarray], np.ndarray]  # customer rows -> (rows, items) scores
MODELS = ("popularity", "cooccurrence", "als")
STABLE_SORT_ITEMS = 512  # up to this many items a full stable sort per block is cheap
ALS_ALPHA = 10.0  # confidence per unit of recency weight (Hu, Koren & Volinsky's alpha)


def buyers(inc: Incidence) -> np.ndarray:
    """Customers who bought each item."""
    return np.asarray(inc.bought.sum(axis=0)).ravel()


def together(inc: Incidence) -> np.ndarray:
    """items × items: customers who bought both (the diagonal: who bought each)."""
    b = inc.bought.astype(np.float64)
    return np.asarray((b.T @ b).todense())


def popularity(inc: Incidence) -> Scorer:
    counts = buyers(inc).astype(np.float64)
    return lambda rows: np.broadcast_to(counts, (len(rows), len(counts)))


def cooccurrence(inc: Incidence) -> Scorer:
    both = together(inc)
    n = np.sqrt(np.diag(both))
    cosine = np.divide(both, np.outer(n, n), out=np.zeros_like(both), where=both > 0)
    np.fill_diagonal(cosine, 0.0)
    # ties (a customer whose items never co-occur with any candidate) fall back to popularity
    nudge = buyers(inc) / max(1.0, float(buyers(inc).max())) * 1e-9
    return lambda rows: np.asarray(inc.weights[rows] @ cosine) + nudge


def als(inc: Incidence, factors: int = 32, iterations: int = 15, seed: int = 0) -> Scorer:
    from implicit.cpu.als import AlternatingLeastSquares  # imported only when a run needs it

    n_factors = max(2, min(factors, len(inc.items) // 2))
    confidence = inc.weights.copy()
    confidence.data = ALS_ALPHA * confidence.data
    with threadpool_limits(1, "blas"):  # implicit runs its own threads; BLAS's would fight them
        model = AlternatingLeastSquares(
            factors=n_factors, regularization=0.05, iterations=iterations, random_state=seed,
            num_threads=1, calculate_training_loss=False,
        )  # fmt: skip
        model.fit(confidence.tocsr(), show_progress=False)
    users, items = np.asarray(model.user_factors), np.asarray(model.item_factors)
    return lambda rows: users[rows] @ items.T


FIT: dict[str, Callable[[Incidence], Scorer]] = {
    "popularity": popularity,
    "cooccurrence": cooccurrence,
    "als": als,
}


def available() -> tuple[str, ...]:
    """The models this installation can fit (ALS needs the `implicit` package)."""
    try:
        import implicit  # noqa: F401
    except ImportError:
        return tuple(m for m in MODELS if m != "als")
    return MODELS


def top_k(
    inc: Incidence, scorer: Scorer, k: int, block: int = 20_000
) -> tuple[np.ndarray, np.ndarray]:
    """Per customer the `k` best items it has not bought (item index, score; -1 past the
    candidates), best first (ties: the lower item index, exactly so up to STABLE_SORT_ITEMS)."""
    n, m = inc.weights.shape
    k = min(k, m)
    best = np.full((n, k), -1, dtype=np.int64)
    score = np.full((n, k), np.nan)
    bought = inc.bought
    for lo in range(0, n, block):
        rows = np.arange(lo, min(lo + block, n))
        s = np.array(scorer(rows), dtype=np.float64)
        s[bought[rows].nonzero()] = -np.inf
        if m <= STABLE_SORT_ITEMS:
            idx = np.argsort(-s, axis=1, kind="stable")[:, :k]
        else:  # many items: partition first, then order the k
            part = np.argpartition(-s, k - 1, axis=1)[:, :k]
            idx = np.take_along_axis(
                part, np.lexsort((part, -np.take_along_axis(s, part, axis=1)), axis=1), axis=1
            )
        val = np.take_along_axis(s, idx, axis=1)
        ok = np.isfinite(val)
        best[rows] = np.where(ok, idx, -1)
        score[rows] = np.where(ok, val, np.nan)
    return best, score
