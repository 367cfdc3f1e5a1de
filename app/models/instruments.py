"""Instruments and their frozen versions. The definition itself is data owned by `surveys`."""

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model
from app.models.types import utcnow


class Instrument(Model):
    """A named questionnaire such as quarterly-satisfaction; its content lives in versions."""

    __tablename__ = "instruments"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))

    versions: Mapped[list["InstrumentVersion"]] = relationship(
        back_populates="instrument",
        order_by="InstrumentVersion.version",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class InstrumentVersion(Model):
    """One immutable version of an instrument's definition (JSON from `surveys`)."""

    __tablename__ = "instrument_versions"
    __table_args__ = (UniqueConstraint("instrument_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instruments.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    definition: Mapped[str] = mapped_column(Text)
    definition_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    instrument: Mapped[Instrument] = relationship(back_populates="versions")
    questions: Mapped[list["Question"]] = relationship(
        back_populates="instrument_version",
        order_by="Question.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class Question(Model):
    """A question of a version, kept as rows so answers and reports can join on it."""

    __tablename__ = "questions"
    __table_args__ = (UniqueConstraint("instrument_version_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_version_id: Mapped[int] = mapped_column(
        ForeignKey("instrument_versions.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer)
    qtype: Mapped[str] = mapped_column(String(20))
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    text_zh: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text)
    scale_code: Mapped[str | None] = mapped_column(String(64))

    instrument_version: Mapped[InstrumentVersion] = relationship(back_populates="questions")
