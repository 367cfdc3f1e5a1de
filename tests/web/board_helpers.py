"""Builders for the committee's monthly account: published suggestions whose history happened at given times."""

from datetime import datetime

from sqlalchemy import select

from app.committee.service import create_suggestion
from app.committee.workflow import Decision, transition
from app.extensions import db
from app.models import StaffUser
from app.staff import create_staff_user

NOTES = {
    "declined": "与考勤制度冲突，暂不采纳",
    "adopted": "下季度上线",
    "implemented": "已上线 WiFi 打卡",
    "merged": None,
}


def committee_member() -> StaffUser:
    member = db.session.execute(select(StaffUser).where(StaffUser.role == "committee")).scalars().first()
    if member is None:
        member = create_staff_user(db.session, "board-committee@example.com", "committee", "board password 123")
        db.session.commit()
    return member


def suggestion_at(title: str, history: list[tuple[str, datetime]], published=True, module="attendance", notes=None):
    """A suggestion received at history[0]'s time ('submitted'), then moved through the other statuses at
    theirs (under_review is implied before adopted and declined)."""
    member = committee_member()
    notes = {**NOTES, **(notes or {})}
    suggestion = create_suggestion(db.session, title, "说明", module, member.id)
    received_at = history[0][1]
    suggestion.created_at = received_at
    suggestion.events[0].created_at = received_at
    for status, at in history[1:]:
        if status in ("adopted", "declined", "merged") and suggestion.status == "submitted":
            transition(db.session, suggestion, Decision("under_review"), member.id).created_at = at
        decision = Decision(status, notes.get(status), member.id, "2027Q1")
        transition(db.session, suggestion, decision, member.id).created_at = at
    suggestion.published = published
    db.session.commit()
    return suggestion
