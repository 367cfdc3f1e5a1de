"""Small shared column helpers."""
from datetime import datetime, timezone


def utcnow() -> datetime:
    """Timezone-aware now in UTC; stored naive-UTC by SQLite, timestamptz-free on PostgreSQL."""
    return datetime.now(timezone.utc).replace(tzinfo=None)
