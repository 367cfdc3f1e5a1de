"""Login and logout for staff; employees never log in."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import func, select

from app.access import PUBLIC, allow, is_safe_next
from app.auth.forms import LoginForm
from app.extensions import db, limiter, login_manager
from app.models import StaffUser
from app.navigation import home_for

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(user_id: str):
    return db.session.get(StaffUser, int(user_id)) if user_id.isdigit() else None


@bp.route("/login", methods=["GET", "POST"])
@allow(PUBLIC)
@limiter.limit("10 per minute", methods=["POST"])
def login():
    next_url = request.args.get("next")
    if current_user.is_authenticated:
        return redirect(next_url if is_safe_next(next_url) else home_for(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        user = db.session.execute(select(StaffUser).where(func.lower(StaffUser.email) == email)).scalar_one_or_none()
        if user is not None and user.active and user.check_password(form.password.data):
            login_user(user, remember=form.remember.data)
            return redirect(next_url if is_safe_next(next_url) else home_for(user))
        form.password.errors.append(_("邮箱或密码不正确"))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@allow("admin", "manager", "committee")
def logout():
    logout_user()
    flash(_("你已退出登录。"), "info")
    return redirect(url_for("auth.login"))
