"""What has been released for a campaign (the release ledger's storage) and how raw-export rows are labelled.

Each row of `releases` is one group's decision at one release step in one channel (figures or records):
released, or not with the reason. The released rows are the ledger: replayed, they are everything an
attacker may have seen, across requests, days, exports and reports.
"""

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model
from app.models.types import utcnow


class Release(Model):
    __tablename__ = "releases"
    __table_args__ = (
        UniqueConstraint("campaign_id", "channel", "group_key", "step"),
        CheckConstraint("channel IN ('figures', 'records')", name="channel_known"),
        Index("ix_releases_campaign_step", "campaign_id", "step"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(10))
    group_key: Mapped[str] = mapped_column(String(600))
    step: Mapped[int] = mapped_column(Integer)
    released: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ExportLabel(Model):
    """The segment columns the raw-answer export shows for the rows of one atom in one release step; decided
    once, when that step is first exported, so two exports never differ by a re-coarsening. '' is empty."""

    __tablename__ = "export_labels"
    __table_args__ = (UniqueConstraint("campaign_id", "step", "department", "role", "wave"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    step: Mapped[int] = mapped_column(Integer)
    department: Mapped[str] = mapped_column(String(500))
    role: Mapped[str] = mapped_column(String(20))
    wave: Mapped[str] = mapped_column(String(50))
    label_department: Mapped[str] = mapped_column(String(500))
    label_role: Mapped[str] = mapped_column(String(20))
    label_wave: Mapped[str] = mapped_column(String(50))
