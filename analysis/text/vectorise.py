"""Comment vectors: TF-IDF of character 1–2-grams plus jieba words, reduced by LSA, L2-normalised.

Character n-grams carry most of the signal on short, informal complaints (measured on the shopping
reviews: NMI 0.61 vs 0.43 for jieba words alone at the true number of topics); jieba words add the
domain terms of the user dictionary, at weight 0.3 (issue 17 phase 1, told k: toutiao headlines 0.146 →
0.167, shopping reviews 0.608 → 0.611; weight 1 helps headlines and hurts reviews, 0.447). Settings below
were chosen by benchmarks/themes_quality.py.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy.sparse import hstack
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.preprocessing import normalize

from analysis.text.char_ngrams import CharNgramTfidf

NON_TEXT = re.compile(r"[\W_]+")


def _identity(tokens: list[str]) -> list[str]:
    return tokens


def _unit(vectors: Any) -> np.ndarray:
    """Rows scaled to unit length, as a dense array."""
    unit: np.ndarray = normalize(vectors)
    return unit


class CommentVectoriser(BaseEstimator, TransformerMixin):  # type: ignore[misc]  # scikit-learn ships no type information
    """Fit on (normalised texts, token lists); transform to dense unit vectors of `n_components` dims."""

    chars_: CharNgramTfidf | TfidfVectorizer
    words_: TfidfVectorizer
    svd_: TruncatedSVD | None

    def __init__(
        self,
        n_components: int = 100,
        char_ngrams: tuple[int, int] = (1, 2),
        word_weight: float = 0.3,
        min_df: int = 2,
        max_df: float = 0.5,
        fit_sample: int = 15000,
        random_state: int = 0,
    ):
        self.n_components = n_components
        self.fit_sample = fit_sample
        self.char_ngrams = char_ngrams
        self.word_weight = word_weight
        self.min_df = min_df
        self.max_df = max_df
        self.random_state = random_state

    def _parts(self, texts: Sequence[str], tokens: Sequence[list[str]] | None) -> Any:
        """The vocabularies fitted, and the fitting comments' sparse TF-IDF matrix (characters, then words)."""
        chars = [NON_TEXT.sub("", text) for text in texts]
        self.chars_ = self._char_vectoriser(len(texts))
        self.words_ = TfidfVectorizer(
            analyzer=_identity,
            sublinear_tf=True,
            min_df=self._min_df(len(texts)),
            max_df=self.max_df,
            dtype=np.float32,
        )
        parts = [self.chars_.fit_transform(chars)]
        if self.word_weight:
            parts.append(self.word_weight * self.words_.fit_transform(tokens))
        return hstack(parts).tocsr() if len(parts) > 1 else parts[0]

    def _word_tfidf(self, counts: Any) -> Any:
        """The fitted words' TF-IDF from their counts (`counts`), computed as `words_.transform` computes it
        from the tokens (tested equal)."""
        weights = counts.astype(np.float32)
        np.log(weights.data, weights.data)
        weights.data += 1.0
        weights.data *= self.words_.idf_[weights.indices]
        return normalize(weights)

    def _char_vectoriser(self, n: int) -> CharNgramTfidf | TfidfVectorizer:
        """CharNgramTfidf (numpy, all comments at once) for 1–2-grams — the same matrix as scikit-learn's
        char TfidfVectorizer, which builds each comment's n-grams in Python; that one for other ranges."""
        if tuple(self.char_ngrams) == (1, 2):
            return CharNgramTfidf(min_df=self._min_df(n), max_df=self.max_df)
        return TfidfVectorizer(
            analyzer="char",
            ngram_range=self.char_ngrams,
            sublinear_tf=True,
            min_df=self._min_df(n),
            max_df=self.max_df,
            dtype=np.float32,
        )

    def _min_df(self, n: int) -> int:
        return self.min_df if n >= 20 else 1

    def fit_transform(
        self, texts: Sequence[str], tokens: Sequence[list[str]] | None = None, y: object = None
    ) -> np.ndarray:
        """Fit on at most `fit_sample` comments (a seeded sample) and transform all of them.

        Vocabulary, idf and the LSA basis are stable long before 100k comments; fitting on a sample
        keeps a 100k run within its time budget. 15,000 (benchmarks/experiments/fit_sample.py, 100k reviews,
        seeds 0–4): NMI 0.394 ± 0.036 against 0.386 ± 0.036 with 20,000 and 0.344 ± 0.078 with 10,000;
        the pipeline 14.5–15.1 s against 16.4–16.7 s with 20,000.
        """
        index = self.fit_positions(len(texts))
        if index is not None:
            self.fit([texts[i] for i in index], [tokens[i] for i in index] if tokens is not None else None)
            return self.transform(texts, tokens)
        try:
            matrix = self._parts(texts, tokens)
        except ValueError:  # every term pruned, e.g. 500 identical comments: keep every term
            relaxed = type(self)(**{**self.get_params(), "min_df": 1, "max_df": 1.0})
            vectors = relaxed.fit_transform(texts, tokens)
            self.chars_, self.words_, self.svd_ = relaxed.chars_, relaxed.words_, relaxed.svd_
            return vectors
        if matrix.shape[1] < 3:
            self.svd_ = None
            return _unit(matrix.toarray())
        components = max(1, min(self.n_components, matrix.shape[1] - 1, matrix.shape[0] - 1))
        self.svd_ = TruncatedSVD(components, random_state=self.random_state)
        return _unit(self.svd_.fit_transform(matrix))

    def fit_positions(self, n: int) -> np.ndarray | None:
        """The positions (sorted) of the seeded sample that `fit_transform` fits on among `n` comments, or None
        when it fits on all of them."""
        if not self.fit_sample or n <= self.fit_sample:
            return None
        index: np.ndarray = np.sort(np.random.default_rng(self.random_state).choice(n, self.fit_sample, replace=False))
        return index

    def fit(
        self, texts: Sequence[str], tokens: Sequence[list[str]] | None = None, y: object = None
    ) -> CommentVectoriser:
        self.fit_transform(texts, tokens)
        return self

    def counts(self, tokens: Sequence[list[str]]) -> Any:
        """Each comment's counts of the fitted jieba words (sparse, one row per token list): what `refine_labels`
        learns from. Words moved members better than character 1–2-gram counts on every design of
        benchmarks/experiments/refine.py (told the true k, seeds 0–4): shopping 400/topic 0.629 → 0.640,
        imbalanced 0.460 → 0.461, headlines 13 × 150 0.181 → 0.187.
        """
        return CountVectorizer(analyzer=_identity, vocabulary=self.words_.vocabulary_).transform(tokens)

    def transform(self, texts: Sequence[str], tokens: Sequence[list[str]] | None = None) -> np.ndarray:
        vectors, _ = self.transform_with_counts(texts, tokens)
        return vectors

    def transform_with_counts(
        self, texts: Sequence[str], tokens: Sequence[list[str]] | None = None
    ) -> tuple[np.ndarray, Any]:
        """`transform`, and the comments' word counts (what `counts` gives; None without words) that their words'
        TF-IDF is made from: counted once for both, where a 100k run counted them twice (1.6 s each)."""
        matrix, counts = self.tfidf_with_counts(texts, tokens)
        return _unit(matrix.toarray() if self.svd_ is None else self.svd_.transform(matrix)), counts

    def tfidf_with_counts(self, texts: Sequence[str], tokens: Sequence[list[str]] | None = None) -> tuple[Any, Any]:
        """The fitted TF-IDF matrix of the comments (sparse, characters then words, before LSA) and their word
        counts (None without words)."""
        parts = [self.chars_.transform([NON_TEXT.sub("", text) for text in texts])]
        counts = None
        if self.word_weight:
            counts = self.counts(tokens or [])
            parts.append(self.word_weight * self._word_tfidf(counts))
        return (hstack(parts).tocsr() if len(parts) > 1 else parts[0]), counts
