"""`/api/v1/…`: campaigns and their results, released exactly as the pages release them.

Each view parses its input with a model of `app.api.schemas`, calls the domain and answers JSON; an ApiError
raised anywhere on the way becomes the API's error body.
"""

from flask import Blueprint, abort, current_app, jsonify, request
from flask_login import current_user
from sqlalchemy import select

from app.access import PUBLIC, allow
from app.api.openapi import openapi_document
from app.api.schemas import ApiError, ModuleSets, NewSuggestion, ResultsQuery, SuggestionsQuery, Transition, parse
from app.campaigns.service import campaign_dict, response_rates
from app.committee.service import (
    SuggestionError,
    create_suggestion,
    module_choices,
    module_labels,
    publish,
    suggestion_dict,
)
from app.committee.workflow import Decision, TransitionError, decide
from app.extensions import csrf, db
from app.i18n import current_language
from app.models import Campaign, StaffUser, Suggestion
from app.models.types import is_id
from app.results.service import results

bp = Blueprint("api", __name__)
csrf.exempt(bp)  # bearer-token clients send no CSRF token; state-changing endpoints check it themselves
MANAGERS = ("manager", "admin")
PROPOSERS = ("manager", "committee")


def module_sets() -> ModuleSets:
    """The module codes of the instruments in use (and those existing suggestions keep), for the schemas."""
    return ModuleSets(tuple(module_choices(db.session)), tuple(module_labels(db.session)))


def error(status: int, message: str, code: str):
    response = jsonify(error=code, message=message)
    response.status_code = status
    return response


@bp.errorhandler(ApiError)
def api_error(exc: ApiError):
    return error(exc.status, exc.message, exc.code)


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
    query = parse(ResultsQuery, request.args.to_dict())
    return jsonify(
        results(
            db.session,
            campaign,
            by=query.by,
            level=query.level,
            language=current_language(),
            negative_share="negative_share" in query.include,
        )
    )


@bp.route("/openapi.json")
@allow(PUBLIC)
def openapi():
    return jsonify(openapi_document(request.host_url.rstrip("/"), module_sets()))


@bp.route("/theme-runs/<int:run_id>")
@allow("manager")
def theme_run(run_id: int):
    from app.models import ThemeRun
    from app.themes.released import released_themes
    from app.themes.serialise import run_dict

    run = row_or_404(ThemeRun, run_id)
    return jsonify(run_dict(run, released_themes(db.session, run)))


@bp.route("/theme-runs/<int:run_id>/themes")
@allow("manager")
def theme_run_themes(run_id: int):
    """The run's themes of at least k_text respondents, with their members; smaller ones are only counted."""
    from app.models import ThemeRun
    from app.themes.released import released_themes, shown_members
    from app.themes.serialise import theme_dict

    run = row_or_404(ThemeRun, run_id)
    released = released_themes(db.session, run)
    return jsonify([theme_dict(item, shown_members(db.session, item)) for item in released.themes])


def _json_body() -> object:
    """The request's JSON, or None when it is none — including nesting too deep to parse."""
    try:
        return request.get_json(silent=True)
    except RecursionError:
        return None


def _check_session_csrf() -> None:
    """Cookie-authenticated writes need the CSRF token in X-CSRFToken; bearer-token clients do not."""
    from flask_wtf.csrf import ValidationError, validate_csrf

    from app.api.auth import bearer_token

    if bearer_token() is not None:
        return
    try:
        validate_csrf(request.headers.get("X-CSRFToken"))
    except ValidationError:
        raise ApiError(400, "csrf", "缺少或无效的 CSRF 令牌（X-CSRFToken）") from None


def _suggestion_dict(suggestion: Suggestion) -> dict:
    return suggestion_dict(db.session, suggestion, current_app.config["ANONYMITY_MIN_GROUP"])


@bp.route("/suggestions")
@allow(PUBLIC)
def suggestions():
    query = parse(SuggestionsQuery, request.args.to_dict(), module_sets())
    rows = select(Suggestion).where(Suggestion.published.is_(True)).order_by(Suggestion.id)
    if query.status:
        rows = rows.where(Suggestion.status == query.status)
    if query.module:
        rows = rows.where(Suggestion.module == query.module)
    return jsonify([_suggestion_dict(s) for s in db.session.execute(rows).scalars()])


@bp.route("/suggestions", methods=["POST"])
@allow(PUBLIC)  # the roles are checked below, so that a refusal says who may propose
def new_suggestion():
    if not current_user.is_authenticated:
        raise ApiError(401, "unauthorized", "需要登录或 API 令牌")
    if current_user.role not in PROPOSERS:
        raise ApiError(403, "forbidden", "只有变革经理和改进委员会可以提出建议")
    _check_session_csrf()
    body = parse(NewSuggestion, _json_body(), module_sets())
    try:
        suggestion = create_suggestion(
            db.session,
            body.title,
            body.description,
            body.module,
            current_user.id,
            proposer_role=current_user.role,
            theme_ids=body.theme_ids or (),
        )
    except SuggestionError as exc:
        db.session.rollback()
        raise ApiError(422, "invalid_suggestion", str(exc)) from None
    db.session.commit()
    return jsonify(_suggestion_dict(suggestion)), 201


def _owner_id(email: str | None) -> int | None:
    """The API names an owner by e-mail; whether that person may own a decision is the workflow's rule."""
    if not email:
        return None
    owner_id = db.session.execute(select(StaffUser.id).where(StaffUser.email == email.lower())).scalar_one_or_none()
    if owner_id is None:
        raise ApiError(422, "invalid_owner", "owner 应为改进委员会成员的邮箱")
    return owner_id


@bp.route("/suggestions/<int:suggestion_id>/transitions", methods=["POST"])
@allow("committee")
def suggestion_transition(suggestion_id: int):
    _check_session_csrf()
    suggestion = row_or_404(Suggestion, suggestion_id)
    body = parse(Transition, _json_body())
    decision = Decision(body.to, body.note, _owner_id(body.owner), body.target_quarter, body.merged_into)
    try:
        decide(db.session, suggestion, decision, current_user.id)
    except TransitionError as exc:
        raise ApiError(409 if exc.kind == "illegal" else 422, exc.kind, str(exc)) from None
    return jsonify(_suggestion_dict(suggestion))


@bp.route("/suggestions/<int:suggestion_id>/publish", methods=["POST"])
@allow("committee")
def suggestion_publish(suggestion_id: int):
    _check_session_csrf()
    suggestion = row_or_404(Suggestion, suggestion_id)
    publish(db.session, suggestion, current_user.id)
    db.session.commit()
    return jsonify(_suggestion_dict(suggestion))
