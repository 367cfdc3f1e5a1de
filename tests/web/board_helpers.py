"""Builders for the committee's monthly account: published suggestions whose history happened at given times."""

from datetime import datetime, timedelta

from sqlalchemy import select

from analysis.months import Month
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


def local(month: Month, day: int, hour: int = 10, minute: int = 0) -> datetime:
    """A stored moment (naive UTC) for a local time in Shanghai (UTC+8) on `day` of `month`."""
    start, _ = month.bounds("Asia/Shanghai")
    return start + timedelta(days=day - 1, hours=hour, minutes=minute)


def a_busy_month(month: Month):
    """Received 3, adopted 1, implemented 1, declined 1 in `month` (and one unpublished, not counted)."""
    suggestion_at("开放手机端批量审批", [("submitted", local(month, 2)), ("adopted", local(month, 9))])
    suggestion_at(
        "取消日报",
        [("submitted", local(month, 3)), ("declined", local(month, 12))],
        notes={"declined": "日报是经营复盘的要求，暂不取消"},
    )
    suggestion_at("消息免打扰", [("submitted", local(month, 4))], module="message")
    earlier = month.previous
    suggestion_at(
        "WiFi 打卡",
        [
            ("submitted", local(earlier, 5)),
            ("adopted", local(earlier, 8)),
            ("in_progress", local(earlier, 20)),
            ("implemented", local(month, 15)),
        ],
    )
    suggestion_at("还没公开的建议", [("submitted", local(month, 6))], published=False)
