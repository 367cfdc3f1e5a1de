"""Scoring: SUS, eNPS, scale means with reverse-keyed items, the ADKAR barrier point, Cronbach's α, and
the score keys every figure is named by.

`score_response` scores one response; `score_frame` scores many at once (vectorised, one row per
response) and must agree with it. Group aggregates (`enps`, `barrier_distribution`) live here too,
so every figure the product shows is computed in one place.

Score keys: a group's figures are flat, keyed `sus`, `enps` and the codes of the mean scales, whose
prefix names their family (`module_approval`, `adkar_awareness`, `resist_routine_seeking`). The API
nests them (`{"sus", "enps", "modules": {"approval": …}, "adkar": {…}, "resistance": {…}}`). Views ask
`score_scales` for what to show, never a fixed list of keys.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Literal, NamedTuple, TypedDict

import numpy as np
import pandas as pd

from surveys.i18n import gettext
from surveys.model import Instrument, Scale

HeadlineKey = Literal["sus", "enps"]
FamilyName = Literal["modules", "adkar", "resistance"]

ADKAR_ORDER = ("awareness", "desire", "knowledge", "ability", "reinforcement")
HEADLINE_KEYS: tuple[HeadlineKey, ...] = ("sus", "enps")
NPS_COLUMN = "nps"  # score_frame's column of the raw 0–10 rating; a group's figure of it is eNPS
FAMILIES: tuple[tuple[str, FamilyName], ...] = (("module_", "modules"), ("adkar_", "adkar"), ("resist_", "resistance"))
LOWER_IS_BETTER = frozenset({"resistance"})  # kinds whose lower values are the better ones


def sus_score(items: Iterable[float | None]) -> float:
    """Standard SUS: odd items score−1, even items 5−score, sum × 2.5 (0–100); NaN unless all 10 answered."""
    values = list(items)
    answered = [v for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
    if len(values) != 10 or len(answered) != 10:
        return math.nan
    total = sum((v - 1) if index % 2 == 0 else (5 - v) for index, v in enumerate(answered))
    return total * 2.5


def enps(ratings: Iterable[float]) -> float:
    """eNPS in points (−100…100): % of ratings 9–10 minus % of ratings 0–6; NaN with no ratings."""
    series = pd.Series(list(ratings) if not isinstance(ratings, pd.Series) else ratings, dtype="float64").dropna()
    if series.empty:
        return math.nan
    promoters = (series >= 9).mean()
    detractors = (series <= 6).mean()
    return float((promoters - detractors) * 100)


def nps_category(ratings: pd.Series) -> pd.Series:
    """+1 for promoters (9–10), −1 for detractors (0–6), 0 for passives: eNPS is the mean × 100."""
    return (ratings >= 9).astype(int) - (ratings <= 6).astype(int)


def _element(scale_code: str) -> str:
    return scale_code.split("_", 1)[1] if "_" in scale_code else scale_code


def barrier_point(element_scores: Mapping[str, float], order: Iterable[str], threshold: float = 3.0) -> str | None:
    """The first element, in order, whose score is ≤ threshold; None when every answered one is above."""
    for scale_code in order:
        value = element_scores.get(scale_code)
        if value is not None and not (isinstance(value, float) and math.isnan(value)) and value <= threshold:
            return _element(scale_code)
    return None


def _value_range(instrument: Instrument, code: str) -> tuple[int, int]:
    """The range of a scored item; a definition whose scale holds an unrated question is refused when read."""
    value_range = instrument.question(code).value_range
    if value_range is None:
        raise ValueError(f"question {code!r} is scored but has no rating range")
    return value_range


def _scale_range(instrument: Instrument, scale: Scale) -> tuple[int, int]:
    return _value_range(instrument, scale.items[0])


def score_response(instrument: Instrument, answers: Mapping[str, float | None]) -> dict[str, float | str | None]:
    """Scores of one response, keyed by scale code, plus `barrier_point` when the instrument has one."""
    scores: dict[str, float] = {}
    for scale in instrument.scales:
        values = [answers.get(code) for code in scale.items]
        if scale.scoring == "sus":
            scores[scale.code] = sus_score(values)
        elif scale.scoring == "nps":
            value = values[0]
            scores[scale.code] = math.nan if value is None else float(value)
        else:
            low, high = _scale_range(instrument, scale)
            keyed = [
                (low + high - v) if code in scale.reverse else v
                for code, v in zip(scale.items, values)
                if v is not None
            ]
            scores[scale.code] = float(np.mean(keyed)) if keyed else math.nan
    scored: dict[str, float | str | None] = dict(scores)
    if instrument.barrier_scales:
        scored["barrier_point"] = barrier_point(scores, instrument.barrier_scales, instrument.barrier_threshold)
    return scored


def score_frame(instrument: Instrument, wide: pd.DataFrame) -> pd.DataFrame:
    """Score many responses: `wide` has one row per response and one column per question code."""
    out = pd.DataFrame(index=wide.index)
    for scale in instrument.scales:
        items = wide.reindex(columns=list(scale.items)).astype("float64")
        if scale.scoring == "sus":
            odd = items.iloc[:, 0::2] - 1
            even = 5 - items.iloc[:, 1::2]
            total = odd.sum(axis=1, min_count=5) + even.sum(axis=1, min_count=5)
            out[scale.code] = (total * 2.5).where(items.notna().all(axis=1))
        elif scale.scoring == "nps":
            out[scale.code] = items.iloc[:, 0]
        else:
            low, high = _scale_range(instrument, scale)
            for code in scale.reverse:
                items[code] = low + high - items[code]
            out[scale.code] = items.mean(axis=1, skipna=True)
    if instrument.barrier_scales:
        barrier = pd.Series([None] * len(out), index=out.index, dtype="object")
        undecided = pd.Series(True, index=out.index)
        for scale_code in instrument.barrier_scales:
            hit = undecided & (out[scale_code] <= instrument.barrier_threshold)
            barrier[hit] = _element(scale_code)
            undecided &= ~hit
        out["barrier_point"] = barrier
    return out


def barrier_distribution(points: Iterable[str | None], order: Iterable[str] = ADKAR_ORDER) -> dict[str, int]:
    """Counts per barrier element (in ADKAR order) plus `none` for responses without a barrier."""
    series = pd.Series(list(points), dtype="object")
    counts = {element: int((series == element).sum()) for element in order}
    counts["none"] = int(series.isna().sum())
    return counts


def main_barrier(distribution: Mapping[str, int] | None) -> str | None:
    """The element most respondents of a group are stuck at (the earlier in ADKAR order on a tie);
    None when nobody is stuck or there is no distribution."""
    if not distribution:
        return None
    element, count = max(
        ((e, c) for e, c in distribution.items() if e != "none"), key=lambda item: item[1], default=(None, 0)
    )
    return element if count else None


def cronbach_alpha(items: pd.DataFrame, nan_policy: str = "pairwise") -> float:
    """Cronbach's α = k/(k−1) · (1 − trace(C) / ΣC) over the item covariance matrix C (ddof=1).

    Missing answers: "pairwise" (the default, as pingouin and R's psych use) computes each covariance
    from the rows where both items are answered; "listwise" first drops every incomplete row.
    NaN when fewer than two items or two rows.
    """
    if nan_policy not in ("pairwise", "listwise"):
        raise ValueError("nan_policy must be 'pairwise' or 'listwise'")
    data = items.astype("float64")
    if nan_policy == "listwise":
        data = data.dropna(axis=0, how="any")
    k = data.shape[1]
    if k < 2 or len(data) < 2:
        return math.nan
    covariance = data.cov().to_numpy()
    return float(k / (k - 1) * (1 - np.trace(covariance) / covariance.sum()))


def scale_alphas(instrument: Instrument, wide: pd.DataFrame) -> dict[str, float]:
    """Cronbach's α of every multi-item mean scale (reverse-keyed items reversed first) and of SUS."""
    alphas = {}
    for scale in instrument.scales:
        if len(scale.items) < 2:
            continue
        items = wide.reindex(columns=list(scale.items)).astype("float64")
        low, high = _scale_range(instrument, scale)
        reversed_items = scale.reverse if scale.scoring == "mean" else scale.items[1::2]
        for code in reversed_items:
            items[code] = low + high - items[code]
        alphas[scale.code] = cronbach_alpha(items)
    return alphas


# Score keys ---------------------------------------------------------------------------------------


class ScoreScale(NamedTuple):
    """A figure a view shows: its flat key, its label in the page's language, and its kind — `sus` (0–100),
    `enps` (−100…100), `mean` (a 1–5 mean, higher is better) or `resistance` (a 1–5 mean, lower is better)."""

    key: str
    label: str
    kind: str

    @property
    def family(self) -> str | None:
        return family_of(self.key)

    @property
    def lower_is_better(self) -> bool:
        return self.kind in LOWER_IS_BETTER

    @property
    def path(self) -> str:
        """Where the figure sits in nested scores, dotted: `sus`, `adkar.awareness`."""
        return ".".join(score_path(self.key))


def score_key(column: str) -> str:
    """The key of a group's figure of a score-frame column: `enps` for the raw rating, the column otherwise."""
    return "enps" if column == NPS_COLUMN else column


def score_columns(columns: Iterable[str]) -> list[str]:
    """The columns of a score frame that hold scores (not segments, not the barrier point)."""
    prefixes = tuple(prefix for prefix, _ in FAMILIES)
    return [c for c in columns if c in ("sus", NPS_COLUMN) or c.startswith(prefixes)]


def family_of(key: str) -> str | None:
    """`modules`, `adkar` or `resistance` for a family's key; None for `sus` and `enps`."""
    return next((family for prefix, family in FAMILIES if key.startswith(prefix)), None)


def member_key(family: str, member: str) -> str:
    """The flat key of a family's member: ("adkar", "awareness") → adkar_awareness."""
    prefix = next(prefix for prefix, name in FAMILIES if name == family)
    return prefix + member


def score_path(key: str) -> tuple[str, ...]:
    """Where a flat key sits in nested scores: sus → (sus,), module_approval → (modules, approval)."""
    for prefix, family in FAMILIES:
        if key.startswith(prefix):
            return family, key[len(prefix) :]
    return (key,)


ScoreFigures = Mapping[str, float | None]  # a group's figures by flat key; None where nobody answered


class NestedScores(TypedDict, total=False):
    """A group's figures as the API gives them: the headline figures, then each family's by member name."""

    sus: float | None
    enps: float | None
    modules: dict[str, float | None]
    adkar: dict[str, float | None]
    resistance: dict[str, float | None]


def family_members(figures: ScoreFigures, family: str) -> dict[str, float | None]:
    """One family's figures by member name: module_approval → approval (empty when it has none)."""
    prefix = next(prefix for prefix, name in FAMILIES if name == family)
    return {key[len(prefix) :]: value for key, value in figures.items() if key.startswith(prefix)}


def nest_scores(figures: ScoreFigures | None) -> NestedScores | None:
    """Flat figures → {"sus", "enps", "modules": {…}, "adkar": {…}, "resistance": {…}} (empty families left out)."""
    if figures is None:
        return None
    nested: NestedScores = {}
    for key in HEADLINE_KEYS:
        if key in figures:
            nested[key] = figures[key]
    for _prefix, family in FAMILIES:
        members = family_members(figures, family)
        if members:
            nested[family] = members
    return nested


def flat_scores(nested: NestedScores | None) -> dict[str, float | None]:
    """Nested scores (as the API gives them) → flat figures; the inverse of `nest_scores`."""
    if not nested:
        return {}
    flat: dict[str, float | None] = {key: nested[key] for key in HEADLINE_KEYS if key in nested}
    for _prefix, family in FAMILIES:
        for member, value in (nested.get(family) or {}).items():
            flat[member_key(family, member)] = value
    return flat


def family_scales(instrument: Instrument, family: str) -> list[tuple[str, Scale]]:
    """The instrument's scales of one family, with their member names: [("approval", <module_approval>), …]."""
    return [(score_path(scale.code)[1], scale) for scale in instrument.scales if family_of(scale.code) == family]


def _kind(key: str) -> str:
    if key in HEADLINE_KEYS:
        return key
    return "resistance" if family_of(key) == "resistance" else "mean"


def score_scales(instrument: Instrument, language: str = "zh") -> list[ScoreScale]:
    """The figures an instrument's scales give a group, in the instrument's order, labelled in `language`."""
    headline = {"sus": gettext("系统易用性 SUS", language), "enps": gettext("推荐值 eNPS", language)}
    scales = []
    for column in score_columns(scale.code for scale in instrument.scales):
        key = score_key(column)
        if key in headline:
            label = headline[key]
        else:
            scale = next(s for s in instrument.scales if s.code == column)
            label = scale.title.get(language) or scale.title["zh"]
        scales.append(ScoreScale(key, label, _kind(key)))
    return scales


def barrier_key(instrument: Instrument, element: str | None) -> str | None:
    """The score key of the barrier scale an element names (awareness → adkar_awareness), if it has one."""
    return next((code for code in instrument.barrier_scales if _element(code) == element), None)


def readiness_index(scores: ScoreFigures | None) -> float | None:
    """Mean of the five ADKAR element means (1–5)."""
    means = [scores.get(member_key("adkar", element)) for element in ADKAR_ORDER] if scores else []
    values = [v for v in means if v is not None]
    return round(sum(values) / len(values), 2) if values else None


def resistance_index(scores: ScoreFigures | None) -> float | None:
    """Mean of the resistance dimensions' means (1–5, lower is better)."""
    values = [v for key, v in (scores or {}).items() if family_of(key) == "resistance" and v is not None]
    return round(sum(values) / len(values), 2) if values else None


# Favourability and driver models ------------------------------------------------------------------

FAVOURABLE, NEUTRAL, UNFAVOURABLE = 1, 0, -1
READINESS = "readiness"  # the per-respondent mean of the ADKAR elements, as a driver model's outcome


def item_scales(instrument: Instrument) -> dict[str, tuple[str, ...]]:
    """The items of each score the instrument shows, by score key (`enps` for the recommendation rating)."""
    return {score_key(scale.code): scale.items for scale in instrument.scales}


def _agreeing_is_favourable(scale: Scale, code: str) -> bool:
    reversed_item = code in scale.reverse or (scale.scoring == "sus" and scale.items.index(code) % 2 == 1)
    lower_is_better = _kind(score_key(scale.code)) in LOWER_IS_BETTER
    return reversed_item == lower_is_better


def favourability_frame(instrument: Instrument, wide: pd.DataFrame) -> pd.DataFrame:
    """Every answer to a scored item as FAVOURABLE (+1), NEUTRAL (0) or UNFAVOURABLE (−1), NaN unanswered.

    A rating item is favourable above its range's midpoint (4–5 of 1–5) and neutral on it; reverse-keyed
    items, SUS's even items and the items of lower-is-better scales (resistance) count the other way round.
    The recommendation rating: 9–10 favourable (promoters), 7–8 neutral, 0–6 unfavourable (detractors)."""
    out = pd.DataFrame(index=wide.index)
    for scale in instrument.scales:
        for code in scale.items:
            values = wide.reindex(columns=[code])[code].astype("float64")
            if scale.scoring == "nps":
                classes = np.where(values >= 9, FAVOURABLE, np.where(values >= 7, NEUTRAL, UNFAVOURABLE))
            else:
                low, high = _value_range(instrument, code)
                classes = np.sign(values - (low + high) / 2)
                if not _agreeing_is_favourable(scale, code):
                    classes = -classes
            out[code] = pd.Series(classes, index=wide.index, dtype="float64").where(values.notna())
    return out


class DriverModel(NamedTuple):
    """What driver analysis explains for an instrument: an outcome and its predictors, as score-frame columns."""

    outcome: str
    predictors: tuple[str, ...]

    @property
    def outcome_key(self) -> str:
        return score_key(self.outcome)


def driver_model(instrument: Instrument) -> DriverModel | None:
    """The recommendation rating (eNPS) explained by the modules on a satisfaction survey; readiness (the mean
    of the ADKAR elements) explained by the resistance dimensions on a change-readiness survey. Taken from the
    instrument's scales, so a company's own modules are its predictors; without an outcome or with fewer than
    two predictors, None. (Other mean scales stand in for modules when an instrument has an eNPS but none.)"""
    codes = [scale.code for scale in instrument.scales]
    families = {family: [c for c in codes if family_of(c) == family] for _, family in FAMILIES}
    if NPS_COLUMN in codes:
        predictors = families["modules"] or [c for c in codes if family_of(c) is not None]
        outcome = NPS_COLUMN
    elif families["adkar"]:
        predictors, outcome = families["resistance"] or families["modules"], READINESS
    else:
        return None
    return DriverModel(outcome, tuple(predictors)) if len(predictors) >= 2 else None


def driver_frame(model: DriverModel, scores: pd.DataFrame) -> pd.DataFrame:
    """Per respondent: the model's outcome and predictors (from a score frame of `score_frame`)."""
    frame = scores[list(model.predictors)].copy()
    if model.outcome == READINESS:
        frame[READINESS] = scores[[c for c in scores.columns if family_of(c) == "adkar"]].mean(axis=1)
    else:
        frame[model.outcome] = scores[model.outcome]
    return frame
