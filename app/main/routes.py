from flask import Blueprint, current_app, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import text

from app.access import PUBLIC, allow, is_safe_next
from app.extensions import db
from app.navigation import home_for

bp = Blueprint("main", __name__)


@bp.route("/")
@allow(PUBLIC)
def index():
    if current_user.is_authenticated:
        target = home_for(current_user)
        if target != url_for("main.index"):
            return redirect(target)
    return render_template("main/index.html")


@bp.route("/language", methods=["POST"])
@allow(PUBLIC)
def set_language():
    lang = request.form.get("lang", "")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
    target = request.form.get("next", "")
    return redirect(target if is_safe_next(target) else url_for("main.index"))


@bp.route("/healthz")
@allow(PUBLIC)
def healthz():
    checks = {"database": _check_database()}
    if current_app.config.get("REDIS_URL"):
        checks["redis"] = _check_redis(current_app.config["REDIS_URL"])
    healthy = all(value == "ok" for value in checks.values())
    return jsonify(status="ok" if healthy else "error", checks=checks), (200 if healthy else 503)


def _check_database() -> str:
    try:
        db.session.execute(text("SELECT 1"))
        return "ok"
    except Exception as exc:  # any driver error means unhealthy
        current_app.logger.warning("health check: database unreachable: %s", exc)
        return "unreachable"


def _check_redis(url: str) -> str:
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping()
        return "ok"
    except Exception as exc:
        current_app.logger.warning("health check: redis unreachable: %s", exc)
        return "unreachable"
