"""Committee pages: suggestions by status, decisions, publishing; managers propose from themes."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from app.access import allow
from app.committee.effect import waiting_for_effect
from app.committee.forms import SuggestionForm, TransitionForm, module_select
from app.committee.notify import deliveries_for
from app.committee.service import (
    SuggestionError,
    create_suggestion,
    module_choices,
    module_labels,
    origin,
    promote_theme,
    publish,
    theme_draft,
)
from app.committee.workflow import STATUS_LABELS, TRANSITIONS, Decision, TransitionError, decide
from app.extensions import db
from app.i18n import USER_DATA, current_language
from app.models import StaffUser, Suggestion, Theme
from app.themes.released import theme_as_shown

bp = Blueprint("committee", __name__)


@bp.route("/")
@allow("committee", "manager")
def index():
    status = request.args.get("status", "")
    query = select(Suggestion).order_by(Suggestion.updated_at.desc())
    if status in STATUS_LABELS:
        query = query.where(Suggestion.status == status)
    suggestions = db.session.execute(query).scalars().all()
    return render_template(
        "committee/index.html",
        suggestions=suggestions,
        status=status,
        labels=STATUS_LABELS,
        modules=module_labels(db.session, current_language()),
        waiting=waiting_for_effect(db.session),
    )


def _suggestion_form() -> SuggestionForm:
    form = SuggestionForm()
    form.module.choices = module_select(module_choices(db.session, current_language()))
    return form


@bp.route("/new", methods=["GET", "POST"])
@allow("committee", "manager")
def new():
    form = _suggestion_form()
    if form.validate_on_submit():
        try:
            suggestion = create_suggestion(
                db.session,
                form.title.data,
                form.description.data,
                form.module.data or None,
                current_user.id,
                proposer_role=current_user.role,
            )
        except SuggestionError as exc:
            form.title.errors.append(str(exc))
        else:
            db.session.commit()
            return redirect(url_for("committee.detail", suggestion_id=suggestion.id))
    return render_template("committee/new.html", form=form, theme=None)


@bp.route("/from-theme/<int:theme_id>", methods=["GET", "POST"])
@allow("manager", "committee")
def from_theme(theme_id: int):
    theme = db.session.get(Theme, theme_id) or abort(404)
    shown = theme_as_shown(db.session, theme)
    form = _suggestion_form()
    if request.method == "GET":
        draft = theme_draft(shown)
        form.title.data, form.description.data = draft["title"], draft["description"]
    if form.validate_on_submit():
        try:
            suggestion, created = promote_theme(
                db.session, theme, form.title.data, form.description.data, form.module.data or None, current_user.id
            )
        except SuggestionError as exc:
            form.title.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("已创建改进建议") if created else _("该主题已在往季出现，已并入原有建议"), "success")
            return redirect(url_for("committee.detail", suggestion_id=suggestion.id))
    return render_template("committee/new.html", form=form, theme=shown)


def _transition_form(suggestion):
    form = TransitionForm()
    form.to.choices = [SelectChoice(s, STATUS_LABELS[s]) for s in sorted(TRANSITIONS[suggestion.status])]
    members = db.session.execute(
        select(StaffUser).where(StaffUser.role == "committee", StaffUser.active.is_(True)).order_by(StaffUser.name)
    ).scalars()
    form.owner.choices = [SelectChoice("", "—")] + [SelectChoice(str(u.id), u.name, USER_DATA) for u in members]
    return form


@bp.route("/<int:suggestion_id>", methods=["GET", "POST"])
@allow("committee", "manager")
def detail(suggestion_id: int):
    suggestion = db.session.get(Suggestion, suggestion_id) or abort(404)
    form = _transition_form(suggestion)
    if request.method == "POST" and current_user.role != "committee":
        abort(403)
    if form.validate_on_submit():
        try:
            decide(db.session, suggestion, _decision(form), current_user.id)
        except TransitionError as exc:
            flash(str(exc), "error")
            return _render_detail(suggestion, form), 422
        flash(_("状态已更新为“%(s)s”", s=STATUS_LABELS[suggestion.status]), "success")
        return redirect(url_for("committee.detail", suggestion_id=suggestion.id))
    return _render_detail(suggestion, form)


def _decision(form: TransitionForm) -> Decision:
    """The page names the owner by id and the suggestion merged into by its number."""
    merged_into, owner = (form.merged_into.data or "").strip(), form.owner.data or ""
    return Decision(
        form.to.data,
        form.note.data,
        owner_id=int(owner) if owner.isascii() and owner.isdigit() else None,
        target_quarter=(form.target_quarter.data or "").upper() or None,
        merged_into_id=int(merged_into) if merged_into.isascii() and merged_into.isdigit() else None,
    )


def _render_detail(suggestion, form):
    return render_template(
        "committee/detail.html",
        suggestion=suggestion,
        form=form,
        labels=STATUS_LABELS,
        origin=origin(db.session, suggestion, _k()),
        publish_form=FlaskForm(),
        modules=module_labels(db.session, current_language()),
        deliveries=deliveries_for(db.session, suggestion.id),
    )


@bp.route("/<int:suggestion_id>/publish", methods=["POST"])
@allow("committee")
def publish_(suggestion_id: int):
    suggestion = db.session.get(Suggestion, suggestion_id) or abort(404)
    if not FlaskForm().validate_on_submit():
        abort(400)
    publish(db.session, suggestion, current_user.id)
    db.session.commit()
    flash(_("已在公示栏公开"), "success")
    return redirect(url_for("committee.detail", suggestion_id=suggestion.id))


def _k() -> int:
    from flask import current_app

    return current_app.config["ANONYMITY_MIN_GROUP"]


from app.committee import digest_routes  # noqa: E402,F401  (its routes are on this blueprint)
