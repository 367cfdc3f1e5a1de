"""What of a run's themes may be shown, asked the same way by the run page, the API, the CLI, the report, the
suggestion pre-fill and the receipt: the run's text threshold and each theme's `analysis.text.release`.

Themes below the threshold are not listed; they are counted ("另有 N 个小主题，每个少于 k 人").
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select

from analysis.text.normalise import Normaliser
from analysis.text.polarity import explain
from analysis.text.release import ThemeRelease, theme_release
from app.models import Answer, Campaign, Theme, ThemeMember, ThemeRun


@dataclass(frozen=True)
class ShownTheme:
    """A theme with the decision on what of it may be shown."""

    theme: Theme
    release: ThemeRelease
    k_text: int

    @property
    def label(self) -> str:
        """The theme's name: drawn from its comments only when they may be shown; a manager's own name always."""
        return self.theme.display_label if self.release.label else (self.theme.custom_label or "")


@dataclass(frozen=True)
class ReleasedThemes:
    """A run's themes that may be shown (ranked), and how many smaller ones are only counted."""

    themes: list[ShownTheme]
    small: int
    k_text: int


def run_k_text(session, run: ThemeRun) -> int:
    """The run's k_text: the largest `min_group_text` of its campaigns, as stored when the run was created
    or as the campaigns hold it now, whichever is larger (a threshold raised later applies to earlier runs)."""
    current = session.execute(
        select(func.max(Campaign.min_group_text)).where(Campaign.id.in_(run.campaign_ids or []))
    ).scalar()
    thresholds = [k for k in ((run.params or {}).get("k_text"), current) if k is not None]
    return max(thresholds) if thresholds else current_app.config["ANONYMITY_MIN_GROUP_TEXT"]


def ranked(themes: list[Theme]) -> list[Theme]:
    """Ranking: catch-all last; most respondents with negative comments first, then growth vs last quarter."""
    return sorted(themes, key=lambda t: (t.is_other, t.is_noise, -t.negative_respondents, -(t.growth or 0), t.rank))


def visible_themes(run: ThemeRun) -> list[Theme]:
    """Every theme of the run that was not merged into another, ranked (released or not)."""
    return ranked([t for t in run.themes if t.merged_into_id is None])


def shown_theme(theme: Theme, k_text: int) -> ShownTheme:
    return ShownTheme(theme, theme_release(theme.respondents, k_text), k_text)


def released_themes(session, run: ThemeRun) -> ReleasedThemes:
    k_text = run_k_text(session, run)
    decided = [shown_theme(theme, k_text) for theme in visible_themes(run)]
    shown = [item for item in decided if item.release.shown]
    return ReleasedThemes(shown, len(decided) - len(shown), k_text)


def theme_as_shown(session, theme: Theme) -> ShownTheme:
    """One theme with its release under its run's threshold (the pre-fill, a suggestion's origin, a receipt)."""
    return shown_theme(theme, run_k_text(session, theme.run))


def shown_members(session, item: ShownTheme, limit: int | None = None) -> list[tuple[str, str]]:
    """(answer id, text) of the theme's comments, oldest id first; none unless its members may be shown."""
    if not item.release.members:
        return []
    return [
        tuple(row)
        for row in session.execute(
            select(Answer.id, Answer.value_text)
            .join(ThemeMember, ThemeMember.answer_id == Answer.id)
            .where(ThemeMember.theme_id == item.theme.id)
            .order_by(Answer.id)
            .limit(limit)
        )
    ]


def negative_cues(session, item: ShownTheme, rows: list[tuple[str, str]]) -> dict[str, list[str]]:
    """Why each shown comment of the theme that counts as negative does: the words of it that weighed towards
    negative (`analysis.text.polarity.explain`), by answer id; nothing unless the theme's polarity may be shown."""
    if not item.release.polarity or not rows:
        return {}
    negative = set(
        session.execute(
            select(ThemeMember.answer_id).where(
                ThemeMember.theme_id == item.theme.id,
                ThemeMember.polarity == "negative",
                ThemeMember.answer_id.in_([answer_id for answer_id, _text in rows]),
            )
        ).scalars()
    )
    normaliser, found = Normaliser(), {}
    for answer_id, text in rows:
        if answer_id in negative:
            words = [cue.text for cue in explain(normaliser.normalise(text)).cues if cue.weight < 0]
            if words:
                found[answer_id] = list(dict.fromkeys(words))
    return found
