"""Manager pages: list, create, open/close campaigns, response rates, invitation links and QR codes."""

from typing import TypeVar

import segno
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from app.access import allow
from app.audit import record
from app.campaigns.forms import ActionForm, CampaignForm, ExportForm, PlanFields
from app.campaigns.service import (
    DEFAULT_LEAD_DAYS,
    CampaignError,
    CampaignSpec,
    availability,
    change_status,
    create_campaign,
    open_link_url,
    response_rates,
    text_threshold,
)
from app.extensions import db
from app.i18n import current_quarter, utc_from_local
from app.instruments import instrument_choices
from app.jobs import check_liveness, enqueue, job_dict, jobs_for
from app.models import ROLE_LABELS, BackgroundJob, Campaign, JobOutput
from app.people.directory import department_paths, known_waves

bp = Blueprint("campaigns", __name__)
MANAGERS = ("manager", "admin")


def _campaign_or_404(campaign_id: int) -> Campaign:
    return db.session.get(Campaign, campaign_id) or abort(404)


@bp.route("/")
@allow(*MANAGERS)
def index():
    campaigns = (
        db.session.execute(select(Campaign).order_by(Campaign.quarter.desc(), Campaign.id.desc())).scalars().all()
    )
    rows = [(c, availability(c), response_rates(db.session, c)["overall"]) for c in campaigns]
    return render_template("campaigns/index.html", rows=rows, notices=campaign_notices(), notice_form=ActionForm())


@bp.route("/new", methods=["GET", "POST"])
@allow(*MANAGERS)
def new():
    form = _campaign_form()
    if not form.validate_on_submit():
        return render_template("campaigns/new.html", form=form)
    try:
        campaign, open_token = create_campaign(db.session, _campaign_spec(form), created_by_id=current_user.id)
    except CampaignError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return render_template("campaigns/new.html", form=form)
    db.session.commit()
    flash(_("已创建问卷活动“%(title)s”", title=campaign.title), "success")
    if open_token:
        url = open_link_url(current_app.config["PUBLIC_BASE_URL"], open_token)
        qr = segno.make(url, error="m").svg_data_uri(scale=5)
        return render_template("campaigns/open_link.html", campaign=campaign, url=url, qr=qr)
    return redirect(url_for("campaigns.detail", campaign_id=campaign.id))


F = TypeVar("F", bound=PlanFields)


def with_audience_choices(form: F) -> F:
    """A plan's form with today's departments and waves to choose from."""
    form.departments.choices = [SelectChoice(path) for path in department_paths(db.session)]
    form.waves.choices = [SelectChoice(wave) for wave in known_waves(db.session)]
    return form


def plan_of(form: PlanFields) -> dict:
    """The plan fields of a submitted form, as CampaignPlan (and CampaignSpec) take them."""
    return {
        "title": form.title.data,
        "departments": form.departments.data or [],
        "roles": form.roles.data or [],
        "waves": form.waves.data or [],
        "opens_at": utc_from_local(form.opens_at.data),
        "closes_at": utc_from_local(form.closes_at.data),
    }


def _campaign_form() -> CampaignForm:
    """The form with today's choices; a new form starts at this quarter and the configured threshold."""
    form = with_audience_choices(CampaignForm())
    form.instrument.choices = instrument_choices(db.session)
    if request.method == "GET":
        form.quarter.data = current_quarter()
        form.min_group.data = current_app.config["ANONYMITY_MIN_GROUP"]
    return form


def _campaign_spec(form: CampaignForm) -> CampaignSpec:
    return CampaignSpec(
        **plan_of(form),
        instrument_version_id=int(form.instrument.data),
        quarter=form.quarter.parsed,
        mode=form.mode.data,
        min_group=form.min_group.data,
        min_group_text=text_threshold(form.min_group.data, current_app.config["ANONYMITY_MIN_GROUP_TEXT"]),
        open_link=form.open_link.data,
        draft=form.draft.data,
        repeat_lead_days=(form.repeat_lead_days.data or DEFAULT_LEAD_DAYS) if form.repeats_quarterly.data else None,
    )


@bp.route("/<int:campaign_id>")
@allow(*MANAGERS)
def detail(campaign_id: int):
    campaign = _campaign_or_404(campaign_id)
    level = min(max(request.args.get("level", 2, type=int) or 2, 1), 6)
    exports = jobs_for(db.session, "campaign", campaign.id, kind="export") if current_user.role == "manager" else []
    return render_template(
        "campaigns/detail.html",
        campaign=campaign,
        state=availability(campaign),
        rates=response_rates(db.session, campaign, department_level=level),
        level=level,
        role_labels=ROLE_LABELS,
        action=ActionForm(),
        export_form=ExportForm(),
        exports=exports,
        **delivery_context(campaign),
        **repeat_context(campaign),
    )


@bp.route("/<int:campaign_id>/open", methods=["POST"])
@allow(*MANAGERS)
def open_(campaign_id: int):
    return _change_status(campaign_id, "open", _("问卷活动已开始"))


@bp.route("/<int:campaign_id>/close", methods=["POST"])
@allow(*MANAGERS)
def close(campaign_id: int):
    return _change_status(campaign_id, "closed", _("问卷活动已结束"))


def _change_status(campaign_id: int, to: str, message: str):
    campaign = _campaign_or_404(campaign_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        change_status(db.session, campaign, to, actor_id=current_user.id)
    except CampaignError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(message, "success")
    return redirect(url_for("campaigns.detail", campaign_id=campaign.id))


@bp.route("/<int:campaign_id>/export.csv")
@allow("manager")
def export_csv(campaign_id: int):
    """`?table=answers` (default: anonymised raw answers) or `?table=segments` (released figures)."""
    from flask import stream_with_context

    from app.i18n import current_language
    from app.results.export import answer_rows, csv_stream, export_step, segment_rows

    campaign = _campaign_or_404(campaign_id)
    table = request.args.get("table", "answers")
    if table not in ("answers", "segments"):
        abort(400)
    header, rows = (
        answer_rows(db.session, campaign)
        if table == "answers"
        else segment_rows(db.session, campaign, current_language())
    )
    step = export_step(db.session, campaign) or 0
    record("campaign.export", "campaign", campaign.id, {"format": "csv", "table": table, "step": step})
    db.session.commit()
    return Response(
        stream_with_context(csv_stream(header, rows)),
        mimetype="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f"attachment; filename=campaign-{campaign.id}-{table}-release-{step}.csv",
            "X-Release-Step": str(step),
            "Cache-Control": "no-store",
        },
    )


@bp.route("/<int:campaign_id>/export.xlsx")
@allow("manager")
def export_xlsx(campaign_id: int):
    from flask import send_file

    from app.i18n import current_language
    from app.results.export import xlsx_file

    campaign = _campaign_or_404(campaign_id)
    handle = xlsx_file(db.session, campaign, current_language())
    record("campaign.export", "campaign", campaign.id, {"format": "xlsx"})
    db.session.commit()
    return send_file(
        handle,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=f"campaign-{campaign.id}.xlsx",
        max_age=0,
    )


@bp.route("/<int:campaign_id>/exports", methods=["POST"])
@allow("manager")
def start_export(campaign_id: int):
    """Start an export as a background job; the campaign page shows its progress and the download."""
    from app.i18n import current_language
    from app.results.export import prune_exports

    campaign = _campaign_or_404(campaign_id)
    form = ExportForm()
    if not form.validate_on_submit():
        flash("；".join(form.file_format.errors) or _("页面已过期，请刷新后重试。"), "error")
        return redirect(url_for("campaigns.detail", campaign_id=campaign.id) + "#exports")
    file_format, _dash, table = form.file_format.data.partition("-")
    prune_exports(db.session, campaign.id)
    record(
        "campaign.export", "campaign", campaign.id, {"format": file_format, "table": table or "all", "background": True}
    )
    db.session.commit()
    enqueue(
        "export",
        campaign.id,
        file_format,
        table or "answers",
        current_language(),
        target=("campaign", campaign.id),
        user_id=current_user.id,
    )
    flash(_("正在后台生成导出文件，完成后可在本页下载。"), "success")
    return redirect(url_for("campaigns.detail", campaign_id=campaign.id) + "#exports")


def _export_job(campaign_id: int, job_id: str) -> BackgroundJob:
    job = db.session.get(BackgroundJob, job_id)
    if job is None or job.kind != "export" or job.target_type != "campaign" or job.target_id != str(campaign_id):
        abort(404)
    return job


@bp.route("/<int:campaign_id>/exports/<job_id>/status")
@allow("manager")
def export_status(campaign_id: int, job_id: str):
    job = check_liveness(db.session, _export_job(campaign_id, job_id))
    return jsonify(job_dict(job))


@bp.route("/<int:campaign_id>/exports/<job_id>")
@allow("manager")
def download_export(campaign_id: int, job_id: str):
    _export_job(campaign_id, job_id)
    output = db.session.get(JobOutput, job_id) or abort(404)
    record("campaign.export_download", "campaign", campaign_id, {"job": job_id})
    db.session.commit()
    return Response(
        output.data,
        mimetype=output.content_type,
        headers={"Content-Disposition": f"attachment; filename={output.filename}", "Cache-Control": "no-store"},
    )


# Sending, reminders and link sheets live in their own module, on this blueprint (importing it registers them).
from app.campaigns.delivery_routes import delivery_context  # noqa: E402
from app.campaigns.repeat_routes import campaign_notices, repeat_context  # noqa: E402
