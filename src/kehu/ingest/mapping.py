"""Map file headers to canonical columns: shipped zh/en aliases + an optional mapping file.

Aliases live in `kehu/data/header_aliases.toml`. Headers are compared with `match_key`
(case, spaces, width and punctuation ignored); a bracketed unit is stripped before matching
and, on money columns, becomes a multiplier (金额(万元) → ×10,000).
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from kehu.datafiles import read_toml
from kehu.errors import KehuError
from kehu.ingest.clean.text import match_key
from kehu.store.schema import MONEY, Table

ALIAS_FILE = "header_aliases.toml"
# Columns the importer fills itself; a file cannot provide them.
SYSTEM_COLUMNS = frozenset({"source", "source_id", "created_at", "updated_at"})
_UNIT = re.compile(r"[(\[【{]\s*(?:单位\s*[::]\s*)?(?P<unit>[^()\[\]【】{}]*?)\s*[)\]】}]\s*$")
_UNIT_FACTORS = {
    "元": 1, "人民币元": 1, "rmb": 1, "cny": 1, "yuan": 1, "人民币": 1,
    "千元": 1000, "千": 1000, "万元": 10**4, "万": 10**4, "百万元": 10**6, "百万": 10**6,
    "千万元": 10**7, "亿元": 10**8, "亿": 10**8,
}  # fmt: skip
MAPPING_OPTIONS = frozenset({"sheet", "header_row", "delimiter", "encoding"})


@cache
def _alias_data() -> dict[str, Any]:
    return read_toml(ALIAS_FILE)


def alias_lists(table: Table) -> dict[str, list[str]]:
    """Column -> its aliases for one table (table-specific first, then [all])."""
    data = _alias_data()
    own = data.get(table.name, {})
    shared = data.get("all", {})
    out: dict[str, list[str]] = {}
    for column in table.columns:
        if column in SYSTEM_COLUMNS:
            continue
        out[column] = list(dict.fromkeys([*own.get(column, []), *shared.get(column, [])]))
    return out


def alias_index(table: Table) -> dict[str, str]:
    """match_key(header) -> column for one table. Table-specific aliases win over [all];
    the canonical column name itself always matches."""
    return _alias_index(table.name, tuple(table.columns))


@cache
def _alias_index(name: str, table_columns: tuple[str, ...]) -> dict[str, str]:
    data = _alias_data()
    columns = set(table_columns)
    index: dict[str, str] = {}
    for section in (data.get(name, {}), data.get("all", {})):
        for column, aliases in section.items():
            if column not in columns or column in SYSTEM_COLUMNS:
                continue
            for alias in aliases:
                index.setdefault(match_key(alias), column)
    for column in table_columns:
        if column not in SYSTEM_COLUMNS:
            index[match_key(column)] = column
    return index


def alias_conflicts(table: Table) -> list[tuple[str, str, str]]:
    """(key, column, other column) where one section lists a header twice (a data bug)."""
    data = _alias_data()
    found = []
    for section in (data.get(table.name, {}), data.get("all", {})):
        seen: dict[str, str] = {}
        for column, aliases in section.items():
            if column not in table.columns:
                continue
            for alias in aliases:
                key = match_key(alias)
                if key in seen and seen[key] != column:
                    found.append((key, seen[key], column))
                seen.setdefault(key, column)
    return found


def display_header(table: Table, column: str, lang: str = "zh") -> str:
    """The header `kehu export --headers zh|en` writes for a column."""
    if lang != "zh":
        return column
    for alias in alias_lists(table).get(column, []):
        if not alias.isascii():
            return alias
    return str(_alias_data().get("display", {}).get(column, column))


def split_unit(header: str) -> tuple[str, Decimal | None]:
    """('订单金额', 10000) for '订单金额(万元)'; the unit is None when there is none."""
    text = unicodedata.normalize("NFKC", header).strip()
    m = _UNIT.search(text)
    if not m:
        return text, None
    factor = _UNIT_FACTORS.get(match_key(m["unit"]))
    return text[: m.start()].strip(), (Decimal(factor) if factor is not None else None)


@dataclass(frozen=True)
class ColumnMatch:
    index: int  # position of the column in the file
    header: str  # header as written
    column: str | None  # canonical column, None when unmapped
    unit: Decimal = Decimal(1)  # multiplier for money columns
    via: str = "alias"  # alias | mapping | ignored | unmapped


@dataclass
class MappingFile:
    """A user's `--mapping` TOML: header -> column ('' ignores a column) plus options."""

    columns: dict[str, str | None] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None


def load_mapping_file(path: str | Path, table: Table) -> MappingFile:
    """Read and check a mapping file against the table's columns (errors name the key)."""
    p = Path(path)
    try:
        raw = tomllib.loads(p.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise KehuError(f"找不到映射文件 {p}", f"mapping file {p} not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise KehuError(
            f"映射文件 {p} 不是有效的 TOML(UTF-8): {exc}",
            f"mapping file {p} is not valid TOML (UTF-8): {exc}",
        ) from None
    columns_raw = raw.pop("columns", {})
    options = raw.pop("options", {})
    columns_raw.update({k: v for k, v in raw.items() if isinstance(v, str | bool)})
    leftover = [k for k, v in raw.items() if not isinstance(v, str | bool)]
    allowed = [c for c in table.columns if c not in SYSTEM_COLUMNS]
    columns: dict[str, str | None] = {}
    for header, target in columns_raw.items():
        if target is False or target == "":
            columns[match_key(header)] = None
            continue
        if not isinstance(target, str) or target not in allowed:
            raise KehuError(
                f"映射文件 {p}: “{header}” 指向未知列 {target!r};{table.name} 的列有: "
                + ", ".join(allowed),
                f"mapping file {p}: {header!r} points at unknown column {target!r}; "
                f"columns of {table.name}: " + ", ".join(allowed),
            )
        columns[match_key(header)] = target
    bad_options = sorted(set(options) - MAPPING_OPTIONS) + leftover
    if bad_options:
        raise KehuError(
            f"映射文件 {p}: 未知的设置 {bad_options};可用 [columns] 和 [options] "
            f"({', '.join(sorted(MAPPING_OPTIONS))})",
            f"mapping file {p}: unknown settings {bad_options}; use [columns] and [options] "
            f"({', '.join(sorted(MAPPING_OPTIONS))})",
        )
    return MappingFile(columns=columns, options=dict(options), path=p)


def header_score(cells: list[str], table: Table) -> int:
    """How many cells of a row look like headers of this table (to find the header row)."""
    index = alias_index(table)
    score = 0
    for cell in cells:
        if cell and cell.strip():
            base, _ = split_unit(cell)
            if match_key(base) in index or match_key(cell) in index:
                score += 1
    return score


def map_headers(
    headers: list[str], table: Table, mapping: MappingFile | None = None
) -> list[ColumnMatch]:
    """One `ColumnMatch` per file column. The mapping file wins over aliases."""
    index = alias_index(table)
    user = mapping.columns if mapping else {}
    out: list[ColumnMatch] = []
    for i, header in enumerate(headers):
        base, unit = split_unit(header)
        keys = [match_key(header), match_key(base)]
        column, via = None, "unmapped"
        for key in keys:
            if key in user:
                column, via = user[key], "mapping" if user[key] else "ignored"
                break
        else:
            for key in keys:
                if key in index:
                    column, via = index[key], "alias"
                    break
        factor = (
            unit
            if unit is not None and column and table.columns[column].startswith(MONEY)
            else None
        )
        out.append(ColumnMatch(i, header, column, factor or Decimal(1), via))
    return out
