"""Theme keywords by class-based TF-IDF: terms frequent in one theme and rare in the others.

c-TF-IDF(t, c) = tf(t, c) / |c| · log(1 + A / f(t)), with A the average number of words per theme
and f(t) the frequency of t over all themes (as BERTopic defines it).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np


def class_tfidf(
    token_lists: Sequence[Sequence[str]], labels: Sequence[int], classes: Sequence[int]
) -> dict[int, dict[str, float]]:
    counts = {c: Counter() for c in classes}
    for tokens, label in zip(token_lists, labels):
        if label in counts:
            counts[label].update(tokens)
    totals = Counter()
    for counter in counts.values():
        totals.update(counter)
    if not totals:
        return {c: {} for c in classes}
    average = np.mean([sum(counter.values()) for counter in counts.values()]) or 1.0
    weights = {}
    for c, counter in counts.items():
        size = sum(counter.values()) or 1
        weights[c] = {term: (count / size) * np.log(1 + average / totals[term]) for term, count in counter.items()}
    return weights


def keywords(weights: dict[str, float], limit: int = 8, min_count_terms: set | None = None) -> list[str]:
    ranked = sorted(weights.items(), key=lambda item: (-item[1], item[0]))
    return [term for term, _ in ranked if min_count_terms is None or term in min_count_terms][:limit]


def label_from(words: Sequence[str]) -> str:
    return "、".join(words[:3]) if words else "其他/未归类"
