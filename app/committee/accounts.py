"""The committee's monthly account (你说，我们做): what it received, decided and implemented in a month.

A month is counted in the company's time zone (`analysis.months`) from the status events of published
suggestions, with the note each decision was made with (a reason for every decline, what changed for every
implementation). The board, the month page, its Atom feed and the monthly digest all read these functions.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from analysis.months import Month
from app.committee.service import origin
from app.models import Suggestion, SuggestionEvent

RECEIVED, ADOPTED, IMPLEMENTED, DECLINED, MERGED = "submitted", "adopted", "implemented", "declined", "merged"
DECIDED = (ADOPTED, DECLINED, MERGED)


@dataclass(frozen=True)
class AccountEntry:
    """One published suggestion's event in the month: what happened, when, and the note it came with."""

    suggestion: Suggestion
    status: str
    at: datetime
    note: str | None
    respondents: int | None = None  # 来自 N 位同事的意见, only when N ≥ k


@dataclass(frozen=True)
class MonthCounts:
    """收到 N 条，采纳 M 条，已实施 K 条，未采纳 D 条."""

    month: Month
    received: int = 0
    adopted: int = 0
    implemented: int = 0
    declined: int = 0

    @property
    def empty(self) -> bool:
        return not (self.received or self.adopted or self.implemented or self.declined)


@dataclass
class MonthAccount:
    month: Month
    entries: list[AccountEntry] = field(default_factory=list)

    def of(self, *statuses: str) -> list[AccountEntry]:
        return [entry for entry in self.entries if entry.status in statuses]

    @property
    def received(self) -> list[AccountEntry]:
        return self.of(RECEIVED)

    @property
    def decided(self) -> list[AccountEntry]:
        return self.of(*DECIDED)

    @property
    def adopted(self) -> list[AccountEntry]:
        return self.of(ADOPTED)

    @property
    def implemented(self) -> list[AccountEntry]:
        return self.of(IMPLEMENTED)

    @property
    def declined(self) -> list[AccountEntry]:
        return self.of(DECLINED)

    @property
    def counts(self) -> MonthCounts:
        counted = Counter(entry.status for entry in self.entries)
        return MonthCounts(self.month, counted[RECEIVED], counted[ADOPTED], counted[IMPLEMENTED], counted[DECLINED])


def _published_events(start: datetime, end: datetime):
    return (
        select(SuggestionEvent)
        .join(Suggestion, SuggestionEvent.suggestion_id == Suggestion.id)
        .where(Suggestion.published.is_(True), SuggestionEvent.created_at >= start, SuggestionEvent.created_at < end)
        .order_by(SuggestionEvent.created_at, SuggestionEvent.id)
    )


def month_counts(session, months: list[Month], timezone: str) -> list[MonthCounts]:
    """The counts of each of `months` (any order kept), from one query over the span they cover."""
    if not months:
        return []
    start, end = min(months).bounds(timezone)[0], max(months).bounds(timezone)[1]
    rows = session.execute(
        select(SuggestionEvent.to_status, SuggestionEvent.created_at)
        .join(Suggestion, SuggestionEvent.suggestion_id == Suggestion.id)
        .where(Suggestion.published.is_(True), SuggestionEvent.created_at >= start, SuggestionEvent.created_at < end)
    ).all()
    counted: dict[Month, Counter] = {month: Counter() for month in months}
    for status, at in rows:
        bucket = counted.get(Month.of(at, timezone))
        if bucket is not None:
            bucket[status] += 1
    return [
        MonthCounts(month, c[RECEIVED], c[ADOPTED], c[IMPLEMENTED], c[DECLINED])
        for month, c in ((month, counted[month]) for month in months)
    ]


def month_account(session, month: Month, timezone: str, k: int) -> MonthAccount:
    """Every event of a published suggestion in `month`, oldest first, with how many colleagues' comments
    fed the suggestion (only when at least k)."""
    start, end = month.bounds(timezone)
    events = (
        session.execute(_published_events(start, end).options(selectinload(SuggestionEvent.suggestion))).scalars().all()
    )
    seen: dict[int, int | None] = {}
    entries = []
    for event in events:
        suggestion = event.suggestion
        if suggestion.id not in seen:
            seen[suggestion.id] = origin(session, suggestion, k)["respondents"]
        entries.append(AccountEntry(suggestion, event.to_status, event.created_at, event.note, seen[suggestion.id]))
    return MonthAccount(month, entries)


def last_event_at(session, month: Month, timezone: str) -> datetime | None:
    """When the month's account last changed (its latest event), for the feed."""
    start, end = month.bounds(timezone)
    event = session.execute(
        _published_events(start, end).order_by(None).order_by(SuggestionEvent.created_at.desc()).limit(1)
    ).scalar_one_or_none()
    return event.created_at if event is not None else None


def earlier_month(session, month: Month, timezone: str) -> Month | None:
    """The month before `month` if the record reaches back to it (a published suggestion's event in it or
    before), else None: the month pages and the digest pages link back that far and no further."""
    first = session.execute(
        select(SuggestionEvent.created_at)
        .join(Suggestion, SuggestionEvent.suggestion_id == Suggestion.id)
        .where(Suggestion.published.is_(True))
        .order_by(SuggestionEvent.created_at)
        .limit(1)
    ).scalar_one_or_none()
    if first is None or Month.of(first, timezone) >= month:
        return None
    return month.previous


def status_month(suggestion: Suggestion, timezone: str) -> Month | None:
    """The month of the event that gave the suggestion its current status (its monthly account's page)."""
    for event in reversed(suggestion.events):
        if event.to_status == suggestion.status:
            return Month.of(event.created_at, timezone)
    return None
