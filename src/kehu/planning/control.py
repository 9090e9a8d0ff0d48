"""Control groups: which eligible customers a plan holds out of each playbook (docs/planning.md).

The draw is a hash of (plan.control_seed, playbook, customer), so a customer's arm never depends
on the plan date or on who else is eligible: a re-plan does not reshuffle, and a customer held
out of a playbook stays held out while the seed stays (a persistent hold-out, decision 71).
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow as pa

from kehu.errors import ConfigError

if TYPE_CHECKING:
    from kehu.config import PlanSettings
    from kehu.planning.playbook import Playbook

CONTROL = "control"
TREATED = "treated"
_SCALE = float(2**64)


def check(plan: PlanSettings, books: dict[str, Playbook]) -> None:
    """Every playbook named by plan.control_shares / control_protected must exist."""
    known = ", ".join(sorted(books))
    for setting in ("control_shares", "control_protected"):
        for key in getattr(plan, setting):
            if key not in books:
                raise ConfigError(
                    f"plan.{setting} 中的 {key!r} 不是已定义的打法(可选: {known})",
                    f"plan.{setting} names {key!r}, which is not a playbook (known: {known})",
                )


def draw(seed: int, playbook: str, customer_id: str) -> float:
    """A uniform number in [0, 1), fixed by seed, playbook and customer."""
    digest = hashlib.sha256(f"{seed}\x1f{playbook}\x1f{customer_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / _SCALE


def share(plan: PlanSettings, playbook: str, eligible: int) -> float:
    """The share of a playbook's eligible customers held out in this plan (0: none)."""
    if playbook in plan.control_protected or eligible < plan.control_min_eligible:
        return 0.0
    return plan.control_shares.get(playbook, plan.control_share)


def split(frame: pd.DataFrame, plan: PlanSettings) -> pd.DataFrame:
    """`frame` (one row per eligible customer, with `playbook`) plus `draw`, `share`, `arm`."""
    out = frame.assign(
        draw=[
            draw(plan.control_seed, str(p), str(c))
            for p, c in zip(frame["playbook"], frame["customer_id"], strict=True)
        ]
    )
    sizes = out["playbook"].map(out["playbook"].value_counts())
    out["share"] = [
        share(plan, str(p), int(n)) for p, n in zip(out["playbook"], sizes, strict=True)
    ]
    out["arm"] = (out["draw"] < out["share"]).map({True: CONTROL, False: TREATED})
    return out


def record(cur: Any, as_of: date, arms: pd.DataFrame, seed: int) -> None:
    """Replace the plan_arms rows of the plan at `as_of` with this plan's draw."""
    cur.execute("DELETE FROM plan_arms WHERE as_of = ?", [as_of])
    if arms.empty:
        return
    rows = arms[["customer_id", "playbook", "arm", "share", "draw"]].copy()
    rows.insert(0, "as_of", as_of)
    rows["seed"] = seed
    cur.register("_plan_arms", pa.Table.from_pandas(rows, preserve_index=False))
    cols = ", ".join(rows.columns)
    cur.execute(f"INSERT INTO plan_arms ({cols}) SELECT {cols} FROM _plan_arms")
    cur.unregister("_plan_arms")


def held_out(arms: pd.DataFrame) -> dict[str, int]:
    """Control customers per playbook."""
    control = arms[arms["arm"] == CONTROL]
    return {str(k): int(v) for k, v in control["playbook"].value_counts().sort_index().items()}
