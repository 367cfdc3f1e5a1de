"""Anonymous responses and their answers.

A response row carries only a random id, the campaign, a segment snapshot and the day it came in:
no token, invitation, person, IP, user agent or time of day. On SQLite the tables are WITHOUT ROWID
so not even the storage order reveals the order of submission.
"""

from datetime import date

from sqlalchemy import Boolean, Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model


class Response(Model):
    __tablename__ = "responses"
    # no index on (campaign_id, release_step): SQLite would then read a campaign's responses in step order
    # and sort them again for the one-query pivot, which groups by id (the primary key order)
    __table_args__ = {"sqlite_with_rowid": False}

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    submitted_on: Mapped[date] = mapped_column(Date)
    role: Mapped[str | None] = mapped_column(String(20))
    department_path: Mapped[str | None] = mapped_column(String(500))
    wave: Mapped[str | None] = mapped_column(String(50))
    via_open_link: Mapped[bool] = mapped_column(Boolean, default=False)
    receipt_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    # the release step this response first counts in; None while it waits for the next step
    release_step: Mapped[int | None] = mapped_column(Integer)

    answers: Mapped[list["Answer"]] = relationship(
        back_populates="response", cascade="all, delete-orphan", passive_deletes=True
    )


class Answer(Model):
    """One answer: numbers for scales, text for choices and comments (stored byte-exact)."""

    __tablename__ = "answers"
    __table_args__ = (
        UniqueConstraint("response_id", "question_code"),
        # covers the one-query-per-campaign pivot: no lookups into the table itself
        Index("ix_answers_response_question_value", "response_id", "question_code", "value_number"),
        {"sqlite_with_rowid": False},
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    response_id: Mapped[str] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"))
    question_code: Mapped[str] = mapped_column(String(64), index=True)
    value_number: Mapped[float | None] = mapped_column(Float)
    value_text: Mapped[str | None] = mapped_column(Text)

    response: Mapped[Response] = relationship(back_populates="answers")


class AnswerTokens(Model):
    """Cached tokenisation of a comment, keyed by answer and dictionary version."""

    __tablename__ = "answer_tokens"
    __table_args__ = {"sqlite_with_rowid": False}

    answer_id: Mapped[str] = mapped_column(ForeignKey("answers.id", ondelete="CASCADE"), primary_key=True)
    dictionary_version: Mapped[str] = mapped_column(String(64), primary_key=True)
    tokens: Mapped[str] = mapped_column(Text)
