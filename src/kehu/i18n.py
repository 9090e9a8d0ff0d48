"""Bilingual labels: every user-visible string has a zh-CN and an en form.

The catalogue is data: `kehu/data/i18n/<part>.json`, one part per subject (`web`, `codes`
…), each `key -> [zh, en]` or, for groups of labels, `group -> key -> [zh, en]`. Every floor
reads it through `catalog()` / `pairs()`; `tr()` picks between two strings written inline.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from kehu import datafiles

LANGS = ("zh", "en")
CATALOGUE = Path(str(datafiles.path("i18n")))


def normalize_lang(lang: str | None) -> str:
    """Map 'zh-CN', 'zh_CN', 'cn', 'en-US' ... to 'zh' or 'en' (default zh)."""
    if not lang:
        return "zh"
    low = lang.lower()
    return "en" if low.startswith("en") else "zh"


class Catalog:
    """A dict of key -> (zh, en) message templates, formatted with str.format."""

    def __init__(self, messages: Mapping[str, tuple[str, str]]) -> None:
        self._messages = dict(messages)

    def __call__(self, key: str, lang: str = "zh", /, **kwargs: object) -> str:
        zh, en = self._messages[key]
        template = en if normalize_lang(lang) == "en" else zh
        return template.format(**kwargs) if kwargs else template

    def pair(self, key: str, **kwargs: object) -> tuple[str, str]:
        zh, en = self._messages[key]
        return zh.format(**kwargs), en.format(**kwargs)

    def keys(self) -> list[str]:
        return list(self._messages)


def tr(lang: str, zh: str, en: str) -> str:
    """Pick one of two inline strings by language."""
    return en if normalize_lang(lang) == "en" else zh


@cache
def part(name: str) -> dict[str, Any]:
    """One part of the catalogue as stored (`data/i18n/<name>.json`)."""
    return dict(datafiles.read_json(f"i18n/{name}.json"))


def pairs(name: str, group: str | None = None) -> dict[str, tuple[str, str]]:
    """key -> (zh, en) of a part (or of one group of it), in the stored order."""
    raw = part(name) if group is None else part(name)[group]
    return {k: (v[0], v[1]) for k, v in raw.items()}


@cache
def catalog(name: str, group: str | None = None) -> Catalog:
    """A part of the catalogue (or one group of it) as a `Catalog`."""
    return Catalog(pairs(name, group))
