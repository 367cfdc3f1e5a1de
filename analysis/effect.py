"""The measured effect of an implemented change (你说，我们做): what the released figures of the quarter before it
and of the quarter after it say about the themes and the module the change was linked to.

One pure function, `measure_effect`. The app passes only released figures — a group as the release ledger
released it, at the step it was released at; the themes of the quarter's theme run — and this function
applies the thresholds once more on what it is given, so a group below k (k_text for a theme) says
"数据不足" (`INSUFFICIENT`) whatever it holds. Without the next quarter's figures it says `NOT_YET`. It never
claims a cause: the pages put the figures after the change (实施后) beside those before it; nothing here says
the change made the difference.

Significance: the module's ratings and the recommendation ratings of the two quarters are two independent
samples (responses are anonymous, so nobody can be paired across quarters) on an ordinal scale, so the mark is
the two-sided Mann–Whitney U test (`analysis.segments.compare`, asymptotic with tie correction, α = 0.05,
at least 5 on each side), on the ratings for the module and on promoter / passive / detractor for eNPS —
the test the breakdown pages use. The favourable share is reported with the module's mark.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from analysis.privacy import may_release, may_release_text
from analysis.quarters import Quarter
from analysis.segments import compare
from surveys.scoring import NPS_COLUMN, enps

MEASURED = "measured"
INSUFFICIENT = "insufficient"  # 数据不足: a group below its threshold, or nothing released for it
NOT_YET = "not_yet"  # the quarter after the change has no released figures yet
ABSENT = "absent"  # the quarter after it has a theme run, and no theme of this lineage in it
FAVOURABLE = 1


@dataclass(frozen=True)
class QuarterFigures:
    """What one quarter released about a change's subjects.

    `respondents` is the released n of the survey that measures the module (None: its figures are not
    released); `module`, `favourability` and `nps` are that group's per-respondent module scores, the
    favourability (+1 / 0 / −1) of each answer to the module's items, and recommendation ratings (0–10).
    `themes` maps a lineage to the respondents of its theme in the quarter's theme run (a lineage without a
    theme there is missing); `theme_base` is the released respondents of the run's campaigns (the share's
    base); `theme_run` whether the quarter has a run at all; `top_driver` the module most driving eNPS."""

    quarter: str
    respondents: int | None = None
    module: Sequence[float] | None = None
    favourability: Sequence[float] | None = None
    nps: Sequence[float] | None = None
    theme_run: bool = False
    theme_base: int | None = None
    themes: Mapping[str, int] = field(default_factory=dict)
    k_text: int | None = None  # the run's text threshold
    top_driver: str | None = None


@dataclass(frozen=True)
class Change:
    """One figure before → after, or why it is not shown (`status`)."""

    status: str
    before: float | None = None
    after: float | None = None
    before_share: float | None = None  # of respondents (themes) or favourable (module)
    after_share: float | None = None
    difference: float | None = None
    p_value: float | None = None
    significant: bool = False
    n_before: int | None = None
    n_after: int | None = None


@dataclass(frozen=True)
class ThemeChange:
    lineage: str
    label: str
    change: Change


@dataclass(frozen=True)
class Effect:
    """The change's measured effect: `status` is MEASURED when at least one figure could be compared, NOT_YET
    without the next quarter, INSUFFICIENT otherwise. JSON-ready (`to_dict`), so a report can freeze it."""

    status: str
    before_quarter: str | None
    after_quarter: str | None
    themes: tuple[ThemeChange, ...] = ()
    module: str | None = None
    module_mean: Change | None = None
    enps: Change | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def measure_effect(
    before: QuarterFigures | None,
    after: QuarterFigures | None,
    *,
    module: str | None,
    lineages: Mapping[str, str],
    k: int,
    k_text: int,
) -> Effect:
    """The effect of a change linked to `module` (a module key such as `attendance`, or None) and to theme
    `lineages` (lineage → label), measured from `before` (the last quarter surveyed before the change) to
    `after` (the quarter after it); `k` and `k_text` are the thresholds for figures and for themes."""
    if before is None:
        return Effect(INSUFFICIENT, None, after.quarter if after else None, module=module)
    if after is None:
        return Effect(NOT_YET, before.quarter, str(Quarter.parse(before.quarter).next), module=module)
    themes = tuple(
        ThemeChange(lineage, label, _theme_change(before, after, lineage, k, k_text))
        for lineage, label in lineages.items()
    )
    module_mean = _module_change(before, after, module, k) if module else None
    enps_change = _enps_change(before, after, k) if module and before.top_driver == module else None
    changes = [t.change for t in themes] + [c for c in (module_mean, enps_change) if c is not None]
    status = MEASURED if any(c.status in (MEASURED, ABSENT) for c in changes) else INSUFFICIENT
    return Effect(status, before.quarter, after.quarter, themes, module, module_mean, enps_change)


def _share(count: int, base: int | None, k: int) -> float | None:
    return round(count / base, 3) if base and may_release(base, k) else None


def _theme_change(before: QuarterFigures, after: QuarterFigures, lineage: str, k: int, k_text: int) -> Change:
    if not after.theme_run:
        return Change(NOT_YET)
    then = before.themes.get(lineage)
    if then is None or not may_release_text(then, max(before.k_text or k_text, k_text)):
        return Change(INSUFFICIENT)
    before_share = _share(then, before.theme_base, k)
    now = after.themes.get(lineage)
    if now is None:
        return Change(ABSENT, before=then, before_share=before_share)
    if not may_release_text(now, max(after.k_text or k_text, k_text)):
        return Change(INSUFFICIENT, before=then, before_share=before_share)
    return Change(
        MEASURED,
        before=then,
        after=now,
        before_share=before_share,
        after_share=_share(now, after.theme_base, k),
        difference=now - then,
    )


def _released_sample(quarter: QuarterFigures, values: Sequence[float] | None, k: int) -> pd.Series | None:
    if values is None or quarter.respondents is None or not may_release(quarter.respondents, k):
        return None
    series = pd.Series(list(values), dtype="float64").dropna()
    return series if may_release(len(series), k) else None


def _favourable_share(values: Sequence[float] | None) -> float | None:
    if values is None:
        return None
    answers = pd.Series(list(values), dtype="float64").dropna()
    return round(float((answers == FAVOURABLE).mean()), 3) if len(answers) else None


def _module_change(before: QuarterFigures, after: QuarterFigures, module: str, k: int) -> Change:
    then, now = _released_sample(before, before.module, k), _released_sample(after, after.module, k)
    if then is None or now is None:
        return Change(INSUFFICIENT)
    test = compare(now, then, f"module_{module}")
    return Change(
        MEASURED,
        before=round(float(then.mean()), 2),
        after=round(float(now.mean()), 2),
        before_share=_favourable_share(before.favourability),
        after_share=_favourable_share(after.favourability),
        difference=test.difference,
        p_value=test.p_value,
        significant=test.significant,
        n_before=len(then),
        n_after=len(now),
    )


def _enps_change(before: QuarterFigures, after: QuarterFigures, k: int) -> Change:
    then, now = _released_sample(before, before.nps, k), _released_sample(after, after.nps, k)
    if then is None or now is None:
        return Change(INSUFFICIENT)
    test = compare(now, then, NPS_COLUMN)
    return Change(
        MEASURED,
        before=round(enps(then), 1),
        after=round(enps(now), 1),
        difference=test.difference,
        p_value=test.p_value,
        significant=test.significant,
        n_before=len(then),
        n_after=len(now),
    )
