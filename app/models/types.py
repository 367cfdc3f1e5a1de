"""Small shared column helpers."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Timezone-aware now in UTC; stored naive-UTC by SQLite, timestamptz-free on PostgreSQL."""
    return datetime.now(UTC).replace(tzinfo=None)


MAX_ID = 2**31 - 1  # ids are Integer columns: int4 on PostgreSQL (SQLite cannot even bind past 2**63 - 1)


def is_id(value) -> bool:
    """Whether `value` could name a row; anything else names none and must not reach the database driver."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID
