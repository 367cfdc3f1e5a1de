from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    send_from_directory,
    session,
    url_for,
)
from flask_login import current_user
from sqlalchemy import text

from app.access import PUBLIC, allow, is_safe_next
from app.admin.forms import STAFF_ROLE_LABELS
from app.committee.workflow import STATUS_LABELS
from app.extensions import db
from app.main.homes import home_for_role

bp = Blueprint("main", __name__)


@bp.route("/")
@allow(PUBLIC)
def index():
    role = current_user.role if current_user.is_authenticated else None
    return render_template(
        "main/index.html",
        role=role,
        home=home_for_role(db.session, role) if role else {},
        status_labels=STATUS_LABELS,
        staff_role_labels=STAFF_ROLE_LABELS,
    )


@bp.route("/favicon.ico")
@allow(PUBLIC)
def favicon():
    if current_app.static_folder is None:  # an app built without static files has no icon either
        abort(404)
    return send_from_directory(current_app.static_folder, "favicon.svg", mimetype="image/svg+xml", max_age=86400)


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
