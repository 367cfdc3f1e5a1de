"""Assigning new comments to the themes of an earlier run (a refresh), without clustering again.

Each comment goes to the theme whose class-based TF-IDF terms its token bag is most similar to — the same
cosine that links themes across quarters (`analysis.text.recurrence.cosine`) — or to the catch-all when no
theme reaches `MIN_SIMILARITY`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from analysis.text.recurrence import cosine

MIN_SIMILARITY = 0.1


def assign(
    token_lists: Sequence[Sequence[str] | None],
    themes: Sequence[Mapping[str, float]],
    min_similarity: float = MIN_SIMILARITY,
) -> list[int | None]:
    """For each comment, the index of its most similar theme (a tie goes to the later theme), or None."""
    chosen: list[int | None] = []
    for tokens in token_lists:
        bag = Counter(tokens or ())
        similarity, index = max(((cosine(bag, weights), i) for i, weights in enumerate(themes)), default=(0.0, None))
        chosen.append(index if index is not None and similarity >= min_similarity else None)
    return chosen
