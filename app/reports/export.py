"""The report as an XLSX workbook: a cover sheet and one sheet per section, commentary on top.

Figures are written as numbers (rounded as on the page); every text cell goes through `safe_cell`, so
a theme label or a commentary starting with "=" is never run as a formula.
"""

from __future__ import annotations

import tempfile
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook

from app.i18n import current_language, format_date, format_local_day, format_quarter
from app.reports.labels import ADKAR_LABELS, SECTION_TITLES, TREND_LABELS, hidden_message, metric_label
from app.spreadsheets import safe_cell


def _round(value, digits=4):
    return round(value, digits) if isinstance(value, float) else value


def _sheet(workbook, title: str, commentary: str | None):
    sheet = workbook.create_sheet(title[:31])
    sheet.append([safe_cell(title)])
    if commentary:
        sheet.append([safe_cell(_("评述")), safe_cell(commentary)])
    sheet.append([])
    return sheet


def _append(sheet, cells):
    sheet.append([safe_cell(_round(cell)) for cell in cells])


def workbook(report) -> tempfile.SpooledTemporaryFile:
    data, commentary = report.data, report.commentary
    book = Workbook(write_only=True)
    cover = _sheet(book, _("封面"), commentary.get("summary"))
    _append(cover, [_("组织"), report.organisation])
    _append(cover, [_("报告"), _("系统健康度报告")])
    _append(cover, [_("季度"), format_quarter(report.quarter)])
    _append(cover, [_("状态"), _("已发布") if report.published else _("草稿")])
    if report.published:
        _append(cover, [_("发布人"), report.published_by])
        _append(cover, [_("发布时间 (UTC)"), format_date(report.published_at)])
    _append(cover, [_("匿名门槛"), data.get("k"), _("评论与主题门槛"), data.get("k_text")])

    kpis = _sheet(book, str(SECTION_TITLES["kpis"]), commentary.get("kpis"))
    _append(
        kpis,
        [_("指标"), format_quarter(data["quarter"]), format_quarter(data["previous_quarter"]), _("变化"), _("说明")],
    )
    for kpi in data["kpis"]:
        note = hidden_message(kpi["reason"], kpi["k"]) if kpi["suppressed"] else ""
        _append(kpis, [metric_label(kpi["key"]), kpi["value"], kpi["previous"], kpi["change"], note])

    departments = data["departments"]
    usage_metrics = departments["usage_metrics"] + departments["custom_metrics"]
    sheet = _sheet(book, str(SECTION_TITLES["departments"]), commentary.get("departments"))
    _append(
        sheet,
        [_("部门")]
        + [metric_label(m) for m in usage_metrics]
        + [
            _("满意度人数"),
            metric_label("sus"),
            metric_label("enps"),
            _("准备度人数"),
            metric_label("readiness"),
            metric_label("resistance"),
            _("主要障碍"),
        ],
    )
    for row in departments["rows"]:
        cells = [row["department"]] + [row["usage"].get(m) for m in usage_metrics]
        cells += _survey_cells(row["satisfaction"], ("sus", "enps"))
        cells += _survey_cells(row["readiness"], ("index", "resistance", "barrier"))
        _append(sheet, cells)
    correlation = departments["correlation"]
    sheet.append([])
    if correlation["shown"]:
        _append(
            sheet,
            [
                _("采用率与 SUS 的等级相关（Spearman ρ）"),
                correlation["rho"],
                "p",
                correlation["p_value"],
                "n",
                correlation["n"],
            ],
        )
    else:
        _append(sheet, [_("采用率与 SUS 的等级相关（Spearman ρ）"), _("未显示")] + list(correlation["blocked"]))

    themes = _sheet(book, str(SECTION_TITLES["themes"]), commentary.get("themes"))
    _append(
        themes,
        [_("主题"), _("人数"), _("负面人数"), _("上季度人数"), _("变化"), _("趋势"), _("出现的季度"), _("代表性意见")],
    )
    for item in data["themes"]["items"]:
        _append(
            themes,
            [
                item["label"],
                item["respondents"],
                item["negative_respondents"],
                item["previous_respondents"],
                item["change"],
                str(TREND_LABELS[item["trend"]]),
                "、".join(format_quarter(q) for q in item["quarters"]),
                item["quote"] or "",
            ],
        )
    if data["themes"]["withheld"]:
        _append(
            themes,
            [_("另有 %(n)s 个小主题，每个少于 %(k)s 人", n=data["themes"]["withheld"], k=data["themes"]["k_text"])],
        )

    funnel = data["suggestions"]
    sheet = _sheet(book, str(SECTION_TITLES["suggestions"]), commentary.get("suggestions"))
    for label, key in (
        (_("收到"), "received"),
        (_("采纳"), "adopted"),
        (_("已实施"), "implemented"),
        (_("未采纳"), "declined"),
        (_("已合并"), "merged"),
        (_("待决定"), "pending"),
        (_("采纳率"), "adoption_rate"),
        (_("实施率"), "implementation_rate"),
        (_("决定用时中位数（天）"), "median_days_to_decision"),
        (_("决定用时平均数（天）"), "mean_days_to_decision"),
    ):
        _append(sheet, [label, funnel[key]])

    if "changes" in data:
        _changes_sheet(book, data, commentary.get("changes"))

    attention = data["attention"]
    sheet = _sheet(book, str(SECTION_TITLES["attention"]), commentary.get("attention"))
    _append(
        sheet,
        [_("部门"), metric_label(attention["metric"] or "adoption"), metric_label("readiness"), _("主要障碍")]
        + [str(ADKAR_LABELS[e]) for e in ("awareness", "desire", "knowledge", "ability", "reinforcement")],
    )
    for row in attention["rows"]:
        _append(
            sheet,
            [
                row["department"],
                row["adoption"],
                row["readiness"],
                str(ADKAR_LABELS.get(row["barrier"], "")) if row["barrier"] else "",
            ]
            + list(row["adkar"].values()),
        )
    handle = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (returned to the caller)
    book.save(handle)
    handle.seek(0)
    return handle


STATUS_NOTES = {
    "insufficient": _l("数据不足"),
    "not_yet": _l("数据不足，尚不能判断效果"),
    "absent": _l("实施后未再形成单独的主题"),
}


def _theme_row_label(label: str) -> str:
    return _("提到“%(label)s”的同事", label=label) if label else _("提到关联主题的同事")


def _changes_sheet(book, data: dict, commentary: str | None) -> None:
    """你说，我们做: one row per measured figure of each implemented change, before → after (实施后)."""
    sheet = _sheet(book, str(SECTION_TITLES["changes"]), commentary)
    _append(sheet, [_("改进"), _("实施日期"), _("指标"), _("实施前"), _("实施后"), _("季度"), _("说明")])
    names = {key: titles.get(current_language(), key) for key, titles in (data.get("module_titles") or {}).items()}
    for change in data["changes"]:
        day = format_local_day(datetime.fromisoformat(change["implemented_at"]))
        effect = change["effect"]
        if effect is None or effect["status"] == "not_yet":
            note = _("没有关联意见主题或功能模块，无法衡量效果。") if effect is None else str(STATUS_NOTES["not_yet"])
            _append(sheet, [change["title"], day, "", None, None, "", note])
            continue
        quarters = f"{format_quarter(effect['before_quarter'])} → {format_quarter(effect['after_quarter'])}"
        figures = [(_theme_row_label(t["label"]), t["change"]) for t in effect["themes"]]
        module = names.get(effect["module"], effect["module"])
        if effect["module_mean"]:
            figures.append((_("%(module)s满意度", module=module), effect["module_mean"]))
        if effect["enps"]:
            figures.append((metric_label("enps"), effect["enps"]))
        for label, figure in figures:
            mark = ""
            if figure["p_value"] is not None:
                mark = _("差异显著") if figure["significant"] else _("差异不显著")
            note = str(STATUS_NOTES.get(figure["status"], mark))
            _append(sheet, [change["title"], day, label, figure["before"], figure["after"], quarters, note])


def _survey_cells(figures: dict | None, keys: tuple[str, ...]) -> list:
    if figures is None:
        return [None] * (len(keys) + 1)
    if figures["suppressed"]:
        return [hidden_message(figures["reason"], figures["k"])] + [None] * len(keys)
    cells = [figures["n"]]
    for key in keys:
        value = figures.get(key)
        cells.append(str(ADKAR_LABELS[value]) if key == "barrier" and value else value)
    return cells
