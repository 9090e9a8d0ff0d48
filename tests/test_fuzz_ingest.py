"""Issue 21.8: property-based fuzzing of every cleaner and reader (hypothesis).

The property: whatever the input, a cleaner returns a value or raises its documented
`CleanError`; a reader returns a table or raises `KehuError` — nothing else. Inputs mix
arbitrary Unicode with text built from the characters the parsers look at (digits,
separators, units, CJK date words, full-width forms), so most cases reach deep into them.

CI runs `CI_EXAMPLES` cases per cleaner (10^4; the whole file in about a minute of one core);
`KEHU_FUZZ=slow` runs the `slow` tests with 10^5 per cleaner (and 10^4 per reader).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kehu.errors import KehuError
from kehu.idcodes import resident_id_valid, uscc_valid
from kehu.ingest import clean
from kehu.ingest.clean.errors import CleanError
from kehu.ingest.columns import Context
from kehu.ingest.columns_text import clean_registration
from kehu.ingest.dispatch import clean_column
from kehu.ingest.fields import field_for
from kehu.ingest.industry import lookup_industry
from kehu.ingest.mapping import header_score, map_headers
from kehu.ingest.prepare import prepare
from kehu.ingest.read import read_delimited, read_excel, read_parquet, records_table
from kehu.ingest.rejects import RejectLog
from kehu.store.schema import DATA_TABLES, table_for_kind

SLOW = os.environ.get("KEHU_FUZZ") == "slow"
CI_EXAMPLES = 10_000
SLOW_EXAMPLES = 100_000
READER_EXAMPLES = 1_500  # a file per case: see docs/ingest.md for the measured cost
slow_only = pytest.mark.skipif(not SLOW, reason="set KEHU_FUZZ=slow for the 10^5 run")

# What the parsers look at: digits, signs, separators, units, date and time words.
PARSER_CHARS = (
    "0123456789"
    "０１２３４５６７８９"
    ".,-+eE /:\\()（）[]%％'\"\t\n\r"
    "¥￥$元圆块角分万亿千百十kKwWmM"
    "年月日号时点分秒上下午晚凌晨TZzAPMapm"
    "人件个台以上下少于至~～"
    "QqHh季度第一二三四上半年"
    "是否有无YyNn√×"
    "+86转ext#*"
    "省市自治区北京广东新疆"
    "@._abc"
)
TRICKY = [
    "",
    " ",
    "-",
    "—",
    "N/A",
    "null",
    "1e309",
    "-1e309",
    "1E+9999",
    "nan",
    "inf",
    "-0",
    "9" * 400,
    "0." + "0" * 400 + "1",
    "1" * 30 + "万",
    "1.2.3",
    "..",
    "--5",
    "(-5)",
    "5-",
    "¥-",
    "万",
    "亿亿",
    "3万5千",
    "12.5k",
    "0x1F",
    "١٢٣",
    "²",
    "½",
    "Ⅻ",
    "𝟙𝟚",
    "〇",
    "2024-02-30",
    "2024-13-01",
    "0000-00-00",
    "99999999",
    "2024年13月",
    "25:61",
    "下午25点",
    "2024-03-05T25:00",
    "2024-03-05 14:30+99:99",
    "2024-03-05 14:30+14:00",
    "1900-02-29",
    "60",
    "2958466",
    "-1",
    "2026-Q5",
    "2026H3",
    "202613",
    "+",
    "+86",
    "1" * 60,
    "\x00",
    "\ud7ff",
    "\ufeff",
    "\u200b1",
    "=1+1",
    "@SUM(1)",
    "'=x",
]
values = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=PARSER_CHARS, max_size=24),
    st.sampled_from(TRICKY),
    st.builds(lambda a, b: a + b, st.sampled_from(TRICKY), st.text(PARSER_CHARS, max_size=8)),
)
maybe = st.one_of(st.none(), values)
serials = st.sampled_from([False, True, (18264, 73050)])
day_first = st.sampled_from([None, True, False])


def _cleans(fn: Callable[[], Any]) -> None:
    """Run one cleaner call: a value or a CleanError (with a reason code) only."""
    try:
        fn()
    except CleanError as exc:
        assert exc.code, exc


def _every_cleaner(example: tuple[str | None, Any, bool, bool | None, Any]) -> None:
    """One drawn value through every scalar cleaner, with drawn options."""
    v, serial, flag, first, unit = example
    _cleans(lambda: clean.parse_money(v, unit=unit))
    _cleans(lambda: clean.parse_date(v, excel_serial=serial, partial=flag, day_first=first))
    _cleans(lambda: clean.parse_datetime(v, excel_serial=serial, day_first=first))
    _cleans(lambda: clean.parse_int(v, ranges=flag, words={"非常满意": 5, "满意": 4}))
    _cleans(lambda: clean.parse_number(v))
    _cleans(lambda: clean.parse_percent(v))
    _cleans(lambda: clean.parse_period(v))
    _cleans(lambda: clean.parse_bool(v))
    _cleans(lambda: clean.normalize_phone(v, "CN" if flag else "US"))
    _cleans(lambda: clean.normalize_registration(v))
    _cleans(lambda: clean.normalize_email(v))
    _cleans(lambda: clean.normalize_postcode(v))
    _cleans(lambda: clean.normalize_province(v))
    _cleans(lambda: clean.clean_text(v))
    _cleans(lambda: lookup_industry(v))
    if v is not None:
        _cleans(lambda: (uscc_valid(v), resident_id_valid(v), clean.match_key(v)))
        _cleans(lambda: (clean.normalize_text(v), clean.to_halfwidth(v)))
        _cleans(lambda: clean.is_null_marker(v))


cleaner_cases = st.tuples(
    maybe, serials, st.booleans(), day_first, st.sampled_from([1, 10_000, Decimal("0.01")])
)
numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.decimals(allow_nan=True, allow_infinity=True),
)


def _fuzz(strategy: st.SearchStrategy, check: Callable[[Any], None], n: int) -> None:
    @settings(
        max_examples=n,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def run(example: Any) -> None:
        check(example)

    run()


def test_every_cleaner_returns_a_value_or_its_reason() -> None:
    """10^4 drawn values, each through every scalar cleaner (so 10^4 cases per cleaner)."""
    _fuzz(cleaner_cases, _every_cleaner, CI_EXAMPLES)


def test_excel_serials_of_any_number() -> None:
    _fuzz(numbers, lambda n: _cleans(lambda: clean.excel_serial_to_datetime(n)), CI_EXAMPLES)


@slow_only
@pytest.mark.slow
def test_every_cleaner_returns_a_value_or_its_reason_slow() -> None:
    _fuzz(cleaner_cases, _every_cleaner, SLOW_EXAMPLES)


@pytest.mark.parametrize("value", TRICKY)
def test_tricky_values(value: str) -> None:
    """The hand-picked edge cases (and what the fuzzer found: 1E309, NaN serials, a
    number beyond 64 bits, an empty column of a typed kind) on every cleaner."""
    for serial in (False, True):
        _every_cleaner((value, serial, serial, None, 10_000))


# ---- the column cleaners (what an import runs), every field kind of every table ----------
CTX = Context(
    null_markers=frozenset(["-", "n/a", "null", "无"]),
    date_min=date(1900, 1, 1),
    date_max=date(2100, 12, 31),
    day_first=None,
    timezone="Asia/Shanghai",
    phone_region="CN",
    excel_serials=(18264, 73050),
)
FIELDS = sorted(
    {(t.name, c) for t in DATA_TABLES for c in t.columns if field_for(t, c).kind != "industry"}
)
COLUMN_VALUES = 20  # values per column case: 500 cases = 10^4 values


def _clean_columns(example: tuple[tuple[str, str], list[str | None]]) -> None:
    (table_name, column), cells = example
    table = next(t for t in DATA_TABLES if t.name == table_name)
    spec = field_for(table, column)
    arr = pa.array(cells, pa.string())
    if spec.kind == "registration":
        result, _ = clean_registration(arr, CTX)
    else:
        result = clean_column(arr, spec, CTX)
    assert len(result.values) == len(cells)
    if result.reasons is not None:
        assert len(result.reasons) == len(cells)


column_cases = st.tuples(st.sampled_from(FIELDS), st.lists(maybe, max_size=COLUMN_VALUES))


def test_column_cleaners_never_crash() -> None:
    _fuzz(column_cases, _clean_columns, CI_EXAMPLES // COLUMN_VALUES)


@slow_only
@pytest.mark.slow
def test_column_cleaners_never_crash_slow() -> None:
    _fuzz(column_cases, _clean_columns, SLOW_EXAMPLES // COLUMN_VALUES)


# ---- the file readers, then prepare (mapping + every cleaner) on what they read ----------
KINDS = [t.kind for t in DATA_TABLES if t.kind]
HEADERS = ["客户编号", "客户名称", "订单号", "下单日期", "订单金额", "联系电话", "省份", "期间",
           "目标金额", "满意度", "员工人数", "行业", "统一社会信用代码", "邮箱", "金额(万元)",
           ""]  # fmt: skip
csv_text = st.builds(
    lambda head, rows, sep, end: sep.join(head) + "\n" + "\n".join(sep.join(r) for r in rows) + end,
    st.lists(st.sampled_from(HEADERS), min_size=1, max_size=6),
    st.lists(st.lists(st.text(PARSER_CHARS + "合计客户", max_size=12), max_size=7), max_size=6),
    st.sampled_from([",", "\t", ";", "|"]),
    st.sampled_from(["", "\n", "\r\n", '"', "\n\n"]),
)
encodings = st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16", "latin-1"])
file_bytes = st.one_of(
    st.binary(max_size=300),
    st.builds(lambda t, e: t.encode(e, "replace"), csv_text, encodings),
    st.builds(  # a valid file cut anywhere
        lambda t, e, cut: t.encode(e, "replace")[: max(1, cut)],
        csv_text,
        encodings,
        st.integers(1, 200),
    ),
    st.builds(lambda t, b: t.encode() + b, csv_text, st.binary(min_size=1, max_size=8)),
)


def _read_and_prepare(example: tuple[bytes, str, str]) -> None:
    data, suffix, kind = example
    table = table_for_kind(kind)
    assert table is not None
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"f{suffix}"
        path.write_bytes(data)

        def score(cells: list[str]) -> int:
            return header_score(cells, table)

        try:
            if suffix in (".csv", ".tsv", ".txt"):
                raw = read_delimited(path, score=score)
            elif suffix == ".parquet":
                raw = read_parquet(path)
            else:
                raw = read_excel(path, score=score)
        except KehuError:
            return
        matches = map_headers(raw.headers, table, None)
        log = RejectLog()
        prepared = prepare(raw, table, matches, CTX, log)
        assert prepared.read >= len(log.rows())


reader_cases = st.tuples(
    file_bytes,
    st.sampled_from([".csv", ".csv", ".tsv", ".xlsx", ".parquet"]),
    st.sampled_from(KINDS),
)


def test_readers_load_or_say_why() -> None:
    _fuzz(reader_cases, _read_and_prepare, READER_EXAMPLES)


@slow_only
@pytest.mark.slow
def test_readers_load_or_say_why_slow() -> None:
    _fuzz(reader_cases, _read_and_prepare, CI_EXAMPLES)


pushed = st.lists(
    st.dictionaries(
        st.sampled_from(HEADERS[:-1] + ["customer_id", "name", "x"]), maybe, max_size=5
    ),
    min_size=1,
    max_size=5,
)


def _push(example: tuple[list[dict[str, Any]], str]) -> None:
    records, kind = example
    table = table_for_kind(kind)
    assert table is not None
    try:
        raw = records_table(records)
    except KehuError:
        return
    prepare(raw, table, map_headers(raw.headers, table, None), CTX, RejectLog())


def test_pushed_records_load_or_say_why() -> None:
    _fuzz(st.tuples(pushed, st.sampled_from(KINDS)), _push, CI_EXAMPLES // 10)


# ---- typed cells: real XLSX and Parquet files with numbers, dates, booleans, text -----------
cell = st.one_of(
    st.none(),
    values,
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(min_value=date(1, 1, 1)),
)
typed_cases = st.tuples(
    st.lists(st.sampled_from(HEADERS[:-1]), min_size=1, max_size=5, unique=True),
    st.lists(st.lists(cell, min_size=5, max_size=5), max_size=5),
    st.sampled_from([".xlsx", ".parquet"]),
    st.sampled_from(KINDS),
)


def _typed_file(example: tuple[list[str], list[list[Any]], str, str]) -> None:
    headers, rows, suffix, kind = example
    table = table_for_kind(kind)
    assert table is not None
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"f{suffix}"
        if suffix == ".xlsx":
            import xlsxwriter

            book = xlsxwriter.Workbook(str(path), {"nan_inf_to_errors": True})
            sheet = book.add_worksheet()
            sheet.write_row(0, 0, headers)
            for i, row in enumerate(rows, start=1):
                for j, v in enumerate(row[: len(headers)]):
                    if isinstance(v, date) and v.year >= 1900:
                        sheet.write_datetime(i, j, v)
                    elif v is not None and not isinstance(v, date):
                        sheet.write(i, j, v)
            book.close()
        else:
            import pyarrow.parquet as pq

            columns = {}
            for j, h in enumerate(headers):
                col = [r[j] if j < len(r) else None for r in rows]
                try:
                    columns[h] = pa.array(col)
                except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
                    columns[h] = pa.array([None if v is None else str(v) for v in col])
            pq.write_table(pa.table(columns), path)

        def score(cells: list[str]) -> int:
            return header_score(cells, table)

        try:
            raw = read_excel(path, score=score) if suffix == ".xlsx" else read_parquet(path)
        except KehuError:
            return
        prepare(raw, table, map_headers(raw.headers, table, None), CTX, RejectLog())


def test_typed_files_load_or_say_why() -> None:
    _fuzz(typed_cases, _typed_file, READER_EXAMPLES // 3)
