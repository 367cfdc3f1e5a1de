"""Answers to open questions, shown only for groups that meet k_text in the campaign's text plan."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, or_, select

from analysis.privacy import group_key
from app.instruments import instrument_for
from app.models import Answer, Campaign, Response
from app.results.response_frames import campaign_data

PAGE_SIZE = 50
BY_DIMENSION = {"role": "role", "wave": "wave", "dept_1": "dept_1", "dept_2": "dept_2", "dept_3": "dept_3"}


@dataclass
class CommentsView:
    allowed: bool
    reason: str | None
    total: int = 0
    comments: list = field(default_factory=list)
    questions: dict = field(default_factory=dict)
    segments: list = field(default_factory=list)


def comments_view(session, campaign: Campaign, by: str = "", value: str = "", page: int = 1) -> CommentsView:
    data = campaign_data(session, campaign)
    definition = instrument_for(campaign.instrument_version)
    text_codes = [q.code for q in definition.text_questions]
    questions = {q.code: q.text for q in definition.text_questions}
    dimension = BY_DIMENSION.get(by)
    key = group_key([(dimension, value)]) if dimension and value else ()
    decision = data.plan_text.get(key)
    view = CommentsView(allowed=bool(decision and not decision.suppressed), reason=None, questions=questions)
    view.segments = [
        (k[0][0], k[0][1])
        for k, d in sorted(data.plan_text.items(), key=lambda item: str(item[0]))
        if len(k) == 1 and not d.suppressed and k[0][0] in BY_DIMENSION
    ]
    if not view.allowed:
        view.reason = "below_k" if decision is None or decision.reason == "below_k" else decision.reason
        return view
    query = (
        select(Answer.value_text, Answer.question_code)
        .join(Response, Answer.response_id == Response.id)
        .where(Response.campaign_id == campaign.id, Answer.question_code.in_(text_codes))
    )
    if dimension in ("role", "wave"):
        query = query.where(getattr(Response, dimension) == value)
    elif dimension:
        query = query.where(or_(Response.department_path == value, Response.department_path.like(value + "/%")))
    view.total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    view.comments = session.execute(query.order_by(Answer.id).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    return view
