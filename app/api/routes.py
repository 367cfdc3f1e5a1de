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
from app.results.service import BY_CHOICES, results

bp = Blueprint("api", __name__)
csrf.exempt(bp)  # bearer-token clients send no CSRF token; state-changing endpoints check it themselves
MANAGERS = ("manager", "admin")


def error(status: int, message: str, code: str):
    response = jsonify(error=code, message=message)
    response.status_code = status
    return response


@bp.route("/campaigns")
@allow(*MANAGERS)
def campaigns():
    rows = db.session.execute(select(Campaign).order_by(Campaign.id)).scalars().all()
    return jsonify([campaign_dict(c, response_rates(db.session, c)) for c in rows])


@bp.route("/campaigns/<int:campaign_id>/results")
@allow("manager")
def campaign_results(campaign_id: int):
    campaign = db.session.get(Campaign, campaign_id) or abort(404)
    by = request.args.get("by", "role")
    if by not in BY_CHOICES:
        return error(400, "by 只能是 " + "、".join(BY_CHOICES), "invalid_by")
    level_text = request.args.get("level", "2")
    if not level_text.isdigit() or not 1 <= int(level_text) <= 6:
        return error(400, "level 应为 1 到 6 的整数", "invalid_level")
    return jsonify(results(db.session, campaign, by=by, level=int(level_text), language=current_language()))


@bp.route("/openapi.json")
@allow(PUBLIC)
def openapi():
    return jsonify(openapi_document(request.host_url.rstrip("/")))


@bp.route("/theme-runs/<int:run_id>")
@allow("manager")
def theme_run(run_id: int):
    from app.models import ThemeRun
    from app.themes.serialise import run_dict
    run = db.session.get(ThemeRun, run_id) or abort(404)
    return jsonify(run_dict(run))


@bp.route("/theme-runs/<int:run_id>/themes")
@allow("manager")
def theme_run_themes(run_id: int):
    """Themes of a run; members (answer id and text) only for themes with at least k_text respondents."""
    from app.models import Answer, ThemeMember, ThemeRun
    from app.themes.serialise import theme_dict
    from app.themes.service import visible_themes
    run = db.session.get(ThemeRun, run_id) or abort(404)
    k_text = run.params.get("k_text", 10)
    themes = []
    for theme in visible_themes(run):
        rows = None
        show_members = theme.respondents >= k_text
        if show_members:
            rows = db.session.execute(select(Answer.id, Answer.value_text).join(ThemeMember, ThemeMember.answer_id == Answer.id)
                                      .where(ThemeMember.theme_id == theme.id).order_by(Answer.id)).all()
        themes.append(theme_dict(theme, members=show_members, member_rows=rows))
    return jsonify(themes)
