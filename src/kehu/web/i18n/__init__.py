"""The web pages' language: the UI strings (the catalogue's `web` part) and the choice."""

from __future__ import annotations

from kehu import i18n
from kehu.i18n import Catalog, normalize_lang

LANG_COOKIE = "kehu_lang"


def catalog() -> Catalog:
    return i18n.catalog("web")


def translator(lang: str):  # noqa: ANN201 - a closure for templates
    """`t(key, **kw)` bound to one language, for Jinja templates."""
    cat = catalog()
    lang = normalize_lang(lang)

    def t(key: str, **kwargs: object) -> str:
        return cat(key, lang, **kwargs)

    return t


def pick_lang(cookie: str | None, accept: str | None, default: str) -> str:
    """Cookie first (the user's choice), then the browser's Accept-Language, then config."""
    if cookie in ("zh", "en"):
        return cookie
    if accept:
        first = accept.split(",")[0].strip().lower()
        if first.startswith("en"):
            return "en"
        if first.startswith("zh"):
            return "zh"
    return normalize_lang(default)
