"""Manager pages: overview, department heatmap, breakdowns, ADKAR profile, trends, comments."""

from flask import Blueprint, abort, render_template, request

from analysis.privacy import suppression_message
from analysis.release import OVERALL
from app.access import allow
from app.campaigns.service import response_rates
from app.committee.workflow import STATUS_LABELS
from app.extensions import db
from app.i18n import current_language
from app.instruments import changed_in_trend
from app.models import ROLE_LABELS, Campaign
from app.reports.labels import TREND_LABELS
from app.results.comments import comments_view
from app.results.drivers import drivers_view
from app.results.home import results_home
from app.results.releases import release_state
from app.results.response_frames import campaign_data
from app.results.service import BY_CHOICES, release_summary, results, same_instrument_campaigns
from surveys import Instrument
from surveys.scoring import HEADLINE_KEYS, ScoreScale, barrier_key, flat_scores, score_scales
from surveys.scoring import main_barrier as barrier_element

bp = Blueprint("results", __name__)
MANAGER = ("manager",)


def _campaign(campaign_id: int) -> Campaign:
    return db.session.get(Campaign, campaign_id) or abort(404)


@bp.context_processor
def release_note() -> dict:
    """Every results page says which release step it shows and when the next one comes."""
    campaign_id = (request.view_args or {}).get("campaign_id")
    campaign = db.session.get(Campaign, campaign_id) if campaign_id else None
    return {"release": release_summary(release_state(db.session, campaign))} if campaign else {}


def _level(data) -> int:
    level = request.args.get("level", 2, type=int) or 2
    return max(1, min(level, max(data.levels, 1)))


@bp.route("/<int:campaign_id>")
@allow(*MANAGER)
def overview(campaign_id: int):
    campaign = _campaign(campaign_id)
    home = results_home(db.session, campaign, current_language())
    before = home["headline"]["previous_campaign"]
    return render_template(
        "results/overview.html",
        campaign=campaign,
        rates=response_rates(db.session, campaign),
        home=home,
        changed=changed_in_trend([before.instrument_version], campaign.instrument_version) if before else (),
        status_labels=STATUS_LABELS,
        trend_labels=TREND_LABELS,
    )


@bp.route("/<int:campaign_id>/drivers")
@allow(*MANAGER)
def drivers(campaign_id: int):
    campaign = _campaign(campaign_id)
    view = drivers_view(db.session, campaign, request.args.get("group", OVERALL))
    data = campaign_data(db.session, campaign)
    return render_template(
        "results/drivers.html",
        campaign=campaign,
        drivers=view,
        labels=driver_labels(data.definition, current_language()),
        role_labels=ROLE_LABELS,
    )


def driver_labels(definition: Instrument, language: str) -> dict:
    """Labels of the scores a driver model names (the outcome's label is the template's)."""
    return {scale.key: scale.label for scale in score_scales(definition, language)}


@bp.route("/<int:campaign_id>/heatmap")
@allow(*MANAGER)
def heatmap(campaign_id: int):
    campaign = _campaign(campaign_id)
    language = current_language()
    data = campaign_data(db.session, campaign)
    level = _level(data)
    view = results(db.session, campaign, by="department", level=level, language=language)
    return render_template(
        "results/heatmap.html",
        campaign=campaign,
        view=view,
        scales=score_scales(data.definition, language),
        level=level,
        levels=range(1, data.levels + 1),
        flat=flat_scores,
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
    scales = score_scales(data.definition, language)
    return render_template(
        "results/breakdown.html",
        campaign=campaign,
        view=view,
        by=by,
        level=level,
        levels=range(1, data.levels + 1),
        scales=scales,
        flat=flat_scores,
        charts=chart_groups(chart_scales(scales), data.definition, by),
        has_barrier=bool(data.definition.barrier_scales),
        main_barrier=lambda points: main_barrier(points, data.definition, scales),
        changed=changed_in_trend_of(campaign) if by == "quarter" else frozenset(),
    )


def changed_in_trend_of(campaign: Campaign) -> frozenset[str]:
    """The scales of the quarterly trend whose items changed between the campaigns' versions."""
    shown = [
        c.instrument_version for c in same_instrument_campaigns(db.session, campaign) if c.quarter <= campaign.quarter
    ]
    return changed_in_trend(shown, campaign.instrument_version)


def chart_scales(scales: list[ScoreScale]) -> list[ScoreScale]:
    """What the breakdown chart draws: the ADKAR elements (a radar) or else SUS and eNPS, or else every scale."""
    return [s for s in scales if s.family == "adkar"] or [s for s in scales if s.kind in HEADLINE_KEYS] or scales


SCORE_RANGES = {"sus": (0, 100), "enps": (-100, 100)}


def score_range(definition: Instrument, scale: ScoreScale) -> tuple[int, int]:
    """The whole range a score can take: a chart's value axis spans it (never fitted to the data)."""
    if scale.kind in SCORE_RANGES:
        return SCORE_RANGES[scale.kind]
    source = next(s for s in definition.scales if s.code == scale.key)
    span = definition.question(source.items[0]).value_range
    if span is None:
        raise ValueError(f"scale {source.code} scores {source.items[0]}, which is not a scale question")
    return span


def chart_groups(scales: list[ScoreScale], definition: Instrument, by: str) -> list[dict]:
    """The charts of a breakdown, one scale each: a radar of the ADKAR elements; else on the quarter trend
    one line chart per kind of score (scores of one kind share one axis), and one bar chart per score."""
    if not scales:
        return []
    if by != "quarter" and scales[0].family == "adkar":
        groups = [("radar", scales)]
    elif by == "quarter":
        kinds = list(dict.fromkeys(scale.kind for scale in scales))
        groups = [("line", [scale for scale in scales if scale.kind == kind]) for kind in kinds]
    else:
        groups = [("bar", [scale]) for scale in scales]
    charts = []
    for chart_type, members in groups:
        low, high = score_range(definition, members[0])
        axis = members[0].label if len(members) == 1 else f"{low}–{high}"
        charts.append({"type": chart_type, "scales": members, "min": low, "max": high, "axis": axis})
    return charts


def main_barrier(points: dict | None, definition: Instrument, scales: list[ScoreScale]) -> str:
    """The barrier element most respondents of a group are stuck at, as the label of its scale."""
    element = barrier_element(points)
    if not element:
        return "—"
    key = barrier_key(definition, element)
    labels = {scale.key: scale.label for scale in scales}
    return labels.get(key, element) if key is not None else element


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
