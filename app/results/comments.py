"""Answers to open questions, shown for a group only as its comment list was released (records channel):
the comments of responses up to that release step, never one written since."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select

from analysis.ordering import natural_order
from analysis.release import OVERALL, RECORDS, group_key
from app.instruments import instrument_for
from app.models import Answer, Campaign, Response
from app.results.releases import release_state

PAGE_SIZE = 50
DIMENSION = re.compile(r"^(role|wave|dept_[1-6])\Z")


@dataclass
class CommentsView:
    allowed: bool
    reason: str | None
    total: int = 0
    comments: list = field(default_factory=list)
    questions: dict = field(default_factory=dict)
    segments: list = field(default_factory=list)
    release_step: int | None = None
    page: int = 1
    stale: bool = False
    next_update_in: int | None = None

    @property
    def pages(self) -> int:
        return max(-(-self.total // PAGE_SIZE), 1)


def comments_view(session, campaign: Campaign, by: str = "", value: str = "", page: int = 1) -> CommentsView:
    state = release_state(session, campaign)
    definition = instrument_for(campaign.instrument_version)
    text_codes = [q.code for q in definition.text_questions]
    questions = {q.code: q.text for q in definition.text_questions}
    dimension = by if DIMENSION.match(by or "") else None
    key = group_key(dimension, value) if dimension and value else OVERALL
    decision = state.records(key)
    view = CommentsView(
        allowed=decision.shown_step is not None,
        reason=decision.reason,
        questions=questions,
        release_step=decision.shown_step,
        stale=decision.shown_step is not None and decision.shown_step < state.step,
        next_update_in=state.next_step_in,
    )
    view.segments = sorted(
        (
            tuple(k.split("=", 1))
            for (channel, k), d in state.decisions.items()
            if channel == RECORDS and DIMENSION.match(k.split("=", 1)[0]) and d.shown_step is not None
        ),
        key=lambda segment: (segment[0], natural_order(segment[1])),
    )
    if not view.allowed:
        return view
    query = (
        select(Answer.value_text, Answer.question_code)
        .join(Response, Answer.response_id == Response.id)
        .where(
            Response.campaign_id == campaign.id,
            Response.release_step <= decision.shown_step,
            Answer.question_code.in_(text_codes),
        )
    )
    if dimension in ("role", "wave"):
        query = query.where(getattr(Response, dimension) == value)
    elif dimension:
        level = int(dimension[5:])
        if value.count("/") + 1 != level:
            return CommentsView(False, "below_k", questions=questions)
        query = query.where(or_(Response.department_path == value, Response.department_path.like(value + "/%")))
    view.total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    view.page = min(page, view.pages)
    view.comments = session.execute(  # answer ids are random: an order that says nothing of when or who
        query.order_by(Answer.id).limit(PAGE_SIZE).offset((view.page - 1) * PAGE_SIZE)
    ).all()
    return view
