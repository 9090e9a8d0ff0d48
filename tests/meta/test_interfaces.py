"""The interfaces (CLI, web) reach the domain only through `kehu.app` and `kehu.access`.

Besides those two they may import the rank-0/1 utilities and modules of their own floor
(`kehu serve` also runs the web app with its access log). `DEBT` lists, per floor, the
(module, target) pairs still to remove; the test fails on a new one and on a listed one
that is gone (then delete its line), as `test_layers.py` does.
"""

from __future__ import annotations

import re

import pytest
from test_layers import Graph, floor, import_graph, imports_in, modules

INTERFACE_MAY_IMPORT = {"app", "access", "errors", "i18n", "config", "calendar", "spreadsheet",
                        "idcodes", "charts"}  # fmt: skip
ALLOWED: set[tuple[str, str]] = {
    ("kehu.cli.web", "kehu.web.app"),
    ("kehu.cli.web", "kehu.web.accesslog"),
}
DEBT: dict[str, set[tuple[str, str]]] = {
    "cli": set(),
    "web": set(),
}


def violations(interface: str, graph: Graph | None = None) -> set[tuple[str, str]]:
    """(module, target) pairs where `interface` reaches past the entry point and access."""
    out = set()
    for module, targets in import_graph(graph).items():
        if floor(module) != interface:
            continue
        for target in targets:
            if floor(target) not in INTERFACE_MAY_IMPORT | {interface}:
                out.add((module, target))
    return out - ALLOWED


@pytest.mark.parametrize("interface", ["cli", "web"])
def test_interfaces_use_only_the_entry_point_and_access(interface: str) -> None:
    found, debt = violations(interface), DEBT[interface]
    assert not found - debt, f"{interface} imports the domain: {sorted(found - debt)}"
    assert not debt - found, f"fixed, delete from DEBT[{interface!r}]: {sorted(debt - found)}"


# Which rows a scope sees is the domain's (decision 56): an interface passes the scope to
# `Kehu` and never builds the scope's SQL predicate itself. These modules still do (the
# customer list's materialised cache).
SCOPE_SQL = re.compile(r"\.customer(_ids)?_sql\(")
SCOPE_SQL_DEBT: set[str] = set()


def test_interfaces_leave_the_scope_to_the_domain() -> None:
    found = {
        module
        for module, path in modules().items()
        if floor(module) in ("cli", "web") and SCOPE_SQL.search(path.read_text("utf-8"))
    }
    assert not found - SCOPE_SQL_DEBT, f"scope SQL built in an interface: {found - SCOPE_SQL_DEBT}"
    assert not SCOPE_SQL_DEBT - found, (
        f"fixed, delete from SCOPE_SQL_DEBT: {SCOPE_SQL_DEBT - found}"
    )


KNOWN = ("kehu.app", "kehu.access.scope", "kehu.errors", "kehu.analytics.rfm", "kehu.workspace",
         "kehu.web.services.state", "kehu.cli.root", "kehu.web.app")  # fmt: skip


@pytest.mark.parametrize("interface", ["cli", "web"])
@pytest.mark.parametrize(
    "source",
    [
        "from kehu.analytics import rfm\n",
        "from kehu.workspace import Workspace\n",
        'import importlib\nimportlib.import_module("kehu.analytics.rfm")\n',
    ],
)
def test_a_planted_domain_import_is_reported(interface: str, source: str) -> None:
    module = f"kehu.{interface}.planted"
    graph = {module: imports_in(source, module, KNOWN)}
    (found,) = violations(interface, graph)
    assert found[0] == module and found[1] in ("kehu.analytics.rfm", "kehu.workspace")


def test_the_entry_point_access_and_helpers_pass() -> None:
    source = (
        "from kehu.app import Kehu\nfrom kehu.access.scope import Scope\n"
        "from kehu.errors import KehuError\nfrom kehu.cli.root import app\n"
    )
    graph = {"kehu.cli.planted": imports_in(source, "kehu.cli.planted", KNOWN)}
    assert len(graph["kehu.cli.planted"]) == 4 and not violations("cli", graph)
    # the web's own modules are the web's, but not the CLI's (except `kehu serve`'s two)
    graph = {"kehu.cli.planted": imports_in("import kehu.web.services.state\n", "x", KNOWN)}
    assert violations("cli", graph) == {("kehu.cli.planted", "kehu.web.services.state")}
    assert not violations("cli", {"kehu.cli.web": {"kehu.web.app"}})
