"""Window functions on a narrow projection, joined back by customer_id.

A window operator carries (and sorts) every column of its input; ranking the wide customer
table costs far more than ranking (customer_id, value). `with_windows` projects the inputs,
computes the window columns there and joins them back: same result, a fraction of the work.
`top_rows` is the pandas counterpart for the summary's top-N lists.
"""

from __future__ import annotations

from collections.abc import Callable

import ibis.expr.types as ir
import pandas as pd


def with_windows(
    t: ir.Table,
    inputs: dict[str, ir.Value],
    outputs: dict[str, Callable[[ir.Table], ir.Value]],
) -> ir.Table:
    """Add `outputs` (functions of the narrow table of `inputs`) to `t` by customer_id."""
    narrow = t.select("customer_id", **inputs)
    computed = narrow.select("customer_id", **{name: fn(narrow) for name, fn in outputs.items()})
    joined = t.left_join(computed, t.customer_id == computed.customer_id)
    return joined.drop("customer_id_right")


def top_rows(frame: pd.DataFrame, keys: list[str], ascending: list[bool], n: int) -> pd.DataFrame:
    """The first `n` rows of `frame` sorted by `keys` (the first key must have no NaN).

    Only the rows that can be among the first `n` by the first key (ties included) are
    sorted in full: at 10^6 customers a full multi-key sort with a text tie-breaker costs
    about a second, selecting the candidates a few milliseconds."""
    if len(frame) > n > 0:
        lead = frame[keys[0]]
        if ascending[0]:
            frame = frame[lead <= lead.nsmallest(n).iloc[-1]]
        else:
            frame = frame[lead >= lead.nlargest(n).iloc[-1]]
    return frame.sort_values(keys, ascending=ascending, kind="stable").head(n)
