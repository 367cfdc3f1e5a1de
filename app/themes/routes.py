"""Manager pages for themes: start a run, watch its progress, review and curate the themes."""

from collections.abc import Callable

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from app.access import allow
from app.audit import record
from app.extensions import db
from app.jobs import ACTIVE, check_all, enqueue, stage_label
from app.models import ROLE_LABELS, Campaign, Theme, ThemeRun
from app.themes import edits
from app.themes.edits import SPLIT_MIN_COMMENTS, ThemeEditError
from app.themes.released import released_themes, shown_members
from app.themes.runs import ThemeRunError, create_run

bp = Blueprint("themes", __name__)
MANAGER = ("manager",)
MEMBERS_SHOWN = 30
Edited = Theme | list[Theme]


class RenameForm(FlaskForm):
    label = StringField(validators=[DataRequired(message=_l("请填写主题名称")), Length(max=200)])


@bp.route("/")
@allow(*MANAGER)
def index():
    runs = db.session.execute(select(ThemeRun).order_by(ThemeRun.id.desc()).limit(50)).scalars().all()
    campaigns = (
        db.session.execute(select(Campaign).order_by(Campaign.quarter.desc(), Campaign.id.desc())).scalars().all()
    )
    titles = {c.id: c.title for c in campaigns}
    return render_template("themes/index.html", runs=runs, campaigns=campaigns, titles=titles, form=FlaskForm())


@bp.route("/runs", methods=["POST"])
@allow(*MANAGER)
def start():
    if not FlaskForm().validate_on_submit():
        abort(400)
    ids = [int(value) for value in request.form.getlist("campaign") if value.isdigit()]
    try:
        run = create_run(db.session, ids, current_user.id)
    except ThemeRunError as exc:
        flash(str(exc), "error")
        return redirect(url_for("themes.index"))
    record("theme_run.start", "theme_run", run.id, {"campaigns": ids})
    db.session.commit()
    enqueue("theme_run", run.id, target=("theme_run", run.id), user_id=current_user.id)
    return redirect(url_for("themes.run", run_id=run.id))


@bp.route("/runs/<int:run_id>")
@allow(*MANAGER)
def run(run_id: int):
    theme_run = db.session.get(ThemeRun, run_id) or abort(404)
    if theme_run.status in ACTIVE:
        check_all(db.session, "theme_run", run_id)
        db.session.refresh(theme_run)
    released = released_themes(db.session, theme_run)
    return render_template(
        "themes/run.html",
        run=theme_run,
        released=released,
        members={item.theme.id: shown_members(db.session, item, MEMBERS_SHOWN) for item in released.themes},
        form=FlaskForm(),
        role_labels=ROLE_LABELS,
        targets=[item for item in released.themes if not item.theme.is_other],
        split_min=SPLIT_MIN_COMMENTS,
    )


@bp.route("/runs/<int:run_id>/status.json")
@allow(*MANAGER)
def status(run_id: int):
    theme_run = db.session.get(ThemeRun, run_id) or abort(404)
    if theme_run.status in ACTIVE:
        check_all(db.session, "theme_run", run_id)
        db.session.refresh(theme_run)
    return jsonify(
        status=theme_run.status,
        stage=theme_run.stage,
        stage_label=stage_label(theme_run.stage),
        progress=theme_run.progress,
        error=theme_run.error,
    )


def _theme_for_edit(theme_id: int) -> Theme:
    theme = db.session.get(Theme, theme_id) or abort(404)
    if not FlaskForm().validate_on_submit():
        abort(400)
    return theme


def _after_edit(theme: Theme, edit: Callable[[], Edited], done: str | Callable[[Edited], str] | None = None):
    """Make the edit and commit it (saying `done`), or roll back and say why; back to the run, at the theme
    the edit left the comments in."""
    try:
        result = edit()
    except ThemeEditError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("themes.run", run_id=theme.run_id) + f"#theme-{theme.id}")
    db.session.commit()
    if done is not None:
        flash(done(result) if callable(done) else done, "success")
    shown = result[0] if isinstance(result, list) else result
    return redirect(url_for("themes.run", run_id=theme.run_id) + f"#theme-{shown.id}")


@bp.route("/themes/<int:theme_id>/rename", methods=["POST"])
@allow(*MANAGER)
def rename(theme_id: int):
    theme = _theme_for_edit(theme_id)
    form = RenameForm()
    if not form.validate():
        flash("；".join(form.label.errors), "error")
        return redirect(url_for("themes.run", run_id=theme.run_id) + f"#theme-{theme.id}")
    return _after_edit(
        theme, lambda: edits.rename(db.session, theme, form.label.data, current_user.id), _("已重命名主题")
    )


@bp.route("/themes/<int:theme_id>/noise", methods=["POST"])
@allow(*MANAGER)
def noise(theme_id: int):
    theme = _theme_for_edit(theme_id)
    return _after_edit(theme, lambda: edits.toggle_noise(db.session, theme, current_user.id))


@bp.route("/themes/<int:theme_id>/merge", methods=["POST"])
@allow(*MANAGER)
def merge(theme_id: int):
    theme = _theme_for_edit(theme_id)
    into = request.form.get("into", type=int)
    return _after_edit(theme, lambda: edits.merge(db.session, theme, into, current_user.id), _("已合并主题"))


@bp.route("/themes/<int:theme_id>/split", methods=["POST"])
@allow(*MANAGER)
def split(theme_id: int):
    theme = _theme_for_edit(theme_id)
    return _after_edit(
        theme,
        lambda: edits.split(db.session, theme, current_user.id),
        lambda parts: _("已拆分为 %(n)s 个主题", n=len(parts)),
    )


@bp.route("/themes/<int:theme_id>/members/<answer_id>/move", methods=["POST"])
@allow(*MANAGER)
def move(theme_id: int, answer_id: str):
    theme = _theme_for_edit(theme_id)
    to = request.form.get("to", type=int)
    return _after_edit(theme, lambda: edits.move(db.session, theme, answer_id, to, current_user.id), _("已移动评论"))
