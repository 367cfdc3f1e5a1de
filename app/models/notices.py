"""Notices for staff: what happened by itself that someone should know about (a repeating campaign was
created and can be changed before it opens; it opened)."""

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model
from app.models.types import utcnow

NOTICE_KINDS = ("campaign_repeated", "campaign_opened")


class StaffNotice(Model):
    """One notice for one staff member, shown until they dismiss it."""

    __tablename__ = "staff_notices"
    __table_args__ = (CheckConstraint("kind IN ('campaign_repeated', 'campaign_opened')", name="kind_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(DateTime)

    campaign: Mapped["Campaign"] = relationship()


from app.models.campaigns import Campaign  # noqa: E402  (relationship target)
