"""A candidate rule for issue 17, measured and not adopted: a theme counts only if it is tighter than the
whole set.

On short texts the k search stays at k = 4 for 13 headline topics × 60 (NMI 0.077): k-means leaves one
large cluster of what has no topic of its own (505 of 780 headlines), as loose as the whole set (cohesion
— the length of the mean of its unit vectors — 0.24, the same as all 780 together), and it reproduces
easily, so k = 4 scores high. `CohesiveStableKMeans` scores a candidate k without such clusters:

- `count` (variant A): a cluster must reach `min_ratio` × the whole set's cohesion to count as
  reproduced — in the count and in the share;
- `count-only` (variant B): such a cluster still holds its share, but is not counted as a theme.

Measure through the product path:

    .venv/bin/python benchmarks/themes_quality.py --data toutiao --per-topic 60 --method cohesion
    .venv/bin/python benchmarks/themes_quality.py --data shopping --per-topic 400 --method cohesion

The closing note of issue 17's fourth session has the figures. The ninth session adopted the third variant,
on refined fits: such a cluster is counted but holds no share (`StableKMeans.min_cohesion_ratio`).
"""

from __future__ import annotations

import numpy as np

from analysis.text.cluster import StableKMeans, cohesion_ratio


class CohesiveStableKMeans(StableKMeans):
    def __init__(self, variant: str = "count", min_ratio: float = 1.05, **params):
        params.setdefault("min_jaccard", 0.65)  # the fourth session's threshold (the product's is now 0.7)
        super().__init__(**params)
        self.variant = variant
        self.min_ratio = min_ratio

    def get_params(self, deep: bool = True) -> dict:
        return {**super().get_params(deep), "variant": self.variant, "min_ratio": self.min_ratio}

    @classmethod
    def _get_param_names(cls) -> list[str]:
        return sorted({*StableKMeans._get_param_names(), "variant", "min_ratio"})

    def _score(self, sample: np.ndarray, subsets: list[np.ndarray], k: int, counted: float, counts=None) -> float:
        # the fourth session's rule: count × share on the unrefined fits, whatever the counts
        reference, sizes, reproduced = self._candidate(sample, subsets, k, counted)
        tight = reproduced & (cohesion_ratio(sample, reference, k) >= self.min_ratio)
        if self.variant == "count":
            return float(tight.sum() * sizes[tight].sum() / len(sample))
        return float(tight.sum() * sizes[reproduced].sum() / len(sample))
