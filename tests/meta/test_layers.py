"""The house stays layered: no floor imports one above it, and no import circle.

Imports are read from the source (static imports, `TYPE_CHECKING` ones included) *and* from
strings that name a kehu module (what `importlib.import_module` would load), so hidden wiring
counts too. `DEBT` lists what the architecture issue still has to remove; the test fails on a
new violation and on a listed one that is gone (then delete its line).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Collection, Iterable, Mapping
from functools import cache
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"

# Bottom to top. A floor may import only floors of a lower rank.
RANKS: dict[str, int] = {
    "errors": 0,
    "datafiles": 0,
    "i18n": 1,
    "idcodes": 0,
    "industries": 1,
    "calendar": 1,
    "spreadsheet": 0,
    "charts": 0,
    "config": 1,
    "store": 2,
    "engines": 2,
    "workspace": 3,
    "analytics": 4,
    "access": 4,
    "dedupe": 4,
    "ingest": 5,
    "quality": 5,
    "planning": 6,
    "monitor": 7,
    "demo": 8,
    "jobs": 9,
    "app": 10,
    "web": 11,
    "cli": 11,
    "__main__": 12,
}
FACE = "kehu"  # the package face re-exports; it is not a floor

# Known violations, to be removed by the consolidation (then delete the line).
DEBT: set[tuple[str, str]] = set()
# Not violations: `kehu serve` runs the web app with its access log.
ALLOWED: set[tuple[str, str]] = {
    ("kehu.cli.web", "kehu.web.app"),
    ("kehu.cli.web", "kehu.web.accesslog"),
}
CIRCLE_DEBT: set[frozenset[str]] = set()
MODULE_NAME = re.compile(r"^kehu(\.\w+)+")


def module_of(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    return {module_of(p): p for p in SRC.joinpath("kehu").rglob("*.py")}


def resolve(name: str, known: Collection[str] | None = None) -> str | None:
    """The longest module of `known` (default: src's) that `name` (a dotted path, maybe
    `mod.attr`) names."""
    known = modules() if known is None else known
    parts = name.split(".")
    while len(parts) > 1:  # "kehu.toml" is a file name, not the package face
        candidate = ".".join(parts)
        if candidate in known:
            return candidate
        parts.pop()
    return None


def imports_in(source: str, module: str, known: Collection[str]) -> frozenset[str]:
    """Every module of `known` that the source of `module` imports, statically or by a
    module-name string (what `importlib.import_module` would load)."""
    found: set[str | None] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.startswith("kehu"):
                found.update(resolve(f"{node.module}.{a.name}", known) for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(resolve(a.name, known) for a in node.names if a.name.startswith("kehu"))
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and (match := MODULE_NAME.match(node.value.split(":")[0]))
        ):
            found.add(resolve(match.group(0), known))
    return frozenset(m for m in found if m and m != module)


@cache
def imports_of(module: str) -> frozenset[str]:
    """Every kehu module that src's `module` imports."""
    return imports_in(modules()[module].read_text(encoding="utf-8"), module, modules())


Graph = Mapping[str, Iterable[str]]


@cache
def _src_graph() -> dict[str, frozenset[str]]:
    return {m: imports_of(m) for m in modules()}


def import_graph(graph: Graph | None = None) -> Graph:
    """`graph` (module -> the modules it imports), or src's when None."""
    return _src_graph() if graph is None else graph


def floor(module: str) -> str:
    return module.split(".")[1] if "." in module else FACE


def test_every_module_belongs_to_a_floor() -> None:
    unknown = {floor(m) for m in modules()} - set(RANKS) - {FACE}
    assert not unknown, f"give these floors a rank in RANKS: {sorted(unknown)}"


def upward_imports(graph: Graph | None = None) -> set[tuple[str, str]]:
    """(module, target) pairs where a floor imports one of its own rank or above."""
    out = set()
    for module, targets in import_graph(graph).items():
        if floor(module) == FACE:
            continue
        for target in targets:
            a, b = floor(module), floor(target)
            if b != FACE and a != b and RANKS[b] >= RANKS[a]:
                out.add((module, target))
    return out


def test_no_import_runs_up_the_floors() -> None:
    found = upward_imports() - ALLOWED
    assert not found - DEBT, f"imports that run up (or across) the floors: {sorted(found - DEBT)}"
    assert not DEBT - found, f"fixed, delete from DEBT: {sorted(DEBT - found)}"


def circles(graph: Graph | None = None) -> set[frozenset[str]]:
    """Strongly connected groups of two or more modules (Tarjan)."""
    edges = import_graph(graph)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    out: set[frozenset[str]] = set()

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = set()
            while True:
                w = stack.pop()
                group.add(w)
                if w == v:
                    break
            if len(group) > 1:
                out.add(frozenset(group))

    for module in edges:
        if module not in index:
            visit(module)
    return out


def test_no_import_circle() -> None:
    found = circles()
    assert not found - CIRCLE_DEBT, f"import circles: {[sorted(c) for c in found - CIRCLE_DEBT]}"
    assert not CIRCLE_DEBT - found, "a listed circle is gone: delete it from CIRCLE_DEBT"


def test_the_reader_sees_hidden_imports() -> None:
    """The scanner itself: a module-name string counts as an import."""
    assert "kehu.cli.core" in imports_of("kehu.cli")  # registered by name in COMMAND_MODULES
    assert "kehu.store.schema" in imports_of("kehu.store.migrate")


# Planted violations: the checkers are fed a made-up house, so each guard is shown to fail.
PLANTED = ("kehu.store.schema", "kehu.analytics.rfm", "kehu.web.app", "kehu.app")


def test_an_upward_static_import_is_reported() -> None:
    source = "from kehu.analytics import rfm\n"
    graph = {"kehu.store.schema": imports_in(source, "kehu.store.schema", PLANTED)}
    assert upward_imports(graph) == {("kehu.store.schema", "kehu.analytics.rfm")}


def test_a_type_checking_import_counts() -> None:
    source = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import kehu.web.app\n"
    graph = {"kehu.analytics.rfm": imports_in(source, "kehu.analytics.rfm", PLANTED)}
    assert upward_imports(graph) == {("kehu.analytics.rfm", "kehu.web.app")}


@pytest.mark.parametrize(
    "source",
    [
        'import importlib\nimportlib.import_module("kehu.web.app")\n',
        'MODULES = ["kehu.analytics.rfm"]\n',
        'HOOK = "kehu.analytics.rfm:score"\n',  # an entry-point style "module:attr"
    ],
)
def test_a_module_name_string_running_up_is_reported(source: str) -> None:
    graph = {"kehu.store.schema": imports_in(source, "kehu.store.schema", PLANTED)}
    (found,) = upward_imports(graph)
    assert found[0] == "kehu.store.schema" and found[1] in PLANTED


def test_a_downward_import_and_plain_strings_pass() -> None:
    source = 'from kehu.store import schema\nNAME = "kehu.toml"\nTEXT = "kehu is 客户"\n'
    graph = {"kehu.app": imports_in(source, "kehu.app", PLANTED)}
    assert graph["kehu.app"] == {"kehu.store.schema"}
    assert not upward_imports(graph)


def test_an_import_circle_is_reported() -> None:
    graph = {
        "kehu.analytics.a": {"kehu.analytics.b"},
        "kehu.analytics.b": {"kehu.analytics.c"},
        "kehu.analytics.c": {"kehu.analytics.a"},
        "kehu.analytics.d": {"kehu.analytics.a"},  # hangs off the circle, is not in it
    }
    assert circles(graph) == {
        frozenset({"kehu.analytics.a", "kehu.analytics.b", "kehu.analytics.c"})
    }
    del graph["kehu.analytics.c"]
    assert not circles(graph)
