"""Bilingual labels: every user-visible string has a zh-CN and an en form.

Modules keep their own catalog (`Catalog({...})`) next to the code that uses it, so a label
lives where it is used; `tr()` picks the language.
"""

from __future__ import annotations

from collections.abc import Mapping

LANGS = ("zh", "en")


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
