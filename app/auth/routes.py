"""Login, logout and changing one's password, for staff; employees never log in."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from flask_login.config import COOKIE_NAME

from app.access import PUBLIC, STAFF, allow, is_safe_next
from app.auth.forms import ChangePasswordForm, LoginForm
from app.extensions import db, limiter, login_manager
from app.models import StaffUser
from app.navigation import home_for
from app.staff import MIN_PASSWORD_LENGTH, StaffUserError, authenticate, change_password, log_out_everywhere

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(user_id: str) -> StaffUser | None:
    """A session or remember-me cookie holds "<id>:<session key>"; it is void once the key was replaced."""
    number, _sep, session_key = user_id.partition(":")
    user = db.session.get(StaffUser, int(number)) if number.isdigit() and len(number) < 12 else None
    return user if user is not None and user.holds_session(session_key) else None


@bp.route("/login", methods=["GET", "POST"])
@allow(PUBLIC)
@limiter.limit("10 per minute", methods=["POST"])
def login():
    next_url = request.args.get("next")
    if current_user.is_authenticated:
        return redirect(next_url if is_safe_next(next_url) else home_for(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = authenticate(db.session, form.email.data, form.password.data)
        except StaffUserError as exc:
            form.password.errors.append(str(exc))
        else:
            db.session.commit()
            login_user(user, remember=form.remember.data)
            target = next_url if is_safe_next(next_url) and not user.must_change_password else home_for(user)
            return redirect(target)
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@allow(*STAFF)
def logout():
    log_out_everywhere(current_user._get_current_object())
    db.session.commit()
    logout_user()
    flash(_("你已退出登录。"), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"], endpoint="change_password")
@allow(*STAFF)
def change_password_page():
    """The user's own password change; after an admin's reset, the only page they can reach."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            change_password(user, form.current_password.data, form.new_password.data)
        except StaffUserError as exc:
            form[exc.field if exc.field in form else "new_password"].errors.append(str(exc))
        else:
            db.session.commit()
            login_user(user, remember=current_app.config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME) in request.cookies)
            flash(_("密码已修改，其他设备上的登录已全部退出。"), "success")
            return redirect(home_for(user))
    return render_template(
        "auth/change_password.html", form=form, forced=current_user.must_change_password, min_length=MIN_PASSWORD_LENGTH
    )
