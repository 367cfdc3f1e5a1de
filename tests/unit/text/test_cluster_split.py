"""StableKMeans splits a theme only when its own comments have a stable partition (issue 17 item 1)."""

import numpy as np
from sklearn.metrics import adjusted_rand_score

from analysis.text.cluster import StableKMeans
from analysis.text.pipeline import SPLIT_K_MAX, ThemePipeline


def nested_blobs(seed=0, per_blob=40, inner=True):
    """Unit vectors of 3 coarse groups in 12 dimensions; with `inner`, each group is 3 tight sub-groups
    (a coarse direction plus one of three directions of its own), else one round cloud."""
    rng = np.random.default_rng(seed)
    points, truth = [], []
    for group in range(3):
        for sub in range(3):
            centre = np.zeros(12)
            centre[group] = 1.0
            if inner:
                centre[3 + 3 * group + sub] = 0.35
            points.append(centre + rng.normal(0, 0.03 if inner else 0.12, (per_blob, 12)))
            truth += [3 * group + sub if inner else group] * per_blob
    vectors = np.vstack(points)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True), np.array(truth)


def test_a_theme_that_is_several_stable_groups_is_split_into_them():
    vectors, truth = nested_blobs()
    # the search over all comments stops at the 3 groups; within a group, only the most stable k (a blob
    # cut in two is stable enough to pass the default tolerance on these synthetic points)
    model = StableKMeans(k_max=3, split_k_max=6, tolerance=0.95, random_state=0).fit(vectors)
    assert model.k_ == 9
    assert adjusted_rand_score(truth, model.labels_) == 1.0
    assert sorted(model.splits_) == [0, 1, 2]


def test_without_the_split_step_the_coarse_groups_stay():
    vectors, truth = nested_blobs()
    model = StableKMeans(k_max=3, random_state=0).fit(vectors)  # split_k_max=0 by default (a manager's split)
    assert model.k_ == 3 and model.splits_ == {}
    assert adjusted_rand_score(truth // 3, model.labels_) == 1.0


def test_a_theme_without_a_stable_inner_partition_stays_whole():
    vectors, truth = nested_blobs(inner=False)
    model = StableKMeans(k_max=3, split_k_max=6, random_state=0).fit(vectors)
    assert model.k_ == 3 and model.splits_ == {}
    assert adjusted_rand_score(truth, model.labels_) == 1.0


def test_a_given_n_clusters_is_never_split():
    vectors, _ = nested_blobs()
    model = StableKMeans(n_clusters=3, split_k_max=6, random_state=0).fit(vectors)
    assert model.k_ == 3 and model.splits_ == {}


def test_themes_smaller_than_split_min_size_are_not_searched():
    vectors, _ = nested_blobs()
    model = StableKMeans(k_max=3, split_k_max=6, split_min_size=121, random_state=0).fit(vectors)
    assert model.k_ == 3 and model.splits_ == {}


def test_the_theme_pipeline_passes_its_split_setting_to_the_clusterer():
    pipeline = ThemePipeline()
    pipeline.fit([])
    assert pipeline.clusterer_.split_k_max == SPLIT_K_MAX
