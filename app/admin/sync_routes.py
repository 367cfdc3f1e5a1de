"""Admin: the people directory from DingTalk (preview, then sync) and the rules the sync applies."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.access import allow
from app.admin.forms import ConfirmForm, DepartmentWaveForm, DirectorySyncForm, RoleRuleForm
from app.admin.routes import bp
from app.audit import record
from app.extensions import db
from app.models import ROLE_LABELS, DepartmentWave, RoleRule
from app.people.sync import SyncFailed, sync_from_dingtalk


def rules_context() -> dict:
    """The sync's role rules and department waves, with their forms, for the people page."""
    rule_form = RoleRuleForm(formdata=None)
    rule_form.role.choices = list(ROLE_LABELS.items())
    return {
        "role_rules": db.session.execute(select(RoleRule).order_by(RoleRule.position, RoleRule.id)).scalars().all(),
        "department_waves": db.session.execute(select(DepartmentWave).order_by(DepartmentWave.department_path))
        .scalars()
        .all(),
        "rule_form": rule_form,
        "wave_form": DepartmentWaveForm(formdata=None),
        "confirm": ConfirmForm(formdata=None),
    }


@bp.route("/people/sync", methods=["GET", "POST"])
@allow("admin")
def people_sync():
    """Preview shows who would be added, changed and deactivated; sync applies the same, all or nothing."""
    form = DirectorySyncForm()
    result = None
    if form.validate_on_submit():
        dry_run = not form.apply.data
        try:
            result = sync_from_dingtalk(db.session, current_app.config, dry_run, form.deactivate_missing.data)
        except SyncFailed as exc:
            flash(str(exc), "error")
        else:
            if result.ok and result.summary is not None and not dry_run:  # a sync without errors has a summary
                record("people.sync", target_type="people", detail={"source": "dingtalk", **result.summary.to_dict()})
                db.session.commit()
                flash(_("同步成功：") + result.summary.describe(), "success")
                return redirect(url_for("admin.people"))
    return render_template("admin/people_sync.html", form=form, result=result)


@bp.route("/people/rules", methods=["POST"])
@allow("admin")
def add_role_rule():
    form = RoleRuleForm()
    form.role.choices = list(ROLE_LABELS.items())
    if form.validate_on_submit():
        position = (db.session.execute(select(func.max(RoleRule.position))).scalar() or 0) + 1
        rule = RoleRule(
            position=position, field=form.match_on.data, keyword=form.keyword.data.strip(), role=form.role.data
        )
        db.session.add(rule)
        record("people.role_rule.add", "role_rule", None, {"keyword": rule.keyword, "role": rule.role})
        db.session.commit()
        flash(_("已添加规则"), "success")
    else:
        flash("；".join(str(m) for f in form for m in f.errors) or _("页面已过期，请刷新后重试。"), "error")
    return redirect(url_for("admin.people") + "#rules")


@bp.route("/people/waves", methods=["POST"])
@allow("admin")
def add_department_wave():
    form = DepartmentWaveForm()
    if form.validate_on_submit():
        path = "/".join(part.strip() for part in form.department_path.data.strip().strip("/").split("/"))
        existing = db.session.execute(select(DepartmentWave).where(DepartmentWave.department_path == path)).scalar()
        entry = existing or DepartmentWave(department_path=path)
        entry.wave = form.wave.data.strip()
        db.session.add(entry)
        record("people.department_wave.set", "department_wave", None, {"department": path, "wave": entry.wave})
        db.session.commit()
        flash(_("已保存批次"), "success")
    else:
        flash("；".join(str(m) for f in form for m in f.errors) or _("页面已过期，请刷新后重试。"), "error")
    return redirect(url_for("admin.people") + "#rules")


@bp.route("/people/rules/<int:rule_id>/delete", methods=["POST"])
@allow("admin")
def delete_role_rule(rule_id: int):
    return _delete(RoleRule, rule_id, "people.role_rule.delete")


@bp.route("/people/waves/<int:wave_id>/delete", methods=["POST"])
@allow("admin")
def delete_department_wave(wave_id: int):
    return _delete(DepartmentWave, wave_id, "people.department_wave.delete")


def _delete(model, row_id: int, action: str):
    row = db.session.get(model, row_id) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    record(action, model.__tablename__, row.id)
    db.session.delete(row)
    db.session.commit()
    flash(_("已删除"), "success")
    return redirect(url_for("admin.people") + "#rules")
