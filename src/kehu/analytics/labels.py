"""zh/en labels for every code stored in the customer snapshot, and the reverse lookup.

The labels are the catalogue's `codes` (kind -> code), `columns` and `kinds` parts.

The snapshot stores English codes (`high_value`, `strategic`, `at_risk` ...); interfaces show
labels in the user's language. `resolve()` turns what a user typed (code, zh or en label,
any case, spaces or hyphens) back into the code.
"""

from __future__ import annotations

import re

from kehu.errors import KehuError
from kehu.i18n import normalize_lang, pairs, part

# kind -> code -> (zh, en); the catalogue's order = display order.
LABELS: dict[str, dict[str, tuple[str, str]]] = {k: pairs("codes", k) for k in part("codes")}

# Snapshot columns users see in tables, and the kind of code they hold (if any).
COLUMN_KIND: dict[str, str] = {
    "rfm_type": "rfm_type",
    "rfm_segment": "rfm_segment",
    "value_tier": "value_tier",
    "abc_class": "abc_class",
    "lifecycle": "lifecycle",
    "customer_type": "customer_type",
    "matrix_class": "matrix_class",
    "key_class": "key_class",
    "relationship_phase": "relationship_phase",
}

COLUMN_LABELS: dict[str, tuple[str, str]] = pairs("columns")
KIND_NAMES: dict[str, tuple[str, str]] = pairs("kinds")


def label(kind: str, code: str | None, lang: str = "zh") -> str:
    """The label of a code in `lang` (the code itself if unknown, '—' for None)."""
    if code is None:
        return "—"
    pair = LABELS.get(kind, {}).get(code)
    if pair is None:
        return str(code)
    return pair[1] if normalize_lang(lang) == "en" else pair[0]


def column_label(column: str, lang: str = "zh") -> str:
    """The zh/en heading of a snapshot column (the column name itself when unknown)."""
    pair = COLUMN_LABELS.get(column)
    if pair is None:
        return column
    return pair[1] if normalize_lang(lang) == "en" else pair[0]


def codes(kind: str) -> list[str]:
    return list(LABELS[kind])


def _norm(text: str) -> str:
    return re.sub(r"[\s_\-']+", "", text).lower().replace("客户", "")


def resolve(kind: str, text: str) -> str:
    """The code for what a user typed: a code, a zh label or an en label (case-insensitive)."""
    wanted = _norm(text)
    for code, (zh, en) in LABELS[kind].items():
        if wanted in {_norm(code), _norm(zh), _norm(en)}:
            return code
    zh_kind, en_kind = KIND_NAMES.get(kind, (kind, kind))
    choices = ", ".join(f"{c} ({zh})" for c, (zh, _en) in LABELS[kind].items())
    raise KehuError(
        f"未知的{zh_kind}:{text!r};可选:{choices}",
        f"unknown {en_kind}: {text!r}; choose one of: {choices}",
    )
