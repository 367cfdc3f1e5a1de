"""Scores by segment: n, SUS, eNPS, module satisfaction, ADKAR elements, resistance, barrier points.

Works on the per-response score frame of `surveys.scoring.score_frame` joined with segment columns.
Release decisions are not made here: callers pass the groups through `analysis.privacy`.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.stats import mannwhitneyu

from surveys.scoring import ADKAR_ORDER, barrier_distribution, enps, nps_category

SIGNIFICANCE_LEVEL = 0.05
MIN_N_FOR_TEST = 5


@dataclass
class Comparison:
    """A group's figure against the rest of the campaign (Mann–Whitney U, two-sided)."""

    difference: float | None
    p_value: float | None
    significant: bool
    n_group: int
    n_rest: int


@dataclass
class GroupScores:
    key: tuple
    n: int
    scores: dict
    barrier_points: dict | None = None
    comparisons: dict = field(default_factory=dict)


def score_columns(scores: pd.DataFrame) -> list[str]:
    return [c for c in scores.columns if c == "sus" or c == "nps" or c.startswith(("module_", "adkar_", "resist_"))]


def aggregate(scores: pd.DataFrame) -> dict:
    """Figures of one group: means, eNPS from the raw ratings (`nps` column), never per-person values."""
    figures: dict = {}
    for column in score_columns(scores):
        values = scores[column].dropna()
        if column == "nps":
            figures["enps"] = _clean(enps(values))
        else:
            figures[column] = _clean(float(values.mean())) if len(values) else None
    return figures


def _clean(value: float) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else round(value, 2)


def compare(group: pd.Series, rest: pd.Series, metric: str) -> Comparison:
    group, rest = group.dropna(), rest.dropna()
    if len(group) < MIN_N_FOR_TEST or len(rest) < MIN_N_FOR_TEST:
        return Comparison(None, None, False, len(group), len(rest))
    if metric == "nps":
        difference = enps(group) - enps(rest)
        group, rest = nps_category(group), nps_category(rest)
    else:
        difference = float(group.mean() - rest.mean())
    if group.nunique() == 1 and rest.nunique() == 1 and group.iloc[0] == rest.iloc[0]:
        return Comparison(round(difference, 2), 1.0, False, len(group), len(rest))
    p_value = float(mannwhitneyu(group, rest, alternative="two-sided").pvalue)
    return Comparison(round(difference, 2), round(p_value, 4), p_value < SIGNIFICANCE_LEVEL, len(group), len(rest))


def summarise(scores: pd.DataFrame, by: Sequence[str]) -> tuple[GroupScores, list[GroupScores]]:
    """Overall figures and one GroupScores per group of `by` (one or two segment columns)."""
    by = list(by)
    overall = GroupScores((), len(scores), aggregate(scores), _barriers(scores))
    groups = []
    metrics = score_columns(scores)
    grouper = by if len(by) > 1 else by[0]
    for values, positions in scores.groupby(grouper, observed=True, dropna=True).indices.items():
        values = values if isinstance(values, tuple) else (values,)
        inside = np.zeros(len(scores), dtype=bool)
        inside[positions] = True
        members, rest = scores[inside], scores[~inside]
        group = GroupScores(tuple(sorted(zip(by, values))), len(members), aggregate(members), _barriers(members))
        for metric in metrics:
            group.comparisons["enps" if metric == "nps" else metric] = compare(members[metric], rest[metric], metric)
        groups.append(group)
    return overall, groups


def _barriers(scores: pd.DataFrame) -> dict | None:
    if "barrier_point" not in scores.columns:
        return None
    return barrier_distribution(scores["barrier_point"], ADKAR_ORDER)
