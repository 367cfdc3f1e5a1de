"""What may be released: the single home of the anonymity rules.

Every figure, comment and theme shown for a group of respondents passes through here.

* Primary suppression: a group with fewer than k respondents shows only "不足 k 人".
* Complementary suppression: within one breakdown (and within each row and column of a crossed one),
  if the suppressed cells together hold 1..k−1 respondents they could be recovered from the released
  total, so the next smallest released cell is suppressed too, until the hidden set is empty or ≥ k.
* Differencing across views: all the groups the product can show for a campaign are planned together
  (`release_plan`): a group is released only if it differs from every group released before it by 0
  or at least k respondents (symmetric difference), so no two released figures isolate 1..k−1 people.
  A filtered view whose filter removes 1..k−1 respondents from its parent is withheld the same way.
* Across groups: a statistic computed over several groups (a rank correlation of departments) is
  released only when every group in it is (`release_across_groups`).
* Over time: a released group's figures are only updated once it has grown by at least k respondents
  since the last release, or when the campaign closes (`release_over_time`).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

BELOW_K = "below_k"
COMPLEMENTARY = "complementary"
DIFFERENCING = "differencing"
STALE = "stale"
GROUP_HIDDEN = "group_hidden"

GroupKey = tuple  # ((dimension, value), ...) sorted by dimension; () is everyone


@dataclass(frozen=True)
class Release:
    """The decision for one group: released n, or suppressed with a reason a person can read."""

    suppressed: bool
    n: int | None
    reason: str | None = None
    message: str | None = None

    @staticmethod
    def shown(n: int) -> Release:
        return Release(False, n)

    @staticmethod
    def hidden(reason: str, k: int) -> Release:
        return Release(True, None, reason, suppression_message(reason, k))


def suppression_message(reason: str, k: int, language: str = "zh") -> str:
    messages = {
        "zh": {
            BELOW_K: f"不足 {k} 人",
            COMPLEMENTARY: "已隐藏（防止由其他数字推算出小群体）",
            DIFFERENCING: f"已隐藏（与其他视图相差不足 {k} 人）",
            STALE: f"新增不足 {k} 人，显示上次发布的数据",
            GROUP_HIDDEN: f"其中有群体的数据未公开（不足 {k} 人或为防推算而隐藏），跨群体的统计一并不显示",
        },
        "en": {
            BELOW_K: f"fewer than {k}",
            COMPLEMENTARY: "hidden (would let a small group be worked out)",
            DIFFERENCING: f"hidden (differs from another view by fewer than {k})",
            STALE: f"fewer than {k} new responses; showing the last released figures",
            GROUP_HIDDEN: f"a group in it is not released (fewer than {k} or hidden against differencing), "
            "so the statistic across the groups is withheld too",
        },
    }
    return messages.get(language, messages["zh"])[reason]


def may_release(n: int, k: int) -> bool:
    return n >= k


def may_release_text(n_respondents: int, k_text: int) -> bool:
    """Comments and themes need k_text distinct respondents (default 10)."""
    return n_respondents >= k_text


def release_across_groups(groups: Mapping[Hashable, Release], k: int) -> tuple[Release, list]:
    """A statistic over several released groups (a rank correlation across departments) is released only
    when every group in it is released with at least k respondents: otherwise it would carry information
    about a hidden group. Returns the decision and the groups that withhold it."""
    hidden = sorted(
        (
            key
            for key, decision in groups.items()
            if decision.suppressed or decision.n is None or not may_release(decision.n, k)
        ),
        key=str,
    )
    if hidden:
        return Release.hidden(GROUP_HIDDEN, k), hidden
    return Release.shown(sum(decision.n for decision in groups.values())), []


def suppress_breakdown(counts: Mapping[Hashable, int], k: int) -> dict[Hashable, Release]:
    """Primary and complementary suppression of one breakdown whose total is released."""
    hidden = {key for key, n in counts.items() if n < k}
    _complete_suppression(counts, hidden, k)
    return {
        key: Release.hidden(BELOW_K if counts[key] < k else COMPLEMENTARY, k)
        if key in hidden
        else Release.shown(int(counts[key]))
        for key in counts
    }


def _complete_suppression(counts: Mapping[Hashable, int], hidden: set, k: int) -> bool:
    """Grow `hidden` until the hidden cells hold 0 or ≥ k respondents; True if anything was added."""
    added = False
    while True:
        hidden_total = sum(counts[key] for key in hidden)
        if hidden_total == 0 or hidden_total >= k:
            return added
        candidates = sorted((n, str(key), key) for key, n in counts.items() if key not in hidden and n > 0)
        if not candidates:
            return added
        hidden.add(candidates[0][2])
        added = True


def suppress_crossed(counts: Mapping[tuple, int], k: int) -> dict[tuple, Release]:
    """Suppression of a two-way table whose row and column margins are released.

    Iterates complementary suppression over every row and every column until nothing changes.
    """
    hidden = {key for key, n in counts.items() if n < k}
    _suppress_rows_and_columns(counts, hidden, k)
    return {
        key: Release.hidden(BELOW_K if counts[key] < k else COMPLEMENTARY, k)
        if key in hidden
        else Release.shown(int(counts[key]))
        for key in counts
    }


def _suppress_rows_and_columns(counts: Mapping[tuple, int], hidden: set, k: int) -> None:
    """Grow `hidden` until every row (key[0]) and column (key[1]) hides 0 or ≥ k respondents."""
    lines: dict = {}
    for key in counts:
        lines.setdefault(("row", key[0]), []).append(key)
        lines.setdefault(("column", key[1]), []).append(key)
    changed = True
    while changed:
        changed = False
        for keys in lines.values():
            line = {key: counts[key] for key in keys}
            line_hidden = {key for key in keys if key in hidden}
            if _complete_suppression(line, line_hidden, k):
                hidden |= line_hidden
                changed = True


def check_filtered_view(parent_n: int, view_n: int, k: int) -> Release:
    """A filtered view is withheld when it is small or removes 1..k−1 respondents from its parent."""
    if view_n < k:
        return Release.hidden(BELOW_K, k)
    if 0 < parent_n - view_n < k:
        return Release.hidden(DIFFERENCING, k)
    return Release.shown(view_n)


@dataclass(frozen=True)
class Snapshot:
    """What was released for a group last time: its n and its figures."""

    n: int
    figures: dict = field(default_factory=dict)


@dataclass(frozen=True)
class TimedRelease:
    figures: dict | None
    n: int | None
    store: bool
    stale: bool


def release_over_time(
    current_n: int, figures: dict, last: Snapshot | None, k: int, campaign_closed: bool
) -> TimedRelease:
    """Show new figures only after growth ≥ k since the last release (or at close); else the last ones."""
    if last is None or campaign_closed or current_n - last.n >= k or current_n < last.n:
        return TimedRelease(figures, current_n, store=(last is None or current_n != last.n), stale=False)
    if current_n == last.n:
        return TimedRelease(last.figures or figures, last.n, store=False, stale=False)
    return TimedRelease(last.figures, last.n, store=False, stale=True)


def group_key(assignments: Iterable[tuple[str, object]]) -> GroupKey:
    return tuple(sorted((dimension, value) for dimension, value in assignments))


def candidate_views(dimensions: Sequence[str], crossed: bool = True) -> list[tuple[str, ...]]:
    """Every breakdown the product can show: one-way for each dimension, then each pair crossed."""
    views = [(d,) for d in dimensions]
    if crossed:
        views += [(a, b) for i, a in enumerate(dimensions) for b in dimensions[i + 1 :]]
    return views


def release_plan(
    segments: pd.DataFrame, dimensions: Sequence[str], k: int, crossed: bool = True
) -> dict[GroupKey, Release]:
    """Decide every group of every view of one population at once, so all views agree.

    `segments` has one row per respondent and a column per dimension (missing values are not a
    group). Views are planned in a fixed order — everyone, one-way breakdowns, crossed pairs — and
    each group must differ from every group released before it by 0 or ≥ k respondents.
    """
    total = len(segments)
    plan: dict[GroupKey, Release] = {(): Release.shown(total) if total >= k else Release.hidden(BELOW_K, k)}
    released = _ReleasedSets(k)
    if total >= k:
        released.add(np.ones(total, dtype=bool))
    for view in candidate_views(list(dimensions), crossed):
        if total < k:
            break
        columns = segments[list(view)]
        groups = {}
        grouper = list(view) if len(view) > 1 else view[0]
        for values, positions in columns.groupby(grouper, observed=True, dropna=True).indices.items():
            values = values if isinstance(values, tuple) else (values,)
            mask = np.zeros(total, dtype=bool)
            mask[positions] = True
            groups[group_key(zip(view, values))] = mask
        counts = {key: int(mask.sum()) for key, mask in groups.items()}
        if len(view) == 1:
            decisions = suppress_breakdown(counts, k)
        else:
            decisions = suppress_crossed({(key[0][1], key[1][1]): n for key, n in counts.items()}, k)
            decisions = {key: decisions[(key[0][1], key[1][1])] for key in counts}
        hidden = {key for key, decision in decisions.items() if decision.suppressed}
        while True:
            conflict = next(
                (
                    key
                    for key in sorted(counts, key=lambda key: (counts[key], str(key)))
                    if key not in hidden and released.conflicts(groups[key])
                ),
                None,
            )
            if conflict is None:
                break
            hidden.add(conflict)
            decisions[conflict] = Release.hidden(DIFFERENCING, k)
            if len(view) == 1:
                _complete_suppression(counts, hidden, k)
            else:
                _suppress_rows_and_columns(counts, hidden, k)
            for key in hidden:
                if not decisions[key].suppressed:
                    decisions[key] = Release.hidden(COMPLEMENTARY, k)
        for key, decision in decisions.items():
            if not decision.suppressed:
                released.add(groups[key])
            plan[key] = decision
    return plan


class _ReleasedSets:
    """Released respondent sets, indexed by size: only sets within k of each other in size can conflict."""

    def __init__(self, k: int):
        self.k = k
        self.by_size: dict[int, list[np.ndarray]] = {}

    def add(self, mask: np.ndarray) -> None:
        self.by_size.setdefault(int(mask.sum()), []).append(mask)

    def conflicts(self, mask: np.ndarray) -> bool:
        size = int(mask.sum())
        for other_size in range(max(0, size - self.k + 1), size + self.k):
            for other in self.by_size.get(other_size, ()):
                difference = int(np.count_nonzero(mask ^ other))
                if 0 < difference < self.k:
                    return True
        return False
