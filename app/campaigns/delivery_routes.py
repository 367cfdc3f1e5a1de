"""Campaign page actions that reach people: send and remind (background jobs), reminder settings, link
sheets that reprint links without changing them, and "重新生成" as its own explicit action."""

from __future__ import annotations

import csv
import io

import segno
from flask import Response, abort, current_app, flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from app.access import allow
from app.audit import record
from app.campaigns.forms import LinkSheetForm, RegenerateForm, ReminderSettingsForm, SendForm, channel_choices
from app.campaigns.routes import MANAGERS, bp
from app.campaigns.service import (
    INVITATION_COLUMNS,
    CampaignError,
    invitation_rows,
    issue_invitations,
    printable_links,
)
from app.delivery.service import INVITATION, delivery_log, set_reminders
from app.extensions import db
from app.i18n import USER_DATA
from app.jobs import check_liveness, enqueue, job_dict, jobs_for
from app.models import BackgroundJob, Campaign, Department

PURPOSES = {INVITATION: "campaign.send_invitations", "reminder": "campaign.send_reminders"}


def _campaign_or_404(campaign_id: int) -> Campaign:
    return db.session.get(Campaign, campaign_id) or abort(404)


def _back(campaign_id: int, anchor: str = "delivery"):
    return redirect(url_for("campaigns.detail", campaign_id=campaign_id) + "#" + anchor)


def delivery_context(campaign: Campaign) -> dict:
    """What the campaign page shows about reaching people: forms, running sends and the delivery log."""
    sheet = LinkSheetForm(formdata=None)
    sheet.department.choices = _department_choices()
    settings = ReminderSettingsForm(formdata=None, obj=campaign)
    return {
        "send_form": SendForm(formdata=None, prefix=INVITATION),
        "remind_form": SendForm(formdata=None, prefix="reminder"),
        "settings_form": settings,
        "sheet_form": sheet,
        "regenerate_form": RegenerateForm(formdata=None),
        "deliveries": jobs_for(db.session, "campaign", campaign.id, kind="delivery", limit=5),
        "log": delivery_log(db.session, campaign),
        "channel_labels": {choice.value: choice.label for choice in channel_choices()},
    }


def _errors(*fields) -> str:
    """The fields' messages (lazy strings) joined, or the CSRF one when only the token was wrong."""
    return "；".join(str(message) for field in fields for message in field.errors) or _("页面已过期，请刷新后重试。")


def _department_choices() -> list[SelectChoice]:
    paths = db.session.execute(select(Department.path).order_by(Department.path)).scalars()
    return [SelectChoice("", _("全部"))] + [SelectChoice(p, p, USER_DATA) for p in paths]


@bp.route("/<int:campaign_id>/deliveries/<purpose>", methods=["POST"])
@allow(*MANAGERS)
def start_delivery(campaign_id: int, purpose: str):
    """ "发送邀请" (purpose invitation) or "提醒未作答的人" (reminder) on one channel, as a background job."""
    campaign = _campaign_or_404(campaign_id)
    if purpose not in PURPOSES:
        abort(404)
    form = SendForm(prefix=purpose)
    if not form.validate_on_submit():
        flash(_errors(form.channel), "error")
        return _back(campaign.id)
    record(PURPOSES[purpose], "campaign", campaign.id, {"channel": form.channel.data})
    db.session.commit()
    enqueue(
        "delivery", campaign.id, form.channel.data, purpose, target=("campaign", campaign.id), user_id=current_user.id
    )
    flash(_("正在后台发送，进度和结果见本页的发送记录。"), "success")
    return _back(campaign.id)


@bp.route("/<int:campaign_id>/deliveries/<job_id>/status")
@allow(*MANAGERS)
def delivery_status(campaign_id: int, job_id: str):
    job = db.session.get(BackgroundJob, job_id)
    if job is None or job.kind != "delivery" or job.target_id != str(campaign_id):
        abort(404)
    return jsonify(job_dict(check_liveness(db.session, job)))


@bp.route("/<int:campaign_id>/reminders", methods=["POST"])
@allow(*MANAGERS)
def reminder_settings(campaign_id: int):
    campaign = _campaign_or_404(campaign_id)
    form = ReminderSettingsForm()
    if not form.validate_on_submit():
        flash(
            "；".join(form.remind_after_days.errors + form.remind_max.errors) or _("页面已过期，请刷新后重试。"),
            "error",
        )
        return _back(campaign.id)
    try:
        set_reminders(campaign, form.remind_after_days.data or None, form.remind_max.data or 0)
    except CampaignError as exc:
        flash(str(exc), "error")
        return _back(campaign.id)
    record(
        "campaign.reminders",
        "campaign",
        campaign.id,
        {"after_days": campaign.remind_after_days, "max": campaign.remind_max},
    )
    db.session.commit()
    flash(_("提醒设置已保存。"), "success")
    return _back(campaign.id)


@bp.route("/<int:campaign_id>/links", methods=["POST"])
@allow(*MANAGERS)
def link_sheet(campaign_id: int):
    """Links of everyone invited in one department (or one person) as CSV or a QR sheet: printing again
    changes and cancels nothing."""
    campaign = _campaign_or_404(campaign_id)
    form = LinkSheetForm()
    form.department.choices = _department_choices()
    if not form.validate_on_submit():
        flash(_errors(form.department, form.employee_id), "error")
        return _back(campaign.id, "links")
    department, employee_id = form.department.data or None, (form.employee_id.data or "").strip() or None
    try:
        links, legacy = printable_links(db.session, campaign, department, employee_id, actor_id=current_user.id)
    except CampaignError as exc:
        flash(str(exc), "error")
        return _back(campaign.id, "links")
    db.session.commit()
    if legacy:
        flash(_("%(n)s 个升级前生成的链接无法再次打印（仍然有效）；如需重新打印，请先重新生成。", n=legacy), "info")
    if not links:
        flash(_("没有找到符合条件的邀请。"), "info")
        return _back(campaign.id, "links")
    return _sheet(campaign, links, qr=form.qr.data)


def _sheet(campaign: Campaign, links, qr: bool):
    rows = invitation_rows(links, current_app.config["PUBLIC_BASE_URL"])
    if qr:
        return render_template("campaigns/qr_print.html", campaign=campaign, cards=_qr_cards(links, rows))
    return Response(
        _csv_text([INVITATION_COLUMNS, *rows]),
        mimetype="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f"attachment; filename=invitations-{campaign.id}.csv",
            "Cache-Control": "no-store",
        },
    )


def _qr_cards(links, rows) -> list[dict]:
    """One printable card per person: name, department, link and its QR code."""
    return [
        {
            "name": person.name,
            "department": person.department.path,
            "url": url,
            "qr": segno.make(url, error="m").svg_data_uri(scale=4),
        }
        for (person, _token), (*_cells, url) in zip(links, rows, strict=True)
    ]


def _csv_text(rows) -> str:
    """CSV with a BOM, so that Excel reads it as UTF-8."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()


@bp.route("/<int:campaign_id>/links/regenerate", methods=["POST"])
@allow(*MANAGERS)
def regenerate_links(campaign_id: int):
    """ "重新生成": new links for everyone who has not answered; their old links and QR codes stop working."""
    campaign = _campaign_or_404(campaign_id)
    form = RegenerateForm()
    if not form.validate_on_submit():
        flash(_errors(form.confirm), "error")
        return _back(campaign.id, "links")
    try:
        issued = issue_invitations(db.session, campaign, reissue_pending=True, actor_id=current_user.id)
    except CampaignError as exc:
        flash(str(exc), "error")
        return _back(campaign.id, "links")
    db.session.commit()
    flash(
        _(
            "已为 %(n)s 个尚未提交的邀请重新生成链接，旧链接已失效。请重新打印，或用“提醒未作答的人”发送新链接。",
            n=len(issued),
        ),
        "success",
    )
    return _back(campaign.id, "links")
