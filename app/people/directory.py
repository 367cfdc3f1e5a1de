"""Writing the people directory: departments by path, people upserted by employee_id."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from analysis.ordering import naturally_sorted
from app.models import Department, Person
from app.people.importer import PersonRow


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0
    added_people: list[dict] = field(default_factory=list)
    changed_people: list[dict] = field(default_factory=list)
    deactivated_people: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return dict(created=self.created, updated=self.updated, unchanged=self.unchanged, deactivated=self.deactivated)

    def details(self) -> dict:
        """Who is added, changed (which fields, old → new) and deactivated: what a dry run shows."""
        return {"added": self.added_people, "changed": self.changed_people, "deactivated": self.deactivated_people}

    def describe(self) -> str:
        """In the reader's language (Chinese for CLI commands, which run outside a request)."""
        return _(
            "新增 %(created)s 人，更新 %(updated)s 人，未变 %(unchanged)s 人，停用 %(deactivated)s 人",
            **self.to_dict(),
        )


def ensure_department(session, path: str, cache: dict[str, Department] | None = None) -> Department:
    """Return the department at `path`, creating it and any missing ancestors."""
    cache = {} if cache is None else cache
    if path in cache:
        return cache[path]
    department = session.execute(select(Department).where(Department.path == path)).scalar_one_or_none()
    if department is None:
        parts = path.split("/")
        parent = ensure_department(session, "/".join(parts[:-1]), cache) if len(parts) > 1 else None
        department = Department(path=path, name=parts[-1], depth=len(parts), parent=parent)
        session.add(department)
    cache[path] = department
    return department


def apply_import(session, rows: list[PersonRow], deactivate_missing: bool = False) -> ImportSummary:
    """Upsert `rows` (already validated); the caller commits, or rolls back for a dry run. Missing people
    are only deactivated on request; a DingTalk id or language left empty keeps the stored one."""
    summary = ImportSummary()
    existing = {p.employee_id: p for p in session.execute(select(Person)).scalars()}
    by_userid = {p.dingtalk_userid: p for p in existing.values() if p.dingtalk_userid}
    departments: dict[str, Department] = {}
    for row in rows:
        department = ensure_department(session, row.department, departments)
        person = existing.get(row.employee_id)
        if row.dingtalk_userid and by_userid.get(row.dingtalk_userid) not in (None, person):
            by_userid.pop(row.dingtalk_userid).dingtalk_userid = None  # the id moved to another person
            session.flush()
        if person is None:
            session.add(
                Person(
                    employee_id=row.employee_id,
                    name=row.name,
                    email=row.email,
                    department=department,
                    role=row.role,
                    wave=row.wave,
                    dingtalk_userid=row.dingtalk_userid,
                    language=row.language,
                    active=True,
                )
            )
            summary.created += 1
            summary.added_people.append(
                {"employee_id": row.employee_id, "name": row.name, "department": row.department, "role": row.role}
            )
            continue
        new_values = dict(
            name=row.name, email=row.email, department=department, role=row.role, wave=row.wave, active=True
        )
        if row.dingtalk_userid is not None:
            new_values["dingtalk_userid"] = row.dingtalk_userid
        if row.language is not None:
            new_values["language"] = row.language
        changes = {}
        for attribute, value in new_values.items():
            old = getattr(person, attribute)
            if old != value:
                changes[attribute] = [_shown(old), _shown(value)]
                setattr(person, attribute, value)
        if changes:
            summary.updated += 1
            summary.changed_people.append({"employee_id": row.employee_id, "name": row.name, "changes": changes})
        else:
            summary.unchanged += 1
    if deactivate_missing:
        in_file = {row.employee_id for row in rows}
        for employee_id, person in existing.items():
            if employee_id not in in_file and person.active:
                person.active = False
                summary.deactivated += 1
                summary.deactivated_people.append(
                    {"employee_id": employee_id, "name": person.name, "department": person.department.path}
                )
    return summary


def find_people(
    session, q: str = "", department: str = "", role: str | None = None, page: int = 1, page_size: int = 50
) -> tuple[list[Person], int]:
    """One page of the directory and the number of matches: `q` in name, employee id or e-mail; a department
    includes its sub-departments; `role` only if given."""
    query = select(Person).join(Person.department)
    if q:
        like = f"%{q}%"
        query = query.where(or_(Person.name.like(like), Person.employee_id.like(like), Person.email.like(like)))
    if department:
        query = query.where(or_(Department.path == department, Department.path.like(department + "/%")))
    if role:
        query = query.where(Person.role == role)
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    ordered = query.order_by(Department.path, Person.employee_id).limit(page_size).offset((page - 1) * page_size)
    return list(session.execute(ordered).scalars()), total


def department_paths(session) -> list[str]:
    """Every department path, for choosing an audience."""
    return list(session.execute(select(Department.path).order_by(Department.path)).scalars())


def known_waves(session) -> list[str]:
    """The rollout waves people belong to, for choosing an audience."""
    return naturally_sorted(session.execute(select(Person.wave).where(Person.wave.is_not(None)).distinct()).scalars())


def _shown(value):
    return value.path if isinstance(value, Department) else value
