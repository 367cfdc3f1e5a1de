"""Campaigns (instrument version × quarter × audience) and their single-use invitations."""

from datetime import datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, DateTime, ForeignKey, Integer, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model
from app.models.instruments import InstrumentVersion
from app.models.types import utcnow


class Campaign(Model):
    """A survey round. Anonymity settings can only be tightened, and never after a response."""

    __tablename__ = "campaigns"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'open', 'closed')", name="status_known"),
        CheckConstraint("mode IN ('anonymous', 'confidential')", name="mode_known"),
        CheckConstraint("min_group >= 3", name="min_group_floor"),
        CheckConstraint("min_group_text >= 3", name="min_group_text_floor"),
        CheckConstraint("remind_after_days >= 1", name="remind_after_days_floor"),  # NULL: no reminders
        CheckConstraint("remind_max >= 0", name="remind_max_floor"),
        CheckConstraint("repeat_lead_days >= 1 AND repeat_lead_days <= 60", name="repeat_lead_days_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_version_id: Mapped[int] = mapped_column(
        ForeignKey("instrument_versions.id", ondelete="RESTRICT"), index=True
    )
    quarter: Mapped[str] = mapped_column(String(6), index=True)
    title: Mapped[str] = mapped_column(String(200))
    audience: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(10), default="draft")
    mode: Mapped[str] = mapped_column(String(20), default="anonymous")
    opens_at: Mapped[datetime | None] = mapped_column(DateTime)
    closes_at: Mapped[datetime | None] = mapped_column(DateTime)
    min_group: Mapped[int] = mapped_column(Integer, default=5)
    min_group_text: Mapped[int] = mapped_column(Integer, default=10)
    # the last release step cut (0: none yet); responses wait for the next one (analysis.release)
    release_step: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Automatic reminders: after `remind_after_days` without an answer, at most `remind_max` times.
    remind_after_days: Mapped[int | None] = mapped_column(Integer)
    remind_max: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Repeating every quarter: the next quarter's campaign is created `repeat_lead_days` before that quarter
    # (`app.campaigns.repeat`); it remembers the campaign it repeats and opens on its date by itself.
    repeats_quarterly: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    repeat_lead_days: Mapped[int] = mapped_column(Integer, default=14, server_default="14")
    repeated_from_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id", ondelete="SET NULL"), unique=True)
    opens_by_itself: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    open_link_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    instrument_version: Mapped[InstrumentVersion] = relationship()
    invitations: Mapped[list["Invitation"]] = relationship(
        back_populates="campaign", cascade="all, delete-orphan", passive_deletes=True
    )


class Invitation(Model):
    """One person's single-use link: only the token's SHA-256 is kept, and no timestamps.

    The token is derived from SECRET_KEY, the invitation's id and `token_generation` (app.campaigns.links),
    so the same link can be sent again; "重新生成" increments the generation. Invitations created before
    derived links have `token_generation` NULL: their random token works until it is reissued.
    """

    __tablename__ = "invitations"
    __table_args__ = (
        UniqueConstraint("campaign_id", "person_id"),
        CheckConstraint("status IN ('pending', 'completed')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    token_generation: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), default="pending")

    campaign: Mapped[Campaign] = relationship(back_populates="invitations")
    person: Mapped["Person"] = relationship()


from app.models.people import Person  # noqa: E402  (relationship target)
