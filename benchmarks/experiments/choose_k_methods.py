"""Candidate ways of choosing the number of themes, for benchmarks/experiments/choose_k_explore.py.

Each takes (normalised texts, tokens) and returns labels (-1: catch-all). All share one feature set
unless named otherwise: TF-IDF of jieba words and character 1–2-grams, LSA 100, L2 (CommentVectoriser
with word_weight=1).
"""

from __future__ import annotations

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from sklearn.cluster import HDBSCAN, AgglomerativeClustering, KMeans
from sklearn.metrics import adjusted_rand_score
from sklearn.preprocessing import normalize

from analysis.text.cluster import StableKMeans
from analysis.text.vectorise import CommentVectoriser


def vectors_of(texts, tokens, word_weight=1.0):
    vectoriser = CommentVectoriser(word_weight=word_weight, random_state=0)
    return vectoriser.fit_transform(texts, tokens), vectoriser


def sparse_of(vectoriser, texts, tokens):
    return normalize(vectoriser.tfidf_with_counts(texts, tokens)[0])


def product_stability(texts, tokens, word_weight=1.0, **params):
    vectors, _ = vectors_of(texts, tokens, word_weight)
    return StableKMeans(random_state=0, **params).fit(vectors).labels_


def stability_null(texts, tokens, k_max=30, resamples=4, fraction=0.8):
    """Clest-like: stability of k minus the stability of k on null data (Gaussian with the same spectrum)."""
    vectors, _ = vectors_of(texts, tokens)
    rng = np.random.default_rng(0)
    n = len(vectors)
    null = normalize(rng.standard_normal(vectors.shape) * vectors.std(axis=0))
    excess = {}
    for k in range(2, min(k_max, n // 10) + 1):
        scores = []
        for data in (vectors, null):
            reference = KMeans(k, n_init=3, random_state=0).fit(data).labels_
            values = []
            for repeat in range(resamples):
                index = rng.choice(n, int(fraction * n), replace=False)
                labels = KMeans(k, n_init=1, random_state=repeat + 1).fit(data[index]).labels_
                values.append(adjusted_rand_score(reference[index], labels))
            scores.append(np.mean(values))
        excess[k] = scores[0] - scores[1]
    k = max(excess, key=excess.get)
    return KMeans(k, n_init=10, random_state=0).fit(vectors).labels_


def merge(texts, tokens, over=None, threshold=0.5, profile="ctfidf", method="average"):
    """Over-cluster by KMeans, then merge clusters whose term profiles are similar (average linkage)."""
    vectors, vectoriser = vectors_of(texts, tokens)
    n = len(vectors)
    big = over or max(10, min(60, n // 30))
    labels = KMeans(big, n_init=3, random_state=0).fit(vectors).labels_
    if profile == "ctfidf":
        sparse = vectoriser.tfidf_with_counts(texts, tokens)[0]
        counts = np.vstack([np.asarray(sparse[labels == c].sum(axis=0)).ravel() for c in range(big)])
        tf = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1e-9)
        average = counts.sum() / big
        profiles = normalize(tf * np.log1p(average / np.maximum(counts.sum(axis=0), 1e-9)))
    else:
        profiles = normalize(np.vstack([vectors[labels == c].mean(axis=0) for c in range(big)]))
    tree = linkage(profiles, method=method, metric="cosine")
    merged = fcluster(tree, t=threshold, criterion="distance") - 1
    return merged[labels]


def agglomerative(texts, tokens, threshold=0.9, linkage_name="average"):
    vectors, _ = vectors_of(texts, tokens)
    model = AgglomerativeClustering(
        n_clusters=None, metric="cosine", linkage=linkage_name, distance_threshold=threshold
    ).fit(vectors)
    labels = model.labels_
    sizes = np.bincount(labels)
    small = sizes[labels] < max(3, len(vectors) // 100)
    return np.where(small, -1, labels)


def hdbscan(texts, tokens, share=0.01):
    vectors, _ = vectors_of(texts, tokens)
    size = max(5, int(share * len(vectors)))
    return HDBSCAN(min_cluster_size=size, metric="euclidean").fit(vectors).labels_


EXPLORE_METHODS = {
    "product-stability": lambda t, w: product_stability(t, w, word_weight=0.0),
    "stability-words": lambda t, w: product_stability(t, w),
    "stability-30": lambda t, w: product_stability(t, w, k_max=30),
    "stability-null": stability_null,
    "merge-0.5": merge,
    "merge-0.7": lambda t, w: merge(t, w, threshold=0.7),
    "merge-0.8": lambda t, w: merge(t, w, threshold=0.8),
    "merge-lsa-0.5": lambda t, w: merge(t, w, profile="lsa"),
    "agglo-0.9": agglomerative,
    "hdbscan-1%": hdbscan,
}
