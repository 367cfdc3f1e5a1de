"""All-or-nothing import of the people directory from CSV or XLSX.

`parse_people_file` reads and validates without touching the database and returns every problem
with its spreadsheet row number (the header is row 1), in Chinese; `apply_import` writes a clean
result in one transaction.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

import pandas as pd

from app.models.people import ROLES, ROLE_LABELS

COLUMN_ALIASES = {
    "employee_id": "employee_id", "工号": "employee_id", "员工编号": "employee_id",
    "name": "name", "姓名": "name",
    "email": "email", "邮箱": "email", "电子邮箱": "email",
    "department": "department", "部门": "department",
    "role": "role", "角色": "role",
    "wave": "wave", "批次": "wave", "上线批次": "wave",
}
REQUIRED_COLUMNS = ("employee_id", "name", "department", "role")
COLUMN_LABELS = {
    "employee_id": "工号(employee_id)", "name": "姓名(name)", "email": "邮箱(email)",
    "department": "部门(department)", "role": "角色(role)", "wave": "批次(wave)",
}
MAX_LENGTHS = {"employee_id": 64, "name": 100, "email": 254, "department": 500, "wave": 50}
MAX_SEGMENT_LENGTH = 100
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
        frame = _read_frame(filename, content)
    except ValueError as exc:
        result.errors.append(str(exc))
        return result
    frame.columns = [COLUMN_ALIASES.get(str(c).strip().lower(), COLUMN_ALIASES.get(str(c).strip(), str(c).strip())) for c in frame.columns]
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        result.errors.append("缺少必需的列：" + "、".join(COLUMN_LABELS[c] for c in missing))
        return result
    duplicated_columns = sorted({c for c in frame.columns if list(frame.columns).count(c) > 1})
    if duplicated_columns:
        result.errors.append("列名重复：" + "、".join(COLUMN_LABELS.get(c, c) for c in duplicated_columns))
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
            result.errors.append(
                f"第 {row_number} 行：工号“{row.employee_id}”与第 {seen[row.employee_id]} 行重复"
            )
            continue
        seen[row.employee_id] = row_number
        result.rows.append(row)
    if result.errors:
        result.rows = []
    return result


def _read_frame(filename: str, content: bytes) -> pd.DataFrame:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix == "xlsx":
        if not content.startswith(b"PK"):
            raise ValueError("文件不是有效的 XLSX 表格，请用 Excel 另存为 .xlsx 或 .csv 后重试。")
        try:
            frame = pd.read_excel(io.BytesIO(content), dtype=str, engine="openpyxl")
        except Exception as exc:  # openpyxl raises many kinds on a corrupt workbook
            raise ValueError("无法读取 XLSX 文件：文件可能已损坏。") from exc
    elif suffix == "csv":
        if b"\x00" in content:
            raise ValueError("文件不是文本格式的 CSV，请用 Excel 另存为 .csv 或 .xlsx 后重试。")
        text = _decode_csv(content)
        try:
            frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False,
                                skipinitialspace=True)
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise ValueError("无法解析 CSV 文件：请检查分隔符和引号，或文件是否为空。") from exc
    else:
        raise ValueError("只支持 .csv 或 .xlsx 文件。")
    return frame.fillna("")


def _decode_csv(content: bytes) -> str:
    """UTF-8 (with or without BOM) first, then GB18030, which covers the GBK files Excel writes."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValueError("无法识别文件编码，请保存为 UTF-8 或 GBK 编码的 CSV。")


def _clean(value) -> str:
    return str(value).strip() if value is not None else ""


def _validate_row(row_number: int, record: dict, errors: list[str]) -> PersonRow | None:
    prefix = f"第 {row_number} 行："
    problems: list[str] = []
    values = {key: _clean(record.get(key, "")) for key in COLUMN_LABELS}
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
    department = _normalise_department(values["department"], problems)
    if values["email"] and not EMAIL_PATTERN.match(values["email"]):
        problems.append(f"邮箱格式不正确“{values['email']}”")
    if problems:
        errors.append(prefix + "；".join(problems))
        return None
    return PersonRow(
        row_number=row_number, employee_id=values["employee_id"], name=values["name"],
        email=values["email"] or None, department=department, role=role,
        wave=values["wave"] or None,
    )


def _normalise_department(path: str, problems: list[str]) -> str:
    if not path:
        return ""
    parts = [part.strip() for part in path.strip("/").split("/")]
    if any(not part for part in parts):
        problems.append(f"部门路径“{path}”中有空的层级")
    elif any(len(part) > MAX_SEGMENT_LENGTH for part in parts):
        problems.append(f"部门路径“{path}”中的某一层级过长（最多 {MAX_SEGMENT_LENGTH} 字符）")
    return "/".join(parts)
