"""Themes refined by their comments' own wording: naive Bayes on word counts (issue 17 item 1)."""

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer

from analysis.text import Comment, ThemePipeline
from analysis.text.cluster import OTHER, StableKMeans
from analysis.text.refine import refine_labels
from analysis.text.vectorise import CommentVectoriser

SCHEDULE = ["排班表经常出错", "排班系统太慢", "排班调整很麻烦", "排班审批太久", "排班表看不懂"]
EXPENSE = ["报销流程太复杂", "报销单据难填", "报销审批太慢", "报销附件上传失败", "报销进度查不到"]


def test_a_member_whose_wording_belongs_to_another_theme_is_moved_there():
    texts = SCHEDULE * 3 + EXPENSE * 3
    counts = CountVectorizer(analyzer="char", ngram_range=(1, 2)).fit_transform(texts)
    labels = np.array([0] * 15 + [1] * 15)
    labels[4] = 1  # one "排班表看不懂" put with the expense claims
    assert list(refine_labels(counts, labels)) == [0] * 15 + [1] * 15


def test_the_catch_all_stays_and_a_single_theme_is_left_alone():
    texts = SCHEDULE + EXPENSE
    counts = CountVectorizer(analyzer="char", ngram_range=(1, 2)).fit_transform(texts)
    labels = np.array([0] * 5 + [1] * 4 + [OTHER])
    assert refine_labels(counts, labels)[-1] == OTHER
    single = np.array([0] * 9 + [OTHER])
    assert list(refine_labels(counts, single)) == list(single)


def test_a_member_with_no_counted_term_stays_where_it_is():
    texts = SCHEDULE * 2 + EXPENSE * 4
    counter = CountVectorizer(analyzer="char", ngram_range=(1, 2)).fit(texts)
    counts = counter.transform(texts + ["好", "嗯"])  # the last two share no term with the others
    labels = np.array([0] * 10 + [1] * 20 + [0, 0])
    # on its priors alone naive Bayes would put them in the larger theme (expense, 1)
    assert list(refine_labels(counts, labels)) == list(labels)
    explicit = counts.tolil()
    explicit[30:, :] = 0  # stored zeros count as no term too
    assert list(refine_labels(explicit.tocsr(), labels)[30:]) == [0, 0]


def test_the_vectoriser_counts_its_fitted_words():
    texts = SCHEDULE + EXPENSE
    tokens = [["排班", text[2:]] if text.startswith("排班") else ["报销", text[2:]] for text in texts]
    vectoriser = CommentVectoriser(n_components=3, min_df=2, max_df=0.9).fit(texts, tokens)
    counts = vectoriser.counts([["排班", "排班", "报销", "未见过"], []])
    names = list(vectoriser.words_.get_feature_names_out())
    assert counts.shape == (2, len(names)) and counts.sum() == 3 and counts[1].sum() == 0
    assert counts[0, names.index("排班")] == 2 and counts[0, names.index("报销")] == 1


def test_a_pipeline_whose_vectoriser_uses_no_words_is_not_refined(monkeypatch):
    import analysis.text.pipeline as pipeline

    texts = SCHEDULE * 8 + EXPENSE * 8
    comments = [Comment(str(i), f"r{i}", text) for i, text in enumerate(texts)]
    calls = []
    monkeypatch.setattr(pipeline, "refine_labels", lambda counts, labels: calls.append(labels) or labels)
    vectoriser = CommentVectoriser(word_weight=0, random_state=0)
    ThemePipeline(random_state=0, vectoriser=vectoriser, clusterer=StableKMeans(n_clusters=2)).fit(comments)
    assert calls == []
    ThemePipeline(random_state=0, clusterer=StableKMeans(n_clusters=2)).fit(comments)
    assert len(calls) == 1


def test_relabel_moves_the_centres_to_their_new_members_and_keeps_the_rules_of_fit():
    rng = np.random.default_rng(0)
    a, b = np.array([1.0, 0.0, 0.0]), np.array([0.0, 1.0, 0.0])
    vectors = np.vstack([a + rng.normal(0, 0.05, (20, 3)), b + rng.normal(0, 0.05, (20, 3))])
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    model = StableKMeans(n_clusters=2, min_theme_size=3).fit(vectors)
    theme_of_a = model.labels_[0]
    labels = model.labels_.copy()
    labels[:2] = OTHER  # two given to the catch-all
    labels[20:38] = theme_of_a  # most of b's members moved to a's theme: b's theme keeps 2, too few
    model.relabel(vectors, labels)
    assert list(model.labels_[:2]) == [OTHER, OTHER]
    assert set(model.labels_[38:]) == {OTHER} and len(model.centres_) == 1
    mean = vectors[2:38].mean(axis=0)
    assert np.allclose(model.centres_[0], mean / np.linalg.norm(mean))
    assert model.k_ == 2  # the k chosen or given stays


def test_the_pipeline_s_themes_are_the_refined_ones(monkeypatch):
    import analysis.text.pipeline as pipeline

    texts = SCHEDULE * 8 + EXPENSE * 8 + ["排班和报销都要改进"] * 2
    comments = [Comment(str(i), f"r{i}", text) for i, text in enumerate(texts)]
    plain = ThemePipeline(random_state=0, clusterer=StableKMeans(n_clusters=3), refine=False).fit(comments)
    first = next(t for t in plain.result_.themes if not t.is_other)
    # a refinement that moves every other theme's members into the first: the run must show what it gave
    monkeypatch.setattr(pipeline, "refine_labels", lambda counts, labels: np.where(labels >= 0, first.index, labels))
    refined = ThemePipeline(random_state=0, clusterer=StableKMeans(n_clusters=3)).fit(comments)
    themes = [t for t in refined.result_.themes if not t.is_other]
    before = [set(t.members) for t in plain.result_.themes if not t.is_other]
    # one theme, of members from all of them (those far from the merged centre go to the catch-all, as in fit)
    assert len(before) == 3 and len(themes) == 1 and all(set(themes[0].members) & members for members in before)
    assert refined.result_.k == plain.result_.k == 3


def test_a_run_on_the_fast_path_is_refined_too(monkeypatch):
    import analysis.text.cluster as cluster
    import analysis.text.pipeline as pipeline

    texts = SCHEDULE * 8 + EXPENSE * 8 + ["排班和报销都要改进"] * 2
    comments = [Comment(str(i), f"r{i}", text) for i, text in enumerate(texts)]
    calls = []
    monkeypatch.setattr(cluster, "EXACT_LIMIT", 20)  # mini-batch k-means for these 82 comments
    monkeypatch.setattr(pipeline, "EXACT_LIMIT", 20, raising=False)  # where the limit once stopped the refinement
    monkeypatch.setattr(pipeline, "refine_labels", lambda counts, labels: calls.append(counts.shape) or labels)
    fitted = ThemePipeline(random_state=0, clusterer=StableKMeans(n_clusters=3)).fit(comments)
    words = len(fitted.vectoriser_.words_.vocabulary_)
    assert calls == [(len(texts), words)]  # learnt from every comment's word counts


def test_the_lean_naive_bayes_predicts_what_scikit_learns_multinomial_nb_predicts():
    from scipy.sparse import random as sparse_random
    from sklearn.naive_bayes import MultinomialNB

    from analysis.text.refine import naive_bayes_predictions

    rng = np.random.default_rng(3)
    for classes in (1, 2, 3, 12):
        counts = sparse_random(400, 300, density=0.03, format="csr", random_state=classes, dtype=np.float64)
        counts.data = np.ceil(counts.data * 4)
        counts = counts.astype(np.int64)  # whole counts, as CountVectorizer gives
        labels = rng.integers(0, classes, 400) * 3 + 1  # labels need not start at 0 nor be consecutive
        expected = MultinomialNB(alpha=0.3).fit(counts, labels).predict(counts)
        assert np.array_equal(naive_bayes_predictions(counts, labels, 0.3), expected)
