"""One way to write the audit log, so every staff action is recorded the same way."""

from flask_login import current_user

from app.extensions import db
from app.models import AuditLog


def record(
    action: str, target_type: str | None = None, target_id=None, detail: dict | None = None, actor_id: int | None = None
) -> AuditLog:
    """Add an audit row to the session (the caller's transaction commits it)."""
    if actor_id is None and current_user and getattr(current_user, "is_authenticated", False):
        actor_id = current_user.id
    entry = AuditLog(
        actor_id=actor_id,
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        detail=detail or {},
    )
    db.session.add(entry)
    return entry
