"""What of a comment theme may be shown: one decision from its respondents and the run's k_text.

A theme is words of its members: its quotes, its keywords and the label made of them, its breakdown by
role and department and its polarity counts all tell something about the people in it. So a theme of
fewer than k_text respondents shows none of them; the pages, the API, the report and the suggestion
pre-fill only count it ("另有 N 个小主题，每个少于 k 人"). Breakdown cells of a released theme need k_text
respondents each, and the hidden ones together too (or none). Every view asks here;
`analysis.privacy.may_release_text` is the threshold.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from analysis.privacy import may_release_text


@dataclass(frozen=True)
class ThemeRelease:
    """Which parts of one theme may be shown; a theme that is not `shown` is only counted."""

    shown: bool
    members: bool
    quotes: bool
    keywords: bool
    label: bool  # the label drawn from the comments (a manager's own name for the theme is not)
    breakdown: bool
    polarity: bool


def theme_release(respondents: int, k_text: int) -> ThemeRelease:
    """A theme with at least k_text respondents shows everything; a smaller one nothing but that it exists."""
    released = may_release_text(respondents, k_text)
    return ThemeRelease(
        shown=released,
        members=released,
        quotes=released,
        keywords=released,
        label=released,
        breakdown=released,
        polarity=released,
    )


def release_breakdown(cells: Mapping[str, int], k_text: int | None) -> dict[str, int]:
    """The cells of a theme's breakdown (respondents per role or department) that may be shown, sorted.

    The theme's respondents are shown beside it, so the hidden cells' sum is known by subtraction: while it is
    between 1 and k_text − 1, the smallest shown cell is hidden too. Without a threshold (`None`) no cell is
    shown."""
    if k_text is None:
        return {}
    shown = {value: n for value, n in cells.items() if may_release_text(n, k_text)}
    hidden = sum(cells.values()) - sum(shown.values())
    while shown and hidden > 0 and not may_release_text(hidden, k_text):
        smallest = min(shown, key=lambda value: (shown[value], value))
        hidden += shown.pop(smallest)
    return dict(sorted(shown.items()))
