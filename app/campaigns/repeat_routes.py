"""Campaign page actions for repeating every quarter: the repeat settings, changing a campaign before it opens
(a repeating campaign's successor is a draft the manager may change), and the notices the scheduler leaves."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.access import allow
from app.campaigns.forms import ActionForm, PlanForm, RepeatForm
from app.campaigns.repeat import creation_time, successor_of
from app.campaigns.routes import MANAGERS, bp, plan_of, with_audience_choices
from app.campaigns.service import CampaignError, CampaignPlan, availability, change_plan, set_repeat
from app.extensions import db
from app.i18n import local_or_none
from app.models import Campaign
from app.notices import dismiss, unread


def _campaign_or_404(campaign_id: int) -> Campaign:
    return db.session.get(Campaign, campaign_id) or abort(404)


def repeat_context(campaign: Campaign) -> dict:
    """What the campaign page shows about repeating: the settings form, when the next one comes, its origin."""
    timezone = current_app.config["BABEL_DEFAULT_TIMEZONE"]
    return {
        "repeat_form": RepeatForm(formdata=None, obj=campaign),
        "next_created_at": creation_time(campaign, timezone),
        "successor": successor_of(db.session, campaign),
        "repeated_from": db.session.get(Campaign, campaign.repeated_from_id) if campaign.repeated_from_id else None,
        "changeable": availability(campaign) == "not_open",
    }


def campaign_notices() -> list:
    """The signed-in manager's unread notices (the campaigns list shows them)."""
    return unread(db.session, current_user.id)


@bp.route("/<int:campaign_id>/repeat", methods=["POST"])
@allow(*MANAGERS)
def repeat_settings(campaign_id: int):
    campaign = _campaign_or_404(campaign_id)
    form = RepeatForm()
    if not form.validate_on_submit():
        flash("；".join(str(m) for m in form.repeat_lead_days.errors) or _("页面已过期，请刷新后重试。"), "error")
        return redirect(url_for("campaigns.detail", campaign_id=campaign.id) + "#repeat")
    try:
        set_repeat(db.session, campaign, form.repeats_quarterly.data, form.repeat_lead_days.data, current_user.id)
    except CampaignError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(_("已保存重复设置"), "success")
    return redirect(url_for("campaigns.detail", campaign_id=campaign.id) + "#repeat")


def _plan_form(campaign: Campaign) -> PlanForm:
    form = with_audience_choices(PlanForm(obj=campaign) if request.method == "GET" else PlanForm())
    if request.method == "GET":
        audience = campaign.audience or {}
        form.departments.data, form.roles.data = audience.get("departments"), audience.get("roles")
        form.waves.data = audience.get("waves")
        form.opens_at.data, form.closes_at.data = local_or_none(campaign.opens_at), local_or_none(campaign.closes_at)
    return form


@bp.route("/<int:campaign_id>/edit", methods=["GET", "POST"])
@allow(*MANAGERS)
def edit(campaign_id: int):
    """Change a campaign that has not opened yet (title, audience, dates)."""
    campaign = _campaign_or_404(campaign_id)
    form = _plan_form(campaign)
    if not form.validate_on_submit():
        return render_template("campaigns/edit.html", campaign=campaign, form=form)
    plan = CampaignPlan(**plan_of(form))
    try:
        change_plan(db.session, campaign, plan, current_user.id)
    except CampaignError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return render_template("campaigns/edit.html", campaign=campaign, form=form), 422
    db.session.commit()
    flash(_("已保存"), "success")
    return redirect(url_for("campaigns.detail", campaign_id=campaign.id))


@bp.route("/notices/<int:notice_id>/read", methods=["POST"])
@allow(*MANAGERS)
def read_notice(notice_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    if not dismiss(db.session, notice_id, current_user.id):
        abort(404)
    db.session.commit()
    return redirect(url_for("campaigns.index"))
