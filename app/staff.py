"""Staff accounts: creating, finding, disabling, roles and passwords — one function each, shared by the CLI
and the admin pages, each writing its audit row.

An account is found by the address it was created with: `email_key` (trimmed, NFC, lower case) is what
is stored and what login looks up, so no address that could be created fails to log in. The address
rule (`staff_email`) accepts intranet domains such as `corp.local`, which mail libraries that insist on
globally deliverable domains refuse.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from functools import cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from werkzeug.security import check_password_hash, generate_password_hash

from app.audit import record
from app.models import STAFF_ROLES, ApiToken, StaffUser
from app.models.types import utcnow

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200
MAX_EMAIL_LENGTH = 254
LOCAL_PART = re.compile(r"[\w!#$%&'*+/=?^`{|}~-]+(?:\.[\w!#$%&'*+/=?^`{|}~-]+)*\Z")
DOMAIN_LABEL = re.compile(r"(?!-)[^\W_](?:[\w-]{0,61}[^\W_])?\Z")


class StaffUserError(ValueError):
    """A rule about accounts was broken; the message is for the user, in their language, and `field`
    names the form field it belongs to, when there is one."""

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.field = field

    def __str__(self) -> str:
        return str(self.args[0])


def email_key(address: str) -> str:
    """The form in which an address is stored and looked up."""
    return unicodedata.normalize("NFC", (address or "").strip()).lower()


def staff_email(address: str) -> str:
    """`address` as stored, or StaffUserError: one @, a dot-atom local part, a dotted host name (any TLD)."""
    key = email_key(address)
    local, at, domain = key.rpartition("@")
    labels = domain.split(".")
    valid = (
        at
        and len(key) <= MAX_EMAIL_LENGTH
        and len(local) <= 64
        and LOCAL_PART.match(local)
        and len(labels) >= 2
        and all(DOMAIN_LABEL.match(label) for label in labels)
    )
    if not valid:
        raise StaffUserError(_l("邮箱格式不正确：“%(email)s”", email=key), field="email")
    return key


def check_password_rule(password: str) -> None:
    if not MIN_PASSWORD_LENGTH <= len(password or "") <= MAX_PASSWORD_LENGTH:
        raise StaffUserError(
            _l("密码长度需为 %(low)s–%(high)s 个字符", low=MIN_PASSWORD_LENGTH, high=MAX_PASSWORD_LENGTH),
            field="password",
        )


def check_role(role: str | None) -> str:
    if role not in STAFF_ROLES:
        raise StaffUserError(
            _l("未知角色“%(role)s”，可用：%(roles)s", role=role or "", roles="、".join(STAFF_ROLES)), field="role"
        )
    return role


def find_staff_user(session, address: str) -> StaffUser | None:
    return session.execute(select(StaffUser).where(StaffUser.email == email_key(address))).scalar_one_or_none()


def create_staff_user(session, email: str, role: str, password: str, name: str | None = None) -> StaffUser:
    """A new account with the role the admin chose (there is no default role)."""
    email = staff_email(email)
    check_role(role)
    check_password_rule(password)
    if find_staff_user(session, email) is not None:
        raise StaffUserError(_l("邮箱 %(email)s 已有账号", email=email), field="email")
    user = StaffUser(email=email, role=role, name=(name or email.split("@")[0])[:100])
    user.set_password(password)
    session.add(user)
    session.flush()
    record("staff.create", "staff_user", user.id, {"email": user.email, "role": user.role})
    return user


def authenticate(session, address: str, password: str) -> StaffUser:
    """The account at `address` if `password` is its password and it is enabled; records the login.

    No syntax check of the address here: whatever could be created can log in. An unknown address costs
    the same password hashing as a known one, so timing does not tell which addresses have accounts.
    """
    user = find_staff_user(session, address)
    if user is None:
        check_password_hash(_unknown_account_hash(), password)
        raise StaffUserError(_l("邮箱或密码不正确"))
    if not user.check_password(password):
        raise StaffUserError(_l("邮箱或密码不正确"))
    if not user.active:
        raise StaffUserError(_l("此账号已停用，请联系管理员。"))
    user.last_login_at = utcnow()
    return user


@cache
def _unknown_account_hash() -> str:
    return generate_password_hash(secrets.token_urlsafe(16))


def log_out_everywhere(user: StaffUser) -> None:
    """Logout ends every session of the user, not only this browser's cookie (a copy of it may exist)."""
    user.end_sessions()


def change_password(user: StaffUser, current: str, new: str) -> None:
    """The user's own change (also the forced one after a reset); every other session of theirs ends."""
    if not user.check_password(current):
        raise StaffUserError(_l("当前密码不正确"), field="current_password")
    check_password_rule(new)
    if user.check_password(new):
        raise StaffUserError(_l("新密码不能与当前密码相同"), field="new_password")
    user.set_password(new)
    user.must_change_password = False
    record("staff.change_password", "staff_user", user.id)


def reset_password(user: StaffUser) -> str:
    """A temporary password, shown once to the admin; the user must set their own at next login."""
    temporary = secrets.token_urlsafe(12)
    user.set_password(temporary)
    user.must_change_password = True
    record("staff.reset_password", "staff_user", user.id)
    return temporary


def revoke_tokens(session, user: StaffUser) -> int:
    """Revoke every live API token of `user`; returns how many."""
    result = session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
    if result.rowcount:
        record("api_token.revoke_all", "staff_user", user.id, {"revoked": result.rowcount})
    return result.rowcount


def set_active(session, actor: StaffUser | None, user: StaffUser, active: bool) -> None:
    """Disable (ending its sessions and revoking its API tokens) or re-enable an account."""
    if user.active == active:
        return
    if not active:
        _keep_an_admin(session, actor, user)
        revoke_tokens(session, user)
    user.active = active
    record("staff.enable" if active else "staff.disable", "staff_user", user.id)


def change_role(session, actor: StaffUser | None, user: StaffUser, role: str) -> None:
    """A new role takes effect at the user's next login: every session of theirs ends."""
    check_role(role)
    if user.role == role:
        return
    if user.role == "admin":
        _keep_an_admin(session, actor, user)
    record("staff.change_role", "staff_user", user.id, {"from": user.role, "to": role})
    user.role = role


def _keep_an_admin(session, actor: StaffUser | None, user: StaffUser) -> None:
    """No admin disables or demotes themself, and the last active admin stays one.

    The active admins' rows are locked (PostgreSQL; SQLite writes are serialised already), so two admins
    disabling each other at the same moment cannot both succeed.
    """
    if actor is not None and actor.id == user.id:
        raise StaffUserError(_l("不能停用自己的账号或取消自己的管理员角色"))
    if user.role != "admin" or not user.active:
        return
    admins = (
        session.execute(
            select(StaffUser.id).where(StaffUser.role == "admin", StaffUser.active.is_(True)).with_for_update()
        )
        .scalars()
        .all()
    )
    if set(admins) <= {user.id}:
        raise StaffUserError(_l("这是最后一个启用的管理员账号，不能停用或更改角色"))
