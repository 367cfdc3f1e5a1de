"""Quarters (`2026Q4`): the one place that parses them, finds the quarter of a moment, its bounds, the
quarters around it and its labels.

Moments are stored as naive UTC datetimes; a quarter runs from local midnight to local midnight in the
company's time zone (`BABEL_DEFAULT_TIMEZONE`, Asia/Shanghai by default), so the callers pass its name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

DEFAULT_TIMEZONE = "Asia/Shanghai"
FIRST_YEAR, LAST_YEAR = 2000, 2099
FORMAT = r"20[0-9]{2}Q[1-4]"
"""The format's regular expression, without anchors; valid in Python and in JSON Schema (ECMA-262)."""
SCHEMA_PATTERN = rf"^({FORMAT})?$"
"""JSON Schema pattern of an optional quarter (empty or 2026Q4); ECMA-262's `$` allows no trailing newline."""
_EXACT = re.compile(rf"{FORMAT}\Z")  # with match(): \Z, because "$" would let a trailing newline through
ZH_NUMERALS = "一二三四"


class QuarterError(ValueError):
    """Not a quarter; the message says what was expected, in Chinese."""


@dataclass(frozen=True, order=True)
class Quarter:
    """A calendar quarter: `Quarter(2026, 4)` is written 2026Q4 and sorts before 2027Q1."""

    year: int
    number: int

    def __post_init__(self) -> None:
        if not (FIRST_YEAR <= self.year <= LAST_YEAR and 1 <= self.number <= 4):
            raise QuarterError(f"季度应在 {FIRST_YEAR}Q1 到 {LAST_YEAR}Q4 之间，收到 {self.year}Q{self.number}")

    @classmethod
    def parse(cls, text: object, *, exact: bool = False) -> Quarter:
        """`2026Q4`; typed input may have spaces around it and a lower-case q. With `exact`, only the stored
        form is accepted (values read back from the database or sent by a program)."""
        if isinstance(text, Quarter):
            return text
        candidate = text if isinstance(text, str) else ""
        if not exact:
            candidate = candidate.strip().upper()
        if not _EXACT.match(candidate):
            raise QuarterError(f"季度格式应为“2026Q4”，收到“{text if isinstance(text, str) else ''}”")
        return cls(int(candidate[:4]), int(candidate[5]))

    @classmethod
    def of(cls, moment: date | datetime, timezone: str = DEFAULT_TIMEZONE) -> Quarter:
        """The quarter a moment falls in, in `timezone`. A naive datetime is UTC (as stored); a date is local."""
        if isinstance(moment, datetime):
            aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
            moment = aware.astimezone(ZoneInfo(timezone)).date()
        return cls(moment.year, (moment.month - 1) // 3 + 1)

    def __str__(self) -> str:
        return f"{self.year}Q{self.number}"

    @property
    def previous(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)

    @property
    def next(self) -> Quarter:
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)

    @property
    def first_day(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    def dates(self) -> tuple[date, date]:
        """Its first local day and the first local day of the next quarter (end exclusive)."""
        end = date(self.year + 1, 1, 1) if self.number == 4 else date(self.year, 3 * self.number + 1, 1)
        return self.first_day, end

    def bounds(self, timezone: str = DEFAULT_TIMEZONE) -> tuple[datetime, datetime]:
        """Its first moment and the first moment of the next quarter, as naive UTC datetimes for queries."""
        zone = ZoneInfo(timezone)
        start, end = self.dates()
        return utc_midnight(start, zone), utc_midnight(end, zone)

    def label(self, language: str = "zh") -> str:
        """2026年第四季度 in Chinese, 2026 Q4 in English."""
        if language == "zh":
            return f"{self.year}年第{ZH_NUMERALS[self.number - 1]}季度"
        return f"{self.year} Q{self.number}"


def utc_midnight(day: date, zone: ZoneInfo) -> datetime:
    """Local midnight at the start of `day` in `zone`, as a naive UTC datetime (how moments are stored)."""
    return datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC).replace(tzinfo=None)


def is_quarter(text: object) -> bool:
    """Whether `text` is a quarter exactly as stored (2026Q4: no spaces, upper-case Q, nothing after it)."""
    try:
        Quarter.parse(text, exact=True)
    except QuarterError:
        return False
    return True
