"""From a `RawTable` and its header mapping to typed canonical columns plus rejects.

Blank rows are dropped (and counted); totals rows (合计/小计/Total) are rejected as such;
every other row gets each mapped column cleaned; an unusable value rejects the row (with
the file's header, the value as written and the reason); a missing required value too.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from kehu.ingest.columns import Cleaned, Context, as_text, prep_text
from kehu.ingest.columns_text import clean_registration
from kehu.ingest.dispatch import clean_column
from kehu.ingest.fields import field_for
from kehu.ingest.industry import lookup_industry
from kehu.ingest.mapping import ColumnMatch
from kehu.ingest.read import RawTable
from kehu.ingest.reasons import FINDINGS
from kehu.ingest.rejects import RejectLog
from kehu.ingest.result import Finding
from kehu.spreadsheet import formula_mask
from kehu.store.schema import Table

_TERMS = r"(?i)^(?:月结|账期|net|n)?(?P<days>\d{1,3})(?:天|日|days?|d)?$"
_ORG = (
    r"(?i)(公司|集团|企业|工厂|厂$|商店|门市|经营部|商行|超市|酒店|宾馆|餐厅|中心|研究院|研究所|学院|大学|"
    r"学校|医院|银行|协会|商会|事务所|工作室|合作社|基金会|委员会|有限|股份|\bltd\b|\bllc\b|\binc\b|"
    r"\bcorp\b|\bco\.|gmbh|company)"
)
# The most common Chinese surnames: a 2-3 character name starting with one reads as a person.
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
_PERSON = f"^[{_SURNAMES}][\u4e00-\u9fff]{{1,2}}$"


@dataclass
class Prepared:
    """Cleaned rows (rejected ones included, see `ok`) and what was learnt on the way."""

    data: pa.Table  # '_row' + canonical columns in the store's types
    ok: pa.Array  # bool per row: no reject so far
    present: list[str]  # canonical columns the import provides
    fill_only: set[str] = field(default_factory=set)  # only fill empty store values
    findings: list[Finding] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)  # column -> header as written
    raw_ids: dict[str, pa.Array] = field(default_factory=dict)  # column -> text as written
    blank_rows: int = 0
    read: int = 0


def _finding(
    code: str, column: str | None, count: int, examples: list[str] | None = None, **kw: object
) -> Finding:
    zh, en = FINDINGS.pair(code, count=count, **kw)
    return Finding(code, column, count, tuple(examples or ()), zh, en, tuple(kw.items()))


def _flag_finding(code: str, header: str, text: pa.Array, flagged: pa.Array) -> Finding | None:
    mask = pc.fill_null(flagged, False)
    count = pc.sum(mask).as_py() or 0
    if not count:
        return None
    examples = pc.unique(text.filter(mask)).slice(0, 5).to_pylist()
    return _finding(code, header, count, [str(e) for e in examples])


def _raw_column(raw: RawTable, matches: list[ColumnMatch]) -> pa.Array:
    """The file column(s) for one canonical column; several are combined left to right."""
    arrays = [raw.table.column(f"c{m.index}").combine_chunks() for m in matches]
    if len(arrays) == 1:
        return arrays[0]
    texts = []
    for arr in arrays:
        text = pc.utf8_trim_whitespace(as_text(arr))
        texts.append(pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text))
    return pc.coalesce(*texts)


def _nonblank(raw: RawTable) -> pa.Array:
    """True for rows with at least one non-blank cell. Cheap length checks first; the
    whitespace test runs only on rows whose every cell is short."""
    n = raw.num_rows
    short = pa.array(np.ones(n, dtype=bool)) if n else pa.array([], pa.bool_())
    texts = []
    for col in raw.table.columns:
        text = as_text(col.combine_chunks())
        texts.append(text)
        short = pc.and_(short, pc.fill_null(pc.less_equal(pc.binary_length(text), 4), True))
    if not pc.any(short).as_py():
        return pc.invert(short)
    blank = short
    for text in texts:
        cell_blank = pc.fill_null(
            pc.equal(pc.utf8_trim_whitespace(_where_mask(short, text)), ""), True
        )
        blank = pc.and_(blank, cell_blank)
    return pc.invert(blank)


def _where_mask(mask: pa.Array, text: pa.Array) -> pa.Array:
    return pc.if_else(mask, text, pa.scalar(None, pa.string()))


EXCERPT = 80  # characters of an oversized cell kept in its reject


def _drop_oversized(raw: RawTable, limit: int, log: RejectLog) -> RawTable:
    """Rows with a cell over `limit` characters are rejected (with an excerpt) before any
    cleaning, so a runaway cell never reaches the cleaners, the store or the rejects."""
    drop = None
    for i, col in enumerate(raw.table.columns):
        text = col.combine_chunks()
        if not pa.types.is_string(text.type) and not pa.types.is_large_string(text.type):
            continue
        length = pc.utf8_length(text)
        long = pc.fill_null(pc.greater(length, limit), False)
        if not pc.any(long).as_py():
            continue
        header = raw.headers[i] if i < len(raw.headers) else None
        rows = raw.row_numbers.filter(long)
        excerpt = pc.binary_join_element_wise(
            pc.utf8_slice_codeunits(text.filter(long), 0, EXCERPT), "…", ""
        )
        params = [f'{{"length": {n}, "limit": {limit}}}' for n in length.filter(long).to_pylist()]
        log.add(rows, header, excerpt, "field_too_long", params)
        drop = long if drop is None else pc.or_(drop, long)
    if drop is None:
        return raw
    keep = pc.invert(drop)
    return replace(raw, table=raw.table.filter(keep), row_numbers=raw.row_numbers.filter(keep))


_SUMMARY = r"^\s*(合计|总计|小计|(?i:total|subtotal|grand total|sum))\s*[::]?\s*$"
SUMMARY_COLUMNS = 3  # a totals row names itself in one of the first columns


def _summary_rows(raw: RawTable) -> pa.Array:
    mask = (
        pa.array(np.zeros(raw.num_rows, dtype=bool)) if raw.num_rows else pa.array([], pa.bool_())
    )
    for col in raw.table.columns[:SUMMARY_COLUMNS]:
        text = as_text(col.combine_chunks())
        mask = pc.or_(mask, pc.fill_null(pc.match_substring_regex(text, _SUMMARY), False))
    return mask


def prepare(
    raw: RawTable,
    table: Table,
    matches: list[ColumnMatch],
    ctx: Context,
    log: RejectLog,
) -> Prepared:
    """Clean every mapped column of the file; record rejects in `log`."""
    for number, fields, text in raw.malformed:
        log.add_one(number, None, text, "malformed_row", {"fields": fields})
    for number, text in raw.truncated:
        log.add_one(number, None, text, "truncated_row")
    before = raw.num_rows
    raw = _drop_oversized(raw, ctx.max_field_chars, log)
    oversized = before - raw.num_rows
    nonblank = _nonblank(raw)
    blank = raw.num_rows - (pc.sum(nonblank).as_py() or 0)
    if blank:
        raw = replace(
            raw, table=raw.table.filter(nonblank), row_numbers=raw.row_numbers.filter(nonblank)
        )
    rows = raw.row_numbers
    summary = _summary_rows(raw)
    if pc.any(summary).as_py():
        first = raw.table.column(0).combine_chunks()
        log.add(
            rows.filter(summary),
            raw.headers[0] if raw.headers else None,
            as_text(first).filter(summary),
            "summary_row",
        )
    live = pc.invert(summary)

    by_column: dict[str, list[ColumnMatch]] = defaultdict(list)
    for m in matches:
        if m.column:
            by_column[m.column].append(m)
    findings: list[Finding] = []
    headers = {col: ms[0].header for col, ms in by_column.items()}
    columns: dict[str, pa.Array] = {"_row": rows}
    cleaned: dict[str, Cleaned] = {}
    raw_text: dict[str, pa.Array] = {}
    reg_kinds = None
    for column, ms in by_column.items():
        if len(ms) > 1:
            findings.append(_finding("columns_combined", " + ".join(m.header for m in ms), len(ms)))
        arr = _raw_column(raw, ms)
        if ms[0].unit != 1:
            n_values = len(arr) - arr.null_count
            findings.append(_finding("unit_from_header", ms[0].header, n_values, unit=ms[0].unit))
        raw_text[column] = as_text(arr)
        spec = field_for(table, column)
        if spec.kind == "industry":
            continue
        if spec.kind == "registration":
            cleaned[column], reg_kinds = clean_registration(arr, ctx)
        else:
            cleaned[column] = clean_column(arr, spec, ctx, ms[0].unit)

    present = [c for c in table.columns if c in by_column]
    fill_only: set[str] = set()
    if "industry_code" in by_column or "industry_name" in by_column:
        code, name, flagged = _industry(
            raw_text.get("industry_code"), raw_text.get("industry_name"), len(rows)
        )
        cleaned["industry_code"], cleaned["industry_name"] = Cleaned(code), Cleaned(name)
        header = headers.get("industry_name") or headers["industry_code"]
        source_text = raw_text.get("industry_name", raw_text.get("industry_code"))
        if (f := _flag_finding("industry_unmatched", header, source_text, flagged)) is not None:
            findings.append(f)
        present = list(dict.fromkeys([*present, "industry_code", "industry_name"]))
    if table.name == "customers" and "customer_type" not in by_column and "name" in cleaned:
        inferred = _infer_customer_type(cleaned["name"].values, reg_kinds)
        count = pc.sum(pc.and_(pc.is_valid(inferred), live)).as_py() or 0
        if count:
            cleaned["customer_type"] = Cleaned(inferred)
            present.append("customer_type")
            fill_only.add("customer_type")
            findings.append(_finding("customer_type_inferred", "customer_type", count))
    if table.name == "customers" and ctx.sales_regions and "province" in cleaned:
        region, count = _region_from_province(cleaned, ctx.sales_regions, live)
        if count:
            if "region" not in cleaned:
                present.append("region")
                fill_only.add("region")
            cleaned["region"] = Cleaned(region)
            findings.append(_finding("region_from_province", "region", count))
    if table.name == "orders" and "due_date" in cleaned and "order_date" in cleaned:
        n = _due_from_terms(cleaned["due_date"], raw_text["due_date"], cleaned["order_date"].values)
        if n:
            findings.append(_finding("due_from_terms", headers["due_date"], n))

    for column, result in cleaned.items():
        header = headers.get(column, column)
        columns[column] = result.values
        if result.reasons is not None and column in raw_text:
            bad = pc.and_(pc.is_valid(result.reasons), live)
            if pc.any(bad).as_py():
                params = _params(column, table, ctx)
                log.add(
                    rows.filter(bad),
                    header,
                    raw_text[column].filter(bad),
                    result.reasons.filter(bad),
                    params,
                )
        if result.flagged is not None and column in raw_text:
            code = _FLAG_CODES.get(field_for(table, column).kind, "value_unrecognised")
            if (f := _flag_finding(code, header, raw_text[column], result.flagged)) is not None:
                findings.append(f)
        for code, count in result.notes.items():
            findings.append(_finding(code, header, count))
        if pa.types.is_string(result.values.type) and column in raw_text:
            formula = pc.and_(formula_mask(result.values), live)
            if field_for(table, column).kind == "phone":  # '+86 351 2464' is a phone, no attack
                dial = pc.match_substring_regex(result.values, _DIAL)
                formula = pc.and_(formula, pc.invert(pc.fill_null(dial, False)))
            if (f := _flag_finding("formula_text", header, raw_text[column], formula)) is not None:
                findings.append(f)
    for column in table.required:
        if column not in columns:
            continue
        reasons = cleaned[column].reasons if column in cleaned else None
        missing = pc.is_null(columns[column])
        if reasons is not None:
            missing = pc.and_(missing, pc.is_null(reasons))
        missing = pc.and_(missing, live)
        if pc.any(missing).as_py():
            as_written = raw_text.get(column)
            header = headers.get(column, column)
            if field_for(table, column).kind == "industry":  # a code or a name column
                if as_written is None:
                    as_written = raw_text.get("industry_name")
                header = headers.get(column) or headers.get("industry_name", column)
                if as_written is not None:
                    unmatched = pc.and_(missing, pc.is_valid(as_written))
                    code = "industry_required_unmatched"
                    _log_masked(log, rows, header, as_written, unmatched, code)
                    missing = pc.and_(missing, pc.is_null(as_written))
            _log_masked(log, rows, header, as_written, missing, "missing_required")
    if blank:
        findings.append(_finding("blank_rows", None, blank))
    ok = pc.invert(pc.is_in(rows, value_set=log.rows()))
    ordered = ["_row", *[c for c in table.columns if c in columns]]
    data = pa.table({c: columns[c] for c in ordered})
    raw_ids = {c: raw_text[c] for c in table.key if c in raw_text}
    if "customer_id" in raw_text:
        raw_ids["customer_id"] = raw_text["customer_id"]
    return Prepared(
        data=data,
        ok=ok,
        present=[c for c in table.columns if c in present],
        fill_only=fill_only,
        findings=findings,
        headers=headers,
        raw_ids=raw_ids,
        blank_rows=blank,
        read=raw.num_rows + len(raw.malformed) + len(raw.truncated) + oversized,
    )


_DIAL = r"^[0-9+\-(). /#*,;xX转分机ext]*$"  # what a phone number, however written, is made of
_FLAG_CODES = {
    "phone": "phone_unrecognised",
    "email": "email_invalid",
    "postcode": "postcode_invalid",
    "registration": "registration_unverified",
    "province": "province_unmatched",
    "enum": "value_unrecognised",
}


def _log_masked(
    log: RejectLog, rows: pa.Array, header: str, text: pa.Array | None, mask: pa.Array, code: str
) -> None:
    """Reject the rows under `mask` with one reason, quoting the value as written."""
    if pc.any(mask).as_py():
        log.add(rows.filter(mask), header, text.filter(mask) if text is not None else None, code)


def _params(column: str, table: Table, ctx: Context) -> dict[str, object]:
    spec = field_for(table, column)
    if spec.kind in ("date", "datetime"):
        return {"min": ctx.date_min.isoformat(), "max": ctx.date_max.isoformat()}
    if spec.kind == "percent":
        return {"min": f"{(spec.low or 0) * 100}%", "max": f"{(spec.high or 0) * 100}%"}
    if spec.kind in ("int", "money"):
        return {
            "min": spec.low if spec.low is not None else "-∞",
            "max": spec.high if spec.high is not None else "∞",
        }
    return {}


def _industry(
    code_raw: pa.Array | None, name_raw: pa.Array | None, n: int
) -> tuple[pa.Array, pa.Array, pa.Array]:
    """(code, official zh name, unmatched flag) from a code column and/or a name column."""
    found_codes, found_names, texts = [], [], []
    for raw in (code_raw, name_raw):
        if raw is None:
            continue
        text = prep_text(raw)
        uniq = pc.unique(text).drop_null()
        hits = [lookup_industry(v) for v in uniq.to_pylist()]
        idx = pc.index_in(text, value_set=uniq)
        found_codes.append(pa.array([h.code if h else None for h in hits], pa.string()).take(idx))
        found_names.append(
            pa.array([h.name_zh if h else None for h in hits], pa.string()).take(idx)
        )
        texts.append(text)
    code = pc.coalesce(*found_codes) if len(found_codes) > 1 else found_codes[0]
    name = pc.coalesce(*found_names, *reversed(texts))
    given = pc.is_valid(pc.coalesce(*texts)) if len(texts) > 1 else pc.is_valid(texts[0])
    flagged = pc.and_(given, pc.is_null(code))
    return code, name, flagged


def _region_from_province(
    cleaned: dict[str, Cleaned], regions: dict[str, str], live: pa.Array
) -> tuple[pa.Array, int]:
    """The region column with its blanks filled from `[regions]` (province → sales region)."""
    mapped = pa.array([regions.get(p) for p in cleaned["province"].values.to_pylist()], pa.string())
    given = cleaned["region"].values if "region" in cleaned else pa.nulls(len(mapped), pa.string())
    filled = pc.and_(pc.and_(pc.is_null(given), pc.is_valid(mapped)), live)
    return pc.coalesce(given, mapped), pc.sum(filled).as_py() or 0


def _infer_customer_type(names: pa.Array, reg_kinds: pa.Array | None) -> pa.Array:
    """company when a checksum or an organisation word says so; person for an ID-card number
    or a 2-3 character name starting with a common surname; else null."""
    org = pc.fill_null(pc.match_substring_regex(names, _ORG), False)
    person = pc.and_(pc.fill_null(pc.match_substring_regex(names, _PERSON), False), pc.invert(org))
    company_s = pa.scalar("company", pa.string())
    person_s = pa.scalar("person", pa.string())
    none = pa.scalar(None, pa.string())
    guessed = pc.if_else(org, company_s, pc.if_else(person, person_s, none))
    return pc.coalesce(reg_kinds, guessed) if reg_kinds is not None else guessed


def _due_from_terms(due: Cleaned, text: pa.Array, order_date: pa.Array) -> int:
    """Payment terms written into a due-date column ('30天', '月结60天', 'Net 30') become
    order date + days. Returns how many were converted."""
    if due.reasons is None:
        return 0
    failed = pc.fill_null(pc.is_valid(due.reasons), False)
    if not pc.any(failed).as_py():
        return 0
    norm = pc.replace_substring(prep_text(text), " ", "")
    found = pc.extract_regex(_where_failed(norm, failed), _TERMS)
    days = pc.struct_field(found, "days").cast(pa.int32())
    target = pc.add(order_date.cast(pa.int32()), days).cast(pa.date32())
    use = pc.fill_null(pc.is_valid(target), False)
    count = pc.sum(use).as_py() or 0
    if count:
        due.values = pc.if_else(use, target, due.values)
        due.reasons = pc.if_else(use, pa.scalar(None, pa.string()), due.reasons)
    return count


def _where_failed(text: pa.Array, failed: pa.Array) -> pa.Array:
    return pc.if_else(failed, text, pa.scalar(None, pa.string()))
