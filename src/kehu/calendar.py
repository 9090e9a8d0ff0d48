"""Calendar periods (year, quarter, month): parsing, labels, stepping, ranges.

Labels are `2027`, `2027-Q1` and `2027-03`; they sort in time order within one grain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from kehu.errors import KehuError

Grain = Literal["month", "quarter", "year"]
GRAINS: tuple[Grain, ...] = ("month", "quarter", "year")
_MONTHS = {"month": 1, "quarter": 3, "year": 12}

_YEAR = re.compile(r"^\s*(\d{4})\s*年?\s*$")
_QUARTER = re.compile(r"^\s*(\d{4})\s*(?:[-/ ]?\s*[Qq]\s*|年\s*第?\s*)([1-4])\s*(?:季度?)?\s*$")
_MONTH = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?\s*$")


def add_months(d: date, months: int) -> date:
    """The first day of the month `months` after d's month."""
    index = d.year * 12 + (d.month - 1) + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True, order=True)
class Period:
    """One calendar period: its grain and first day."""

    start: date
    grain: Grain

    @classmethod
    def containing(cls, d: date, grain: Grain) -> Period:
        if grain == "year":
            return cls(date(d.year, 1, 1), grain)
        if grain == "quarter":
            return cls(date(d.year, 3 * ((d.month - 1) // 3) + 1, 1), grain)
        return cls(date(d.year, d.month, 1), grain)

    @classmethod
    def parse(cls, text: str) -> Period:
        """Parse `2027`, `2027-Q1` (`2027年第1季度`), `2027-03` (`2027/3`, `2027年3月`)."""
        s = str(text).strip()
        if m := _YEAR.match(s):
            return cls(date(int(m[1]), 1, 1), "year")
        if m := _QUARTER.match(s):
            return cls(date(int(m[1]), 3 * (int(m[2]) - 1) + 1, 1), "quarter")
        if (m := _MONTH.match(s)) and 1 <= int(m[2]) <= 12:
            return cls(date(int(m[1]), int(m[2]), 1), "month")
        raise KehuError(
            f"无法识别的期间 {text!r}:请写成 2027、2027-Q1 或 2027-03",
            f"cannot read the period {text!r}: write 2027, 2027-Q1 or 2027-03",
        )

    @property
    def months(self) -> int:
        return _MONTHS[self.grain]

    @property
    def end(self) -> date:
        return add_months(self.start, self.months) - timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def label(self) -> str:
        if self.grain == "year":
            return f"{self.start.year}"
        if self.grain == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start.year}-{self.start.month:02d}"

    def shift(self, n: int) -> Period:
        """The period n steps later (negative: earlier)."""
        return Period(add_months(self.start, n * self.months), self.grain)

    def prev(self) -> Period:
        return self.shift(-1)

    def month_periods(self) -> list[Period]:
        """The calendar months inside this period."""
        return [Period(add_months(self.start, i), "month") for i in range(self.months)]

    def __str__(self) -> str:
        return self.label


def check_grain(grain: str) -> Grain:
    """Validate a grain name given by a user."""
    if grain not in GRAINS:
        raise KehuError(
            f"期间粒度 {grain!r} 无效:可选 month、quarter、year",
            f"unknown period grain {grain!r}: use month, quarter or year",
        )
    return grain


def period_range(start: date, end: date, grain: Grain) -> list[Period]:
    """Every period of `grain` that intersects [start, end], in order."""
    if end < start:
        return []
    out = [Period.containing(start, grain)]
    while out[-1].end < end:
        out.append(out[-1].shift(1))
    return out


def cadence_period(d: date, cadence: str) -> str:
    """The label of the cadence period holding d (tasks' natural key): 2026-W45, 2026-11, ..."""
    if cadence == "once":
        return "once"
    if cadence == "week":
        year, week, _ = d.isocalendar()
        return f"{year}-W{week:02d}"
    return Period.containing(d, cadence).label  # type: ignore[arg-type]


CADENCE_DAYS = {"week": 7, "month": 30, "quarter": 91, "year": 365}
