"""What the results home shows of one released group: each score's distribution (favourable / neutral /
unfavourable), its change against last quarter with its significance, the biggest movers, and the items
furthest above and below the organisation's mean.

Pure: takes the favourability frames of `surveys.scoring.favourability_frame` (one row per respondent of a
released group at its released step — the release state's decision, made before) and returns numbers.
A respondent counts once per score: their share of favourable, neutral and unfavourable answers among the
score's items they answered; a group's distribution is the mean of those shares, so a change between two
quarters is a difference of means of independent respondents, tested with Mann–Whitney U.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from analysis.segments import Comparison, compare
from surveys.scoring import FAVOURABLE, NEUTRAL, UNFAVOURABLE

TOP = 3


@dataclass(frozen=True)
class Distribution:
    """Shares of a group's answers (0–1; they add up to 1) and the respondents who answered."""

    favourable: float
    neutral: float
    unfavourable: float
    n: int


def respondent_shares(classes: pd.DataFrame, items: Sequence[str], value: int) -> pd.Series:
    """Per respondent who answered any of `items`: the share of those answers that are `value`."""
    answered = classes.reindex(columns=list(items))
    counted = answered.notna().sum(axis=1)
    hits = (answered == value).sum(axis=1)
    return (hits / counted)[counted > 0]


def distribution(classes: pd.DataFrame, items: Sequence[str]) -> Distribution | None:
    shares = [respondent_shares(classes, items, value) for value in (FAVOURABLE, NEUTRAL, UNFAVOURABLE)]
    if shares[0].empty:
        return None
    favourable, neutral, unfavourable = (float(s.mean()) for s in shares)
    return Distribution(favourable, neutral, unfavourable, n=len(shares[0]))


def change(current: pd.DataFrame, previous: pd.DataFrame, items: Sequence[str]) -> Comparison | None:
    """The change of the favourable share against an earlier group (points of share), Mann–Whitney U."""
    now = respondent_shares(current, items, FAVOURABLE)
    before = respondent_shares(previous, items, FAVOURABLE)
    if now.empty or before.empty:
        return None
    return compare(now.reset_index(drop=True), before.reset_index(drop=True), "favourable")


@dataclass(frozen=True)
class Insight:
    """A score or an item with its distribution and, where last quarter is comparable, its change."""

    key: str
    distribution: Distribution
    change: Comparison | None = None


def insights(
    current: pd.DataFrame, previous: pd.DataFrame | None, groups: Mapping[str, Sequence[str]]
) -> list[Insight]:
    """One Insight per group of items (a score's items, or one item), in the order given."""
    found = []
    for key, items in groups.items():
        shares = distribution(current, items)
        if shares is None:
            continue
        moved = change(current, previous, items) if previous is not None and _has(previous, items) else None
        found.append(Insight(key, shares, moved))
    return found


def _has(frame: pd.DataFrame, items: Sequence[str]) -> bool:
    return any(code in frame.columns for code in items)


def movers(found: Sequence[Insight], top: int = TOP) -> list[Insight]:
    """The `top` largest changes of the favourable share, largest first (significant or not: the page says)."""
    moved = [(abs(i.change.difference), i) for i in found if i.change is not None and i.change.difference is not None]
    return [insight for _, insight in sorted(moved, key=lambda pair: -pair[0])[:top]]


@dataclass(frozen=True)
class Standing:
    """An item against the organisation's mean favourable share over all items (`gap`, points of share)."""

    insight: Insight
    gap: float


def strengths_and_focus(items: Sequence[Insight], top: int = TOP) -> tuple[list[Standing], list[Standing]]:
    """The items furthest above the mean of all items' favourable shares, and those furthest below it."""
    if len(items) < 2:
        return [], []
    mean = sum(i.distribution.favourable for i in items) / len(items)
    standings = sorted(
        (Standing(i, i.distribution.favourable - mean) for i in items),
        key=lambda s: (-s.gap, s.insight.distribution.unfavourable),  # a tie: the less unfavourable first
    )
    above = [s for s in standings if s.gap > 0][:top]
    below = [s for s in reversed(standings) if s.gap < 0][:top]
    return above, below
