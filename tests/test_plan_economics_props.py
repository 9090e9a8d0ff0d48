"""Invariants of the budget cut and the capacity balance, over random plans (hypothesis)."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from kehu.config import CapacitySettings, PlanSettings
from kehu.planning import budget, capacity
from kehu.planning.owners import Team

REGIONS = ("华东", "华北")
TIERS = ("core", "strategic")
REPS = ("a", "b", "c")

task = st.tuples(
    st.sampled_from(REGIONS), st.sampled_from(TIERS), st.integers(0, 100),
    st.sampled_from((0.0, 100.0, 250.0, 400.0)), st.sampled_from(REPS),
    st.sampled_from(("2026-12-05", "2027-01-10")),
)  # fmt: skip


def _frame(rows: list[tuple]) -> pd.DataFrame:  # type: ignore[type-arg]
    return pd.DataFrame(
        [
            {"customer_id": f"k{i:03d}", "region": r, "value_tier": t,
             "playbook": f"value_tier.{t}", "priority": float(p), "cost": c, "owner": o,
             "due_date": pd.Timestamp(d)}
            for i, (r, t, p, c, o, d) in enumerate(rows)
        ],
        columns=["customer_id", "region", "value_tier", "playbook", "priority", "cost", "owner",
                 "due_date"],
    )  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(st.lists(task, max_size=25), st.floats(0, 2000), st.floats(0, 2000), st.floats(0, 500))
def test_the_budget_cut(rows: list[tuple], east: float, core: float, open_east: float) -> None:  # type: ignore[type-arg]
    new = _frame(rows)
    caps = {("region", "华东"): east, ("tier", "core"): core}
    committed = {("region", "华东"): open_east}
    kept, dropped, over = budget.fit(new, committed, caps)
    assert len(kept) + len(dropped) == len(new)
    assert set(kept["customer_id"]).isdisjoint(dropped["customer_id"])
    spend = {k: committed.get(k, 0.0) for k in caps}
    for _, r in kept.iterrows():
        for g, col in (("region", "region"), ("tier", "value_tier")):
            if (g, r[col]) in spend:
                spend[(g, r[col])] += r["cost"]
    for key, cap in caps.items():
        # within budget after the cut, unless what is open alone exceeds it
        if spend[key] > cap + 1e-6:
            assert committed.get(key, 0.0) > cap - 1e-6 or not len(kept)
    # nothing free is ever dropped, and a dropped task was in a group that was over
    assert (dropped["cost"] > 0).all()
    names = {(o.group, o.key) for o in over}
    for detail in dropped["detail"]:
        assert all(tuple(p.split(".", 1)) in names for p in detail.split(", "))
    # no task of a group is kept below a dropped one of the same, single-group rows only
    for (g, key), col in ((("region", "华东"), "region"), (("tier", "core"), "value_tier")):
        gone = dropped[(dropped[col] == key) & (dropped["detail"] == f"{g}.{key}")]
        if len(gone):
            other = "value_tier" if col == "region" else "region"
            cap_other = caps.get(("tier" if other == "value_tier" else "region",
                                  "core" if other == "value_tier" else "华东"))  # fmt: skip
            stay = kept[(kept[col] == key) & (kept["cost"] > 0)]
            if cap_other is None:
                assert (stay["priority"] >= gone["priority"].min()).all()


@settings(max_examples=150, deadline=None)
@given(st.lists(task, max_size=25), st.integers(0, 4), st.booleans())
def test_the_capacity_balance(rows: list[tuple], per_rep: int, hours: bool) -> None:  # type: ignore[type-arg]
    new = _frame(rows)
    team = Team({}, {}, {"华东": ["a", "b"], "华北": ["c"]})
    cap = CapacitySettings(per_rep=per_rep, unit="hours" if hours else "tasks",
                           hours={"value_tier.strategic": 3.0}, default_hours=1.0)  # fmt: skip
    kept, left, rows_out = capacity.fit(new, {}, team, cap, PlanSettings())
    assert len(kept) + len(left) == len(new)
    if per_rep == 0:
        assert left.empty
        return
    load: dict[tuple[str, str], float] = {}
    for _, r in kept.iterrows():
        key = (r["owner"], capacity.period_of(cap, r["due_date"]))
        load[key] = load.get(key, 0.0) + capacity.size(cap, r["playbook"])
        # a task moved only to a rep of its region
        assert r["owner"] == new.set_index("customer_id").at[r["customer_id"], "owner"] or (
            r["owner"] in team.reps[r["region"]]
        )
    assert all(v <= per_rep + 1e-9 for v in load.values())  # nobody over capacity
    assert sum(r["new_load"] for r in rows_out) == sum(load.values())
    assert sum(r["left_out"] for r in rows_out) == len(left)
