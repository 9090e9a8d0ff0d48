"""UI strings of the web pages in zh and en (`ui.json`: key -> [zh, en])."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from kehu.i18n import Catalog, normalize_lang

HERE = Path(__file__).parent
LANG_COOKIE = "kehu_lang"


@cache
def catalog() -> Catalog:
    raw = json.loads((HERE / "ui.json").read_text(encoding="utf-8"))
    return Catalog({k: (v[0], v[1]) for k, v in raw.items()})


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
