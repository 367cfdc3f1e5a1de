"""Recurrence: a theme of this quarter is the same as an earlier one when their c-TF-IDF term weights
are similar (cosine in the shared term space) above a threshold; matched themes share a lineage, so
the manager's name for it carries over and "连续 3 个季度出现, ↑ 40%" can be said.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from analysis.privacy import may_release_text

# benchmarks/recurrence_threshold.py: F1 0.848 for every threshold from 0.15 to 0.60 (0.824 at 0.10);
# the middle of that plateau is used
MATCH_THRESHOLD = 0.35
EMERGING_GROWTH = 0.5  # issue 17: grown by at least 50 % against last quarter


def cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    if not a or not b:
        return 0.0
    dot = sum(weight * b.get(term, 0.0) for term, weight in a.items())
    norm = math.sqrt(sum(w * w for w in a.values())) * math.sqrt(sum(w * w for w in b.values()))
    return dot / norm if norm else 0.0


def match(
    previous: Sequence[Mapping[str, float]], current: Sequence[Mapping[str, float]], threshold: float = MATCH_THRESHOLD
) -> dict[int, int]:
    """current index → previous index, greedily by similarity, each previous theme used once."""
    pairs = sorted(
        ((cosine(c, p), ci, pi) for ci, c in enumerate(current) for pi, p in enumerate(previous)), reverse=True
    )
    taken_current, taken_previous, result = set(), set(), {}
    for similarity, ci, pi in pairs:
        if similarity < threshold:
            break
        if ci in taken_current or pi in taken_previous:
            continue
        result[ci] = pi
        taken_current.add(ci)
        taken_previous.add(pi)
    return result


def growth(current_size: int, previous_size: int | None) -> float | None:
    """Relative change in respondents against the previous quarter (0.4 = ↑ 40 %)."""
    if not previous_size:
        return None
    return (current_size - previous_size) / previous_size


def follow(
    overlaps: Mapping[int, int],
    weights: Mapping[str, float],
    candidates: Mapping[int, Mapping[str, float]],
    threshold: float = MATCH_THRESHOLD,
) -> int | None:
    """The theme of a later run that an edited theme became, or None.

    `overlaps` counts, for each theme of the later run, how many of the edited theme's comments it holds;
    `candidates` are the themes an edit may land on, with their term weights. The answer is the theme holding
    the most of those comments — at least half of the ones the run has — when it is a candidate and its terms
    resemble the edited theme's (cosine ≥ `threshold`; not asked when either side has no terms).
    """
    total = sum(overlaps.values())
    if not total:
        return None
    key, held = max(overlaps.items(), key=lambda item: (item[1], -item[0]))
    if 2 * held < total or key not in candidates:
        return None
    if weights and candidates[key] and cosine(weights, candidates[key]) < threshold:
        return None
    return key


def emerging(respondents: int, previous: int | None, k_text: int) -> str | None:
    """Whether a theme of this quarter is emerging: "new" when last quarter had no such theme that could be
    shown (`previous` None) and it has k_text respondents, "growing" when its respondents grew by at least
    `EMERGING_GROWTH` against last quarter's; None otherwise. A theme below k_text is never emerging."""
    if not may_release_text(respondents, k_text):
        return None
    if previous is None or previous <= 0:
        return "new"
    return "growing" if respondents - previous >= EMERGING_GROWTH * previous else None
