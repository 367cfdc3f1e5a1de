"""The results home (`/results/<id>`): what a manager should see first, from released figures only.

Everything here reads the campaign's release state: the distributions, movers, strengths and focus areas are
of everyone (the `OVERALL` group) at the step its figures were last released at, compared with last quarter's
campaign of the same instrument at its released step; response rates are of the departments whose figures
are released, at their step. Theme and suggestion summaries come from their own homes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app

from analysis.insights import Insight, Standing, insights, movers, strengths_and_focus
from analysis.release import OVERALL, department_ancestor, group_key
from analysis.report import top_themes
from app.committee.service import open_suggestions
from app.models import Campaign
from app.results.drivers import drivers_view
from app.results.releases import ReleaseState, audience, release_state
from app.results.response_frames import campaign_data
from app.results.service import group_values, headline, previous_campaign
from surveys.scoring import ScoreScale, item_scales, score_scales


@dataclass
class ScaleRow:
    """A score with its distribution (and change) and, when it has several items, each item's (drill-down)."""

    scale: ScoreScale
    insight: Insight
    items: list[tuple[str, Insight]] = field(default_factory=list)


def _previous_favourability(session, campaign: Campaign):
    before = previous_campaign(session, campaign)
    if before is None:
        return None, None
    decision = release_state(session, before).figures(OVERALL)
    if decision.shown_step is None:
        return before, None
    return before, campaign_data(session, before).favourability_at(decision.shown_step)


def item_label(definition, scale_items: tuple[str, ...], scale: ScoreScale, code: str, language: str) -> str:
    if len(scale_items) == 1:
        return scale.label
    text = definition.question(code).text
    return text.get(language) or text["zh"]


def score_insights(session, campaign: Campaign, language: str, step: int) -> dict:
    """Distributions, changes, movers, strengths and focus areas of everyone at `step` (computed once)."""
    data = campaign_data(session, campaign)
    before, previous = _previous_favourability(session, campaign)
    memo = (language, step, before.id if before else None, len(previous) if previous is not None else None)
    if memo in data.derived:
        return data.derived[memo]
    current = data.favourability_at(step)
    scales = score_scales(data.definition, language)
    groups = item_scales(data.definition)
    by_key = {i.key: i for i in insights(current, previous, {s.key: groups[s.key] for s in scales})}
    rows, items, drilled, labels = [], [], [], {}
    for scale in scales:
        if scale.key not in by_key:
            continue
        codes = groups[scale.key]
        per_item = insights(current, previous, {code: (code,) for code in codes}) if len(codes) > 1 else []
        drill = [(item_label(data.definition, codes, scale, i.key, language), i) for i in per_item]
        drilled += per_item
        rows.append(ScaleRow(scale, by_key[scale.key], drill))
        if scale.kind != "enps":
            for insight in per_item or [Insight(codes[0], by_key[scale.key].distribution, by_key[scale.key].change)]:
                labels[insight.key] = item_label(data.definition, codes, scale, insight.key, language)
                items.append(insight)
    strengths, focus = strengths_and_focus(items)
    result = {
        "scales": rows,
        "movers": [(_label(rows, labels, m.key), m) for m in movers([r.insight for r in rows] + drilled)],
        "strengths": [(labels[s.insight.key], s) for s in strengths],
        "focus": [(labels[s.insight.key], s) for s in focus],
        "previous_campaign": before,
        "compared": previous is not None,
    }
    data.derived[memo] = result
    return result


def _label(rows: list[ScaleRow], labels: dict, key: str) -> str:
    return next((r.scale.label for r in rows if r.scale.key == key), None) or labels[key]


def department_rates(session, campaign: Campaign, state: ReleaseState, level: int) -> list[dict]:
    """Response rate of each department (at `level`) whose figures are released: its released respondents
    over the people invited in it."""
    invited: dict[str, int] = {}
    for (path, _role, _wave), count in audience(session, campaign).items():
        ancestor = department_ancestor(path, level)
        if ancestor:
            invited[ancestor] = invited.get(ancestor, 0) + count
    dimension = f"dept_{level}"
    rows = []
    for value in group_values(state, dimension):
        decision = state.figures(group_key(dimension, value))
        if decision.shown_step is None or not invited.get(value) or decision.n is None:
            continue
        rate = min(decision.n / invited[value], 1.0)
        rows.append(
            {
                "label": value,
                "n": decision.n,
                "invited": invited[value],
                "rate": rate,
                "stale": decision.shown_step < state.step,
            }
        )
    return sorted(rows, key=lambda row: -row["rate"])


def theme_summary(session, campaign: Campaign) -> dict | None:
    """The latest succeeded theme run of the campaign's quarter: its top themes with their trend."""
    from app.reports.service import theme_summaries

    summaries, run = theme_summaries(session, campaign.quarter)
    if run is None:
        return None
    k_text = (run.params or {}).get("k_text") or current_app.config["ANONYMITY_MIN_GROUP_TEXT"]
    return {"run": run, **top_themes(summaries, k_text)}


def results_home(session, campaign: Campaign, language: str) -> dict:
    """Everything the results home shows, each part from its home (released figures only)."""
    state = release_state(session, campaign)
    decision = state.figures(OVERALL)
    data = campaign_data(session, campaign)
    level = min(2, max(data.levels, 1))
    home = {
        "headline": headline(session, campaign, language),
        "scales": score_scales(data.definition, language),
        "labels": {scale.key: scale.label for scale in score_scales(data.definition, language)},
        "departments": department_rates(session, campaign, state, level),
        "level": level,
        "themes": theme_summary(session, campaign),
        "suggestions": open_suggestions(session),
        "drivers": drivers_view(session, campaign, OVERALL),
        "insights": None,
    }
    if decision.shown_step is not None:
        home["insights"] = score_insights(session, campaign, language, decision.shown_step)
    return home


__all__ = ["Standing", "results_home"]
