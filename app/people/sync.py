"""The people directory from DingTalk's address book, all or nothing, with the CSV import's rules.

The department tree is read from dept_id 1 down (`listsub`, recursively) and each department's users page
by page; department paths come from the tree (the root is ORGANISATION_NAME), the employee id from
`job_number` (or the `userid` when it is empty), the role from the admin's keyword rules on the title or
the department (default 一线员工), the wave from the department → wave table. A tree with a cycle or a
department whose parent is missing is refused whole, as is any user the CSV import would refuse.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from app.delivery.dingtalk import ROOT_DEPARTMENT, DingTalkClient, DingTalkError, DingTalkUnavailable, settings_from
from app.models import DepartmentWave, RoleRule
from app.people.directory import ImportSummary, apply_import
from app.people.importer import validate_records


class SyncFailed(Exception):
    """DingTalk could not be read (not configured, unreachable, an errcode); the message is for the user."""


@dataclass
class SyncResult:
    errors: list[str] = field(default_factory=list)
    summary: ImportSummary | None = None
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_dict(self) -> dict:
        if not self.ok or self.summary is None:  # a sync without errors carries its summary
            return {"ok": False, "errors": self.errors}
        return {"ok": True, "dry_run": self.dry_run, "summary": self.summary.to_dict(), **self.summary.details()}


def sync_from_dingtalk(session, config, dry_run: bool = False, deactivate_missing: bool = False) -> SyncResult:
    """Read DingTalk's directory and apply it (or, for a dry run, show what would change and roll back)."""
    from app.delivery.channel import ChannelError

    try:
        client = DingTalkClient(settings_from(config))
        records, errors = read_directory(client, config.get("ORGANISATION_NAME") or "组织")
    except (ChannelError, DingTalkUnavailable) as exc:
        raise SyncFailed(str(exc)) from exc
    except DingTalkError as exc:
        raise SyncFailed(f"读取钉钉通讯录失败（errcode {exc.errcode}）：{exc.errmsg}") from exc
    if errors:
        return SyncResult(errors=errors, dry_run=dry_run)
    rules = session.execute(select(RoleRule).order_by(RoleRule.position, RoleRule.id)).scalars().all()
    waves = dict(session.execute(select(DepartmentWave.department_path, DepartmentWave.wave)).all())
    labelled = []
    for number, (user, path) in enumerate(records, start=1):
        record = {
            "employee_id": (user.get("job_number") or "").strip() or user.get("userid", ""),
            "name": user.get("name", ""),
            "email": user.get("email") or user.get("org_email") or "",
            "department": path,
            "role": role_for(rules, user.get("title") or "", path),
            "wave": wave_for(waves, path) or "",
            "dingtalk_userid": user.get("userid", ""),
        }
        labelled.append((f"钉钉用户“{record['name']}”（userid {record['dingtalk_userid']}）", number, record))
    result = validate_records(labelled)
    if not result.ok:
        return SyncResult(errors=result.errors, dry_run=dry_run)
    summary = apply_import(session, result.rows, deactivate_missing)
    if dry_run:
        session.rollback()
    return SyncResult(summary=summary, dry_run=dry_run)


def read_directory(client: DingTalkClient, root_name: str) -> tuple[list[tuple[dict, str]], list[str]]:
    """(user, department path) for every user, and the problems of the tree (a cycle, a missing parent)."""
    names = {ROOT_DEPARTMENT: root_name}
    parents: dict[int, int | None] = {ROOT_DEPARTMENT: None}
    order, queue, errors = [ROOT_DEPARTMENT], [ROOT_DEPARTMENT], []
    while queue:
        listed_under = queue.pop(0)
        for child in client.sub_departments(listed_under):
            dept_id, parent_id, name = child.get("dept_id"), child.get("parent_id"), str(child.get("name") or "")
            if dept_id is None:
                errors.append(f"钉钉部门“{name}”没有 dept_id")
                continue
            if dept_id in names:
                errors.append(f"钉钉部门树有循环：部门“{name}”（dept_id {dept_id}）又出现在“{names[listed_under]}”之下")
                continue
            if parent_id not in names:
                errors.append(f"钉钉部门“{name}”（dept_id {dept_id}）的上级部门（dept_id {parent_id}）不存在")
                continue
            names[dept_id], parents[dept_id] = name.replace("/", "／").strip(), parent_id
            order.append(dept_id)
            queue.append(dept_id)
    if errors:
        return [], errors
    paths: dict[int, str] = {}
    for dept_id in order:
        parent = parents[dept_id]
        paths[dept_id] = names[dept_id] if parent is None else f"{paths[parent]}/{names[dept_id]}"
    records, seen = [], set()
    for dept_id in order:
        for user in client.users(dept_id):
            if user.get("userid") in seen:
                continue
            seen.add(user.get("userid"))
            home = next((d for d in user.get("dept_id_list") or [] if d in paths), dept_id)
            records.append((user, paths[home]))
    return records, []


def role_for(rules, title: str, department_path: str) -> str:
    """The first rule whose keyword is in the title (or the department path) gives the role; default employee."""
    for rule in rules:
        text = title if rule.field == "title" else department_path
        if rule.keyword and rule.keyword in text:
            return rule.role
    return "employee"


def wave_for(waves: dict[str, str], department_path: str) -> str | None:
    """The wave of the department or of its nearest ancestor in the table."""
    parts = department_path.split("/")
    for length in range(len(parts), 0, -1):
        wave = waves.get("/".join(parts[:length]))
        if wave:
            return wave
    return None
