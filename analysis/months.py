"""Months (`2026-11`): the one place that parses them, finds the month of a moment, its bounds, the months
around it and its labels — the committee's monthly account is kept by these.

Like quarters (`analysis.quarters`), moments are stored as naive UTC datetimes and a month runs from local
midnight on its first day to local midnight on the first day of the next, in the company's time zone
(`BABEL_DEFAULT_TIMEZONE`). So a decision at 00:30 on 1 December in Shanghai is December's although it is
still 30 November in UTC, and one at 23:30 on 30 November in San Francisco is November's although it is
already 1 December in UTC. Callers pass the time zone's name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from analysis.quarters import DEFAULT_TIMEZONE, FIRST_YEAR, LAST_YEAR, Quarter, utc_midnight

FORMAT = r"20[0-9]{2}-(0[1-9]|1[0-2])"
"""The format's regular expression, without anchors (valid in Python and in JSON Schema)."""
_EXACT = re.compile(rf"{FORMAT}\Z")
EN_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


class MonthError(ValueError):
    """Not a month; the message says what was expected, in Chinese."""


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month: `Month(2026, 11)` is written 2026-11 and sorts before 2026-12."""

    year: int
    number: int

    def __post_init__(self) -> None:
        if not (FIRST_YEAR <= self.year <= LAST_YEAR and 1 <= self.number <= 12):
            raise MonthError(f"月份应在 {FIRST_YEAR}-01 到 {LAST_YEAR}-12 之间，收到 {self.year}-{self.number:02d}")

    @classmethod
    def parse(cls, text: object, *, exact: bool = False) -> Month:
        """`2026-11`; typed input may have spaces around it. With `exact`, only the stored form is accepted
        (a URL, a value read back from the database)."""
        if isinstance(text, Month):
            return text
        candidate = text if isinstance(text, str) else ""
        if not exact:
            candidate = candidate.strip()
        if not _EXACT.match(candidate):
            raise MonthError(f"月份格式应为“2026-11”，收到“{text if isinstance(text, str) else ''}”")
        return cls(int(candidate[:4]), int(candidate[5:7]))

    @classmethod
    def of(cls, moment: date | datetime, timezone: str = DEFAULT_TIMEZONE) -> Month:
        """The month a moment falls in, in `timezone`. A naive datetime is UTC (as stored); a date is local."""
        if isinstance(moment, datetime):
            aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
            moment = aware.astimezone(ZoneInfo(timezone)).date()
        return cls(moment.year, moment.month)

    def __str__(self) -> str:
        return f"{self.year}-{self.number:02d}"

    @property
    def previous(self) -> Month:
        return Month(self.year - 1, 12) if self.number == 1 else Month(self.year, self.number - 1)

    @property
    def next(self) -> Month:
        return Month(self.year + 1, 1) if self.number == 12 else Month(self.year, self.number + 1)

    @property
    def quarter(self) -> Quarter:
        return Quarter(self.year, (self.number - 1) // 3 + 1)

    @property
    def first_day(self) -> date:
        return date(self.year, self.number, 1)

    def dates(self) -> tuple[date, date]:
        """Its first local day and the first local day of the next month (end exclusive)."""
        end = date(self.year + 1, 1, 1) if self.number == 12 else date(self.year, self.number + 1, 1)
        return self.first_day, end

    def bounds(self, timezone: str = DEFAULT_TIMEZONE) -> tuple[datetime, datetime]:
        """Its first moment and the first moment of the next month, as naive UTC datetimes for queries."""
        zone = ZoneInfo(timezone)
        start, end = self.dates()
        return utc_midnight(start, zone), utc_midnight(end, zone)

    def contains(self, moment: datetime, timezone: str = DEFAULT_TIMEZONE) -> bool:
        """Whether a stored moment (naive UTC) falls in this month where the company is."""
        return Month.of(moment, timezone) == self

    def label(self, language: str = "zh") -> str:
        """2026年11月 in Chinese, November 2026 in English."""
        if language == "zh":
            return f"{self.year}年{self.number}月"
        return f"{EN_NAMES[self.number - 1]} {self.year}"

    @classmethod
    def of_quarter(cls, quarter: Quarter) -> list[Month]:
        """The three months of `quarter`, oldest first."""
        return [cls(quarter.year, 3 * (quarter.number - 1) + offset) for offset in (1, 2, 3)]

    def last(self, count: int) -> list[Month]:
        """This month and the `count - 1` before it, newest first."""
        months = [self]
        while len(months) < count:
            months.append(months[-1].previous)
        return months


def is_month(text: object) -> bool:
    """Whether `text` is a month exactly as stored (2026-11: nothing around it)."""
    try:
        Month.parse(text, exact=True)
    except MonthError:
        return False
    return True
