"""`kehu import --dedupe`: does an incoming customer already exist in the base?

Scores incoming rows against the stored customers with Splink's `predict_between` (pairs
across the two sets only, never inside the base), using the model the last `kehu dedupe`
trained (`<workspace>/dedupe/model.json`) or the documented priors. Term-frequency
adjustments are left out here (they describe the base, not a handful of new rows).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow as pa

from kehu.dedupe.features import build_features
from kehu.dedupe.match import Matcher, prior_lambda, splink_settings
from kehu.dedupe.model import settings_dict, without_term_frequencies
from kehu.dedupe.run import MODEL_FILE, rejected_pairs

if TYPE_CHECKING:
    from kehu.workspace import Workspace

_PREFIX = "\x00in:"


@dataclass
class IncomingMatch:
    incoming_id: str
    existing_id: str
    probability: float
    agreed: list[str] = field(default_factory=list)


def _model(ws: Workspace, n_existing: int) -> dict[str, Any]:
    path = ws.root.joinpath(*MODEL_FILE)
    if path.exists():
        model = json.loads(path.read_text(encoding="utf-8"))
    else:
        model = settings_dict(
            prior_lambda(max(n_existing, 2), ws.settings.dedupe.prior_duplicate_share)
        )
    return without_term_frequencies(model)


def find_incoming_duplicates(ws: Workspace, incoming: pa.Table) -> list[IncomingMatch]:
    """The best existing match of each incoming customer with probability >=
    `dedupe.review`, most likely first. Incoming rows need `customer_id` and `name`; any
    other customers column helps."""
    if incoming.num_rows == 0:
        return []
    existing = ws.cursor().sql("SELECT * FROM customers").to_arrow_table()
    if existing.num_rows == 0:
        return []
    new = incoming.to_pandas()
    new["customer_id"] = _PREFIX + new["customer_id"].astype(str)
    both = build_features(pd.concat([existing.to_pandas(), new], ignore_index=True))
    is_new = both["unique_id"].str.startswith(_PREFIX)
    settings = splink_settings(ws)
    matcher = Matcher(
        both[~is_new].reset_index(drop=True), settings, model=_model(ws, existing.num_rows)
    )
    try:
        matcher.con.register(
            "kehu_features",
            pd.concat([matcher.frame, _as_strings(both[is_new])], ignore_index=True),
        )
        right = matcher.db_api.register(
            _as_strings(both[is_new]), dataset_display_name="kehu_incoming"
        )
        preds = matcher.linker.inference.predict_between(
            matcher.sdf,
            right,
            threshold_match_probability=settings.review,
            warning_mode="never",
        )
        pairs = matcher._explain(preds.physical_name, rejected_pairs(ws)).to_pandas()
    finally:
        matcher.close()
    if pairs.empty:
        return []
    pairs = pairs[pairs["blocked"].isna()]
    out: dict[str, IncomingMatch] = {}
    for a, b, p, agreed in zip(
        pairs["id_l"], pairs["id_r"], pairs["probability"], pairs["agreed"], strict=True
    ):
        inc, ext = (a, b) if a.startswith(_PREFIX) else (b, a)
        if ext.startswith(_PREFIX) or not inc.startswith(_PREFIX):
            continue
        key = inc[len(_PREFIX) :]
        if key not in out or p > out[key].probability:
            out[key] = IncomingMatch(key, ext, float(p), [x for x in agreed.split(",") if x])
    return sorted(out.values(), key=lambda m: (-m.probability, m.incoming_id))


def _as_strings(frame: pd.DataFrame) -> pd.DataFrame:
    df = frame.reset_index(drop=True).copy()
    for col in df.columns:
        if col in ("reg_valid", "ctype_given"):
            df[col] = df[col].astype("boolean")
        else:
            df[col] = df[col].astype("string[pyarrow]")
    return df
