"""The house stays layered: no floor imports one above it, and no import circle.

Imports are read from the source (static imports, `TYPE_CHECKING` ones included) *and* from
strings that name a kehu module (what `importlib.import_module` would load), so hidden wiring
counts too. `DEBT` lists what the architecture issue still has to remove; the test fails on a
new violation and on a listed one that is gone (then delete its line).
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

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


def resolve(name: str) -> str | None:
    """The longest existing kehu module that `name` (a dotted path, maybe `mod.attr`) names."""
    parts = name.split(".")
    while len(parts) > 1:  # "kehu.toml" is a file name, not the package face
        candidate = ".".join(parts)
        if candidate in modules():
            return candidate
        parts.pop()
    return None


@cache
def imports_of(module: str) -> frozenset[str]:
    """Every kehu module `module` imports, statically or by a module-name string."""
    tree = ast.parse(modules()[module].read_text(encoding="utf-8"))
    found: set[str | None] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.startswith("kehu"):
                found.update(resolve(f"{node.module}.{a.name}") for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(resolve(a.name) for a in node.names if a.name.startswith("kehu"))
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and (match := MODULE_NAME.match(node.value.split(":")[0]))
        ):
            found.add(resolve(match.group(0)))
    return frozenset(m for m in found if m and m != module)


def floor(module: str) -> str:
    return module.split(".")[1] if "." in module else FACE


def test_every_module_belongs_to_a_floor() -> None:
    unknown = {floor(m) for m in modules()} - set(RANKS) - {FACE}
    assert not unknown, f"give these floors a rank in RANKS: {sorted(unknown)}"


def upward_imports() -> set[tuple[str, str]]:
    out = set()
    for module in modules():
        if floor(module) == FACE:
            continue
        for target in imports_of(module):
            a, b = floor(module), floor(target)
            if b != FACE and a != b and RANKS[b] >= RANKS[a]:
                out.add((module, target))
    return out


def test_no_import_runs_up_the_floors() -> None:
    found = upward_imports() - ALLOWED
    assert not found - DEBT, f"imports that run up (or across) the floors: {sorted(found - DEBT)}"
    assert not DEBT - found, f"fixed, delete from DEBT: {sorted(DEBT - found)}"


def circles() -> set[frozenset[str]]:
    """Strongly connected groups of two or more modules (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    out: set[frozenset[str]] = set()

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in imports_of(v):
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

    for module in modules():
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
