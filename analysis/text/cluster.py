"""Clustering comment vectors into themes, with the number of themes chosen from the data.

Silhouette on LSA vectors of real comments rises with k and picks the largest k offered, so it is
not used. Instead each candidate k is fitted on the data and on resampled subsets, and its stability
is the mean adjusted Rand index between them; the chosen k is the largest one whose stability stays
within `tolerance` of the most stable k (and above `min_stability`): the finest partition that
reproduces. The reference fit of each k uses more initialisations than the resampled ones: its local
optimum was the main source of noise in the estimate. Comments far from every centre, and themes too
small to be themes, go to a catch-all.
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

    After fitting: `k_` (the k used), `stability_` (k → mean ARI, empty when k was given), `centres_` (unit
    vectors of the themes kept), `labels_` (catch-all OTHER for comments far from every centre and for
    themes smaller than `min_theme_size` or `min_theme_share`) and `similarity_` (cosine to the own centre).
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
        self.random_state = random_state

    def _candidates(self, n: int) -> list[int]:
        upper = min(self.k_max, n // max(self.min_theme_size * 2, 1))
        return list(range(self.k_min, upper + 1))

    def _choose_k(self, vectors: np.ndarray) -> tuple[int, dict[int, float]]:
        """The largest k whose stability is within `tolerance` of the best (and above `min_stability`)."""
        rng = np.random.default_rng(self.random_state)
        sample = vectors
        if len(vectors) > self.selection_size:
            sample = vectors[rng.choice(len(vectors), self.selection_size, replace=False)]
        stability: dict[int, float] = {}
        distinct = len(np.unique(np.round(sample, 6), axis=0))
        for k in self._candidates(distinct):
            reference = KMeans(k, n_init=10, random_state=self.random_state).fit(sample).labels_
            scores = []
            for repeat in range(self.resamples):
                index = rng.choice(len(sample), int(self.sample_fraction * len(sample)), replace=False)
                labels = KMeans(k, n_init=4, random_state=self.random_state + repeat + 1).fit(sample[index]).labels_
                scores.append(adjusted_rand_score(reference[index], labels))
            stability[k] = float(np.mean(scores))
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
        elif n > 20000:
            model = MiniBatchKMeans(self.k_, n_init=3, batch_size=4096, random_state=self.random_state).fit(vectors)
            model_labels, centres = model.labels_, model.cluster_centers_
        else:
            model = KMeans(self.k_, n_init=10, random_state=self.random_state).fit(vectors)
            model_labels, centres = model.labels_, model.cluster_centers_
        self._finish(vectors, model_labels, centres)
        return self

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
