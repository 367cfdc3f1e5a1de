"""Report pages: the quarters, one quarter's report (draft or published), commentary, publishing, XLSX.

The PMO is a change manager: managers read drafts, edit commentary and publish. Committee members read
published reports only: the report tells them what leadership was told about their decisions, and it
holds only released figures. Admins manage data (people, usage metrics), not results, so they do not.
"""

from flask import Blueprint, abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from analysis.quarters import Quarter, QuarterError
from analysis.report import SECTIONS
from app.access import allow
from app.audit import record
from app.extensions import db
from app.i18n import format_quarter
from app.reports import charts, service
from app.reports.export import workbook
from app.reports.forms import CommentaryForm, PublishForm
from app.reports.labels import (
    ADKAR_LABELS,
    COMMENTARY_LABELS,
    SECTION_TITLES,
    TREND_LABELS,
    format_change,
    format_value,
    hidden_message,
    metric_label,
)

bp = Blueprint("reports", __name__)
READERS = ("manager", "committee")


def _quarter(text: str) -> str:
    """The quarter the URL names (2026Q4, or 2026q4), or 404."""
    try:
        return str(Quarter.parse(text))
    except QuarterError:
        abort(404)


def _readable_view(quarter: str) -> service.ReportView:
    """Managers see drafts; others only a published report."""
    if current_user.role != "manager":
        row = service.report_row(db.session, quarter)
        if row is None or not row.snapshot:
            abort(404)
    return service.view(db.session, quarter)


@bp.route("/")
@allow(*READERS)
def index():
    quarters = service.quarters(db.session)
    published = {q: service.report_row(db.session, q) for q in quarters}
    if current_user.role != "manager":
        quarters = [q for q in quarters if (row := published[q]) is not None and row.snapshot]
    return render_template("reports/index.html", quarters=quarters, published=published)


@bp.route("/<quarter>")
@allow(*READERS)
def report(quarter: str):
    quarter = _quarter(quarter)
    report_view = _readable_view(quarter)
    return render_template(
        "reports/report.html",
        report=report_view,
        data=report_view.data,
        commentary=report_view.commentary,
        publish_form=PublishForm(),
        titles=SECTION_TITLES,
        commentary_labels=COMMENTARY_LABELS,
        adkar_labels=ADKAR_LABELS,
        trend_labels=TREND_LABELS,
        metric_label=metric_label,
        value=format_value,
        change=format_change,
        hidden=hidden_message,
        charts=charts,
    )


@bp.route("/<quarter>/edit", methods=["GET", "POST"])
@allow("manager")
def edit(quarter: str):
    quarter = _quarter(quarter)
    row = service.report_row(db.session, quarter)
    if row is not None and row.snapshot:
        flash(_("报告已发布，不能再修改。"), "error")
        return redirect(url_for("reports.report", quarter=quarter))
    form = CommentaryForm(data={"level": service.level_of(db.session, row), **((row.commentary or {}) if row else {})})
    form.level.choices = [
        (level, _("第 %(n)s 级", n=level)) for level in range(1, service.department_levels(db.session) + 1)
    ]
    if form.validate_on_submit():
        commentary = {section: getattr(form, section).data for section in SECTIONS}
        service.save_commentary(db.session, quarter, commentary, form.level.data, current_user.id)
        record("report.commentary", target_type="quarter_report", target_id=quarter)
        db.session.commit()
        flash(_("已保存评述。"), "success")
        return redirect(url_for("reports.report", quarter=quarter))
    return render_template("reports/edit.html", form=form, quarter=quarter, sections=SECTIONS)


@bp.route("/<quarter>/publish", methods=["POST"])
@allow("manager")
def publish(quarter: str):
    quarter = _quarter(quarter)
    if not PublishForm().validate_on_submit():
        abort(400)
    try:
        service.publish(db.session, quarter, current_user)
    except service.ReportError as exc:
        flash(str(exc), "error")
        return redirect(url_for("reports.report", quarter=quarter))
    record("report.publish", target_type="quarter_report", target_id=quarter)
    db.session.commit()
    flash(_("已发布 %(quarter)s 的报告；之后数据变化不会改变它。", quarter=format_quarter(quarter)), "success")
    return redirect(url_for("reports.report", quarter=quarter))


@bp.route("/<quarter>/report.xlsx")
@allow(*READERS)
def report_xlsx(quarter: str):
    quarter = _quarter(quarter)
    handle = workbook(_readable_view(quarter))
    return send_file(
        handle,
        as_attachment=True,
        download_name=f"system-health-{quarter}.xlsx",
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
