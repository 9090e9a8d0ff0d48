"""Every command and every setting a user can meet is documented in README.md or docs/."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from pathlib import Path

import typer.main
from pydantic import BaseModel

import kehu.cli  # registers every command
from kehu.cli.root import app
from kehu.config import Settings

ROOT = Path(__file__).resolve().parents[2]
DOCS = "\n".join(
    p.read_text(encoding="utf-8") for p in [ROOT / "README.md", *sorted(ROOT.glob("docs/*.md"))]
)


def _flatten(data: dict[str, object], prefix: str = "") -> Iterator[str]:
    for key, value in data.items():
        yield prefix + key
        if isinstance(value, dict):
            yield from _flatten(value, f"{prefix}{key}.")


def example_keys() -> set[str]:
    """Dotted keys set in the docs' ```toml examples (those that parse on their own)."""
    keys: set[str] = set()
    for block in re.findall(r"```toml\n(.*?)```", DOCS, flags=re.S):
        try:
            keys.update(_flatten(tomllib.loads(block)))
        except tomllib.TOMLDecodeError:
            continue
    return keys


def commands() -> Iterator[str]:
    def walk(command: object, prefix: str) -> Iterator[str]:
        for name, sub in getattr(command, "commands", {}).items():
            yield prefix + name
            yield from walk(sub, prefix + name + " ")

    yield from walk(typer.main.get_command(app), "")


def setting_keys(model: type[BaseModel] = Settings, prefix: str = "") -> Iterator[str]:
    for name, field in model.model_fields.items():
        kind = field.annotation
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            yield from setting_keys(kind, f"{prefix}{name}.")
        else:
            yield prefix + name


def _named(tail: str) -> list[re.Match[str]]:
    return list(re.finditer(rf"`[^`\n]*\b{re.escape(tail)}\b[^`\n]*`", DOCS))


def documented_setting(key: str) -> bool:
    """Set in a ```toml example; named in backticks, whole (`rfm.recency`) or by its tail
    (`recency_else`); or listed after its table's name in the same section
    (`value.weights`: growth …)."""
    parts = key.split(".")
    if key in example_keys():
        return True
    if any(_named(".".join(parts[i:])) for i in range(len(parts))):
        return True
    leaf = re.compile(rf"\b{re.escape(parts[-1])}\b")
    parents = [".".join(parts[i:-1]) for i in range(len(parts) - 1)]
    return any(
        leaf.search(DOCS, m.end(), _section_end(m.end())) for p in parents for m in _named(p)
    )


def _section_end(at: int) -> int:
    """Where the docs section holding position `at` ends (the next heading)."""
    found = re.compile(r"^#{1,3} ", re.M).search(DOCS, at)
    return found.start() if found else len(DOCS)


def test_every_command_is_documented() -> None:
    assert kehu.cli.COMMAND_MODULES
    missing = [c for c in commands() if f"kehu {c}" not in DOCS]
    assert not missing, f"document these commands (as `kehu …`): {missing}"


def test_every_setting_is_documented() -> None:
    missing = [k for k in setting_keys() if not documented_setting(k)]
    assert not missing, f"document these kehu.toml settings: {missing}"


def test_the_checks_see_what_is_missing() -> None:
    assert not documented_setting("rfm.no_such_key")
    assert "config check" in set(commands())
