"""StableKMeans chooses k by the themes that reproduce, weighted by the comments they hold (issue 17 item 1)."""

import random

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from analysis.text import Comment, ThemePipeline
from analysis.text.cluster import StableKMeans, best_jaccard, cohesion_ratio, distinct
from app.demo_comments import demo_comment
from config import Config

K_TEXT = Config.ANONYMITY_MIN_GROUP_TEXT  # the text threshold a run gets by default (10)


def comments_of(count, seed=1):
    rng = random.Random(seed)
    return [Comment(str(i), f"r{i}", demo_comment(rng, negativity=1.0)) for i in range(count)]


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


def test_groups_that_each_reproduce_are_all_found_not_only_the_coarse_split_above_them():
    # the most stable partition of these points is the 3 coarse groups (what the whole-partition ARI rule chose)
    vectors, truth = nested_blobs()
    model = StableKMeans(random_state=0).fit(vectors)
    assert model.k_ == 9
    assert adjusted_rand_score(truth, model.labels_) > 0.95


def test_round_clouds_are_not_cut_into_pieces_that_do_not_reproduce():
    vectors, truth = nested_blobs(inner=False)
    model = StableKMeans(random_state=0).fit(vectors)
    assert model.k_ == 3
    assert adjusted_rand_score(truth, model.labels_) > 0.95
    assert max(model.stability_, key=model.stability_.get) == 3


def test_the_score_of_each_candidate_is_reproduced_themes_squared_times_their_share():
    vectors, _ = nested_blobs(inner=False)
    model = StableKMeans(k_max=6, random_state=0).fit(vectors)
    assert sorted(model.stability_) == [2, 3, 4, 5, 6]
    assert model.stability_[3] == 9.0  # all three clouds reproduce and hold every comment: 3² × 1
    assert all(0 <= score <= k * k for k, score in model.stability_.items())


def test_best_jaccard_matches_each_reference_cluster_to_its_closest_one():
    reference = np.array([0, 0, 0, 1, 1, 1])
    assert list(best_jaccard(reference, np.array([1, 1, 1, 0, 0, 0]), 2)) == [1.0, 1.0]
    merged = best_jaccard(reference, np.zeros(6, dtype=int), 2)
    assert list(merged) == [0.5, 0.5]
    split = best_jaccard(reference, np.array([0, 0, 1, 2, 2, 2]), 2)
    assert list(split) == [2 / 3, 1.0]


def test_pieces_of_one_tight_cloud_do_not_count_as_themes_even_when_they_reproduce():
    # 3 tight clouds of 40 points on the unit sphere: cut into ~8-point pieces, each piece comes back in
    # every resample (14 "reproduced" at k = 14 without the check), but the pieces' centres point the same way
    rng = np.random.default_rng(0)
    points = np.vstack([centre + rng.normal(0, 0.05, (40, 3)) for centre in np.eye(3)])
    vectors = points / np.linalg.norm(points, axis=1, keepdims=True)
    assert StableKMeans(random_state=0).fit(vectors).k_ == 3
    assert StableKMeans(max_centre_cosine=1.01, random_state=0).fit(vectors).k_ > 3


def test_distinct_flags_centres_that_point_the_same_way():
    centres = np.array([[1.0, 0.0], [0.99, 0.05], [0.0, 1.0]])
    assert list(distinct(centres, 0.9)) == [False, False, True]
    assert list(distinct(np.array([[1.0, 0.0]]), 0.9)) == [True]


def test_themes_too_small_to_be_shown_do_not_count_so_the_run_finds_fewer_larger_ones():
    # 9 sub-groups of 8 comments inside 3 groups of 24: with the default text threshold (10), the sub-groups could
    # never be shown, so the 3 groups are the themes
    vectors, _ = nested_blobs(per_blob=8)
    assert StableKMeans(random_state=0).fit(vectors).k_ == 9
    assert 8 < K_TEXT <= 24  # what the case needs: the sub-groups below the threshold, the groups not
    assert StableKMeans(min_counted_size=K_TEXT, random_state=0).fit(vectors).k_ == 3


def test_the_pipeline_counts_only_themes_of_its_text_threshold():
    assert ThemePipeline(k_text=K_TEXT).fit(comments_of(100)).clusterer_.min_counted_size == K_TEXT


def groups_of(sizes, seed=0):
    """Unit vectors of tight groups of the given sizes, each around its own direction."""
    rng = np.random.default_rng(seed)
    points = [np.eye(len(sizes))[g] + rng.normal(0, 0.03, (size, len(sizes))) for g, size in enumerate(sizes)]
    vectors = np.vstack(points)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_k_chosen_on_a_sample_counts_a_theme_by_the_comments_it_stands_for_among_all():
    # 440 sampled vectors: two groups of 200 and four of 10. A theme counts with min_counted_size = 120
    # comments; among the sample's own 440 the four groups of 10 fall short (even the four together), but as
    # a sample of 10,000 comments each stands for about 230: the sample counts themes of 120 × 440 / 10,000 =
    # 5.3 and more (scaled by 2,000 / 10,000, the sample's size if it had been that large, it would ask for 24)
    sample = groups_of([200, 200, 10, 10, 10, 10])
    model = StableKMeans(min_counted_size=120, random_state=0)
    alone, _ = model.choose_k(sample)
    of_many, scores = model.choose_k(sample, n=10000)
    assert alone == 2 and of_many == 6
    assert scores[6] == pytest.approx(36.0)  # 6 themes reproduced, squared, × all of the sample
    fitted = StableKMeans(min_counted_size=120, random_state=0).fit(
        groups_of([4000] * 2 + [200] * 4), choice=(6, scores)
    )
    assert fitted.k_ == 6 and fitted.stability_ == scores  # the choice made beforehand, not a search of its own


def test_a_cluster_as_loose_as_the_whole_set_has_a_cohesion_ratio_near_one_and_real_themes_above():
    # two tight themes either side of the direction everything shares, and a remainder spread around it
    rng = np.random.default_rng(0)
    shared, aside = np.ones(8) / np.sqrt(8), np.array([1.0, -1.0, 0, 0, 0, 0, 0, 0]) / np.sqrt(2)
    tight = [shared + sign * aside + rng.normal(0, 0.05, (50, 8)) for sign in (1, -1)]
    spread = np.abs(rng.normal(0, 1, (400, 8)))
    labels = np.repeat([0, 1, 2], [50, 50, 400])
    ratio = cohesion_ratio(np.vstack([*tight, spread]), labels, 3)
    assert ratio[0] > 1.15 and ratio[1] > 1.15
    assert 0.9 < ratio[2] < 1.05  # a remainder: the whole set's looseness


def test_reproduced_themes_too_loose_to_be_themes_hold_no_share():
    vectors, _ = nested_blobs(inner=False)
    model = StableKMeans(k_max=6, random_state=0).fit(vectors)
    assert model.stability_[3] == 9.0  # three clouds, each far tighter than all of them together
    loose = StableKMeans(k_max=6, random_state=0, min_cohesion_ratio=100.0).fit(vectors)
    assert all(score == 0 for score in loose.stability_.values())  # counted, but no share: every candidate 0
    assert loose.k_ == 2  # the smallest candidate on the tie
