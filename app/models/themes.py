"""Theme runs over comments, their themes, members, and the managers' edits to them."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model
from app.models.types import utcnow

OTHER_LABEL = _l("其他/未归类")  # the catch-all theme; stored as analysis.text's Chinese label


class ThemeRun(Model):
    """One clustering of the comments of one or more campaigns, with its parameters and progress."""

    __tablename__ = "theme_runs"
    __table_args__ = (CheckConstraint("status IN ('queued', 'running', 'succeeded', 'failed')", name="status_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_ids: Mapped[list] = mapped_column(JSON, default=list)
    quarter: Mapped[str | None] = mapped_column(String(6), index=True)
    status: Mapped[str] = mapped_column(String(10), default="queued")
    stage: Mapped[str] = mapped_column(String(30), default="")
    progress: Mapped[int] = mapped_column(Integer, default=0)
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    code_version: Mapped[str] = mapped_column(String(40), default="")
    dictionary_version: Mapped[str] = mapped_column(String(64), default="")
    n_comments: Mapped[int] = mapped_column(Integer, default=0)
    n_non_answers: Mapped[int] = mapped_column(Integer, default=0)
    timings: Mapped[dict] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(Text)
    previous_run_id: Mapped[int | None] = mapped_column(ForeignKey("theme_runs.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)

    themes: Mapped[list["Theme"]] = relationship(
        back_populates="run",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Theme.rank",
    )


class Theme(Model):
    """A recurring complaint: label, keywords, size, quotes; `lineage` links it across quarters."""

    __tablename__ = "themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("theme_runs.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(200))
    custom_label: Mapped[str | None] = mapped_column(String(200))
    keywords: Mapped[list] = mapped_column(JSON, default=list)
    size: Mapped[int] = mapped_column(Integer, default=0)
    respondents: Mapped[int] = mapped_column(Integer, default=0)
    negative_respondents: Mapped[int] = mapped_column(Integer, default=0)
    negative_share: Mapped[float] = mapped_column(Float, default=0.0)
    cohesion: Mapped[float] = mapped_column(Float, default=0.0)
    representatives: Mapped[list] = mapped_column(JSON, default=list)
    breakdown: Mapped[dict] = mapped_column(JSON, default=dict)
    term_weights: Mapped[dict] = mapped_column(JSON, default=dict)
    rank: Mapped[int] = mapped_column(Integer, default=0)
    is_other: Mapped[bool] = mapped_column(Boolean, default=False)
    is_noise: Mapped[bool] = mapped_column(Boolean, default=False)
    lineage: Mapped[str | None] = mapped_column(String(36), index=True)
    recurring_quarters: Mapped[list] = mapped_column(JSON, default=list)
    growth: Mapped[float | None] = mapped_column(Float)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id", ondelete="SET NULL"))

    run: Mapped[ThemeRun] = relationship(back_populates="themes")

    @property
    def display_label(self) -> str:
        """The manager's name for it, else the catch-all's name in the reader's language, else its keywords."""
        if self.custom_label:
            return self.custom_label
        return str(OTHER_LABEL) if self.is_other else self.label


class ThemeMember(Model):
    """A comment assigned to a theme, with its polarity and distance to the theme centre."""

    __tablename__ = "theme_members"
    __table_args__ = {"sqlite_with_rowid": False}

    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True)
    answer_id: Mapped[str] = mapped_column(ForeignKey("answers.id", ondelete="CASCADE"), primary_key=True, index=True)
    polarity: Mapped[str] = mapped_column(String(10), default="neutral")
    distance: Mapped[float] = mapped_column(Float, default=0.0)
    moved: Mapped[bool] = mapped_column(Boolean, default=False)


class ThemeEdit(Model):
    """A manager's edit (rename, merge, split, move, noise), re-applied when a run is refreshed."""

    __tablename__ = "theme_edits"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("theme_runs.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    staff_user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class DictionaryTerm(Model):
    """A term admins add to the tokeniser's domain dictionary."""

    __tablename__ = "dictionary_terms"

    id: Mapped[int] = mapped_column(primary_key=True)
    term: Mapped[str] = mapped_column(String(50), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
