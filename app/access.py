"""Deny-by-default access control: every endpoint declares the roles that may use it.

`@allow("manager", "admin")` or `@allow(PUBLIC)` marks a view; a before-request hook refuses any
endpoint without a declaration, and a test walks `app.url_map` to make sure none is missing.
A staff user whose password an admin reset reaches nothing but the password change (and logout).
"""

from typing import TypeGuard
from urllib.parse import urlsplit

from flask import Flask, abort, jsonify, redirect, request, url_for
from flask_login import current_user

PUBLIC = "public"
STAFF = ("admin", "manager", "committee")
KNOWN_ROLES = {PUBLIC, *STAFF}
# What a user whose password an admin reset may still do until they set a new one.
PASSWORD_CHANGE_ENDPOINTS = {"auth.change_password", "auth.logout", "main.set_language"}


def allow(*roles: str):
    """Declare who may use a view: staff roles, or PUBLIC for everyone including employees."""
    unknown = set(roles) - KNOWN_ROLES
    if unknown or not roles:
        raise ValueError(f"unknown roles {unknown}")

    def decorate(view):
        view.allowed_roles = frozenset(roles)
        return view

    return decorate


def allowed_roles(app: Flask, endpoint: str):
    if endpoint == "static":
        return frozenset({PUBLIC})
    view = app.view_functions.get(endpoint)
    return getattr(view, "allowed_roles", None)


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def _enforce():
    from flask import current_app

    if request.endpoint is None:
        return None
    roles = allowed_roles(current_app, request.endpoint)
    if roles is None:
        current_app.logger.error("endpoint %s declares no roles; denied", request.endpoint)
        abort(403)
    if PUBLIC in roles:
        return None
    if not current_user.is_authenticated:
        if is_api_request():
            return jsonify(error="unauthorized", message="需要登录或 API 令牌"), 401
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if current_user.must_change_password and request.endpoint not in PASSWORD_CHANGE_ENDPOINTS:
        if is_api_request():
            return jsonify(error="password_change_required", message="请先登录网页修改密码"), 403
        return redirect(url_for("auth.change_password"))
    if current_user.role not in roles:
        abort(403)
    return None


def is_safe_next(target: str | None) -> TypeGuard[str]:
    """Only same-site absolute paths: '/x' yes; '//evil', '/\\evil', 'https://evil' no."""
    if not target or not target.startswith("/"):
        return False
    if target.startswith(("//", "/\\")):
        return False
    if any(ch in target for ch in "\\\r\n\t") or any(ord(ch) < 32 for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def init_app(app: Flask) -> None:
    app.before_request(_enforce)


__all__ = ["PUBLIC", "STAFF", "allow", "allowed_roles", "is_safe_next"]
