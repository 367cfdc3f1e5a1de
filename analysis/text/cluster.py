"""Clustering comment vectors into themes, with the number of themes chosen from the data.

Silhouette on LSA vectors of real comments rises with k and picks the largest k offered, so it is
not used; nor is the stability of the whole partition (mean ARI between fits on resampled subsets):
on short texts its most stable partition is a coarse one (13 headline topics: k = 4, ARI 0.90, every
finer k 0.44–0.60), so it collapses there.

Each theme is judged on its own instead, as clusterboot does (Hennig 2007): a candidate k is fitted on
(a sample of) the comments and on `resamples` subsets of them, and a theme is *reproduced* when its best
match in each subset's fit has a mean Jaccard similarity of at least `min_jaccard` and its centre is
distinct from every other centre (cosine below `max_centre_cosine`: pieces of one tight cloud reproduce
too, but point the same way). The chosen k maximises (themes reproduced)² × (share of comments in them),
the smaller k on ties: more themes only count when they hold comments that come back as the same theme.
Given the comments' word counts, every fit is first refined as the pipeline refines its themes
(`refine_labels`), so what must reproduce is the themes a run shows; refined partitions agree more, hence
the threshold of 0.7 rather than 0.65, and the square, without which 5 review topics got 3 themes on one
seed in five. A theme no tighter than the whole sample (cohesion ratio below 1.05) counts as reproduced but
not in the share: on few short texts k-means at k = 3–4 leaves one loose remainder of most of them, which
reproduces as easily as the whole set and gave 1,000 headlines of 10 topics 3–4 themes. Measured through
the product path (benchmarks/themes_quality.py, 5 seeds; README has the table): news headlines of 13
topics get about 21 themes where the ARI rule gave 4, long reviews of 5 topics about 5. Comments far from
every centre, and themes too small to be themes, go to a catch-all.

The fits are many and small, so they run on one thread each, seeded by `kmeans_plusplus` (scikit-learn's
seeds without its overhead) and refined by a lean naive Bayes (`naive_bayes_predictions`): the same scores in
0.68–0.86 of the time (on one thread, 10.1 s → 6.8 s on a sample of 15,000 reviews, 8.6 s → 7.4 s on 1,950
headlines). One thread each, because with OpenMP's threads spinning against other processes
the search of a 100k run took 548 s on a loaded 2-core machine (3.8 s on one thread).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from analysis.text.refine import refine_labels
from analysis.text.seeding import kmeans_plusplus

OTHER = -1
# beyond this many comments a run takes the fast path: mini-batch k-means
EXACT_LIMIT = 20000


def best_jaccard(reference: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """For each reference cluster 0…k−1, the Jaccard similarity of its best-matching cluster in `labels`
    (both label arrays over the same points; an empty reference cluster gets 0)."""
    overlap = np.zeros((k, int(labels.max()) + 1))
    np.add.at(overlap, (reference, labels), 1)
    union = overlap.sum(axis=1, keepdims=True) + overlap.sum(axis=0, keepdims=True) - overlap
    best: np.ndarray = (overlap / np.maximum(union, 1)).max(axis=1)
    return best


def distinct(centres: np.ndarray, max_cosine: float) -> np.ndarray:
    """For each centre, whether its cosine to every other centre is below `max_cosine` (pieces of one
    tight cloud point the same way: cosine ≈ 0.99; themes of real comments stay below 0.75, measured on
    the shopping reviews and the headlines at k 5–25)."""
    unit = centres / np.maximum(np.linalg.norm(centres, axis=1, keepdims=True), 1e-12)
    cosine = unit @ unit.T
    np.fill_diagonal(cosine, -1.0)
    result: np.ndarray = cosine.max(axis=1, initial=-1.0) < max_cosine
    return result


def cohesion_ratio(vectors: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """Each cluster's cohesion (the length of the mean of its unit vectors) ÷ the cohesion of all the vectors:
    about 1 for a cluster as loose as the whole set (a remainder), 1.15–2.9 for real themes (fourth session,
    benchmarks/experiments/README.md phase 4)."""
    unit = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    sums = np.zeros((k, unit.shape[1]))
    np.add.at(sums, labels, unit)
    cohesion = np.linalg.norm(sums, axis=1) / np.maximum(np.bincount(labels, minlength=k), 1)
    ratio: np.ndarray = cohesion / max(float(np.linalg.norm(unit.mean(axis=0))), 1e-12)
    return ratio


def _kmeans_labels(vectors: np.ndarray, k: int, random_state: int) -> np.ndarray:
    """The labels of a subset's fit in the k search (3 inits, k-means++ seeds)."""
    labels: np.ndarray = KMeans(k, n_init=3, init=kmeans_plusplus, random_state=random_state).fit(vectors).labels_
    return labels


def _one_openmp_thread() -> None:
    threadpool_limits(limits=1, user_api="openmp")


class StableKMeans(BaseEstimator, ClusterMixin):  # type: ignore[misc]  # scikit-learn ships no type information
    """k-means whose k is chosen from the data (the reproduced-themes rule above) when `n_clusters` is None.

    Candidates run from `k_min` to `k_max`, with at least `min_mean_size` comments per theme on average;
    a theme counts only with at least `min_counted_size` comments (the pipeline passes its text threshold:
    a smaller theme could never be shown).

    After fitting: `k_` (the k used), `stability_` (candidate k → themes reproduced² × share of comments in
    them; empty when k was given), `centres_` (unit vectors of the themes kept), `labels_` (catch-all OTHER
    for comments far from every centre and for themes smaller than `min_theme_size` or `min_theme_share`)
    and `similarity_` (cosine to the own centre).
    """

    def __init__(
        self,
        n_clusters: int | None = None,
        k_min: int = 2,
        k_max: int = 25,
        resamples: int = 8,
        sample_fraction: float = 0.8,
        selection_size: int = 2000,
        min_jaccard: float = 0.7,
        max_centre_cosine: float = 0.9,
        min_cohesion_ratio: float = 1.05,
        min_similarity: float = 0.1,
        min_theme_share: float = 0.01,
        min_theme_size: int = 3,
        min_mean_size: int = 6,
        min_counted_size: int = 0,
        workers: int | None = None,
        random_state: int = 0,
    ):
        self.n_clusters = n_clusters
        self.k_min = k_min
        self.k_max = k_max
        self.resamples = resamples
        self.sample_fraction = sample_fraction
        self.selection_size = selection_size
        self.min_jaccard = min_jaccard
        self.max_centre_cosine = max_centre_cosine
        self.min_cohesion_ratio = min_cohesion_ratio
        self.min_similarity = min_similarity
        self.min_theme_share = min_theme_share
        self.min_theme_size = min_theme_size
        self.min_mean_size = min_mean_size
        self.min_counted_size = min_counted_size
        self.workers = workers
        self.random_state = random_state

    def _candidates(self, n: int) -> list[int]:
        upper = min(self.k_max, n // max(self.min_mean_size, 1))
        return list(range(self.k_min, upper + 1))

    def _reproduced(self, vectors: np.ndarray, n: int, counts: Any = None) -> dict[int, float]:
        """Candidate k → (themes reproduced)² × (share of the sampled comments in them), on a seeded sample
        of at most `selection_size` vectors; fewer candidates when there are few distinct vectors. `vectors`
        are all `n` comments or a uniform sample of them; `counts`, when given, their word counts (a row
        each), by which every fit is refined before it is compared."""
        rng = np.random.default_rng(self.random_state)
        sample = vectors
        # the sample scored stands for all n comments: a theme of it counts from its share of the threshold
        counted = self.min_counted_size * min(self.selection_size, len(vectors)) / max(n, 1)
        if len(vectors) > self.selection_size:
            picked = rng.choice(len(vectors), self.selection_size, replace=False)
            sample = vectors[picked]
            counts = None if counts is None else csr_matrix(counts)[picked]
        elif counts is not None:
            counts = csr_matrix(counts)
        subsets = [
            rng.choice(len(sample), int(self.sample_fraction * len(sample)), replace=False)
            for _ in range(self.resamples)
        ]
        candidates = self._candidates(len(np.unique(np.round(sample, 6), axis=0)))
        # each candidate is independent and k-means releases the GIL: one thread per core, one OpenMP thread each
        # (OpenMP's thread count is per thread, so a new thread would take the default and oversubscribe); the
        # largest k, the longest fits, go first, so that no thread is left with one while the others wait
        workers = self.workers or os.cpu_count() or 1
        with ThreadPoolExecutor(max_workers=workers, initializer=_one_openmp_thread) as pool:
            longest_first = sorted(candidates, reverse=True)
            scores = dict(
                zip(longest_first, pool.map(lambda k: self._score(sample, subsets, k, counted, counts), longest_first))
            )
            return {k: scores[k] for k in candidates}

    def _score(self, sample: np.ndarray, subsets: list[np.ndarray], k: int, counted: float, counts: Any) -> float:
        """(themes reproduced)² × (their share of the sample) for one candidate k; a reproduced theme no tighter
        than the whole sample (`cohesion_ratio` below `min_cohesion_ratio`) counts in the first, not the second."""
        reference, sizes, reproduced = self._candidate(sample, subsets, k, counted, counts)
        firm = reproduced & (cohesion_ratio(sample, reference, k) >= self.min_cohesion_ratio)
        return float(reproduced.sum() ** 2 * sizes[firm].sum() / len(sample))

    def _candidate(
        self, sample: np.ndarray, subsets: list[np.ndarray], k: int, counted: float, counts: Any = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """One candidate k fitted on the sample and on each subset (each fit refined on `counts` when given):
        the sample's labels, each theme's size, and whether it is reproduced (mean best Jaccard, distinct
        centre, at least `counted` comments)."""
        fitted = KMeans(k, n_init=10, init=kmeans_plusplus, random_state=self.random_state).fit(sample)
        reference = fitted.labels_ if counts is None else refine_labels(counts, fitted.labels_)
        jaccard = np.zeros(k)
        sizes = np.bincount(reference, minlength=k)
        for repeat, index in enumerate(subsets):
            labels = _kmeans_labels(sample[index], k, self.random_state + repeat + 1)
            if counts is not None:
                labels = refine_labels(counts[index], labels)
            jaccard += best_jaccard(reference[index], labels, k) / len(subsets)
        reproduced = (
            (jaccard >= self.min_jaccard)
            & distinct(fitted.cluster_centers_, self.max_centre_cosine)
            & (sizes >= counted)
        )
        return reference, sizes, reproduced

    def choose_k(self, X: np.ndarray, n: int | None = None, counts: Any = None) -> tuple[int, dict[int, float]]:
        """The candidate k with the highest score (the smallest of equal ones), and every candidate's score.

        `X` holds all comments' vectors, or a uniform sample of the `n` comments `fit` will be given (a
        theme run chooses k on the vectoriser's fitting sample while the other comments are transformed);
        `counts` their word counts (one row per row of `X`) when the themes will be refined on them.
        """
        with threadpool_limits(limits=1):
            vectors = np.asarray(X)
            scores = self._reproduced(vectors, len(vectors) if n is None else n, counts)
        if not scores:
            return 1, scores
        best = max(scores.values())
        return min(k for k, score in scores.items() if score >= best - 1e-9), scores

    def fit(
        self,
        X: np.ndarray,
        y: object = None,
        choice: tuple[int, dict[int, float]] | None = None,
        counts: Any = None,
    ) -> StableKMeans:
        """Fit on `X`; `choice` is what `choose_k` gave on (a sample of) them, when k is chosen from the data
        and was chosen beforehand; otherwise k is chosen here, on `counts` as `choose_k` does."""
        with threadpool_limits(limits=1):
            return self._fit(np.asarray(X), choice, counts)

    def _fit(self, vectors: np.ndarray, choice: tuple[int, dict[int, float]] | None, counts: Any) -> StableKMeans:
        n = len(vectors)
        self.stability_: dict[int, float] = {}
        if n < 2 * self.min_theme_size:
            self.k_, self.centres_ = 0, np.zeros((0, vectors.shape[1] if vectors.ndim == 2 else 0))
            self.labels_ = np.full(n, OTHER)
            self.similarity_ = np.zeros(n)
            return self
        if self.n_clusters is None:
            # a chosen k is at most the number of distinct vectors in its sample (_candidates)
            self.k_, self.stability_ = choice if choice is not None else self.choose_k(vectors, counts=counts)
        else:  # a given k, at most the number of distinct vectors
            self.k_ = min(self.n_clusters, len(np.unique(np.round(vectors, 6), axis=0)))
        if self.k_ <= 1:
            model_labels = np.zeros(n, dtype=int)
            centres = vectors.mean(axis=0, keepdims=True)
        else:
            model_labels, centres = self._kmeans(vectors, self.k_)
        self._finish(vectors, model_labels, centres)
        return self

    def _kmeans(self, vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        if len(vectors) > EXACT_LIMIT:
            model = MiniBatchKMeans(
                k, n_init=3, init=kmeans_plusplus, batch_size=4096, random_state=self.random_state
            ).fit(vectors)
        else:
            model = KMeans(k, n_init=10, init=kmeans_plusplus, random_state=self.random_state).fit(vectors)
        return model.labels_, model.cluster_centers_

    def relabel(self, X: np.ndarray, labels: np.ndarray) -> StableKMeans:
        """The fitted themes with their members given by `labels` (one per vector of `fit`, OTHER for the
        catch-all): each centre becomes its members' mean direction, then the catch-all and small-theme
        rules of `fit` apply again. `k_` and `stability_` stay."""
        check_is_fitted(self, "centres_")
        vectors, labels = np.asarray(X), np.asarray(labels)
        if len(self.centres_) == 0:
            return self
        centres = self.centres_.copy()
        for c in range(len(centres)):
            members = vectors[labels == c]
            if len(members):
                centres[c] = members.mean(axis=0)
        self._finish(vectors, labels, centres)
        return self

    def _finish(self, vectors: np.ndarray, labels: np.ndarray, centres: np.ndarray) -> None:
        """Unit centres, then the catch-all (OTHER: labelled so already, or below `min_similarity` to the own
        centre) and the small themes folded into it; the kept themes renumbered 0…"""
        norms = np.linalg.norm(centres, axis=1, keepdims=True)
        centres = centres / np.where(norms == 0, 1, norms)
        assigned = labels >= 0
        similarity = np.zeros(len(vectors), dtype=vectors.dtype)
        similarity[assigned] = np.einsum("ij,ij->i", vectors[assigned], centres[labels[assigned]])
        if not assigned.all():  # the catch-all's: to the nearest centre
            similarity[~assigned] = (vectors[~assigned] @ centres.T).max(axis=1)
        labels = np.where(assigned & (similarity >= self.min_similarity), labels, OTHER)
        minimum = max(self.min_theme_size, int(self.min_theme_share * len(vectors)))
        sizes = np.bincount(labels[labels >= 0], minlength=len(centres))
        small = np.flatnonzero(sizes < minimum)
        labels = np.where(np.isin(labels, small), OTHER, labels)
        keep = [c for c in range(len(centres)) if c not in set(small)]
        remap = np.full(len(centres) + 1, OTHER)  # the last slot maps OTHER (−1) to itself
        remap[keep] = np.arange(len(keep))
        self.labels_ = remap[labels]
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
