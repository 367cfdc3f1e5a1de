"""Messages sent to people: about a campaign, one row per campaign, person, channel and purpose; the
committee's monthly digest, one row per person and month (`purpose` 'digest-2026-11', no campaign), on
whichever channel reached them.

A row is created (or re-claimed) by a conditional INSERT/UPDATE before its message is sent, so two
workers, managers or schedulers acting at once send one message, not two. It records the channel, the
time, the status and the error — never a response, and never whether the person answered.
"""

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model
from app.models.types import utcnow

DELIVERY_STATUSES = ("pending", "sending", "sent", "failed", "skipped")


class Delivery(Model):
    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("campaign_id", "person_id", "channel", "purpose"),
        CheckConstraint("status IN ('pending', 'sending', 'sent', 'failed', 'skipped')", name="status_known"),
        Index("ix_deliveries_campaign_status", "campaign_id", "status"),
        Index(
            "ux_deliveries_person_purpose_without_campaign",
            "person_id",
            "purpose",
            unique=True,
            sqlite_where=text("campaign_id IS NULL"),
            postgresql_where=text("campaign_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    purpose: Mapped[str] = mapped_column(String(20))  # 'invitation', 'reminder-1', …; 'digest-2026-11'
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    claim: Mapped[str | None] = mapped_column(String(36))
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    person: Mapped["Person"] = relationship()


class DigestSchedule(Model):
    """When the monthly digest goes out by itself (one row): the day of the month and the local time, and
    the channels in order (people the first cannot reach get it on the next). Set by the committee."""

    __tablename__ = "digest_schedules"
    __table_args__ = (CheckConstraint("day BETWEEN 1 AND 28", name="day_in_every_month"),)

    id: Mapped[int] = mapped_column(primary_key=True)  # the schedule is row 1
    day: Mapped[int] = mapped_column(Integer, default=3)
    send_at: Mapped[str] = mapped_column(String(5), default="09:30")  # HH:MM in BABEL_DEFAULT_TIMEZONE
    channels: Mapped[str] = mapped_column(String(50), default="dingtalk,email")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class Digest(Model):
    """One month's digest: the committee's introduction (previewed and edited before it goes), and when the
    scheduled send began and finished (after which the scheduler leaves the month alone)."""

    __tablename__ = "digests"
    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # 2026-11 (analysis.months)
    introduction: Mapped[str | None] = mapped_column(Text)
    edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    edited_at: Mapped[datetime | None] = mapped_column(DateTime)
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)


from app.models.people import Person  # noqa: E402  (relationship target)
