"""The measured effect of an implemented suggestion, from released figures only (`analysis.effect`).

The quarter before the change is the last quarter whose satisfaction survey opened before the suggestion was
implemented; the quarter after it is the next one. For each, the survey's figures are those of its overall
group as the release state released it (`app.results.releases`: at the step it was last released at, or
nothing), and the themes those of the quarter's latest theme run; `analysis.effect.measure_effect` applies
the thresholds and compares. Nothing here decides a release.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
from flask import current_app
from sqlalchemy import select

from analysis.effect import NOT_YET, Effect, QuarterFigures, measure_effect
from analysis.quarters import Quarter
from analysis.release import OVERALL
from app.models import Campaign, Suggestion, SuggestionTheme, Theme, ThemeRun
from app.reports.service import SATISFACTION, report_campaign
from app.results.drivers import drivers_view
from app.results.releases import release_state
from app.results.response_frames import campaign_data
from app.results.service import overall
from app.themes.released import run_k_text, theme_as_shown
from surveys.scoring import NPS_COLUMN


def implemented_at(suggestion: Suggestion) -> datetime | None:
    return next((e.created_at for e in reversed(suggestion.events) if e.to_status == "implemented"), None)


def linked_lineages(session, suggestion: Suggestion) -> dict[str, str]:
    """The theme lineages that fed the suggestion, each with the label of its latest linked theme as the run's
    text threshold lets it be shown (empty when it may not be)."""
    themes = session.execute(
        select(Theme)
        .join(SuggestionTheme, SuggestionTheme.theme_id == Theme.id)
        .where(SuggestionTheme.suggestion_id == suggestion.id, Theme.lineage.is_not(None))
        .order_by(Theme.id)
    ).scalars()
    return {theme.lineage: theme_as_shown(session, theme).label for theme in themes}


def _opened(campaign: Campaign) -> datetime:
    return campaign.opens_at or campaign.created_at


def quarter_before(session, moment: datetime) -> Quarter | None:
    """The last quarter whose satisfaction survey had opened before `moment`."""
    quarters = sorted(set(session.execute(select(Campaign.quarter)).scalars()), reverse=True)
    for quarter in quarters:
        campaign = report_campaign(session, quarter, SATISFACTION)
        if campaign is not None and _opened(campaign) < moment:
            return Quarter.parse(quarter, exact=True)
    return None


def _latest_run(session, quarter: str) -> ThemeRun | None:
    return session.execute(
        select(ThemeRun)
        .where(ThemeRun.status == "succeeded", ThemeRun.quarter == quarter)
        .order_by(ThemeRun.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def _theme_figures(session, quarter: str, lineages: dict[str, str]) -> dict:
    run = _latest_run(session, quarter)
    if run is None:
        return {"theme_run": False}
    themes: dict[str, int] = {}
    for theme in run.themes:
        if theme.lineage in lineages and theme.merged_into_id is None and not theme.is_other and not theme.is_noise:
            themes[theme.lineage] = max(themes.get(theme.lineage, 0), theme.respondents)
    bases = [overall(session, campaign) for campaign in _run_campaigns(session, run)]
    base = None if not bases or any(b["suppressed"] for b in bases) else sum(b["n"] for b in bases)
    return {"theme_run": True, "themes": themes, "theme_base": base, "k_text": run_k_text(session, run)}


def _run_campaigns(session, run: ThemeRun) -> list[Campaign]:
    ids = [campaign_id for campaign_id in run.campaign_ids or [] if isinstance(campaign_id, int)]
    return list(session.execute(select(Campaign).where(Campaign.id.in_(ids))).scalars()) if ids else []


def _favourability(definition, scale, frame) -> list[float]:
    """Each released respondent's module score above, on or below the midpoint of its items' range (+1/0/−1)."""
    low, high = definition.question(scale.items[0]).value_range
    return list(np.sign(frame[scale.code].dropna().to_numpy(dtype="float64") - (low + high) / 2))


def _survey_figures(session, campaign: Campaign, module: str | None) -> dict | None:
    """The overall group's released per-respondent figures; None when nothing is released yet."""
    state = release_state(session, campaign)
    if not state.step:
        return None
    decision = state.figures(OVERALL)
    if decision.shown_step is None:
        return {"respondents": None}
    data = campaign_data(session, campaign)
    frame = data.at_step(decision.shown_step)
    figures: dict = {"respondents": len(frame)}
    if NPS_COLUMN in frame.columns:
        figures["nps"] = list(frame[NPS_COLUMN].dropna())
    scale = next((s for s in data.definition.scales if s.code == f"module_{module}"), None) if module else None
    if scale is not None:
        figures["module"] = list(frame[scale.code].dropna())
        figures["favourability"] = _favourability(data.definition, scale, frame)
    return figures


def quarter_figures(
    session, quarter: Quarter, campaign: Campaign | None, module: str | None, lineages: dict[str, str]
) -> QuarterFigures | None:
    """What `quarter` released about the module and the lineages; None when its survey has released nothing."""
    survey = _survey_figures(session, campaign, module) if campaign is not None else None
    if survey is None:
        return None
    themes = _theme_figures(session, str(quarter), lineages)
    return QuarterFigures(quarter=str(quarter), **survey, **themes, top_driver=_top_driver(session, campaign))


def _top_driver(session, campaign: Campaign | None) -> str | None:
    """The module most driving eNPS in the campaign's released overall figures (driver analysis), if any."""
    if campaign is None:
        return None
    view = drivers_view(session, campaign)
    if not view.get("available") or view["model"].outcome != NPS_COLUMN:
        return None
    top = view["analysis"].top
    return top.key.removeprefix("module_") if top is not None and top.key.startswith("module_") else None


def measured_effect(session, suggestion: Suggestion) -> Effect | None:
    """The effect of an implemented suggestion linked to a module and/or themes; None for any other."""
    at = implemented_at(suggestion) if suggestion.status == "implemented" else None
    if at is None:
        return None
    lineages = linked_lineages(session, suggestion)
    if not suggestion.module and not lineages:
        return None
    config = current_app.config
    k, k_text = config["ANONYMITY_MIN_GROUP"], config["ANONYMITY_MIN_GROUP_TEXT"]
    figures = []
    before = quarter_before(session, at)
    for quarter in (before, before.next) if before else ():
        campaign = report_campaign(session, str(quarter), SATISFACTION)
        if campaign is not None:
            k, k_text = max(k, campaign.min_group), max(k_text, campaign.min_group_text)
        figures.append(quarter_figures(session, quarter, campaign, suggestion.module, lineages))
    before_figures, after_figures = figures or (None, None)
    return measure_effect(
        before_figures, after_figures, module=suggestion.module, lineages=lineages, k=k, k_text=k_text
    )


def waiting_for_effect(session) -> list[tuple[Suggestion, Effect]]:
    """Implemented suggestions whose effect cannot be measured yet (the next quarter's figures are not in)."""
    implemented = session.execute(
        select(Suggestion).where(Suggestion.status == "implemented").order_by(Suggestion.updated_at.desc())
    ).scalars()
    pairs = [(suggestion, measured_effect(session, suggestion)) for suggestion in implemented]
    return [(suggestion, effect) for suggestion, effect in pairs if effect is not None and effect.status == NOT_YET]
