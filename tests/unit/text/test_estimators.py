"""The text pipeline follows scikit-learn's estimator conventions: parameters as given, work in fit, state in `_`."""

import random

import numpy as np
import pytest
from sklearn.base import clone

from analysis.text import Comment, ThemePipeline
from analysis.text.assign import assign
from analysis.text.cluster import OTHER, StableKMeans
from analysis.text.recurrence import cosine
from app.demo_comments import demo_comment


def comments(count=120, seed=4):
    rng = random.Random(seed)
    return [Comment(str(i), f"r{i}", demo_comment(rng, negativity=1.0)) for i in range(count)]


def blobs(seed=0, per_centre=40):
    """Unit vectors around three orthogonal directions."""
    rng = np.random.default_rng(seed)
    centres = np.eye(3)
    points = np.vstack([centre + rng.normal(0, 0.05, (per_centre, 3)) for centre in centres])
    return points / np.linalg.norm(points, axis=1, keepdims=True)


def test_stable_kmeans_fit_returns_itself_and_chooses_k_when_n_clusters_is_none():
    model = StableKMeans(random_state=0)
    assert model.fit(blobs()) is model
    assert model.k_ == 3 and max(model.stability_, key=model.stability_.get) == 3
    assert len(model.centres_) == 3 and set(model.labels_) == {0, 1, 2}


def test_stable_kmeans_uses_a_given_n_clusters_without_choosing():
    model = StableKMeans(n_clusters=2, random_state=0).fit(blobs())
    assert model.k_ == 2 and model.stability_ == {}


def test_stable_kmeans_predicts_the_theme_of_new_vectors_and_the_catch_all_for_far_ones():
    model = StableKMeans(random_state=0).fit(blobs())
    near = blobs(seed=1, per_centre=5)
    assert list(model.predict(near)) == list(model.predict(model.centres_[model.predict(near)]))
    assert list(model.predict(-np.eye(3))) == [OTHER] * 3


def test_stable_kmeans_same_random_state_same_result_and_clone_gives_an_unfitted_twin():
    model = StableKMeans(k_max=6, random_state=3)
    first = model.fit(blobs(seed=2)).labels_.copy()
    twin = clone(model)
    assert twin.get_params() == model.get_params() and not hasattr(twin, "labels_")
    assert list(twin.fit(blobs(seed=2)).labels_) == list(first)


def test_stable_kmeans_params_can_be_read_and_set():
    model = StableKMeans().set_params(n_clusters=4, min_theme_size=2)
    assert model.get_params()["n_clusters"] == 4 and model.min_theme_size == 2


def test_pipeline_fit_returns_itself_with_the_result_and_seconds_per_stage():
    pipeline = ThemePipeline(random_state=0, workers=1)
    assert pipeline.fit(comments()) is pipeline
    assert [t for t in pipeline.result_.themes if not t.is_other]
    assert set(pipeline.timings_) == {"normalise", "tokenise", "polarity", "vectorise", "cluster", "label"}
    assert all(seconds >= 0 for seconds in pipeline.timings_.values())


def test_pipeline_params_survive_get_set_and_clone_and_the_given_clusterer_is_not_fitted():
    clusterer = StableKMeans(k_max=4, random_state=0)
    pipeline = ThemePipeline(random_state=5, names=("张伟",), clusterer=clusterer, workers=1)
    twin = clone(pipeline)
    assert twin.get_params()["random_state"] == 5 and twin.get_params()["clusterer__k_max"] == 4
    twin.set_params(clusterer__k_max=3, keyword_count=4).fit(comments())
    assert twin.clusterer_.k_max == 3 and twin.clusterer_ is not twin.clusterer
    assert not hasattr(clusterer, "labels_") and not hasattr(twin.clusterer, "labels_")
    assert all(len(t.keywords) <= 4 for t in twin.result_.themes)


def test_pipeline_same_random_state_gives_the_same_themes():
    first = ThemePipeline(random_state=11, workers=1).fit(comments()).result_
    second = ThemePipeline(random_state=11, workers=1).fit(comments()).result_
    assert [(t.label, t.members, t.keywords) for t in first.themes] == [
        (t.label, t.members, t.keywords) for t in second.themes
    ]


class Characters:
    """A tokeniser of its own: every Chinese character is a token."""

    def tokens(self, normalised_text):
        return [ch for ch in normalised_text if "\u4e00" <= ch <= "\u9fff"]


def test_a_swapped_tokeniser_is_used():
    pipeline = ThemePipeline(random_state=0, tokeniser=Characters(), workers=1).fit(comments())
    assert pipeline.tokeniser_ is pipeline.tokeniser
    made = [pipeline.result_.tokens[i] for i in pipeline.result_.newly_tokenised]
    assert made and all(len(token) == 1 for tokens in made for token in tokens)
    assert all(len(word) == 1 for t in pipeline.result_.themes for word in t.keywords)


class OkMeansDingTalk:
    def normalise(self, text):
        return text.replace("ok", "钉钉")


class EverythingIsAnAnswer:
    def is_non_answer(self, normalised_text):
        return False


def test_swapped_normaliser_and_non_answer_filter_are_used():
    texts = ["无", "没有", "审批太慢 ok", "打卡不准 ok"] * 5
    data = [Comment(str(i), f"r{i}", text) for i, text in enumerate(texts)]
    default = ThemePipeline(random_state=0, workers=1).fit(data).result_
    swapped = ThemePipeline(
        random_state=0, normaliser=OkMeansDingTalk(), non_answers=EverythingIsAnAnswer(), workers=1
    ).fit(data)
    assert len(default.non_answers) == 10 and swapped.result_.non_answers == []
    assert any("钉钉" in tokens for tokens in swapped.result_.tokens)
    assert not any("钉钉" in tokens for tokens in default.tokens)


@pytest.mark.parametrize(
    ("tokens", "expected"), [(["审批", "慢"], 0), (["打卡", "定位"], 1), (["食堂"], None), ([], None), (None, None)]
)
def test_new_comments_go_to_the_theme_with_the_most_similar_terms(tokens, expected):
    themes = [{"审批": 2.0, "慢": 1.0}, {"打卡": 2.0, "定位": 1.0}]
    assert assign([tokens], themes) == [expected]


def test_assignment_uses_the_recurrence_cosine_and_gives_a_tie_to_the_later_theme():
    same = {"审批": 1.0}
    assert assign([["审批"]], [same, dict(same)]) == [1]
    bag = {"审批": 2, "慢": 1}
    assert cosine(bag, {"审批": 1.0}) >= 0.1 > cosine(bag, {"审批": 0.0, "打卡": 5.0})
