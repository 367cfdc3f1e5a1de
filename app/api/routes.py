"""`/api/v1/…`: campaigns and their results, released exactly as the pages release them."""

from flask import Blueprint, abort, jsonify, request
from sqlalchemy import select

from app.access import PUBLIC, allow
from app.api.openapi import openapi_document
from app.campaigns.cli import campaign_dict
from app.campaigns.service import response_rates
from app.extensions import csrf, db
from app.i18n import current_language
from app.models import Campaign
from app.models.types import is_id
from app.results.service import BY_CHOICES, results

bp = Blueprint("api", __name__)
csrf.exempt(bp)  # bearer-token clients send no CSRF token; state-changing endpoints check it themselves
MANAGERS = ("manager", "admin")
INCLUDE_CHOICES = ("negative_share",)


def error(status: int, message: str, code: str):
    response = jsonify(error=code, message=message)
    response.status_code = status
    return response


def row_or_404(model, ident):
    """The row with this id; a 404 for none, including ids no row can have (the driver would raise on some)."""
    row = db.session.get(model, ident) if is_id(ident) else None
    return row or abort(404)


@bp.route("/campaigns")
@allow(*MANAGERS)
def campaigns():
    rows = db.session.execute(select(Campaign).order_by(Campaign.id)).scalars().all()
    return jsonify([campaign_dict(c, response_rates(db.session, c)) for c in rows])


@bp.route("/campaigns/<int:campaign_id>/results")
@allow("manager")
def campaign_results(campaign_id: int):
    campaign = row_or_404(Campaign, campaign_id)
    by = request.args.get("by", "role")
    if by not in BY_CHOICES:
        return error(400, "by 只能是 " + "、".join(BY_CHOICES), "invalid_by")
    level_text = request.args.get("level", "2")
    if not (level_text.isascii() and level_text.isdigit()) or not 1 <= int(level_text) <= 6:
        return error(400, "level 应为 1 到 6 的整数", "invalid_level")
    include = {item for item in request.args.get("include", "").split(",") if item}
    if not include <= set(INCLUDE_CHOICES):
        return error(400, "include 只能是 " + "、".join(INCLUDE_CHOICES), "invalid_include")
    return jsonify(
        results(
            db.session,
            campaign,
            by=by,
            level=int(level_text),
            language=current_language(),
            negative_share="negative_share" in include,
        )
    )


@bp.route("/openapi.json")
@allow(PUBLIC)
def openapi():
    return jsonify(openapi_document(request.host_url.rstrip("/")))


@bp.route("/theme-runs/<int:run_id>")
@allow("manager")
def theme_run(run_id: int):
    from app.models import ThemeRun
    from app.themes.serialise import run_dict

    run = row_or_404(ThemeRun, run_id)
    return jsonify(run_dict(run))


@bp.route("/theme-runs/<int:run_id>/themes")
@allow("manager")
def theme_run_themes(run_id: int):
    """Themes of a run; members (answer id and text) only for themes with at least k_text respondents."""
    from app.models import Answer, ThemeMember, ThemeRun
    from app.themes.serialise import theme_dict
    from app.themes.service import visible_themes

    run = row_or_404(ThemeRun, run_id)
    k_text = run.params.get("k_text", 10)
    themes = []
    for theme in visible_themes(run):
        rows = None
        show_members = theme.respondents >= k_text
        if show_members:
            rows = db.session.execute(
                select(Answer.id, Answer.value_text)
                .join(ThemeMember, ThemeMember.answer_id == Answer.id)
                .where(ThemeMember.theme_id == theme.id)
                .order_by(Answer.id)
            ).all()
        themes.append(theme_dict(theme, members=show_members, member_rows=rows))
    return jsonify(themes)


def _json_body() -> dict | None:
    """The request's JSON object, or None for anything else — including nesting too deep to parse."""
    try:
        data = request.get_json(silent=True)
    except RecursionError:
        return None
    return data if isinstance(data, dict) else None


def _check_session_csrf():
    """Cookie-authenticated writes need the CSRF token in X-CSRFToken; bearer-token clients do not."""
    from flask_wtf.csrf import ValidationError, validate_csrf

    from app.api.auth import bearer_token

    if bearer_token() is not None:
        return None
    try:
        validate_csrf(request.headers.get("X-CSRFToken"))
    except ValidationError:
        return error(400, "缺少或无效的 CSRF 令牌（X-CSRFToken）", "csrf")
    return None


def suggestion_json(suggestion) -> dict:
    from flask import current_app

    from app.committee.service import origin

    seen = origin(db.session, suggestion, current_app.config["ANONYMITY_MIN_GROUP"])
    return {
        "id": suggestion.id,
        "title": suggestion.title,
        "description": suggestion.description,
        "module": suggestion.module,
        "status": suggestion.status,
        "published": suggestion.published,
        "decision_note": suggestion.decision_note,
        "target_quarter": suggestion.target_quarter,
        "respondents": seen["respondents"],
        "quarters": seen["quarters"],
        "theme_ids": [t.id for t in seen["themes"]],
        "events": [
            {"from": e.from_status, "to": e.to_status, "note": e.note, "at": e.created_at.isoformat()}
            for e in suggestion.events
        ],
    }


@bp.route("/suggestions", methods=["GET", "POST"])
@allow(PUBLIC)
def suggestions():
    from flask_login import current_user

    from app.committee.service import MODULES, SuggestionError, create_suggestion
    from app.committee.workflow import STATUS_LABELS
    from app.models import Suggestion

    if request.method == "GET":
        query = select(Suggestion).where(Suggestion.published.is_(True)).order_by(Suggestion.id)
        status, module = request.args.get("status"), request.args.get("module")
        if status:
            if status not in STATUS_LABELS:
                return error(400, "status 无效", "invalid_status")
            query = query.where(Suggestion.status == status)
        if module:
            if module not in MODULES:
                return error(400, "module 无效", "invalid_module")
            query = query.where(Suggestion.module == module)
        return jsonify([suggestion_json(s) for s in db.session.execute(query).scalars()])
    if not current_user.is_authenticated:
        return error(401, "需要登录或 API 令牌", "unauthorized")
    if current_user.role not in ("manager", "committee"):
        return error(403, "只有变革经理和改进委员会可以提出建议", "forbidden")
    failed = _check_session_csrf()
    if failed:
        return failed
    data = _json_body()
    if data is None:
        return error(400, "请求体应为 JSON 对象", "invalid_json")
    theme_ids = data.get("theme_ids")
    theme_ids = [] if theme_ids is None else theme_ids
    if not isinstance(theme_ids, list) or not all(isinstance(t, int) and not isinstance(t, bool) for t in theme_ids):
        return error(422, "theme_ids 应为整数数组", "invalid_theme_ids")
    if not all(isinstance(data.get(key, ""), (str, type(None))) for key in ("title", "description", "module")):
        return error(422, "title、description、module 应为字符串", "invalid_fields")
    try:
        suggestion = create_suggestion(
            db.session,
            data.get("title"),
            data.get("description"),
            data.get("module") or None,
            current_user.id,
            source="theme" if theme_ids else "manual",
            proposer_role=current_user.role,
            theme_ids=theme_ids,
        )
    except SuggestionError as exc:
        db.session.rollback()
        return error(422, str(exc), "invalid_suggestion")
    db.session.commit()
    response = jsonify(suggestion_json(suggestion))
    response.status_code = 201
    return response


TRANSITION_TEXT_FIELDS = ("note", "owner", "target_quarter")


def _check_transition_fields(data: dict):
    """Optional fields have one type each (or null); text must be storable. A 422 naming the fields, else None."""
    from surveys.forms import has_unstorable_characters

    wrong = [key for key in TRANSITION_TEXT_FIELDS if data.get(key) is not None and not isinstance(data[key], str)]
    merged_into = data.get("merged_into")
    if merged_into is not None and (not isinstance(merged_into, int) or isinstance(merged_into, bool)):
        wrong.append("merged_into")
    if wrong:
        return error(
            422,
            "、".join(wrong) + " 类型不对：note、owner、target_quarter 应为字符串，merged_into 应为整数",
            "invalid_fields",
        )
    unstorable = [
        key for key in TRANSITION_TEXT_FIELDS if isinstance(data.get(key), str) and has_unstorable_characters(data[key])
    ]
    if unstorable:
        return error(422, "、".join(unstorable) + " 中含有无法保存的特殊字符", "invalid_text")
    return None


def _committee_only():
    """The committee role is checked by the access layer; cookie sessions still need the CSRF header."""
    return _check_session_csrf()


@bp.route("/suggestions/<int:suggestion_id>/transitions", methods=["POST"])
@allow("committee")
def suggestion_transition(suggestion_id: int):
    from flask_login import current_user

    from app.committee.workflow import Decision, TransitionError, decide
    from app.models import StaffUser, Suggestion

    failed = _committee_only()
    if failed:
        return failed
    suggestion = row_or_404(Suggestion, suggestion_id)
    data = _json_body()
    if data is None or not isinstance(data.get("to"), str):
        return error(400, "请求体应为包含 to 的 JSON 对象", "invalid_json")
    failed = _check_transition_fields(data)
    if failed:
        return failed
    owner_id = None
    if data.get("owner"):
        owner_id = db.session.execute(
            select(StaffUser.id).where(StaffUser.email == data["owner"].lower())
        ).scalar_one_or_none()
        if owner_id is None:
            return error(422, "owner 应为改进委员会成员的邮箱", "invalid_owner")
    decision = Decision(data["to"], data.get("note"), owner_id, data.get("target_quarter"), data.get("merged_into"))
    try:
        decide(db.session, suggestion, decision, current_user.id)
    except TransitionError as exc:
        return error(409 if exc.kind == "illegal" else 422, str(exc), exc.kind)
    return jsonify(suggestion_json(suggestion))


@bp.route("/suggestions/<int:suggestion_id>/publish", methods=["POST"])
@allow("committee")
def suggestion_publish(suggestion_id: int):
    from flask_login import current_user

    from app.committee.service import publish
    from app.models import Suggestion

    failed = _committee_only()
    if failed:
        return failed
    suggestion = row_or_404(Suggestion, suggestion_id)
    publish(db.session, suggestion, current_user.id)
    db.session.commit()
    return jsonify(suggestion_json(suggestion))
