"""Manager pages for themes: start a run, watch its progress, review and curate the themes."""

from collections.abc import Callable
from typing import TypeVar, cast

from flask import Blueprint, abort, flash, get_flashed_messages, jsonify, redirect, render_template, request, url_for
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
from app.jobs import ACTIVE, check_all, enqueue, stage_label, state_label
from app.models import ROLE_LABELS, Campaign, Theme, ThemeRun
from app.themes import edits
from app.themes.edits import SPLIT_MIN_COMMENTS, ThemeEditError
from app.themes.emerging import emerging_themes
from app.themes.released import negative_cues, released_themes, shown_members
from app.themes.replay import unapplied_edits
from app.themes.runs import ThemeRunError, create_run

bp = Blueprint("themes", __name__)
MANAGER = ("manager",)
MEMBERS_SHOWN = 30
EditedT = TypeVar("EditedT", Theme, list[Theme])  # what an edit returns: the theme, or the parts of a split


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
    notices_by_theme, elsewhere = theme_notices({item.theme.id for item in released.themes})
    members = {item.theme.id: shown_members(db.session, item, MEMBERS_SHOWN) for item in released.themes}
    return render_template(
        "themes/run.html",
        notices_by_theme=notices_by_theme,
        elsewhere=elsewhere,
        run=theme_run,
        released=released,
        members=members,
        cues={item.theme.id: negative_cues(db.session, item, members[item.theme.id]) for item in released.themes},
        form=FlaskForm(),
        role_labels=ROLE_LABELS,
        targets=[item for item in released.themes if not item.theme.is_other],
        split_min=SPLIT_MIN_COMMENTS,
        merged=edits.merged_sources(db.session, theme_run),
        unapplied=unapplied_edits(db.session, theme_run),
        emerging={found.item.theme.id: found for found in emerging_themes(db.session, theme_run)},
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
        status_label=state_label(theme_run.status),
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


def theme_notices(shown: set[int]) -> tuple[dict[int, list[tuple[str, str]]], list[tuple[str, str]]]:
    """The flashed messages about themes (`kind@theme-ID`) by the theme they go next to; those about a theme
    not on the page (merged away, say) go at its top."""
    by_theme: dict[int, list[tuple[str, str]]] = {}
    elsewhere: list[tuple[str, str]] = []
    # with_categories=True gives (category, message) pairs; Flask's annotation also admits plain messages
    flashed = cast("list[tuple[str, str]]", get_flashed_messages(with_categories=True))
    for category, message in flashed:
        kind, _sep, anchor = category.partition("@theme-")
        if anchor.isdigit() and int(anchor) in shown:
            by_theme.setdefault(int(anchor), []).append((kind, message))
        elif anchor:
            elsewhere.append((kind, message))
    return by_theme, elsewhere


def notice_category(kind: str, theme_id: int) -> str:
    """A flash category that the run page shows in the card of the theme it is about (`kind@theme-ID`)."""
    return f"{kind}@theme-{theme_id}"


def _at_theme(theme: Theme, message: str, kind: str, theme_id: int | None = None):
    """Say `message` next to the theme (or `theme_id`) and go back to it on the run's page."""
    shown = theme_id or theme.id
    flash(message, notice_category(kind, shown))
    return redirect(url_for("themes.run", run_id=theme.run_id) + f"#theme-{shown}")


def _after_edit(theme: Theme, edit: Callable[[], EditedT], done: str | Callable[[EditedT], str] | None = None):
    """Make the edit and commit it (saying `done`), or roll back and say why; back to the run, at the theme
    the edit left the comments in, with the message in that theme's card."""
    try:
        result = edit()
    except ThemeEditError as exc:
        db.session.rollback()
        return _at_theme(theme, str(exc), "error")
    db.session.commit()
    shown = result[0] if isinstance(result, list) else result
    if done is None:
        return redirect(url_for("themes.run", run_id=theme.run_id) + f"#theme-{shown.id}")
    return _at_theme(theme, done(result) if callable(done) else done, "success", shown.id)


@bp.route("/themes/<int:theme_id>/rename", methods=["POST"])
@allow(*MANAGER)
def rename(theme_id: int):
    theme = _theme_for_edit(theme_id)
    form = RenameForm()
    if not form.validate():
        return _at_theme(theme, "；".join(str(error) for error in form.label.errors), "error")
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
    """Asks first (the page names both themes and their sizes); merges when the confirmation is posted."""
    theme = _theme_for_edit(theme_id)
    into = request.form.get("into", type=int)
    if request.form.get("confirm") != "1":
        try:
            source, target = _released_pair(theme, edits.merge_target(db.session, theme, into))
        except ThemeEditError as exc:
            return _at_theme(theme, str(exc), "error")
        return render_template("themes/merge_confirm.html", source=source, target=target, form=FlaskForm())
    return _after_edit(theme, lambda: edits.merge(db.session, theme, into, current_user.id), _("已合并主题"))


def _released_pair(theme: Theme, target: Theme):
    """Both themes as the run page shows them (label and size only of released themes), or ThemeEditError."""
    shown = {item.theme.id: item for item in released_themes(db.session, theme.run).themes}
    if theme.id not in shown or target.id not in shown:
        raise ThemeEditError(_("请选择同一次分析中的另一个主题"))
    return shown[theme.id], shown[target.id]


@bp.route("/themes/<int:theme_id>/unmerge", methods=["POST"])
@allow(*MANAGER)
def unmerge(theme_id: int):
    theme = _theme_for_edit(theme_id)
    return _after_edit(theme, lambda: edits.undo_merge(db.session, theme, current_user.id), _("已撤销合并"))


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
