"""The shipped data files (`kehu/data/…`): word lists, rules, defaults, tables.

Literal data lives in files, not in Python, so it can be read, reviewed and translated as
data; every floor reads it through here. Names are paths below `kehu/data`, e.g.
`"dedupe_model.toml"` or `"demo/exports.json"`. The text is read once per process; each
parse returns a fresh object, so a caller may change what it gets without touching others.
"""

from __future__ import annotations

import csv
import io
import json
import tomllib
from functools import cache
from importlib import resources
from typing import Any

PACKAGE = "kehu"
FOLDER = "data"


def path(name: str) -> resources.abc.Traversable:
    """Where a data file is (inside the installed package)."""
    return resources.files(PACKAGE).joinpath(FOLDER, *name.split("/"))


@cache
def text(name: str) -> str:
    """A data file's text (UTF-8)."""
    return path(name).read_text(encoding="utf-8")


def read_toml(name: str) -> dict[str, Any]:
    """A TOML data file as a dict."""
    return tomllib.loads(text(name))


def read_json(name: str) -> Any:
    """A JSON data file."""
    return json.loads(text(name))


def read_csv(name: str) -> list[dict[str, str]]:
    """A CSV data file (with a header row) as one dict a row."""
    return list(csv.DictReader(io.StringIO(text(name))))


def read_lines(name: str) -> list[str]:
    """A word list: one entry a line, blank lines and `#` comments left out."""
    stripped = (line.strip() for line in text(name).splitlines())
    return [line for line in stripped if line and not line.startswith("#")]
