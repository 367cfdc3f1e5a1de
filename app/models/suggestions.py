"""Improvement suggestions, their status history, and webhook deliveries about them."""

from datetime import datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model
from app.models.people import ROLE_LABELS
from app.models.staff import STAFF_ROLE_LABELS
from app.models.types import utcnow

SUGGESTION_STATUSES = (
    "submitted",
    "under_review",
    "adopted",
    "declined",
    "merged",
    "in_progress",
    "implemented",
)


class Suggestion(Model):
    __tablename__ = "suggestions"
    __table_args__ = (
        CheckConstraint(
            "status IN ('submitted', 'under_review', 'adopted', 'declined', 'merged', 'in_progress', 'implemented')",
            name="status_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    module: Mapped[str | None] = mapped_column(String(40), index=True)
    status: Mapped[str] = mapped_column(String(20), default="submitted", index=True)
    source: Mapped[str] = mapped_column(String(20), default="manual")
    proposer_role: Mapped[str | None] = mapped_column(String(20))
    box_department: Mapped[str | None] = mapped_column(String(500))
    receipt_hash: Mapped[str | None] = mapped_column(String(64), unique=True)  # a box entry's receipt, hashed
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    target_quarter: Mapped[str | None] = mapped_column(String(6))
    decision_note: Mapped[str | None] = mapped_column(Text)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("suggestions.id", ondelete="SET NULL"))
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    published_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    events: Mapped[list["SuggestionEvent"]] = relationship(
        back_populates="suggestion",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="SuggestionEvent.created_at",
    )

    @property
    def proposer_label(self) -> str:
        """The proposer's role in the reader's language: a person's role for the public box, else a staff role."""
        labels = ROLE_LABELS if self.source == "box" else STAFF_ROLE_LABELS
        return str(labels.get(self.proposer_role, self.proposer_role)) if self.proposer_role else ""


class SuggestionTheme(Model):
    """A theme feeding a suggestion (several themes, across quarters, may feed one)."""

    __tablename__ = "suggestion_themes"

    suggestion_id: Mapped[int] = mapped_column(ForeignKey("suggestions.id", ondelete="CASCADE"), primary_key=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True, index=True)


class SuggestionEvent(Model):
    """One status transition: who, when, from, to and the note."""

    __tablename__ = "suggestion_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    suggestion_id: Mapped[int] = mapped_column(ForeignKey("suggestions.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    suggestion: Mapped[Suggestion] = relationship(back_populates="events")


class WebhookDelivery(Model):
    """A notification sent (or being retried) to the configured webhook; `once_key` (unique) names an event
    that is notified only once, such as a theme emerging in a quarter."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    suggestion_id: Mapped[int | None] = mapped_column(ForeignKey("suggestions.id", ondelete="CASCADE"), index=True)
    event: Mapped[str] = mapped_column(String(50))
    once_key: Mapped[str | None] = mapped_column(String(100), unique=True, index=True)
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime)
