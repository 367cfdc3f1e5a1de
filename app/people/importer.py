"""All-or-nothing import of the people directory from CSV or XLSX.

`parse_people_file` reads and validates without touching the database and returns every problem
with its spreadsheet row number (the header is row 1), in Chinese; `apply_import` writes a clean
result in one transaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from flask_babel import force_locale

from app.models.people import ROLE_LABELS, ROLES
from app.spreadsheets import TableError, TableLimits, cell_text, normalise_department, read_table

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
    "dingtalk_userid": "dingtalk_userid",
    "钉钉id": "dingtalk_userid",
    "钉钉ID": "dingtalk_userid",
    "language": "language",
    "语言": "language",
}
PEOPLE_LIMITS = TableLimits(max_rows=200_000)
REQUIRED_COLUMNS = ("employee_id", "name", "department", "role")
COLUMN_LABELS = {
    "employee_id": "工号(employee_id)",
    "name": "姓名(name)",
    "email": "邮箱(email)",
    "department": "部门(department)",
    "role": "角色(role)",
    "wave": "批次(wave)",
    "dingtalk_userid": "钉钉ID(dingtalk_userid)",
    "language": "语言(language)",
}
MAX_LENGTHS = {"employee_id": 64, "name": 100, "email": 254, "department": 500, "wave": 50, "dingtalk_userid": 64}
LANGUAGE_ALIASES = {"zh": "zh", "中文": "zh", "chinese": "zh", "en": "en", "英文": "en", "english": "en"}
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def column_label(column: str) -> str:
    return COLUMN_LABELS.get(column, column)


@lru_cache(maxsize=1)
def role_names() -> dict[str, str]:
    """The roles' Chinese names (their labels in the Chinese UI) → codes: a file's role column holds a code or
    a Chinese name, whatever language the person importing it reads (so the answer never changes)."""
    with force_locale("zh"):
        return {str(label): role for role, label in ROLE_LABELS.items()}


@dataclass
class PersonRow:
    row_number: int
    employee_id: str
    name: str
    email: str | None
    department: str
    role: str
    wave: str | None
    dingtalk_userid: str | None = None  # None: not given, the stored one is kept
    language: str | None = None  # None: not given, the stored one is kept


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
        frame = read_table(filename, content, COLUMN_ALIASES, PEOPLE_LIMITS, REQUIRED_COLUMNS, column_label)
    except TableError as exc:
        result.errors.append(str(exc))
        return result
    if frame.empty:
        result.errors.append("文件中没有任何人员数据。")
        return result

    records = [
        (f"第 {position + 2} 行", position + 2, record) for position, record in enumerate(frame.to_dict("records"))
    ]
    return validate_records(records)


def validate_records(records: list[tuple[str, int, dict]]) -> ImportResult:
    """Validate (label, row number, cells) records all or nothing: the CSV/XLSX import and the DingTalk
    sync share these rules and messages; a label is "第 N 行" or names the DingTalk user."""
    result = ImportResult()
    seen: dict[tuple[str, str], str] = {}
    for label, row_number, record in records:
        row = _validate_row(label, row_number, record, result.errors)
        if row is None:
            continue
        duplicate = False
        for key, value, what in (
            ("employee_id", row.employee_id, "工号"),
            ("dingtalk_userid", row.dingtalk_userid, "钉钉ID"),
        ):
            if value is None:
                continue
            if (key, value) in seen:
                result.errors.append(f"{label}：{what}“{value}”与{seen[(key, value)]}重复")
                duplicate = True
            else:
                seen[(key, value)] = label
        if not duplicate:
            result.rows.append(row)
    if result.errors:
        result.rows = []
    return result


def _validate_row(label: str, row_number: int, record: dict, errors: list[str]) -> PersonRow | None:
    prefix = f"{label}："
    problems: list[str] = []
    values = {key: cell_text(record.get(key, "")) for key in COLUMN_LABELS}
    for key in REQUIRED_COLUMNS:
        if not values[key]:
            problems.append(f"{COLUMN_LABELS[key]}为空")
    for key, limit in MAX_LENGTHS.items():
        if len(values[key]) > limit:
            problems.append(f"{COLUMN_LABELS[key]}过长（{len(values[key])} 字符，最多 {limit}）")
    names = role_names()
    role = names.get(values["role"]) or (values["role"].lower() if values["role"].lower() in ROLES else None)
    if values["role"] and role is None:
        allowed = "、".join(names) + " 或 " + "/".join(ROLES)
        problems.append(f"未知角色“{values['role']}”（可用：{allowed}）")
    department = normalise_department(values["department"], problems)
    if values["email"] and not EMAIL_PATTERN.match(values["email"]):
        problems.append(f"邮箱格式不正确“{values['email']}”")
    language = LANGUAGE_ALIASES.get(values["language"].lower()) if values["language"] else None
    if values["language"] and language is None:
        problems.append(f"未知语言“{values['language']}”（可用：zh/中文 或 en/English）")
    if problems:
        errors.append(prefix + "；".join(problems))
        return None
    if role is None:
        raise AssertionError("a row without a known role has a problem above (the role is required)")
    return PersonRow(
        row_number=row_number,
        employee_id=values["employee_id"],
        name=values["name"],
        email=values["email"] or None,
        department=department,
        role=role,
        wave=values["wave"] or None,
        dingtalk_userid=values["dingtalk_userid"] or None,
        language=language,
    )
