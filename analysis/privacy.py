"""What may be released, in words and simple thresholds; the decisions themselves are the ledger's.

Every figure, comment list, theme and export row is released through the campaign's release ledger
(`analysis.disclosure`), planned step by step by `analysis.release` and stored by `app.results.releases`:
a group is shown only if no combination of everything released before — differences, parent minus
children, sums of hidden cells, other steps, other exports — would pin down 1..k−1 respondents (1..k_text−1
for anything with text). This module holds what the pages say about a hidden group and two rules that need
no ledger: a statistic over several groups (a rank correlation of departments) is released only when every
group in it is (`release_across_groups`), and the text threshold for themes (`may_release_text`).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass

from surveys.i18n import gettext

BELOW_K = "below_k"
COMPLEMENTARY = "complementary"
DIFFERENCING = "differencing"
SEARCH_BOUND = "search_bound"
STALE = "stale"
GROUP_HIDDEN = "group_hidden"


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
    """Why a group is not shown, in `language` (the catalogue's Chinese msgids, translated by `surveys.i18n`)."""
    if reason == BELOW_K:
        return gettext("不足 %(k)s 人", language, k=k)
    if reason in (COMPLEMENTARY, DIFFERENCING, SEARCH_BOUND):
        return gettext("为防止推算而隐藏", language)
    if reason == STALE:
        return gettext("为防止推算，显示上次发布的数据", language)
    if reason == GROUP_HIDDEN:
        return gettext("其中有群体的数据未公开（不足 %(k)s 人或为防推算而隐藏），跨群体的统计一并不显示", language, k=k)
    raise KeyError(reason)


def may_release(n: int, k: int) -> bool:
    return n >= k


def may_release_text(n_respondents: int, k_text: int) -> bool:
    """Comments and themes need k_text distinct respondents (default 10)."""
    return n_respondents >= k_text


def release_across_groups(groups: Mapping[Hashable, Release], k: int) -> tuple[Release, list[Hashable]]:
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
    # every group's n is known here: a group without one is among the hidden above
    return Release.shown(sum(n for decision in groups.values() if (n := decision.n) is not None)), []
