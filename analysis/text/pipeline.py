"""The whole theme pipeline as the app runs it, as one estimator with swappable steps and timings by stage."""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, clone

from analysis.text.cluster import OTHER, StableKMeans
from analysis.text.label import class_tfidf, keywords, label_from, theme_label
from analysis.text.nonanswers import NonAnswers
from analysis.text.normalise import Normaliser
from analysis.text.polarity import polarities_many
from analysis.text.release import release_breakdown
from analysis.text.tokenise import Tokeniser, tokens_many
from analysis.text.vectorise import CommentVectoriser

OTHER_LABEL = "其他/未归类"


@dataclass
class Comment:
    answer_id: str
    respondent_id: str
    text: str
    role: str | None = None
    department: str | None = None
    quarter: str | None = None
    tokens: list[str] | None = None  # from the token cache, when the dictionary version matches


@dataclass
class Theme:
    index: int
    label: str
    keywords: list[str]
    members: list[int]
    size: int
    respondents: int
    negative_respondents: int
    negative_share: float
    cohesion: float
    representatives: list[int]
    breakdown: dict[str, dict[str, int]]  # role / department → the cells that may be shown
    term_weights: dict[str, float]
    is_other: bool = False


@dataclass
class ThemeResult:
    themes: list[Theme]
    non_answers: list[int]
    polarities: list[str]
    tokens: list[list[str]]
    newly_tokenised: list[int]
    k: int
    stability: dict[int, float]
    dictionary_version: str = ""


def normalise_all(normaliser: Any, texts: list[str]) -> list[str]:
    """The step's `normalise_many` when it has one (one pass over all texts), else `normalise` one by one."""
    many = getattr(normaliser, "normalise_many", None)
    normalised: list[str] = many(texts) if many is not None else [normaliser.normalise(text) for text in texts]
    return normalised


class ThemePipeline(BaseEstimator):  # type: ignore[misc]  # scikit-learn ships no type information
    """normalise → non-answers → tokenise → vectorise → cluster → label; deterministic per random_state.

    A scikit-learn style estimator: `fit(comments)` returns the pipeline with `result_` (the themes) and
    `timings_` (seconds per stage), and the fitted steps in `normaliser_`, `non_answers_`, `tokeniser_`,
    `vectoriser_` and `clusterer_`. The first three steps can be swapped for any object with one method —
    `normalise(text)`, `is_non_answer(normalised_text)`, `tokens(normalised_text)`; left as None they are
    built from `names`/`simplify`, the phrase list, and `extra_terms`. A given vectoriser or clusterer is
    cloned, never fitted in place. `k_text` is the run's text threshold for the breakdown cells (None: no
    breakdown is kept).
    """

    def __init__(
        self,
        random_state: int = 0,
        names: Sequence[str] = (),
        extra_terms: Sequence[str] = (),
        simplify: bool = True,
        k_text: int | None = None,
        vectoriser: Any = None,
        clusterer: Any = None,
        keyword_count: int = 8,
        progress: Callable[[str, int], None] | None = None,
        workers: int | None = None,
        normaliser: Any = None,
        non_answers: Any = None,
        tokeniser: Any = None,
    ):
        self.random_state = random_state
        self.names = names
        self.extra_terms = extra_terms
        self.simplify = simplify
        self.k_text = k_text
        self.vectoriser = vectoriser
        self.clusterer = clusterer
        self.keyword_count = keyword_count
        self.progress = progress
        self.workers = workers
        self.normaliser = normaliser
        self.non_answers = non_answers
        self.tokeniser = tokeniser

    def _report(self, stage: str, percent: int) -> None:
        if self.progress:
            self.progress(stage, percent)

    def _step(self, given: Any, default: Callable[[], Any], fitted: bool = False) -> Any:
        """The step given as a parameter (a fitted one cloned first), or the default one."""
        if given is None:
            return default()
        return clone(given, safe=False) if fitted else given

    def fit(self, comments: Sequence[Comment], y: object = None) -> ThemePipeline:
        timings: dict[str, float] = {}
        started = time.perf_counter()
        self._report("normalise", 5)
        self.normaliser_ = self._step(self.normaliser, lambda: Normaliser(self.names, self.simplify))
        self.non_answers_ = self._step(self.non_answers, NonAnswers)
        texts = normalise_all(self.normaliser_, [c.text for c in comments])
        non_answer = [i for i, text in enumerate(texts) if self.non_answers_.is_non_answer(text)]
        non_answer_set = set(non_answer)
        kept = [i for i in range(len(comments)) if i not in non_answer_set]
        timings["normalise"] = time.perf_counter() - started

        started = time.perf_counter()
        self._report("tokenise", 15)
        self.tokeniser_ = self._step(self.tokeniser, lambda: Tokeniser(self.extra_terms))
        tokens: list[list[str] | None] = [c.tokens for c in comments]
        missing = [i for i in kept if tokens[i] is None]
        for i, made in zip(missing, tokens_many(self.tokeniser_, [texts[i] for i in missing], self.workers)):
            tokens[i] = made
        made_tokens = [made if made is not None else [] for made in tokens]  # a non-answer has none
        timings["tokenise"] = time.perf_counter() - started

        started = time.perf_counter()
        polarities = polarities_many(texts, self.workers)
        timings["polarity"] = time.perf_counter() - started

        started = time.perf_counter()
        self._report("vectorise", 45)
        self.vectoriser_ = self._step(
            self.vectoriser, lambda: CommentVectoriser(random_state=self.random_state), fitted=True
        )
        vectors = (
            self.vectoriser_.fit_transform([texts[i] for i in kept], [made_tokens[i] for i in kept])
            if len(kept) >= 2
            else np.zeros((len(kept), 1))
        )
        timings["vectorise"] = time.perf_counter() - started

        started = time.perf_counter()
        self._report("cluster", 65)
        self.clusterer_ = self._step(
            self.clusterer,
            lambda: StableKMeans(min_counted_size=self.k_text or 0, random_state=self.random_state),
            fitted=True,
        )
        clusterer = self.clusterer_.fit(vectors)
        timings["cluster"] = time.perf_counter() - started

        started = time.perf_counter()
        self._report("label", 85)
        themes = self._themes(comments, kept, texts, made_tokens, polarities, vectors, clusterer)
        timings["label"] = time.perf_counter() - started
        self.result_ = ThemeResult(
            themes=themes,
            non_answers=non_answer,
            polarities=polarities,
            tokens=made_tokens,
            newly_tokenised=missing,
            k=getattr(clusterer, "k_", 0),
            stability=getattr(clusterer, "stability_", {}),
            dictionary_version=getattr(self.tokeniser_, "version", ""),
        )
        self.timings_ = timings
        return self

    def _themes(
        self,
        comments: Sequence[Comment],
        kept: list[int],
        texts: list[str],
        tokens: list[list[str]],
        polarities: list[str],
        vectors: np.ndarray,
        clusterer: Any,
    ) -> list[Theme]:
        labels = clusterer.labels_
        classes = sorted({int(label) for label in labels})
        weights = class_tfidf([tokens[i] for i in kept], list(labels), classes)
        themes: list[Theme] = []
        for c in classes:
            positions = np.flatnonzero(labels == c)
            members = [kept[p] for p in positions]
            if c == OTHER:
                words: list[str] = []
                cohesion, representatives, label = 0.0, [], OTHER_LABEL
            else:
                # keep only terms that at least two comments of the theme use
                used = Counter(term for i in members for term in set(tokens[i]))
                common = {term for term, count in used.items() if count >= 2} or set(used)
                # single Chinese characters (找, 用, 慢…) rarely name a complaint; keep them only if nothing else
                common = {term for term in common if len(term) >= 2} or common
                words = keywords(weights[c], self.keyword_count, common)
                similarity = vectors[positions] @ clusterer.centres_[c]
                cohesion = float(similarity.mean())
                representatives = self._representatives(members, similarity, texts)
                central = [texts[members[p]] for p in np.argsort(-similarity, kind="stable")]
                label = theme_label(central, words) or label_from(words)
            themes.append(
                self._theme(
                    c, label, words, members, comments, polarities, cohesion, representatives, weights.get(c, {})
                )
            )
        themes.sort(key=lambda t: (t.is_other, -t.negative_respondents, -t.size))
        return themes

    @staticmethod
    def _representatives(members: list[int], similarity: np.ndarray, texts: list[str], count: int = 3) -> list[int]:
        chosen: list[int] = []
        seen: set[str] = set()
        for position in np.argsort(-similarity, kind="stable"):
            text = texts[members[position]]
            key = "".join(ch for ch in text if ch.isalnum())
            if key in seen:
                continue
            seen.add(key)
            chosen.append(members[position])
            if len(chosen) == count:
                break
        return chosen

    def _theme(
        self,
        c: int,
        label: str,
        words: list[str],
        members: list[int],
        comments: Sequence[Comment],
        polarities: list[str],
        cohesion: float,
        representatives: list[int],
        term_weights: dict[str, float],
    ) -> Theme:
        respondents = {comments[i].respondent_id for i in members}
        negative = {comments[i].respondent_id for i in members if polarities[i] == "negative"}
        breakdown: dict[str, dict[str, int]] = {}
        for dimension in ("role", "department"):
            cells: defaultdict[str, set[str]] = defaultdict(set)
            for i in members:
                value = getattr(comments[i], dimension)
                if value:
                    cells[value].add(comments[i].respondent_id)
            breakdown[dimension] = release_breakdown({value: len(ids) for value, ids in cells.items()}, self.k_text)
        top_weights = dict(sorted(term_weights.items(), key=lambda item: -item[1])[:50])
        return Theme(
            index=c,
            label=label,
            keywords=words,
            members=members,
            size=len(members),
            respondents=len(respondents),
            negative_respondents=len(negative),
            negative_share=len(negative) / len(respondents) if respondents else 0.0,
            cohesion=cohesion,
            representatives=representatives,
            breakdown=breakdown,
            term_weights=top_weights,
            is_other=c == OTHER,
        )
