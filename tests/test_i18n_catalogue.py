"""The one catalogue: every part is key -> [zh, en] (or groups of those), both filled in, with
the same `{slots}` in both languages, so a message never loses a value in one of them."""

from __future__ import annotations

import re
import string
from typing import Any

import pytest

from kehu.i18n import CATALOGUE, catalog, pairs, part

PARTS = sorted(p.stem for p in CATALOGUE.glob("*.json"))


def _entries(name: str) -> list[tuple[str, Any]]:
    raw = part(name)
    grouped = all(isinstance(v, dict) for v in raw.values())
    if grouped:
        return [(f"{g}.{k}", v) for g, items in raw.items() for k, v in items.items()]
    return list(raw.items())


def _slots(text: str) -> set[str]:
    """The values a message shows; `currency_zh` is the zh form of `currency` (元 for CNY)."""
    fields = {f for _, f, _, _ in string.Formatter().parse(text) if f is not None}
    return {re.sub(r"_(zh|en)$", "", f) for f in fields}


def test_the_catalogue_has_its_parts() -> None:
    assert {"web", "codes", "columns", "monitor", "planning", "report", "demo"} <= set(PARTS)


@pytest.mark.parametrize("name", PARTS)
def test_every_entry_is_a_zh_en_pair_with_the_same_slots(name: str) -> None:
    bad = []
    for key, value in _entries(name):
        ok = (
            isinstance(value, list)
            and len(value) == 2
            and all(isinstance(x, str) and x.strip() for x in value)
        )
        if not ok or _slots(value[0]) != _slots(value[1]):
            bad.append((key, value))
    assert not bad, bad


def test_read_through_kehu_i18n() -> None:
    web = catalog("web")
    assert web("app_name", "zh") == pairs("web")["app_name"][0]
    assert re.search(r"[a-z]", web("app_name", "en"))


# Catalogues still written as Python (none left); a line here would name a module whose
# catalogue has yet to move to data/i18n.
LITERAL_DEBT: set[str] = set()


def _zh_en_table(node: Any) -> bool:
    """A dict literal of six or more `key: ("中文", "English")` entries: a catalogue inline."""
    import ast

    def pair(v: ast.expr) -> bool:
        return (
            isinstance(v, ast.Tuple)
            and len(v.elts) == 2
            and all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in v.elts)
        )

    if not (isinstance(node, ast.Dict) and len(node.values) >= 6):
        return False
    if not all(pair(v) for v in node.values):
        return False
    return any(re.search(r"[\u4e00-\u9fff]", v.elts[0].value) for v in node.values)  # type: ignore[attr-defined]


def test_no_module_writes_a_catalogue_of_its_own() -> None:
    """`Catalog({...})` with the messages written inline, or a dict of zh/en pairs, is a
    second catalogue."""
    import ast
    from pathlib import Path

    src = Path(__file__).resolve().parents[1] / "src"
    found = set()
    for path in (src / "kehu").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            inline_catalog = (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", "") == "Catalog"
                and node.args
                and isinstance(node.args[0], ast.Dict)
            )
            if inline_catalog or _zh_en_table(node):
                found.add(path.relative_to(src).as_posix())
    assert found <= LITERAL_DEBT, sorted(found - LITERAL_DEBT)
    assert found >= LITERAL_DEBT, f"moved, delete from LITERAL_DEBT: {sorted(LITERAL_DEBT - found)}"
