"""All-or-nothing import of a quarter's usage metrics (CSV or XLSX), one row per department.

`parse_metrics_file` reads and validates without touching the database and returns every problem
with its spreadsheet row number (the header is row 1), in Chinese, like the people import whose file
reading it shares (`app.spreadsheets`). Known columns may be headed in Chinese or English; any other
column is kept as a custom metric and must hold numbers.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from analysis.usage import COUNT, METRICS, SHARE
from app.spreadsheets import TableError, TableLimits, cell_text, normalise_department, read_table

COLUMN_ALIASES = {
    "department": "department",
    "department_path": "department",
    "部门": "department",
    "部门路径": "department",
    "quarter": "quarter",
    "季度": "quarter",
    "headcount": "headcount",
    "人数": "headcount",
    "在册人数": "headcount",
    "员工数": "headcount",
    "active_users": "active_users",
    "active users": "active_users",
    "活跃用户数": "active_users",
    "活跃人数": "active_users",
    "活跃用户": "active_users",
    "dau_mau": "dau_mau",
    "dau/mau": "dau_mau",
    "日活/月活": "dau_mau",
    "日活月活比": "dau_mau",
    "approvals": "approvals",
    "approvals processed": "approvals",
    "审批处理量": "approvals",
    "审批数": "approvals",
    "审批量": "approvals",
    "approval_hours": "approval_hours",
    "average approval hours": "approval_hours",
    "avg approval hours": "approval_hours",
    "平均审批时长": "approval_hours",
    "平均审批时长(小时)": "approval_hours",
    "平均审批时长（小时）": "approval_hours",
    "checkin_rate": "checkin_rate",
    "attendance check-in rate": "checkin_rate",
    "check-in rate": "checkin_rate",
    "考勤打卡率": "checkin_rate",
    "打卡率": "checkin_rate",
}
METRICS_LIMITS = TableLimits(max_rows=10_000)
COLUMN_LABELS = {
    "department": "部门(department)",
    "quarter": "季度(quarter)",
    "headcount": "人数(headcount)",
    "active_users": "活跃用户数(active_users)",
    "dau_mau": "日活/月活(dau_mau)",
    "approvals": "审批处理量(approvals)",
    "approval_hours": "平均审批时长(approval_hours)",
    "checkin_rate": "考勤打卡率(checkin_rate)",
}
MAX_METRIC_NAME = 100
NUMBER_SEPARATORS = re.compile(r"[,，\s]")


@dataclass(frozen=True)
class MetricValue:
    department: str
    metric: str
    value: float


@dataclass
class MetricsImportResult:
    values: list[MetricValue] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    departments: list[str] = field(default_factory=list)
    metrics: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def label(metric: str) -> str:
    return COLUMN_LABELS.get(metric, f"“{metric}”")


def parse_metrics_file(filename: str, content: bytes, quarter: str, known_departments: set[str]) -> MetricsImportResult:
    """Validate a whole file for `quarter`; on any problem `errors` lists them all and nothing else is set."""
    result = MetricsImportResult()
    try:
        frame = read_table(filename, content, COLUMN_ALIASES, METRICS_LIMITS, required=("department",), label=label)
    except TableError as exc:
        result.errors.append(str(exc))
        return result
    metrics = [c for c in frame.columns if c not in ("department", "quarter")]
    problems = [
        f"列名“{c}”为空或过长（最多 {MAX_METRIC_NAME} 字符）"
        for c in metrics
        if not c or c.startswith("Unnamed:") or len(c) > MAX_METRIC_NAME
    ]
    if problems:
        result.errors.extend(problems)
        return result
    if not metrics:
        result.errors.append("文件中没有任何指标列（如 活跃用户数、日活/月活、审批处理量）。")
        return result
    if frame.empty:
        result.errors.append("文件中没有任何部门的数据。")
        return result

    seen: dict[str, int] = {}
    values: list[MetricValue] = []
    for position, record in enumerate(frame.to_dict("records")):
        row_number = position + 2
        row = _validate_row(row_number, record, metrics, quarter, known_departments, result.errors)
        if row is None:
            continue
        department, row_values = row
        if department in seen:
            result.errors.append(f"第 {row_number} 行：部门“{department}”与第 {seen[department]} 行重复")
            continue
        seen[department] = row_number
        values.extend(row_values)
    if not result.errors:
        result.values = values
        result.departments = list(seen)
        result.metrics = [m for m in metrics if any(v.metric == m for v in values)]
    return result


def _validate_row(row_number, record, metrics, quarter, known_departments, errors):
    problems: list[str] = []
    raw_department = cell_text(record.get("department"))
    department = normalise_department(raw_department, problems)
    if not raw_department:
        problems.append(f"{COLUMN_LABELS['department']}为空")
    elif not problems and department not in known_departments:
        problems.append(f"部门“{department}”不在人员名单中（请先导入人员，或检查部门路径的写法）")
    row_quarter = cell_text(record.get("quarter")).upper()
    if row_quarter and row_quarter != quarter:
        problems.append(f"季度“{row_quarter}”与导入的季度 {quarter} 不一致")
    numbers: dict[str, float] = {}
    for metric in metrics:
        text = cell_text(record.get(metric))
        if not text:
            continue
        value = _number(text, METRICS[metric].kind if metric in METRICS else None)
        if value is None:
            problems.append(f"{label(metric)}“{text}”不是有效的数字")
            continue
        problem = _range_problem(metric, value)
        if problem:
            problems.append(problem)
            continue
        numbers[metric] = value
    if not problems and not numbers:
        problems.append("没有任何指标数值")
    headcount, active = numbers.get("headcount"), numbers.get("active_users")
    if headcount is not None and active is not None and active > headcount:
        problems.append(f"活跃用户数（{active:g}）大于人数（{headcount:g}）")
    if problems:
        errors.append(f"第 {row_number} 行：" + "；".join(problems))
        return None
    return department, [MetricValue(department, metric, value) for metric, value in numbers.items()]


def _number(text: str, kind: str | None) -> float | None:
    """'1,234' → 1234; '85%' → 0.85; anything else that is not a finite number → None."""
    cleaned = NUMBER_SEPARATORS.sub("", text)
    percent = cleaned.endswith(("%", "％"))
    if percent:
        cleaned = cleaned[:-1]
    try:
        value = float(cleaned)
    except ValueError:
        return None
    if not math.isfinite(value):
        return None
    return value / 100 if percent else value


def _range_problem(metric: str, value: float) -> str | None:
    spec = METRICS.get(metric)
    if value < 0:
        return f"{label(metric)}不能为负数（{value:g}）"
    if spec is not None and spec.kind == SHARE and value > 1:
        return f"{label(metric)}应在 0–1 之间或写成百分数（如 85%），收到 {value:g}"
    if spec is not None and spec.kind == COUNT and not float(value).is_integer():
        return f"{label(metric)}应为整数，收到 {value:g}"
    return None
