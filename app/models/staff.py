"""Staff accounts (admin, manager, committee) and their API tokens."""

import hashlib
import hmac
import secrets
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import Model
from app.models.types import utcnow

STAFF_ROLES = ("admin", "manager", "committee")
STAFF_ROLE_LABELS = {"admin": _l("管理员"), "manager": _l("变革经理"), "committee": _l("改进委员会")}


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def new_session_key() -> str:
    return secrets.token_hex(16)


class StaffUser(UserMixin, Model):
    """A staff member who logs in; employees never have an account.

    Every session and remember-me cookie of the user carries `session_key` (through `get_id`), and the
    user loader accepts a cookie only while it matches. Replacing the key ends all of them at once: it
    happens on logout, when the password, the role or the active flag changes.
    """

    __tablename__ = "staff_users"
    __table_args__ = (CheckConstraint("role IN ('admin', 'manager', 'committee')", name="role_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(256))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    session_key: Mapped[str] = mapped_column(String(32), default=new_session_key)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)

    tokens: Mapped[list["ApiToken"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)
        self.end_sessions()

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def end_sessions(self) -> None:
        """Refuse every session and remember-me cookie issued to this user so far."""
        self.session_key = new_session_key()

    @validates("role", "active")
    def _end_sessions_on_change(self, key: str, value):
        if self.id is not None and getattr(self, key) != value:
            self.end_sessions()
        return value

    def get_id(self) -> str:
        """What Flask-Login puts in the session and the remember-me cookie: the id and the session key."""
        return f"{self.id}:{self.session_key}"

    def holds_session(self, session_key: str) -> bool:
        return self.active and bool(self.session_key) and hmac.compare_digest(self.session_key, session_key)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active


class ApiToken(Model):
    """A bearer token for the JSON API; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)

    user: Mapped[StaffUser] = relationship(back_populates="tokens")

    @classmethod
    def issue(cls, user: StaffUser, label: str = "") -> tuple["ApiToken", str]:
        """Create a token for `user`; returns the row and the plain token, shown only once."""
        plain = "cp_" + secrets.token_urlsafe(32)
        return cls(user=user, token_hash=sha256_hex(plain), label=label), plain
