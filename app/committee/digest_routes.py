"""The committee's monthly digest page: when it goes out by itself, the month it sends next, a preview of the
message in each language, and the introduction the committee edits until that month's sending starts."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from analysis.months import Month
from app.access import allow
from app.committee.accounts import earlier_month
from app.committee.forms import DigestIntroductionForm, DigestScheduleForm
from app.committee.routes import bp
from app.delivery.digest import (
    DigestError,
    delivered_count,
    digest_of,
    next_digest,
    preview,
    save_introduction,
    save_schedule,
    schedule_of,
)
from app.extensions import db
from app.i18n import company_timezone, month_so_far


def _month(text: str | None) -> Month:
    """A month of the URL that has come, or 404."""
    return month_so_far(text) or abort(404)


def _page(month: Month, schedule_form=None, introduction_form=None, status: int = 200):
    next_month, due = next_digest(db.session)
    digest = digest_of(db.session, month)
    schedule = schedule_of(db.session)
    if schedule_form is None:
        schedule_form = DigestScheduleForm(obj=schedule, formdata=None)
    if introduction_form is None:
        introduction_form = DigestIntroductionForm(introduction=digest.introduction if digest else "", formdata=None)
    context = dict(
        month=month,
        previous=earlier_month(db.session, month, company_timezone()),
        next_month=next_month,
        due=due,
        digest=digest,
        counts=delivered_count(db.session, month),
        messages=preview(db.session, month),
        schedule_form=schedule_form,
        introduction_form=introduction_form,
    )
    return render_template("committee/digest.html", **context), status


@bp.route("/digest")
@allow("committee", "manager")
def digest():
    text = request.args.get("month")
    month = _month(text) if text else next_digest(db.session)[0]
    return _page(month)


@bp.route("/digest/schedule", methods=["POST"])
@allow("committee")
def digest_schedule():
    form = DigestScheduleForm()
    month = next_digest(db.session)[0]
    if not form.validate_on_submit():
        return _page(month, schedule_form=form, status=422)
    try:
        save_schedule(
            db.session, form.day.data, form.send_at.data, form.channels.data, form.enabled.data, current_user.id
        )
    except DigestError as exc:
        db.session.rollback()
        form.send_at.errors = [*form.send_at.errors, str(exc)]
        return _page(month, schedule_form=form, status=422)
    db.session.commit()
    flash(_("已保存发送时间"), "success")
    return redirect(url_for("committee.digest"))


@bp.route("/digest/<month>/introduction", methods=["POST"])
@allow("committee")
def digest_introduction(month: str):
    parsed = _month(month)
    form = DigestIntroductionForm()
    if not form.validate_on_submit():
        return _page(parsed, introduction_form=form, status=422)
    try:
        save_introduction(db.session, parsed, form.introduction.data, current_user.id)
    except DigestError as exc:
        db.session.rollback()
        form.introduction.errors = [*form.introduction.errors, str(exc)]
        return _page(parsed, introduction_form=form, status=422)
    db.session.commit()
    flash(_("已保存引言"), "success")
    return redirect(url_for("committee.digest", month=str(parsed)))
