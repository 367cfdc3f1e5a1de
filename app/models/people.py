"""The people directory: departments as paths and the employees who receive invitations."""

from datetime import datetime
from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model
from app.models.types import utcnow

ROLES = ("employee", "manager", "executive", "digital_admin")
ROLE_LABELS = {
    "employee": _l("一线员工"),
    "manager": _l("中层管理者"),
    "executive": _l("高层"),
    "digital_admin": _l("数字化管理员"),
}


class Department(Model):
    """A node of the organisation, identified by its full path such as 总部/华东区/杭州门店."""

    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    path: Mapped[str] = mapped_column(String(500), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    depth: Mapped[int] = mapped_column(Integer)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id", ondelete="SET NULL"), index=True)

    parent: Mapped[Optional["Department"]] = relationship(remote_side=[id])

    def __repr__(self) -> str:
        return f"<Department {self.path}>"


class Person(Model):
    """An employee from the imported directory; never linked to a response."""

    __tablename__ = "people"
    __table_args__ = (
        CheckConstraint("role IN ('employee', 'manager', 'executive', 'digital_admin')", name="role_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    email: Mapped[str | None] = mapped_column(String(254))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id", ondelete="RESTRICT"), index=True)
    role: Mapped[str] = mapped_column(String(20), index=True)
    wave: Mapped[str | None] = mapped_column(String(50), index=True)
    dingtalk_userid: Mapped[str | None] = mapped_column(String(64), unique=True)
    language: Mapped[str | None] = mapped_column(String(5))  # zh / en for messages; None: the default
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    department: Mapped[Department] = relationship()

    @property
    def role_label(self) -> str:
        return str(ROLE_LABELS.get(self.role, self.role))

    def to_dict(self) -> dict:
        return {
            "employee_id": self.employee_id,
            "name": self.name,
            "email": self.email,
            "department": self.department.path,
            "role": self.role,
            "wave": self.wave,
            "dingtalk_userid": self.dingtalk_userid,
            "active": self.active,
        }


class RoleRule(Model):
    """Directory sync: a keyword in a person's title or department path gives the role; first match wins."""

    __tablename__ = "role_rules"
    __table_args__ = (
        CheckConstraint("field IN ('title', 'department')", name="field_known"),
        CheckConstraint("role IN ('employee', 'manager', 'executive', 'digital_admin')", name="role_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    field: Mapped[str] = mapped_column(String(20))
    keyword: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))


class DepartmentWave(Model):
    """Directory sync: the rollout wave of a department and its sub-departments (the longest path wins)."""

    __tablename__ = "department_waves"

    id: Mapped[int] = mapped_column(primary_key=True)
    department_path: Mapped[str] = mapped_column(String(500), unique=True)
    wave: Mapped[str] = mapped_column(String(50))
