"""Manager pages: the instruments (built-in and the company's) with their versions, the editor, the preview
at phone width, what changed between two versions, and the YAML download."""

from types import SimpleNamespace

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

import surveys
from app.access import allow
from app.extensions import db
from app.i18n import current_language, current_quarter
from app.instruments import (
    InstrumentNotFound,
    campaigns_by_version,
    form_class_for_definition,
    instrument_for,
    is_builtin,
    version_of,
)
from app.instruments.editor import (
    EditorErrors,
    EditorRefused,
    attach_errors,
    block_cards,
    check_draft,
    condition_hints,
    draft_from_form,
    editable_draft,
    editor_form,
    name_taken,
    overview,
    refused_name,
    save,
    starting_draft,
)
from app.instruments.forms import QUESTION_TYPE_LABELS, EditorForm
from app.security import framable_by_self
from surveys.blocks import BLOCK_NAMES, BLOCK_TITLES
from surveys.editing import apply_action, blocks_in
from surveys.versions import changed_scales, changes

bp = Blueprint("instruments", __name__)
EDITORS = ("manager", "admin")


@bp.route("/")
@allow(*EDITORS)
def index():
    rows = overview(db.session)
    db.session.commit()  # the built-ins' current versions, stored on the way
    return render_template("instruments/index.html", rows=rows)


@bp.route("/new", methods=["GET", "POST"])
@allow(*EDITORS)
def new():
    if request.method == "POST":
        return _post(fixed_name=None)
    try:
        draft = starting_draft(db.session, request.args.get("template"))
    except InstrumentNotFound:
        abort(404)
    return _editor_page(draft, fixed_name=None)


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@allow(*EDITORS)
def edit(slug: str):
    try:
        draft = editable_draft(db.session, slug)
    except InstrumentNotFound:
        abort(404)
    except EditorRefused:
        flash(_("内置问卷不能修改：请以它为模板新建一份。"), "error")
        return redirect(url_for("instruments.index"))
    if request.method == "POST":
        return _post(fixed_name=slug)
    return _editor_page(draft, fixed_name=slug)


def _post(fixed_name: str | None):
    """Every button posts the whole draft: `save` validates and stores it, any other changes the draft."""
    form = EditorForm()
    if not form.validate_on_submit():
        abort(400)
    draft = draft_from_form(form, fixed_name)
    action = request.form.get("action", "")
    if action != "save":
        return _editor_page(apply_action(draft, action), fixed_name)
    definition, errors = check_draft(draft, current_language())
    errors = errors or (name_taken(db.session, draft) if fixed_name is None else None) or EditorErrors()
    if definition is not None and not errors:  # check_draft gives no instrument only with its problems
        try:
            number, created = save(db.session, definition)
        except surveys.InstrumentError as exc:
            db.session.rollback()
            errors = refused_name(exc, current_language())
        else:
            db.session.commit()
            flash(
                _("已保存为第 %(n)s 版。", n=number) if created else _("已保存（第 %(n)s 版）。", n=number), "success"
            )
            return redirect(url_for("instruments.detail", slug=definition.name))
    return _editor_page(draft, fixed_name, errors), 422


def _editor_page(draft: dict, fixed_name: str | None, errors: EditorErrors | None = None) -> str:
    form = editor_form(draft)
    attach_errors(form, errors or EditorErrors())
    return render_template(
        "instruments/edit.html",
        form=form,
        draft=draft,
        fixed_name=fixed_name,
        errors=errors or EditorErrors(),
        cards=block_cards(draft),
        hints=condition_hints(draft),
        types=QUESTION_TYPE_LABELS,
        blocks=[(name, BLOCK_TITLES[name]) for name in BLOCK_NAMES if name not in blocks_in(draft)],
    )


@bp.route("/preview", methods=["GET", "POST"])
@allow(*EDITORS)
def preview():
    """The posted draft as an employee sees it, for the editor's phone-width frame."""
    if request.method == "GET":
        return framable_by_self(render_template("instruments/preview_empty.html", preview=True))
    form = EditorForm()
    if not form.validate_on_submit():
        abort(400)
    draft = draft_from_form(form, "preview")
    definition, errors = check_draft(draft, current_language())
    if errors:
        problems = render_template("instruments/preview_problems.html", errors=errors, preview=True)
        return framable_by_self(problems), 422
    return framable_by_self(_survey_page(definition))


@bp.route("/<slug>/versions/<int:number>/preview")
@allow(*EDITORS)
def version_preview(slug: str, number: int):
    definition = instrument_for(_version(slug, number))
    return framable_by_self(_survey_page(definition))


def _survey_page(definition) -> str:
    """The employee's survey page for `definition`, its submit button off (a preview stores nothing)."""
    language = current_language()
    form_class = form_class_for_definition(definition, language)
    campaign = SimpleNamespace(
        title=definition.title.get(language) or definition.title["zh"], quarter=str(current_quarter()), mode="anonymous"
    )
    return render_template(
        "respond/form.html", form=form_class(formdata=None), campaign=campaign, instrument=definition, preview=True
    )


def _version(slug: str, number: int | None = None):
    try:
        version = version_of(db.session, slug, number)
    except InstrumentNotFound:
        abort(404)
    db.session.commit()  # the built-ins' current versions, stored on the way
    return version


@bp.route("/<slug>")
@allow(*EDITORS)
def detail(slug: str):
    latest = _version(slug)
    return render_template(
        "instruments/detail.html",
        instrument=latest.instrument,
        latest=latest,
        builtin=is_builtin(slug),
        using=campaigns_by_version(db.session),
    )


@bp.route("/<slug>/changes")
@allow(*EDITORS)
def compare(slug: str):
    """What changed from version `from` to version `to`, and which scales' trends it marks."""
    old = _version(slug, request.args.get("from", type=int) or 1)
    new_version = _version(slug, request.args.get("to", type=int))
    before, after = instrument_for(old), instrument_for(new_version)
    return render_template(
        "instruments/changes.html",
        instrument=new_version.instrument,
        old=old,
        new=new_version,
        changes=changes(before, after),
        changed_scales=changed_scales(before, after),
        after=after,
    )


@bp.route("/<slug>/export.yaml")
@allow(*EDITORS)
def export(slug: str):
    version = _version(slug, request.args.get("version", type=int))
    return Response(
        surveys.to_yaml(instrument_for(version)),
        mimetype="application/x-yaml; charset=utf-8",
        headers={"Content-Disposition": f"attachment; filename={slug}-v{version.version}.yaml"},
    )
