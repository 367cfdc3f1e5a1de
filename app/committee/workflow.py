"""The suggestion workflow: one transition table and one function that enforces it.

submitted → under_review → adopted | declined | merged (into another) ; adopted → in_progress → implemented.
Declined needs a reason (shown publicly), adopted an owner and a target quarter, implemented a note of
what changed, merged the suggestion it was merged into. Every transition is a SuggestionEvent and an
AuditLog row.
"""

from __future__ import annotations

from dataclasses import dataclass

from analysis.quarters import is_quarter
from app.models import AuditLog, Suggestion, SuggestionEvent
from app.models.types import utcnow

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
    "submitted": "已提交",
    "under_review": "评审中",
    "adopted": "已采纳",
    "declined": "未采纳",
    "merged": "已合并",
    "in_progress": "实施中",
    "implemented": "已实施",
}


class TransitionError(ValueError):
    """`kind` is 'illegal' (not allowed from this status) or 'incomplete' (a required field is missing)."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


@dataclass
class Decision:
    to: str
    note: str | None = None
    owner_id: int | None = None
    target_quarter: str | None = None
    merged_into: Suggestion | None = None


def allowed(from_status: str, to_status: str) -> bool:
    return to_status in TRANSITIONS.get(from_status, set())


def transition(session, suggestion: Suggestion, decision: Decision, actor_id: int | None) -> SuggestionEvent:
    to = decision.to
    if to not in STATUS_LABELS:
        raise TransitionError("illegal", f"未知状态“{to}”")
    if not allowed(suggestion.status, to):
        raise TransitionError("illegal", f"不能从“{STATUS_LABELS[suggestion.status]}”变为“{STATUS_LABELS[to]}”")
    note = (decision.note or "").strip() or None
    if to == "declined" and not note:
        raise TransitionError("incomplete", "不采纳时必须填写理由，理由会公开显示")
    if to == "adopted":
        if decision.owner_id is None:
            raise TransitionError("incomplete", "采纳时必须指定负责人（委员会成员）")
        if not is_quarter(decision.target_quarter):
            raise TransitionError("incomplete", "采纳时必须填写目标季度，格式如 2027Q1")
        suggestion.owner_id = decision.owner_id
        suggestion.target_quarter = decision.target_quarter
    if to == "implemented" and not note:
        raise TransitionError("incomplete", "标记为已实施时必须说明改了什么")
    if to == "merged":
        target = decision.merged_into
        if target is None or target.id == suggestion.id or target.status in ("merged", "declined"):
            raise TransitionError("incomplete", "请指定要合并到的另一条有效建议")
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
