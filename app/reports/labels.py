"""Names and number formats of the report's figures, shared by the page and the workbook."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from analysis.privacy import suppression_message
from app.i18n import current_language

SECTION_TITLES = {
    "kpis": _l("核心指标"),
    "departments": _l("各部门满意度、准备度与使用情况"),
    "themes": _l("高频意见主题"),
    "suggestions": _l("改进建议进展"),
    "changes": _l("你说，我们做"),
    "attention": _l("需要关注的部门"),
}
COMMENTARY_LABELS = {"summary": _l("总体结论"), **SECTION_TITLES}
METRIC_LABELS = {
    "headcount": _l("在册人数"),
    "active_users": _l("活跃用户数"),
    "adoption": _l("采用率"),
    "dau_mau": _l("日活/月活"),
    "approvals": _l("审批处理量"),
    "approval_hours": _l("平均审批时长（小时）"),
    "checkin_rate": _l("考勤打卡率"),
    "sus": _l("系统易用性 SUS"),
    "enps": _l("推荐值 eNPS"),
    "readiness": _l("变革准备度（ADKAR 均分）"),
    "resistance": _l("抗拒度"),
    "suggestions_received": _l("收到建议"),
    "suggestions_adopted": _l("采纳建议"),
    "suggestions_implemented": _l("已实施建议"),
}
ADKAR_LABELS = {
    "awareness": _l("知晓"),
    "desire": _l("意愿"),
    "knowledge": _l("知识"),
    "ability": _l("能力"),
    "reinforcement": _l("巩固"),
}
TREND_LABELS = {
    "up": _l("上升"),
    "down": _l("下降"),
    "flat": _l("持平"),
    "new": _l("本季度新出现"),
    "recurring": _l("持续出现"),
}
SHARES = {"adoption", "dau_mau", "checkin_rate"}
WHOLE = {
    "headcount",
    "active_users",
    "approvals",
    "suggestions_received",
    "suggestions_adopted",
    "suggestions_implemented",
}


def metric_label(key: str) -> str:
    return str(METRIC_LABELS.get(key, key))


def format_value(value, key: str) -> str:
    """A figure as people read it: 67.3%, 1,234, +12, 71.5, 3.30."""
    if value is None:
        return "—"
    if key in SHARES:
        return f"{value * 100:.1f}%"
    if key in WHOLE:
        return f"{value:,.0f}"
    if key == "enps":
        return f"{value:+.0f}" if round(value) else "0"
    if key in ("sus", "approval_hours"):
        return f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.2f}"


def format_change(value, key: str) -> str:
    """A change against last quarter: percentage points for shares, signed otherwise."""
    if value is None:
        return ""
    if key in SHARES:
        points = value * 100
        return f"{points:+.1f} " + str(_l("个百分点"))
    if key in WHOLE or key == "enps":
        return f"{value:+,.0f}"
    if key in ("sus", "approval_hours"):
        return f"{value:+.1f}"
    return f"{value:+.2f}"


def hidden_message(reason: str | None, k: int | None) -> str:
    return suppression_message(reason or "below_k", k or 5, current_language())
