"""Driver analysis of a released group (关键驱动因素): `analysis.drivers` on the group's respondents at the
step its figures were last released at, when that group has at least `MIN_RESPONDENTS` of them.

The instrument says what is explained by what (`surveys.scoring.driver_model`); the release state says
which groups may be analysed and at which step. Nothing here decides a release.
"""

from __future__ import annotations

from analysis.drivers import MIN_RESPONDENTS, DriverError, relative_importance
from analysis.ordering import natural_order
from analysis.release import FIGURES, OVERALL, parse_group_key
from app.models import Campaign
from app.results.releases import ReleaseState, release_state
from app.results.response_frames import campaign_data
from surveys.scoring import driver_frame, driver_model


def analysable_groups(state: ReleaseState) -> list[tuple[str, int]]:
    """Groups whose figures are released with at least MIN_RESPONDENTS respondents: (key, n), everyone first."""
    groups = []
    for (channel, key), decision in state.decisions.items():
        if channel == FIGURES and decision.shown_step is not None and (decision.n or 0) >= MIN_RESPONDENTS:
            groups.append((key, decision.n))
    return sorted(groups, key=lambda group: (group[0] != OVERALL, natural_order(group[0])))


def drivers_view(session, campaign: Campaign, key: str = OVERALL) -> dict:
    """{"available": True, "analysis", "model", "key", "n", "step"} or {"available": False, "reason"}:
    `no_model` (the instrument has nothing to explain), `not_released` (the group's figures are not
    released, or with fewer than MIN_RESPONDENTS respondents) or the analysis's own reason."""
    state = release_state(session, campaign)  # first: it may cut a step, which the frames must include
    data = campaign_data(session, campaign)
    model = driver_model(data.definition)
    if model is None:
        return {"available": False, "reason": "no_model", "key": key}
    groups = dict(analysable_groups(state))
    step = state.figures(key).shown_step if key in groups else None  # an analysable group has a shown step
    if step is None:
        return {"available": False, "reason": "not_released", "key": key, "min_n": MIN_RESPONDENTS}
    memo = ("drivers", key, step)
    if memo not in data.derived:
        data.derived[memo] = _analyse(data, model, key, step)
    return {**data.derived[memo], "key": key, "groups": list(groups.items()), "model": model}


def _analyse(data, model, key: str, step: int) -> dict:
    members = data.at_step(step)
    parsed = parse_group_key(key)
    if parsed is not None:
        dimension, value = parsed
        members = members[members[dimension] == value] if dimension in members.columns else members.iloc[:0]
    try:
        analysis = relative_importance(driver_frame(model, members), model.outcome, model.predictors)
    except DriverError as refused:
        return {"available": False, "reason": refused.reason, "min_n": MIN_RESPONDENTS}
    return {"available": True, "analysis": analysis, "step": step}
