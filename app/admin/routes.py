"""Admin pages: the people directory (list, import) and staff accounts with API tokens."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.access import allow
from app.admin.forms import STAFF_ROLE_LABELS, ConfirmForm, MetricsImportForm, PeopleImportForm, StaffUserForm
from app.audit import record
from app.extensions import db
from app.i18n import format_quarter
from app.metrics.importer import parse_metrics_file
from app.metrics.service import known_departments, quarters_imported, replace_quarter
from app.models import ROLE_LABELS, ApiToken, StaffUser
from app.models.types import utcnow
from app.people.directory import apply_import, department_paths, find_people
from app.people.importer import parse_people_file
from app.staff import StaffUserError, create_staff_user

bp = Blueprint("admin", __name__)
PAGE_SIZE = 50


@bp.route("/")
@allow("admin")
def index():
    return redirect(url_for("admin.people"))


@bp.route("/people")
@allow("admin")
def people():
    q = request.args.get("q", "").strip()[:100]
    department = request.args.get("department", "").strip()[:500]
    role = request.args.get("role", "")
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    rows, total = find_people(db.session, q, department, role if role in ROLE_LABELS else None, page, PAGE_SIZE)
    return render_template(
        "admin/people.html",
        people=rows,
        total=total,
        page=page,
        page_size=PAGE_SIZE,
        q=q,
        department=department,
        role=role,
        departments=department_paths(db.session),
        role_labels=ROLE_LABELS,
        **rules_context(),
    )


@bp.route("/people/import", methods=["GET", "POST"])
@allow("admin")
def people_import():
    form = PeopleImportForm()
    errors: list[str] = []
    if form.validate_on_submit():
        upload = form.file.data
        result = parse_people_file(upload.filename or "", upload.read())
        if result.ok:
            summary = apply_import(db.session, result.rows, form.deactivate_missing.data)
            record("people.import", target_type="people", detail=summary.to_dict())
            db.session.commit()
            flash(_("导入成功：") + summary.describe(), "success")
            return redirect(url_for("admin.people"))
        errors = result.errors
    return render_template("admin/people_import.html", form=form, errors=errors)


@bp.route("/metrics", methods=["GET", "POST"])
@allow("admin", "manager")
def metrics_import():
    """A quarter's usage metrics from the system's admin console; the PMO (a manager) may import them too."""
    form = MetricsImportForm()
    errors: list[str] = []
    if form.validate_on_submit():
        quarter = str(form.quarter.data)
        upload = form.file.data
        result = parse_metrics_file(upload.filename or "", upload.read(), quarter, known_departments(db.session))
        if result.ok:
            summary = replace_quarter(db.session, quarter, result)
            record("metrics.import", target_type="usage_metrics", target_id=quarter, detail=summary.to_dict())
            db.session.commit()
            flash(
                _(
                    "导入成功：%(quarter)s，%(d)s 个部门、%(m)s 项指标",
                    quarter=format_quarter(quarter),
                    d=summary.departments,
                    m=summary.metrics,
                ),
                "success",
            )
            return redirect(url_for("admin.metrics_import"))
        errors = result.errors
    return render_template(
        "admin/metrics_import.html", form=form, errors=errors, quarters=quarters_imported(db.session)
    )


@bp.route("/users", methods=["GET", "POST"])
@allow("admin")
def users():
    form = StaffUserForm()
    if form.validate_on_submit():
        try:
            user = create_staff_user(
                db.session, form.email.data, form.role.data, form.password.data, name=form.name.data
            )
        except StaffUserError as exc:
            form.email.errors.append(str(exc))
        else:
            record(
                "staff.create",
                target_type="staff_user",
                target_id=user.id,
                detail={"email": user.email, "role": user.role},
            )
            db.session.commit()
            flash(_("已创建账号 %(email)s", email=user.email), "success")
            return redirect(url_for("admin.users"))
    staff = db.session.execute(select(StaffUser).order_by(StaffUser.email)).scalars().all()
    return render_template(
        "admin/users.html", form=form, staff=staff, confirm=ConfirmForm(), role_labels=STAFF_ROLE_LABELS, new_token=None
    )


@bp.route("/users/<int:user_id>/tokens", methods=["POST"])
@allow("admin")
def issue_token(user_id: int):
    user = db.session.get(StaffUser, user_id) or abort(404)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    token, plain = ApiToken.issue(user, label=_("网页创建"))
    db.session.add(token)
    record("api_token.issue", target_type="staff_user", target_id=user.id)
    db.session.commit()
    staff = db.session.execute(select(StaffUser).order_by(StaffUser.email)).scalars().all()
    return render_template(
        "admin/users.html",
        form=StaffUserForm(formdata=None),
        staff=staff,
        confirm=form,
        role_labels=STAFF_ROLE_LABELS,
        new_token={"user": user, "plain": plain},
    )


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@allow("admin")
def revoke_token(token_id: int):
    token = db.session.get(ApiToken, token_id) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        record("api_token.revoke", target_type="api_token", target_id=token.id)
        db.session.commit()
    flash(_("令牌已吊销。"), "success")
    return redirect(url_for("admin.users"))


@bp.route("/dictionary", methods=["GET", "POST"])
@allow("admin", "manager")
def dictionary():
    """Domain terms for the tokeniser (钉钉, 宜搭…); changing them re-tokenises on the next theme run."""
    from analysis.text.tokenise import dictionary_version
    from app.admin.forms import DictionaryTermForm
    from app.models import DictionaryTerm

    form = DictionaryTermForm()
    if form.validate_on_submit():
        term = form.term.data.strip()
        if db.session.execute(select(DictionaryTerm.id).where(DictionaryTerm.term == term)).first():
            form.term.errors.append(_("词典里已经有“%(term)s”", term=term))
        else:
            db.session.add(DictionaryTerm(term=term, created_by_id=current_user.id))
            record("dictionary.add", "dictionary_term", None, {"term": term})
            db.session.commit()
            flash(_("已添加“%(term)s”", term=term), "success")
            return redirect(url_for("admin.dictionary"))
    terms = db.session.execute(select(DictionaryTerm).order_by(DictionaryTerm.term)).scalars().all()
    return render_template(
        "admin/dictionary.html",
        form=form,
        terms=terms,
        confirm=ConfirmForm(),
        version=dictionary_version([t.term for t in terms]),
    )


@bp.route("/dictionary/<int:term_id>/delete", methods=["POST"])
@allow("admin", "manager")
def dictionary_delete(term_id: int):
    from app.models import DictionaryTerm

    term = db.session.get(DictionaryTerm, term_id) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    record("dictionary.delete", "dictionary_term", term.id, {"term": term.term})
    db.session.delete(term)
    db.session.commit()
    flash(_("已删除"), "success")
    return redirect(url_for("admin.dictionary"))


# The DingTalk sync and its rules live in their own module, on this blueprint (importing it registers them).
from app.admin.sync_routes import rules_context  # noqa: E402
