"""Manager pages: overview, department heatmap, breakdowns, ADKAR profile, trends, comments."""

from flask import Blueprint, abort, render_template, request

from analysis.privacy import suppression_message
from app.access import allow
from app.campaigns.service import response_rates
from app.extensions import db
from app.i18n import current_language
from app.models import ROLE_LABELS, Campaign
from app.results.comments import comments_view
from app.results.data import campaign_data
from app.results.service import BY_CHOICES, headline, results
from surveys.scoring import main_barrier as barrier_element

bp = Blueprint("results", __name__)
MANAGER = ("manager",)


def _campaign(campaign_id: int) -> Campaign:
    return db.session.get(Campaign, campaign_id) or abort(404)


def _level(data) -> int:
    level = request.args.get("level", 2, type=int) or 2
    return max(1, min(level, max(data.levels, 1)))


def metric_labels(definition, language: str) -> dict:
    """Flat score key → label, from the instrument's scale titles (e.g. module_approval → 审批)."""
    labels = {
        "sus": "SUS" if language == "en" else "系统易用性 SUS",
        "enps": "eNPS" if language == "en" else "推荐值 eNPS",
    }
    for scale in definition.scales:
        if scale.scoring == "mean":
            labels[scale.code] = scale.title[language]
    return labels


def flat(scores: dict | None) -> dict:
    if not scores:
        return {}
    out = {key: scores[key] for key in ("sus", "enps") if key in scores}
    for prefix, name in (("module_", "modules"), ("adkar_", "adkar"), ("resist_", "resistance")):
        for key, value in (scores.get(name) or {}).items():
            out[prefix + key] = value
    return out


@bp.route("/<int:campaign_id>")
@allow(*MANAGER)
def overview(campaign_id: int):
    campaign = _campaign(campaign_id)
    language = current_language()
    data = campaign_data(db.session, campaign)
    return render_template(
        "results/overview.html",
        campaign=campaign,
        rates=response_rates(db.session, campaign),
        headline=headline(db.session, campaign, language),
        labels=metric_labels(data.definition, language),
        flat=flat,
    )


@bp.route("/<int:campaign_id>/heatmap")
@allow(*MANAGER)
def heatmap(campaign_id: int):
    campaign = _campaign(campaign_id)
    language = current_language()
    data = campaign_data(db.session, campaign)
    level = _level(data)
    view = results(db.session, campaign, by="department", level=level, language=language)
    labels = metric_labels(data.definition, language)
    return render_template(
        "results/heatmap.html",
        campaign=campaign,
        view=view,
        labels=labels,
        level=level,
        levels=range(1, data.levels + 1),
        flat=flat,
    )


@bp.route("/<int:campaign_id>/breakdown")
@allow(*MANAGER)
def breakdown(campaign_id: int):
    campaign = _campaign(campaign_id)
    language = current_language()
    by = request.args.get("by", "role")
    if by not in BY_CHOICES:
        abort(400)
    data = campaign_data(db.session, campaign)
    level = _level(data)
    view = results(db.session, campaign, by=by, level=level, language=language, negative_share=by != "quarter")
    labels = metric_labels(data.definition, language)
    keys = list(flat(view["overall"]["scores"]))
    adkar = [key for key in keys if key.startswith("adkar_")]
    return render_template(
        "results/breakdown.html",
        campaign=campaign,
        view=view,
        by=by,
        level=level,
        levels=range(1, data.levels + 1),
        labels=labels,
        flat=flat,
        keys=keys,
        adkar=adkar,
        chart_keys=adkar or ["sus", "enps"],
        main_barrier=lambda points: main_barrier(points, labels),
    )


def main_barrier(points: dict | None, labels: dict) -> str:
    """The ADKAR element most respondents of a group are stuck at, as a label."""
    element = barrier_element(points)
    return labels.get(f"adkar_{element}", element) if element else "—"


@bp.route("/<int:campaign_id>/comments")
@allow(*MANAGER)
def comments(campaign_id: int):
    campaign = _campaign(campaign_id)
    by = request.args.get("by", "")
    value = request.args.get("value", "")
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    view = comments_view(db.session, campaign, by=by, value=value, page=page)
    return render_template(
        "results/comments.html",
        campaign=campaign,
        view=view,
        by=by,
        value=value,
        message=suppression_message,
        role_labels=ROLE_LABELS,
    )
