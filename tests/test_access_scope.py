"""A scope's four forms (SQL predicate, Ibis filter, `allows`, `customer_filter`) keep the
same customers, whatever the role, regions, owners and the customer's region and owner."""

from __future__ import annotations

import duckdb
import ibis
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from kehu.access.scope import Scope

NAMES = st.sampled_from(["华东", "华北", "张伟", "O'Brien", "a?b", ""])
SCOPES = st.builds(
    Scope,
    user=st.just("u"),
    role=st.sampled_from(["admin", "manager", "rep", "unknown"]),
    regions=st.lists(NAMES, max_size=3).map(tuple),
    owners=st.lists(NAMES, max_size=3).map(tuple),
)
CUSTOMER = st.tuples(st.none() | NAMES, st.none() | NAMES)

CON = duckdb.connect()
IBIS = ibis.duckdb.connect()
SCHEMA = {"region": "string", "owner": "string"}


@hsettings(max_examples=80, deadline=None)
@given(SCOPES, CUSTOMER)
def test_every_form_of_a_scope_keeps_the_same_customers(scope: Scope, customer: tuple) -> None:
    region, owner = customer
    cond, params = scope.customer_sql("c")
    in_sql = CON.execute(
        f"SELECT count(*) FROM (SELECT ?::VARCHAR AS region, ?::VARCHAR AS owner) c WHERE {cond}",
        [region, owner, *params],
    ).fetchone()[0]
    t = ibis.memtable({"region": [region], "owner": [owner]}, schema=SCHEMA)
    in_ibis = IBIS.execute(t.filter(scope.ibis_filter(t)).count())
    kept = scope.customer_filter()
    by_filter = kept is None or {"region": region, "owner": owner}[kept[0]] in kept[1]
    assert bool(in_sql) == bool(in_ibis) == scope.allows(region, owner) == by_filter
    if scope.role == "admin":
        assert kept is None and in_sql
