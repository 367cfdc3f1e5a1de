"""Admin pages: the people directory (list, import) and staff accounts (create, disable, roles, password
resets, API tokens); the account rules are `app.staff`'s, each writing its audit row."""

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.access import allow
from app.admin.forms import (
    ConfirmForm,
    MetricsImportForm,
    PeopleImportForm,
    RoleForm,
    StaffUserForm,
)
from app.audit import record
from app.extensions import db
from app.i18n import format_quarter
from app.metrics.importer import parse_metrics_file
from app.metrics.service import known_departments, quarters_imported, replace_quarter
from app.models import ROLE_LABELS, STAFF_ROLE_LABELS, ApiToken, StaffUser
from app.models.types import utcnow
from app.people.directory import apply_import, department_paths, find_people
from app.people.importer import parse_people_file, role_names
from app.staff import (
    StaffUserError,
    change_role,
    create_staff_user,
    reset_password,
    revoke_tokens,
    set_active,
)

bp: Blueprint = Blueprint("admin", __name__)
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
    return render_template("admin/people_import.html", form=form, errors=errors, role_names=role_names())


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
            form[exc.field if exc.field in form else "email"].errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("已创建账号 %(email)s", email=user.email), "success")
            return redirect(url_for("admin.users"))
    return _users_page(form)


def _users_page(form=None, **shown_once):
    """The accounts list; `shown_once` carries a new API token or temporary password, never stored in plain."""
    staff = db.session.execute(select(StaffUser).order_by(StaffUser.email)).scalars().all()
    page = render_template(
        "admin/users.html",
        form=form or StaffUserForm(formdata=None),
        staff=staff,
        confirm=ConfirmForm(),
        role_labels=STAFF_ROLE_LABELS,
        new_token=shown_once.get("new_token"),
        new_password=shown_once.get("new_password"),
    )
    response = make_response(page)
    if shown_once:
        response.headers["Cache-Control"] = "no-store"
    return response


def _staff_user_for_post(user_id: int, form_class=ConfirmForm):
    """The account an admin acts on, after the form's CSRF check (a form without it is a 400)."""
    user = db.session.get(StaffUser, user_id) or abort(404)
    form = form_class()
    if not form.validate_on_submit():
        abort(400)
    return user, form


def _refused(exc: StaffUserError):
    """A broken account rule: nothing is written, the reason is shown on the list."""
    db.session.rollback()
    flash(str(exc), "error")
    return redirect(url_for("admin.users"))


def _done(message: str):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>/disable", methods=["POST"])
@allow("admin")
def disable_user(user_id: int):
    user, _form = _staff_user_for_post(user_id)
    try:
        set_active(db.session, current_user._get_current_object(), user, False)
    except StaffUserError as exc:
        return _refused(exc)
    return _done(_("已停用 %(email)s：其所有登录和 API 令牌已失效", email=user.email))


@bp.route("/users/<int:user_id>/enable", methods=["POST"])
@allow("admin")
def enable_user(user_id: int):
    user, _form = _staff_user_for_post(user_id)
    set_active(db.session, current_user._get_current_object(), user, True)
    return _done(_("已启用 %(email)s", email=user.email))


@bp.route("/users/<int:user_id>/role", methods=["POST"])
@allow("admin")
def change_user_role(user_id: int):
    user, form = _staff_user_for_post(user_id, RoleForm)
    try:
        change_role(db.session, current_user._get_current_object(), user, form.role.data)
    except StaffUserError as exc:
        return _refused(exc)
    role = STAFF_ROLE_LABELS[form.role.data]
    return _done(_("%(email)s 的角色已改为“%(role)s”，其所有登录已结束", email=user.email, role=role))


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@allow("admin")
def reset_user_password(user_id: int):
    user, _form = _staff_user_for_post(user_id)
    temporary = reset_password(user)
    db.session.commit()
    return _users_page(new_password={"user": user, "plain": temporary})


@bp.route("/users/<int:user_id>/tokens", methods=["POST"])
@allow("admin")
def issue_token(user_id: int):
    user, _form = _staff_user_for_post(user_id)
    token, plain = ApiToken.issue(user, label=_("网页创建"))
    db.session.add(token)
    record("api_token.issue", target_type="staff_user", target_id=user.id)
    db.session.commit()
    return _users_page(new_token={"user": user, "plain": plain})


@bp.route("/users/<int:user_id>/tokens/revoke", methods=["POST"])
@allow("admin")
def revoke_user_tokens(user_id: int):
    user, _form = _staff_user_for_post(user_id)
    revoked = revoke_tokens(db.session, user)
    return _done(_("已吊销 %(email)s 的 %(n)s 个 API 令牌", email=user.email, n=revoked))


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
