"""Reason codes for rejected rows and findings, with their zh/en texts."""

from __future__ import annotations

from kehu.i18n import catalog

# Why a row was rejected. Templates may use {min}, {max}, {kept}, {existing}, {p}, {fields}.
REJECT_REASONS = catalog("rejects")

# Values that were kept but deserve a look. Templates may use {count}, {unit}.
FINDINGS = catalog("findings")
