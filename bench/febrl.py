"""FEBRL person records as a kehu customers export, their truth, and Splink's FEBRL example.

Used by `bench/bench_dedupe_febrl.py` and the test on the shipped FEBRL1 slice.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import pandas as pd

from kehu.dedupe.evaluate import linkage_scores


def to_customers(raw: pd.DataFrame) -> pd.DataFrame:
    """A customers export of persons, headers as kehu's importer knows them: name = given
    name + surname, address = street number + address lines, city = suburb, province =
    state, birth date, the social security number as the registration id."""

    def join(*cols: str, sep: str = " ") -> pd.Series:
        parts = raw[list(cols)].fillna("").astype(str)
        return parts.apply(lambda r: sep.join(x for x in r if x.strip()), axis=1)

    # kehu import rejects a row whose date cannot be read (FEBRL has 19371233 ...); the
    # export leaves such a date empty so no record is lost.
    dob = raw["date_of_birth"].where(
        pd.to_datetime(raw["date_of_birth"], format="%Y%m%d", errors="coerce").notna(), ""
    )
    return pd.DataFrame(
        {
            "customer_id": raw["rec_id"],
            "name": join("given_name", "surname"),
            "customer_type": "person",
            "address": join("street_number", "address_1", "address_2"),
            "city": raw["suburb"],
            "province": raw["state"],
            "postcode": raw["postcode"],
            "birth_date": dob,
            "registration_id": raw["soc_sec_id"],
        }
    )


def truth_clusters(rec_ids: Sequence[str]) -> list[list[str]]:
    """rec-N-org and rec-N-dup-k are one person N."""
    groups: dict[str, list[str]] = {}
    for rid in rec_ids:
        groups.setdefault("-".join(rid.split("-")[:2]), []).append(rid)
    return [g for g in groups.values() if len(g) > 1]


def splink_febrl(raw: pd.DataFrame, truth: list[list[str]]) -> dict[str, Any]:
    """Splink 5 with its documented FEBRL4 example ("detailed" model: NameComparison on given
    name and surname, DateOfBirthComparison, Damerau-Levenshtein on soc_sec_id and postcode,
    exact street number; its blocking and deterministic rules; u from 1e6 random pairs; EM
    blocked on date of birth and on postcode), run as dedupe_only over the same records.
    Pairs scored like kehu's: >= 0.99 automatic, >= 0.80 review."""
    import logging

    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    logging.getLogger("splink").setLevel(logging.ERROR)
    t0 = time.perf_counter()
    df = raw.copy()
    blocking = [
        block_on("given_name", "surname"),
        "l.given_name = r.surname and l.surname = r.given_name",
        block_on("date_of_birth"),
        block_on("soc_sec_id"),
        block_on("state", "address_1"),
        block_on("street_number", "address_1"),
        block_on("postcode"),
    ]
    settings = SettingsCreator(
        unique_id_column_name="rec_id",
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=blocking,
        comparisons=[
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison(
                "date_of_birth",
                input_is_string=True,
                datetime_format="%Y%m%d",
                invalid_dates_as_null=True,
            ),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]).configure(
                term_frequency_adjustments=True
            ),
        ],
    )
    df = df.replace("", None)
    db = DuckDBAPI()
    linker = Linker(db.register(df), settings)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("soc_sec_id"), block_on("given_name", "surname", "date_of_birth")], recall=0.8
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
    for rule in (block_on("date_of_birth"), block_on("postcode")):
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=True
        )
    preds = linker.inference.predict(threshold_match_probability=0.2).as_pandas_dataframe()
    seconds = time.perf_counter() - t0
    prob = preds["match_probability"]
    pairs = pd.DataFrame(
        {
            "id_l": preds["rec_id_l"].astype(str),
            "id_r": preds["rec_id_r"].astype(str),
            "probability": prob,
            "status": ["auto" if p >= 0.99 else "review" if p >= 0.8 else "below" for p in prob],
        }
    )
    out = linkage_scores(pairs, truth, raw["rec_id"].tolist())
    out.pop("true_pairs")
    out["seconds"] = round(seconds, 1)
    return out


def review_simulation(
    ws_path: Any,
    truth: list[list[str]],
    ids: list[str],
    steps: Sequence[int],
    review_floor: float | None = None,
    untrained: bool = False,
) -> list[dict[str, Any]]:
    """F1 after 0, 25, 50, 100 … reviewed pairs, taken in the review queue's own order (most
    likely first) and decided by the truth: a non-duplicate is rejected as `kehu dedupe
    reject` does; a duplicate is labelled as `kehu dedupe merge` labels it, without folding
    the records, so every step is scored on the same records. Each step re-runs `kehu dedupe
    --dry-run`, which learns from the labels so far. `review_floor` lowers dedupe.review for
    the run (a longer queue than the default thresholds leave on FEBRL); `untrained` keeps
    the documented priors (as a workspace below dedupe.min_train_records has), so the labels
    are the only thing the model learns from."""
    from datetime import datetime

    from kehu.dedupe.labels import MATCH, record_label
    from kehu.dedupe.review import pending_pairs, reject_pair
    from kehu.dedupe.run import run_dedupe
    from kehu.workspace import Workspace

    same = {rid: "-".join(rid.split("-")[:2]) for rid in ids}
    ws = Workspace.open(ws_path)
    update: dict[str, Any] = {}
    if review_floor is not None:
        update["review"] = review_floor
    if untrained:
        update["min_train_records"] = 10**9
    ws.settings.dedupe = ws.settings.dedupe.model_copy(update=update)
    out = []
    reviewed = 0
    try:
        res = run_dedupe(ws, dry_run=True)
        for target in [0, *steps]:
            if target > reviewed:
                done = {(a, b) for a, b in ws.rows("SELECT id_l, id_r FROM dedupe_labels")}
                queue = [p for p in pending_pairs(ws) if (p["id_l"], p["id_r"]) not in done]
                for p in queue[: target - reviewed]:
                    a, b = p["id_l"], p["id_r"]
                    if same[a] == same[b]:
                        with ws.transaction() as cur:
                            record_label(cur, a, b, MATCH, "merge", datetime.now())
                    else:
                        reject_pair(ws, a, b, note="review simulation")
                    reviewed += 1
                res = run_dedupe(ws, dry_run=True)
            scores = linkage_scores(res.pairs, truth, ids)
            out.append(
                {
                    "reviewed": reviewed,
                    "f1": scores["default"]["f1"],
                    "precision": scores["default"]["precision"],
                    "recall": scores["default"]["recall"],
                    "auto_f1": scores["auto"]["f1"],
                    "queue": res.review_pairs,
                    "learning": res.learning,
                }
            )
            if target > reviewed:  # the queue ran dry
                break
    finally:
        ws.close()
    return out
