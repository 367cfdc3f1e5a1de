"""The batch prototypes for the 100k-comment first run give exactly what the per-comment steps give."""

import random

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from analysis.text.char_ngrams import CharNgramTfidf
from analysis.text.normalise import Normaliser, name_pattern, normalise, normalise_many
from analysis.text.vectorise import NON_TEXT, CommentVectoriser
from app.demo_comments import demo_comment

AWKWARD = [
    "審批流程太長了\n還要等 http://x.cn/a\nb 王小明!!!",
    "ＡＢＣ\u200b审批!!!!看 li@corp.cn 电话13812345678，找王小明",
    "1381234\n5678",
    "x.y+z@a.b.c 和 a@b",
    "",
    "  ",
    "\r\n",
    "a\u2028b",
    "🙂🙂 ok",
]


def comments(count=300, seed=4):
    rng = random.Random(seed)
    return [demo_comment(rng, negativity=0.7) for _ in range(count)] + AWKWARD


@pytest.mark.parametrize("simplify", [False, True])
def test_normalise_many_equals_normalise_one_by_one(simplify):
    texts, names = comments(), name_pattern(["王小明", "李四"])
    assert normalise_many(texts, names, simplify) == [normalise(t, names, simplify) for t in texts]


def test_char_ngram_tfidf_equals_scikit_learns_char_vectoriser():
    texts = [t.replace(" ", "") for t in normalise_many(comments())]
    reference = TfidfVectorizer(
        analyzer="char", ngram_range=(1, 2), sublinear_tf=True, min_df=2, max_df=0.5, dtype=np.float32
    )
    expected = reference.fit_transform(texts)
    ours = CharNgramTfidf(min_df=2, max_df=0.5)
    made = ours.fit_transform(texts)
    assert list(ours.get_feature_names_out()) == list(reference.get_feature_names_out())
    assert abs(made - expected).max() < 1e-6
    unseen = ["新的词汇审批", "打卡", "审批审批审批慢慢"]  # unknown n-grams, and known ones repeated
    assert abs(ours.transform(unseen) - reference.transform(unseen)).max() < 1e-6
    again = ours.transform(texts)  # counted the transform's way: the fit's matrix, bit for bit
    assert (again.indptr == made.indptr).all() and (again.indices == made.indices).all()
    assert (again.data == made.data).all()


def test_normaliser_step_normalises_many_as_one_by_one():
    texts = comments()
    step = Normaliser(["王小明"])
    assert step.normalise_many(texts) == [step.normalise(t) for t in texts]


def test_comment_vectoriser_char_part_is_scikit_learns_char_tfidf():
    texts = normalise_many(comments())
    made = CommentVectoriser(word_weight=0.0, min_df=2, max_df=0.5)._parts(texts, None)  # the char part
    reference = TfidfVectorizer(
        analyzer="char", ngram_range=(1, 2), sublinear_tf=True, min_df=2, max_df=0.5, dtype=np.float32
    ).fit_transform([NON_TEXT.sub("", t) for t in texts])
    assert made.shape == reference.shape
    assert abs(made - reference).max() < 1e-6


def test_the_word_tfidf_made_from_the_counts_is_scikit_learns_and_the_counts_are_the_vectorisers():
    texts = normalise_many(comments())
    tokens = [list(text.replace(" ", "")[::2]) + [text[:3]] for text in texts]  # any token lists will do
    vectoriser = CommentVectoriser(min_df=1, max_df=1.0).fit(texts, tokens)
    vectors, counts = vectoriser.transform_with_counts(texts, tokens)
    assert (counts != vectoriser.counts(tokens)).nnz == 0
    made = vectoriser._word_tfidf(counts)
    expected = vectoriser.words_.transform(tokens)
    assert (made.indices == expected.indices).all() and (made.data == expected.data).all()
    assert np.array_equal(vectors, vectoriser.transform(texts, tokens))
