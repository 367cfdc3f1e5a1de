"""Notices for staff about what the product did by itself (a repeating campaign created, then opened): who
gets one, what a page shows, dismissing one."""

from __future__ import annotations

from sqlalchemy import select

from app.models import Campaign, StaffNotice, StaffUser
from app.models.types import utcnow

CAMPAIGN_ROLES = ("manager", "admin")


def notify_about(session, kind: str, campaign: Campaign, creator_id: int | None) -> list[StaffNotice]:
    """A notice for whoever set the campaign up (its creator, when still an active manager or admin), or else
    for every active manager."""
    creator = session.get(StaffUser, creator_id) if creator_id else None
    if creator is not None and creator.active and creator.role in CAMPAIGN_ROLES:
        readers = [creator]
    else:
        readers = session.execute(
            select(StaffUser).where(StaffUser.role == "manager", StaffUser.active.is_(True))
        ).scalars()
    notices = [StaffNotice(user_id=user.id, kind=kind, campaign_id=campaign.id) for user in readers]
    session.add_all(notices)
    session.flush()
    return notices


def unread(session, user_id: int) -> list[StaffNotice]:
    return list(
        session.execute(
            select(StaffNotice)
            .where(StaffNotice.user_id == user_id, StaffNotice.read_at.is_(None))
            .order_by(StaffNotice.created_at.desc(), StaffNotice.id.desc())
            .limit(20)
        ).scalars()
    )


def dismiss(session, notice_id: int, user_id: int) -> bool:
    """Mark one of the user's own notices read; False for a notice that is not theirs."""
    notice = session.get(StaffNotice, notice_id)
    if notice is None or notice.user_id != user_id:
        return False
    notice.read_at = notice.read_at or utcnow()
    return True
