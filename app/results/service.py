"""Result views (overall, by role / department level / wave / quarter) as plain dicts.

Every group shows what the campaign's release state (`app.results.releases`) released for it: its figures
as of the release step it was last released at, or nothing with the reason. The page, the JSON API, the
exports and the report all use these functions, so they release the same figures.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from analysis.ordering import naturally_sorted
from analysis.privacy import suppression_message
from analysis.quarters import Quarter
from analysis.release import BELOW_K, FIGURES, OVERALL, STALE, Decision, group_key
from analysis.segments import aggregate
from app.campaigns.service import availability
from app.models import ROLE_LABELS, Campaign, InstrumentVersion
from app.results.releases import ReleaseState, release_state
from app.results.response_frames import CampaignData, campaign_data
from surveys.scoring import nest_scores

BY_CHOICES = ("role", "department", "wave", "quarter")


def dimension_for(by: str, level: int) -> str:
    return {"role": "role", "wave": "wave", "department": f"dept_{level}"}[by]


def _hidden(decision: Decision, k: int, language: str) -> dict:
    reason = decision.reason or BELOW_K
    return {
        "suppressed": True,
        "n": f"<{k}" if reason == BELOW_K else None,
        "reason": reason,
        "message": suppression_message(reason, k, language),
        "scores": None,
    }


def _released(state: ReleaseState, decision: Decision, group, language: str) -> dict:
    """A group's figures at the step it was released at; `group` holds those figures (GroupScores)."""
    if decision.shown_step is None:
        raise ValueError(f"group {decision.key} is hidden: it has no released figures")
    result = {
        "suppressed": False,
        "n": group.n,
        "scores": group.scores,
        "barrier_points": group.barrier_points,
        "stale": decision.shown_step < state.step,
        "release_step": decision.shown_step,
    }
    if result["stale"]:
        result["message"] = suppression_message(STALE, state.k, language)
    return result


def campaign_summary(campaign: Campaign) -> dict:
    version = campaign.instrument_version
    return {
        "id": campaign.id,
        "title": campaign.title,
        "quarter": campaign.quarter,
        "instrument": version.instrument.slug,
        "status": availability(campaign),
        "min_group": campaign.min_group,
        "min_group_text": campaign.min_group_text,
    }


def overall(session, campaign: Campaign, language: str = "zh", state: ReleaseState | None = None) -> dict:
    state = state or release_state(session, campaign)
    decision = state.figures(OVERALL)
    if decision.shown_step is None:
        return _hidden(decision, campaign.min_group, language)
    data = campaign_data(session, campaign)
    return _released(state, decision, data.overall(decision.shown_step), language)


def release_summary(state: ReleaseState) -> dict:
    """The step the figures reflect and how many more answers until the next update."""
    return {"step": state.step, "next_update_in": state.next_step_in}


def results(
    session, campaign: Campaign, by: str = "role", level: int = 2, language: str = "zh", negative_share: bool = False
) -> dict:
    """The API and page view: overall plus one entry per segment of `by`.

    With `negative_share`, groups whose comments are released also carry the share of their commenting
    respondents with a negative comment, as of the step their comments were released at."""
    if by == "quarter":
        return quarter_results(session, campaign, language)
    state = release_state(session, campaign)
    data = campaign_data(session, campaign)
    level = max(1, min(level, max(data.levels, 1)))
    dimension = dimension_for(by, level)
    negative_share = negative_share and bool(data.definition.text_questions)
    result: dict[str, Any] = {
        "campaign": campaign_summary(campaign),
        "by": by,
        "release": release_summary(state),
        "overall": _api_group(overall(session, campaign, language, state)),
        "segments": [],
    }
    if negative_share:
        _add_negative_share(session, state, data, result["overall"], None, None)
    if by == "department":
        result["level"] = level
    for value in group_values(state, dimension):
        decision = state.figures(group_key(dimension, value))
        entry: dict[str, Any] = {"key": value, "label": str(ROLE_LABELS.get(value, value)) if by == "role" else value}
        if decision.shown_step is None:
            entry.update(_api_group(_hidden(decision, campaign.min_group, language)))
        else:
            group = data.summary(dimension, decision.shown_step)[value]
            entry.update(_api_group(_released(state, decision, group, language)))
            if state.was_released(FIGURES, OVERALL, decision.shown_step):
                entry["comparison"] = {metric: vars(c) for metric, c in group.comparisons.items()}
            if negative_share:
                _add_negative_share(session, state, data, entry, dimension, value)
        result["segments"].append(entry)
    return result


def group_values(state: ReleaseState, dimension: str) -> list[str]:
    """The values of a dimension that have a figures decision, in natural order (第一批, 第二批, …, 第十批)."""
    prefix = dimension + "="
    return naturally_sorted(
        key[len(prefix) :] for channel, key in state.decisions if channel == FIGURES and key.startswith(prefix)
    )


def _add_negative_share(session, state: ReleaseState, data: CampaignData, entry: dict, dimension, value) -> None:
    decision = state.records(OVERALL if dimension is None else group_key(dimension, value))
    if decision.shown_step is None or entry.get("suppressed"):
        return
    share = data.negative_share(session, dimension, decision.shown_step).get(value)
    if share is not None:
        entry["negative_comment_share"] = round(share[0], 3)
        entry["comments_release_step"] = decision.shown_step


def _api_group(released: dict) -> dict:
    out = {"n": released["n"], "suppressed": released["suppressed"], "scores": nest_scores(released["scores"])}
    for optional in ("reason", "message", "barrier_points", "stale", "release_step"):
        if released.get(optional) is not None:
            out[optional] = released[optional]
    return out


def same_instrument_campaigns(session, campaign: Campaign) -> list[Campaign]:
    instrument_id = campaign.instrument_version.instrument_id
    return list(
        session.execute(
            select(Campaign)
            .join(InstrumentVersion, Campaign.instrument_version_id == InstrumentVersion.id)
            .where(InstrumentVersion.instrument_id == instrument_id)
            .order_by(Campaign.quarter, Campaign.id)
        ).scalars()
    )


def quarter_results(session, campaign: Campaign, language: str = "zh") -> dict:
    """The campaign's instrument quarter over quarter: each quarter's campaign overall, as released."""
    segments = []
    for other in same_instrument_campaigns(session, campaign):
        if other.quarter > campaign.quarter:
            continue
        released = overall(session, other, language)
        segments.append({"key": other.quarter, "label": other.quarter, "campaign_id": other.id, **_api_group(released)})
    return {
        "campaign": campaign_summary(campaign),
        "by": "quarter",
        "overall": _api_group(overall(session, campaign, language)),
        "segments": segments,
    }


def previous_campaign(session, campaign: Campaign) -> Campaign | None:
    target = str(Quarter.parse(campaign.quarter, exact=True).previous)
    for other in reversed(same_instrument_campaigns(session, campaign)):
        if other.quarter == target:
            return other
    return None


def headline(session, campaign: Campaign, language: str = "zh") -> dict:
    """Overall scores with the change against last quarter's campaign of the same instrument."""
    current = overall(session, campaign, language)
    before_campaign = previous_campaign(session, campaign)
    before = overall(session, before_campaign, language) if before_campaign else None
    trends = {}
    if current["scores"] and before and before["scores"]:
        for key, value in current["scores"].items():
            old = before["scores"].get(key)
            if isinstance(value, (int, float)) and isinstance(old, (int, float)):
                trends[key] = round(value - old, 2)
    return {"current": current, "previous": before, "previous_campaign": before_campaign, "trends": trends}


__all__ = ["BY_CHOICES", "aggregate", "headline", "results"]
