"""Creating staff accounts, shared by the CLI and the admin page."""

from sqlalchemy import func, select

from app.models import STAFF_ROLES, StaffUser


class StaffUserError(ValueError):
    pass


def create_staff_user(session, email: str, role: str, password: str, name: str | None = None) -> StaffUser:
    email = email.strip().lower()
    if role not in STAFF_ROLES:
        raise StaffUserError(f"未知角色“{role}”，可用：{'、'.join(STAFF_ROLES)}")
    if len(password) < 10:
        raise StaffUserError("密码至少需要 10 个字符")
    exists = session.execute(select(StaffUser.id).where(func.lower(StaffUser.email) == email)).first()
    if exists:
        raise StaffUserError(f"邮箱 {email} 已有账号")
    user = StaffUser(email=email, role=role, name=(name or email.split("@")[0])[:100])
    user.set_password(password)
    session.add(user)
    session.flush()
    return user
