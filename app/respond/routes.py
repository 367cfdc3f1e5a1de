"""The employee's path: /s/<token> → token-free /respond → /respond/thanks with a receipt code."""

from dataclasses import asdict
from functools import partial

from flask import Blueprint, current_app, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import ValidationError, validate_csrf

from app.access import PUBLIC, allow
from app.extensions import csrf, db, limiter
from app.i18n import current_language
from app.instruments import answers_from_form, form_class_for, instrument_for
from app.models import Campaign
from app.respond.service import (
    LinkUnavailable,
    Respondent,
    check_still_usable,
    respondent_for_open_link,
    respondent_for_token,
    submit_response,
)

bp = Blueprint("respond", __name__)
SESSION_KEY = "respondent"
RECEIPT_KEY = "receipt"
CSRF_EXPIRED = "The CSRF token has expired."


def unavailable(reason: str):
    """One status code for every unusable link; unknown and used links share one message."""
    session.pop(SESSION_KEY, None)
    return render_template("respond/unavailable.html", reason=reason), 404


@bp.route("/s/<token>")
@allow(PUBLIC)
@limiter.limit("20 per minute", deduct_when=lambda response: g.get("unknown_link", False))
def invitation_link(token: str):
    """Only tokens that match no invitation count against the limit: a whole office behind one NAT
    address may open its links at once, and re-open used ones after a reminder, while guessing tokens
    from one address stops after a few tries."""
    return _start(partial(respondent_for_token, secret_key=current_app.config["SECRET_KEY"]), token)


@bp.route("/o/<token>")
@allow(PUBLIC)
@limiter.limit("60 per hour")  # a kiosk or QR poster: every submission needs a fresh visit here
def open_link(token: str):
    return _start(respondent_for_open_link, token)


def _start(resolve, token: str):
    """Keep the respondent in the signed session and continue on a URL without the token."""
    try:
        respondent = resolve(db.session, token)
    except LinkUnavailable as exc:
        g.unknown_link = exc.unknown
        return unavailable(exc.reason)
    session[SESSION_KEY] = asdict(respondent)
    return redirect(url_for("respond.form"), 303)


def _current_respondent() -> Respondent | None:
    data = session.get(SESSION_KEY)
    if not isinstance(data, dict):
        return None
    try:
        return Respondent(**data)
    except TypeError:
        return None


@bp.route("/respond", methods=["GET", "POST"])
@allow(PUBLIC)
@csrf.exempt  # checked below, so that an expired token keeps the answers instead of a bare 400
def form():
    try:
        respondent, campaign = _respondent_and_campaign()
    except LinkUnavailable as exc:
        return unavailable(exc.reason)
    form_class = form_class_for(campaign.instrument_version, current_language())
    if request.method == "GET":
        return _form_page(campaign, form_class())
    answer_form = form_class(request.form)
    csrf_problem = _csrf_problem()
    if csrf_problem == "invalid":
        return render_template("errors/error.html", code=400, message=_("请求来源无法验证，问卷未提交。")), 400
    if csrf_problem == "expired":
        notice = _("页面停留时间过长，安全校验已过期。你的回答都还在，请检查后再次提交。")
        return _form_page(campaign, answer_form, notice), 400
    if not answer_form.validate():
        return _form_page(campaign, answer_form), 422
    answers = answers_from_form(instrument_for(campaign.instrument_version), answer_form)
    timezone = current_app.config["BABEL_DEFAULT_TIMEZONE"]
    try:
        receipt = submit_response(db.session, respondent, answers, timezone=timezone)
    except LinkUnavailable as exc:
        return unavailable(exc.reason)
    session.pop(SESSION_KEY, None)
    session[RECEIPT_KEY] = receipt
    return redirect(url_for("respond.thanks"), 303)


def _respondent_and_campaign() -> tuple[Respondent, Campaign]:
    """The respondent kept in the session and their campaign, still usable; LinkUnavailable otherwise."""
    respondent = _current_respondent()
    if respondent is None:
        raise LinkUnavailable("invalid")
    return respondent, check_still_usable(db.session, respondent)


def _csrf_problem() -> str | None:
    """None for a valid token; 'expired' for one that timed out (the answers are kept), else 'invalid'."""
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError as exc:
        return "expired" if str(exc) == CSRF_EXPIRED else "invalid"
    return None


def _form_page(campaign: Campaign, answer_form, notice: str | None = None) -> str:
    instrument = instrument_for(campaign.instrument_version)
    return render_template(
        "respond/form.html", form=answer_form, campaign=campaign, instrument=instrument, notice=notice
    )


@bp.route("/respond/thanks")
@allow(PUBLIC)
def thanks():
    receipt = session.pop(RECEIPT_KEY, None)
    return render_template("respond/thanks.html", receipt=receipt)
