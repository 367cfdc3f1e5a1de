"""k-means++ seeding without scikit-learn's per-call overhead: the same seeds, hence the same models."""

import numpy as np
import pytest
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.cluster import kmeans_plusplus as scikit_learns

from analysis.text.seeding import kmeans_plusplus


def unit_rows(rows: int, columns: int, seed: int) -> np.ndarray:
    vectors = np.random.default_rng(seed).normal(size=(rows, columns)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


@pytest.mark.parametrize(("rows", "columns", "k"), [(40, 3, 2), (700, 50, 7), (2000, 100, 25)])
def test_the_seeds_and_the_random_state_afterwards_are_scikit_learns(rows, columns, k):
    vectors = unit_rows(rows, columns, seed=k)
    for seed in range(3):
        ours, theirs = np.random.RandomState(seed), np.random.RandomState(seed)
        expected, _ = scikit_learns(vectors, k, random_state=theirs)
        assert np.array_equal(kmeans_plusplus(vectors, k, ours), expected)
        assert ours.randint(1 << 30) == theirs.randint(1 << 30)  # the next draw, e.g. the next init's, is the same


def test_models_seeded_so_are_the_models_scikit_learn_fits():
    vectors = unit_rows(1500, 100, seed=1)
    for k in (3, 12):
        plain = KMeans(k, n_init=3, random_state=4).fit(vectors)
        seeded = KMeans(k, n_init=3, init=kmeans_plusplus, random_state=4).fit(vectors)
        assert np.array_equal(seeded.labels_, plain.labels_)
        assert np.array_equal(seeded.cluster_centers_, plain.cluster_centers_)
    many = unit_rows(25000, 20, seed=2)
    plain = MiniBatchKMeans(5, n_init=3, batch_size=4096, random_state=0).fit(many)
    seeded = MiniBatchKMeans(5, n_init=3, batch_size=4096, init=kmeans_plusplus, random_state=0).fit(many)
    assert np.array_equal(seeded.labels_, plain.labels_)
