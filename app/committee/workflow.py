"""The suggestion workflow: one transition table and one function that enforces it.

submitted → under_review → adopted | declined | merged (into another) ; adopted → in_progress → implemented.
Declined needs a reason (shown publicly), adopted an owner and a target quarter, implemented a note of
what changed, merged the suggestion it was merged into; an owner is an active committee member. Every
transition is a SuggestionEvent and an AuditLog row. Pages and the API call `decide`, which also commits and
sends the notification; `transition` applies the table inside the caller's transaction (the demo's history).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from analysis.quarters import is_quarter
from app.models import AuditLog, StaffUser, Suggestion, SuggestionEvent
from app.models.types import is_id, utcnow

TRANSITIONS = {
    "submitted": {"under_review"},
    "under_review": {"adopted", "declined", "merged"},
    "adopted": {"in_progress"},
    "in_progress": {"implemented"},
    "declined": set(),
    "merged": set(),
    "implemented": set(),
}
STATUS_LABELS = {
    "submitted": _l("已提交"),
    "under_review": _l("评审中"),
    "adopted": _l("已采纳"),
    "declined": _l("未采纳"),
    "merged": _l("已合并"),
    "in_progress": _l("实施中"),
    "implemented": _l("已实施"),
}


class TransitionError(ValueError):
    """`kind` is 'illegal' (not allowed from this status), 'incomplete' (a required field is missing) or
    'invalid_owner' (the owner is not an active committee member)."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


@dataclass
class Decision:
    """What the committee decided; entry points parse their input (an owner's e-mail or id) into this."""

    to: str
    note: str | None = None
    owner_id: int | None = None
    target_quarter: str | None = None
    merged_into_id: int | None = None


def allowed(from_status: str, to_status: str) -> bool:
    return to_status in TRANSITIONS.get(from_status, set())


def transition(session, suggestion: Suggestion, decision: Decision, actor_id: int | None) -> SuggestionEvent:
    """Apply one decision inside the caller's transaction: the status, its event and its audit row."""
    to = decision.to
    if to not in STATUS_LABELS:
        raise TransitionError("illegal", f"未知状态“{to}”")
    if not allowed(suggestion.status, to):
        raise TransitionError("illegal", f"不能从“{STATUS_LABELS[suggestion.status]}”变为“{STATUS_LABELS[to]}”")
    note = (decision.note or "").strip() or None
    target = _check_complete(session, suggestion, decision, note)
    if decision.owner_id is not None and not _is_committee_member(session, decision.owner_id):
        raise TransitionError("invalid_owner", "负责人应为在职的改进委员会成员")
    if to == "adopted":
        suggestion.owner_id = decision.owner_id
        suggestion.target_quarter = decision.target_quarter
    if target is not None:  # only a merge has one
        suggestion.merged_into_id = target.id
    if note and to in ("declined", "adopted", "implemented", "merged"):
        suggestion.decision_note = note
    event = SuggestionEvent(
        suggestion=suggestion,
        actor_id=actor_id,
        from_status=suggestion.status,
        to_status=to,
        note=note,
        created_at=utcnow(),
    )
    suggestion.status = to
    session.add(event)
    session.add(
        AuditLog(
            actor_id=actor_id,
            action="suggestion.transition",
            target_type="suggestion",
            target_id=str(suggestion.id),
            detail={"from": event.from_status, "to": to, "note": note},
        )
    )
    session.flush()
    return event


def _check_complete(session, suggestion: Suggestion, decision: Decision, note: str | None) -> Suggestion | None:
    """What each status needs; returns the suggestion merged into (for `merged`)."""
    to = decision.to
    if to == "declined" and not note:
        raise TransitionError("incomplete", "不采纳时必须填写理由，理由会公开显示")
    if to == "adopted":
        if decision.owner_id is None:
            raise TransitionError("incomplete", "采纳时必须指定负责人（委员会成员）")
        if not is_quarter(decision.target_quarter):
            raise TransitionError("incomplete", "采纳时必须填写目标季度，格式如 2027Q1")
    if to == "implemented" and not note:
        raise TransitionError("incomplete", "标记为已实施时必须说明改了什么")
    if to != "merged":
        return None
    target = session.get(Suggestion, decision.merged_into_id) if is_id(decision.merged_into_id) else None
    if target is None or target.id == suggestion.id or target.status in ("merged", "declined"):
        raise TransitionError("incomplete", "请指定要合并到的另一条有效建议")
    return target


def _is_committee_member(session, user_id: int) -> bool:
    user = session.get(StaffUser, user_id) if is_id(user_id) else None
    return user is not None and user.role == "committee" and user.active


def decide(session, suggestion: Suggestion, decision: Decision, actor_id: int | None) -> SuggestionEvent:
    """The one way a page or the API changes a suggestion's status: the transition with its event and
    audit row, committed, then the status-change notification. A refused decision rolls back and raises
    TransitionError; nothing of it is stored."""
    from app.committee.notify import queue_notification

    from_status = suggestion.status
    try:
        event = transition(session, suggestion, decision, actor_id)
    except TransitionError:
        session.rollback()
        raise
    session.commit()
    queue_notification(suggestion, from_status, suggestion.status, suggestion.decision_note)
    return event
