"""All-or-nothing import of the people directory from CSV or XLSX.

`parse_people_file` reads and validates without touching the database and returns every problem
with its spreadsheet row number (the header is row 1), in Chinese; `apply_import` writes a clean
result in one transaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.models.people import ROLE_LABELS, ROLES
from app.spreadsheets import (
    TableError,
    cell_text,
    duplicated_columns,
    normalise_department,
    read_table,
)

COLUMN_ALIASES = {
    "employee_id": "employee_id",
    "工号": "employee_id",
    "员工编号": "employee_id",
    "name": "name",
    "姓名": "name",
    "email": "email",
    "邮箱": "email",
    "电子邮箱": "email",
    "department": "department",
    "部门": "department",
    "role": "role",
    "角色": "role",
    "wave": "wave",
    "批次": "wave",
    "上线批次": "wave",
}
REQUIRED_COLUMNS = ("employee_id", "name", "department", "role")
COLUMN_LABELS = {
    "employee_id": "工号(employee_id)",
    "name": "姓名(name)",
    "email": "邮箱(email)",
    "department": "部门(department)",
    "role": "角色(role)",
    "wave": "批次(wave)",
}
MAX_LENGTHS = {"employee_id": 64, "name": 100, "email": 254, "department": 500, "wave": 50}
ROLE_ALIASES = {**{r: r for r in ROLES}, **{label: role for role, label in ROLE_LABELS.items()}}
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass
class PersonRow:
    row_number: int
    employee_id: str
    name: str
    email: str | None
    department: str
    role: str
    wave: str | None


@dataclass
class ImportResult:
    rows: list[PersonRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def parse_people_file(filename: str, content: bytes) -> ImportResult:
    """Validate a whole file; on any problem `errors` lists them all and `rows` must not be used."""
    result = ImportResult()
    try:
        frame = read_table(filename, content, COLUMN_ALIASES)
    except TableError as exc:
        result.errors.append(str(exc))
        return result
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        result.errors.append("缺少必需的列：" + "、".join(COLUMN_LABELS[c] for c in missing))
        return result
    duplicated = duplicated_columns(frame.columns)
    if duplicated:
        result.errors.append("列名重复：" + "、".join(COLUMN_LABELS.get(c, c) for c in duplicated))
        return result
    if frame.empty:
        result.errors.append("文件中没有任何人员数据。")
        return result

    seen: dict[str, int] = {}
    for position, record in enumerate(frame.to_dict("records")):
        row_number = position + 2
        row = _validate_row(row_number, record, result.errors)
        if row is None:
            continue
        if row.employee_id in seen:
            result.errors.append(f"第 {row_number} 行：工号“{row.employee_id}”与第 {seen[row.employee_id]} 行重复")
            continue
        seen[row.employee_id] = row_number
        result.rows.append(row)
    if result.errors:
        result.rows = []
    return result


def _validate_row(row_number: int, record: dict, errors: list[str]) -> PersonRow | None:
    prefix = f"第 {row_number} 行："
    problems: list[str] = []
    values = {key: cell_text(record.get(key, "")) for key in COLUMN_LABELS}
    for key in REQUIRED_COLUMNS:
        if not values[key]:
            problems.append(f"{COLUMN_LABELS[key]}为空")
    for key, limit in MAX_LENGTHS.items():
        if len(values[key]) > limit:
            problems.append(f"{COLUMN_LABELS[key]}过长（{len(values[key])} 字符，最多 {limit}）")
    role = ROLE_ALIASES.get(values["role"]) or ROLE_ALIASES.get(values["role"].lower())
    if values["role"] and role is None:
        allowed = "、".join(ROLE_LABELS.values()) + " 或 " + "/".join(ROLES)
        problems.append(f"未知角色“{values['role']}”（可用：{allowed}）")
    department = normalise_department(values["department"], problems)
    if values["email"] and not EMAIL_PATTERN.match(values["email"]):
        problems.append(f"邮箱格式不正确“{values['email']}”")
    if problems:
        errors.append(prefix + "；".join(problems))
        return None
    return PersonRow(
        row_number=row_number,
        employee_id=values["employee_id"],
        name=values["name"],
        email=values["email"] or None,
        department=department,
        role=role,
        wave=values["wave"] or None,
    )
