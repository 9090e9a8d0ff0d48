"""Masking of personal data: phones and emails shown as 138****1234 and z***@example.com
unless the scope may see them (`Scope.sees_pii`)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kehu.access.scope import Scope

PII_FIELDS = ("phone", "email", "contact_phone", "contact_email", "mobile")


def mask_phone(value: str | None) -> str | None:
    """'+8613812345678' -> '138****5678'; short numbers keep only their last two digits."""
    if not value:
        return value
    digits = re.sub(r"\D", "", value)
    if digits.startswith("86") and len(digits) >= 12:
        digits = digits[2:]
    if len(digits) >= 7:
        return digits[:3] + "****" + digits[-4:]
    return "*" * max(len(digits) - 2, 1) + digits[-2:]


def mask_email(value: str | None) -> str | None:
    """'zhangsan@example.com' -> 'z***@example.com'."""
    if not value:
        return value
    local, at, domain = value.partition("@")
    if not at:
        return "***"
    return (local[:1] or "*") + "***@" + domain


def mask_value(field: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    return mask_email(value) if "email" in field else mask_phone(value)


def mask_record(record: Mapping[str, Any], scope: Scope) -> dict[str, Any]:
    """A copy of a row with PII fields masked when the scope may not see them."""
    out = dict(record)
    if scope.sees_pii:
        return out
    for field in PII_FIELDS:
        if field in out:
            out[field] = mask_value(field, out[field])
    return out


def mask_records(records: Iterable[Mapping[str, Any]], scope: Scope) -> list[dict[str, Any]]:
    return [mask_record(r, scope) for r in records]
