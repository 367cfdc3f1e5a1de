"""Clustering comment vectors into themes, with the number of themes chosen from the data.

Silhouette on LSA vectors of real comments rises with k and picks the largest k offered, so it is
not used. Instead each candidate k is fitted on the data and on resampled subsets, and its stability
is the mean adjusted Rand index between them; the chosen k is the largest one whose stability stays
within `tolerance` of the most stable k (and above `min_stability`): the finest partition that
reproduces. The reference fit of each k uses more initialisations than the resampled ones: its local
optimum was the main source of noise in the estimate. Comments far from every centre, and themes too
small to be themes, go to a catch-all.

On short texts the most stable partition of all comments is a coarse one (13 headline topics: k = 4,
ARI 0.90, every finer k 0.44–0.60), so the search alone collapses. Each theme of at least
`split_min_size` comments is therefore searched again on its own (k 2…`split_k_max`, on a sample of at
most `split_selection_size`) and split when one of its partitions passes the same stability rule; a
theme without one stays whole. The second search is bounded: k0 themes × (split_k_max − 1) candidate
fits on at most 1,000 vectors each.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.metrics import adjusted_rand_score
from sklearn.utils.validation import check_is_fitted

OTHER = -1


class StableKMeans(BaseEstimator, ClusterMixin):
    """k-means whose k is chosen from the data by resampling stability when `n_clusters` is None.

    After fitting: `k_` (the k used, after splits), `stability_` (k → mean ARI of the search over all
    comments, empty when k was given), `splits_` (theme of that search → its own k → mean ARI, for the
    themes that were split; `split_k_max` ≥ 2 turns the split on, the theme pipeline uses 6),
    `centres_` (unit vectors of the themes kept), `labels_` (catch-all OTHER for comments far from every
    centre and for themes smaller than `min_theme_size` or `min_theme_share`) and `similarity_` (cosine
    to the own centre).
    """

    def __init__(
        self,
        n_clusters: int | None = None,
        k_min: int = 2,
        k_max: int = 15,
        resamples: int = 6,
        sample_fraction: float = 0.8,
        selection_size: int = 3000,
        tolerance: float = 0.8,
        min_stability: float = 0.75,
        min_similarity: float = 0.1,
        min_theme_share: float = 0.01,
        min_theme_size: int = 3,
        split_k_max: int = 0,
        split_min_size: int = 100,
        split_selection_size: int = 1000,
        random_state: int = 0,
    ):
        self.n_clusters = n_clusters
        self.k_min = k_min
        self.k_max = k_max
        self.resamples = resamples
        self.sample_fraction = sample_fraction
        self.selection_size = selection_size
        self.tolerance = tolerance
        self.min_stability = min_stability
        self.min_similarity = min_similarity
        self.min_theme_share = min_theme_share
        self.min_theme_size = min_theme_size
        self.split_k_max = split_k_max
        self.split_min_size = split_min_size
        self.split_selection_size = split_selection_size
        self.random_state = random_state

    def _candidates(self, n: int, k_min: int, k_max: int) -> list[int]:
        upper = min(k_max, n // max(self.min_theme_size * 2, 1))
        return list(range(k_min, upper + 1))

    def _stability(self, vectors: np.ndarray, k_min: int, k_max: int, size: int) -> dict[int, float]:
        """k → mean ARI between a reference fit and fits on resampled subsets, for each candidate k in
        [k_min, k_max] (fewer when there are few distinct vectors), on a seeded sample of at most `size`."""
        rng = np.random.default_rng(self.random_state)
        sample = vectors
        if len(vectors) > size:
            sample = vectors[rng.choice(len(vectors), size, replace=False)]
        stability: dict[int, float] = {}
        for k in self._candidates(len(np.unique(np.round(sample, 6), axis=0)), k_min, k_max):
            reference = KMeans(k, n_init=10, random_state=self.random_state).fit(sample).labels_
            scores = []
            for repeat in range(self.resamples):
                index = rng.choice(len(sample), int(self.sample_fraction * len(sample)), replace=False)
                labels = KMeans(k, n_init=4, random_state=self.random_state + repeat + 1).fit(sample[index]).labels_
                scores.append(adjusted_rand_score(reference[index], labels))
            stability[k] = float(np.mean(scores))
        return stability

    def _choose_k(self, vectors: np.ndarray) -> tuple[int, dict[int, float]]:
        """The largest k whose stability is within `tolerance` of the best (and above `min_stability`)."""
        stability = self._stability(vectors, self.k_min, self.k_max, self.selection_size)
        if not stability:
            return 1, stability
        best = max(stability.values())
        good = [k for k, s in stability.items() if s >= max(self.min_stability, self.tolerance * best)]
        return (max(good) if good else max(stability, key=stability.get)), stability

    def fit(self, X: np.ndarray, y=None) -> StableKMeans:
        vectors = np.asarray(X)
        n = len(vectors)
        self.stability_: dict[int, float] = {}
        if n < 2 * self.min_theme_size:
            self.k_, self.centres_ = 0, np.zeros((0, vectors.shape[1] if vectors.ndim == 2 else 0))
            self.labels_ = np.full(n, OTHER)
            self.similarity_ = np.zeros(n)
            return self
        if self.n_clusters is None:
            self.k_, self.stability_ = self._choose_k(vectors)
        else:
            self.k_ = self.n_clusters
        self.k_ = min(self.k_, len(np.unique(np.round(vectors, 6), axis=0)))
        if self.k_ <= 1:
            model_labels = np.zeros(n, dtype=int)
            centres = vectors.mean(axis=0, keepdims=True)
        else:
            model_labels, centres = self._kmeans(vectors, self.k_)
        self.splits_: dict[int, dict[int, float]] = {}
        if self.n_clusters is None and self.split_k_max >= 2 and self.k_ >= 2:
            model_labels = self._split_stable(vectors, model_labels)
            if model_labels.max() + 1 > self.k_:
                self.k_ = int(model_labels.max() + 1)
                centres = np.vstack([vectors[model_labels == c].mean(axis=0) for c in range(self.k_)])
        self._finish(vectors, model_labels, centres)
        return self

    def _kmeans(self, vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        if len(vectors) > 20000:
            model = MiniBatchKMeans(k, n_init=3, batch_size=4096, random_state=self.random_state).fit(vectors)
        else:
            model = KMeans(k, n_init=10, random_state=self.random_state).fit(vectors)
        return model.labels_, model.cluster_centers_

    def _split_stable(self, vectors: np.ndarray, labels: np.ndarray) -> np.ndarray:
        """Split each theme whose own comments have a partition as stable as `min_stability` asks (the
        largest such k ≤ `split_k_max` within `tolerance` of its most stable); themes without one stay whole.

        The most stable partition of all comments is often a coarse one (4 groups of 13 headline topics);
        a theme that is itself several topics shows that as a stable split of its members.
        """
        split = labels.copy()
        following = int(labels.max()) + 1
        for c in range(int(labels.max()) + 1):
            members = np.flatnonzero(labels == c)
            if len(members) < self.split_min_size:
                continue
            stability = self._stability(vectors[members], 2, self.split_k_max, self.split_selection_size)
            best = max(stability.values(), default=0.0)
            good = [k for k, s in stability.items() if s >= max(self.min_stability, self.tolerance * best)]
            if not good:
                continue
            k = max(good)
            parts, _ = self._kmeans(vectors[members], k)
            split[members[parts > 0]] = following + parts[parts > 0] - 1
            following += k - 1
            self.splits_[c] = stability
        return split

    def _finish(self, vectors: np.ndarray, labels: np.ndarray, centres: np.ndarray) -> None:
        norms = np.linalg.norm(centres, axis=1, keepdims=True)
        centres = centres / np.where(norms == 0, 1, norms)
        similarity = np.einsum("ij,ij->i", vectors, centres[labels])
        labels = np.where(similarity >= self.min_similarity, labels, OTHER)
        minimum = max(self.min_theme_size, int(self.min_theme_share * len(vectors)))
        sizes = np.bincount(labels[labels >= 0], minlength=len(centres))
        small = np.flatnonzero(sizes < minimum)
        labels = np.where(np.isin(labels, small), OTHER, labels)
        keep = [c for c in range(len(centres)) if c not in set(small)]
        remap = {old: new for new, old in enumerate(keep)}
        self.labels_ = np.array([remap.get(label, OTHER) for label in labels])
        self.centres_ = centres[keep]
        self.similarity_ = similarity

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The nearest kept theme of each new vector (unit vectors, as `fit` took), OTHER below `min_similarity`."""
        check_is_fitted(self, "centres_")
        vectors = np.asarray(X)
        if len(self.centres_) == 0 or len(vectors) == 0:
            return np.full(len(vectors), OTHER)
        similarities = vectors @ self.centres_.T
        best = similarities.argmax(axis=1)
        score = similarities[np.arange(len(vectors)), best]
        return np.where(score >= self.min_similarity, best, OTHER)
