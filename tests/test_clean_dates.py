"""Dates and timestamps in every supported style round-trip; Arrow and scalar paths agree."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ingest_helpers import context

from kehu.ingest.clean import CleanError, excel_serial_to_datetime, parse_date, parse_datetime

dates = st.dates(min_value=date(1900, 3, 1), max_value=date(2100, 12, 31))
times = st.times().map(lambda t: t.replace(microsecond=0))
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def date_styles(d: date) -> list[str]:
    return [
        d.isoformat(),
        f"{d.year}-{d.month}-{d.day}",
        f"{d.year}/{d.month}/{d.day}",
        f"{d.year}/{d.month:02d}/{d.day:02d}",
        f"{d.year}.{d.month}.{d.day}",
        f"{d.year}年{d.month}月{d.day}日",
        f"{d.year}年{d.month:02d}月{d.day:02d}日",
        f"{d.year} 年 {d.month} 月 {d.day} 号",
        d.strftime("%Y%m%d"),
        f"{d.day}-{MONTHS[d.month - 1]}-{d.year}",
        f"{MONTHS[d.month - 1]} {d.day}, {d.year}",
        f"{d.isoformat()} 00:00:00",
        f"{d.isoformat()}T00:00:00",
        d.isoformat().translate(_FULLWIDTH),
    ]


_FULLWIDTH = str.maketrans("0123456789-", "０１２３４５６７８９－")


def datetime_styles(dt: datetime) -> list[str]:
    d, t = dt.date(), dt.time()
    hour12 = t.hour % 12 or 12
    ampm = "下午" if t.hour >= 12 else "上午"
    return [
        dt.strftime("%Y-%m-%d %H:%M:%S"),
        dt.strftime("%Y-%m-%dT%H:%M:%S"),
        f"{d.year}/{d.month}/{d.day} {t.hour}:{t.minute:02d}:{t.second:02d}",
        f"{d.year}年{d.month}月{d.day}日 {t.hour}时{t.minute}分{t.second}秒",
        f"{d.year}年{d.month}月{d.day}日 {ampm}{hour12}点{t.minute}分{t.second}秒",
        f"{d.isoformat()} {hour12}:{t.minute:02d}:{t.second:02d} {'PM' if t.hour >= 12 else 'AM'}",
        dt.strftime("%Y%m%d%H%M%S"),
    ]


def local(aware: datetime) -> datetime:
    """What a UTC-offset timestamp reads as on a Shanghai wall clock (DST 1986-91 included)."""
    return aware.astimezone(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None)


@settings(deadline=None)
@given(dates)
def test_every_date_style_round_trips(d: date) -> None:
    for text in date_styles(d):
        assert parse_date(text) == d, text


@settings(deadline=None)
@given(dates, times)
def test_every_datetime_style_round_trips(d: date, t: object) -> None:
    dt = datetime.combine(d, t)  # type: ignore[arg-type]
    for text in datetime_styles(dt):
        assert parse_datetime(text, tz="Asia/Shanghai") == dt, text
    assert parse_date(dt.strftime("%Y-%m-%d %H:%M:%S")) == d
    east8 = dt.replace(tzinfo=timezone(timedelta(hours=8)))
    assert parse_datetime(dt.strftime("%Y-%m-%dT%H:%M:%S+08:00")) == local(east8)
    assert parse_datetime(dt.strftime("%Y-%m-%dT%H:%M:%SZ")) == local(dt.replace(tzinfo=UTC))
    assert parse_datetime(dt.strftime("%Y-%m-%dT%H:%M:%SZ"), tz=None) == dt


@settings(deadline=None)
@given(dates)
def test_excel_serials(d: date) -> None:
    serial = (d - date(1899, 12, 30)).days
    assert parse_date(str(serial), excel_serial=True) == d
    assert parse_date(f"{serial}.5", excel_serial=True) == d
    assert parse_datetime(f"{serial}.5", excel_serial=True) == datetime.combine(
        d, datetime.min.time()
    ) + timedelta(hours=12)
    with pytest.raises(CleanError):
        parse_date(str(serial))  # off unless the caller allows serials


def test_excel_1900_quirks() -> None:
    assert excel_serial_to_datetime(1).date() == date(1900, 1, 1)
    assert excel_serial_to_datetime(59).date() == date(1900, 2, 28)
    assert excel_serial_to_datetime(61).date() == date(1900, 3, 1)
    with pytest.raises(CleanError):
        excel_serial_to_datetime(60)  # Lotus' 1900-02-29 never existed


def test_csv_serial_range() -> None:
    window = (18264, 73050)
    assert parse_date("45356", excel_serial=window) == date(2024, 3, 5)
    with pytest.raises(CleanError):
        parse_date("12345", excel_serial=window)


@settings(deadline=None)
@given(st.lists(st.tuples(dates, st.integers(0, 12)), min_size=1, max_size=40))
def test_column_cleaner_agrees_with_scalar(pairs: list[tuple[date, int]]) -> None:
    from kehu.ingest.columns import clean_date

    texts = [date_styles(d)[i] for d, i in pairs]
    cleaned = clean_date(pa.array(texts), context())
    assert cleaned.values.to_pylist() == [d for d, _ in pairs]


@settings(deadline=None)
@given(st.lists(st.tuples(dates, times, st.integers(0, 8)), min_size=1, max_size=40))
def test_datetime_column_agrees_with_scalar(rows: list[tuple[date, object, int]]) -> None:
    from kehu.ingest.columns import clean_datetime

    stamps = [datetime.combine(d, t) for d, t, _ in rows]  # type: ignore[arg-type]
    texts = [datetime_styles(dt)[i % 7] for dt, (_, _, i) in zip(stamps, rows, strict=True)]
    cleaned = clean_datetime(pa.array(texts), context())
    assert cleaned.values.to_pylist() == stamps


def test_day_month_order() -> None:
    with pytest.raises(CleanError) as info:
        parse_date("05/03/2024")
    assert info.value.code == "ambiguous_date"
    assert parse_date("05/03/2024", day_first=True) == date(2024, 3, 5)
    assert parse_date("05/03/2024", day_first=False) == date(2024, 5, 3)
    assert parse_date("25/03/2024") == date(2024, 3, 25)
    assert parse_date("03/25/2024") == date(2024, 3, 25)


@pytest.mark.parametrize(
    "text", ["2024-02-30", "2023-02-29", "2024-13-01", "2024-03-05 25:00", "24/3/5", "soon"]
)
def test_impossible_dates_raise(text: str) -> None:
    with pytest.raises(CleanError):
        parse_date(text)


def test_partial_dates_only_when_asked() -> None:
    assert parse_date("2008", partial=True) == date(2008, 1, 1)
    assert parse_date("2008年5月", partial=True) == date(2008, 5, 1)
    assert parse_date("2008-05", partial=True) == date(2008, 5, 1)
    with pytest.raises(CleanError):
        parse_date("2008-05")


def test_arrow_fast_path_does_not_roll_over() -> None:
    from kehu.ingest.columns import clean_date, clean_datetime

    cleaned = clean_date(pa.array(["2024-02-30", "2024-02-29"] * 10), context())
    assert cleaned.values.to_pylist()[:2] == [None, date(2024, 2, 29)]
    assert cleaned.reasons.to_pylist()[:2] == ["invalid_date", None]
    stamps = clean_datetime(pa.array([f"2024-04-31 10:00:{i:02d}" for i in range(10)]), context())
    assert stamps.values.null_count == 10
    assert set(stamps.reasons.to_pylist()) == {"invalid_datetime"}


def test_out_of_range_dates_are_rejected() -> None:
    from kehu.ingest.columns import clean_date

    cleaned = clean_date(pa.array(["1800-01-01", "2024-01-01", "2200-01-01"]), context())
    assert cleaned.reasons.to_pylist() == ["date_out_of_range", None, "date_out_of_range"]
