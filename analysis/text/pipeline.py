"""The whole theme pipeline as the app runs it, as one estimator with swappable steps and timings by stage."""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import chain
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, clone

from analysis.text.cluster import OTHER, StableKMeans
from analysis.text.label import class_tfidf, keywords, label_from, theme_label
from analysis.text.nonanswers import NonAnswers
from analysis.text.normalise import Normaliser
from analysis.text.parallel import processes_for
from analysis.text.polarity import start_polarities
from analysis.text.refine import refine_labels
from analysis.text.release import release_breakdown
from analysis.text.tokenise import tokeniser_for, tokenising_workers
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
        refine: bool = True,
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
        self.refine = refine

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
        self._report("normalise", 5)
        self.normaliser_ = self._step(self.normaliser, lambda: Normaliser(self.names, self.simplify))
        self.non_answers_ = self._step(self.non_answers, NonAnswers)
        self.tokeniser_ = self._step(self.tokeniser, lambda: tokeniser_for(self.extra_terms))
        texts, non_answer, missing, made_tokens = self._prepare(comments, timings)
        skipped = set(non_answer)
        kept = [i for i in range(len(comments)) if i not in skipped]

        # the lexicon runs in worker processes while this one vectorises and clusters (mostly on one core); leaving
        # early (an exception) ends them
        with start_polarities(texts, self.workers) as pending_polarities:
            started = time.perf_counter()
            self._report("vectorise", 45)
            self.vectoriser_ = self._step(
                self.vectoriser, lambda: CommentVectoriser(random_state=self.random_state), fitted=True
            )
            self.clusterer_ = self._step(
                self.clusterer,
                lambda: StableKMeans(min_counted_size=self.k_text or 0, random_state=self.random_state),
                fitted=True,
            )
            kept_tokens = [made_tokens[i] for i in kept]
            vectors, choice, counts = self._vectorise([texts[i] for i in kept], kept_tokens)
            timings["vectorise"] = time.perf_counter() - started

            started = time.perf_counter()
            self._report("cluster", 65)
            if counts is None and len(kept_tokens) >= 2:
                counts = self._counts(kept_tokens)
            if choice is not None:
                clusterer = self.clusterer_.fit(vectors, choice=choice)
            elif self._chooses_k(self.clusterer_):  # judging its candidates refined on the counts
                clusterer = self.clusterer_.fit(vectors, counts=counts)
            else:
                clusterer = self.clusterer_.fit(vectors)
            self._refine(clusterer, counts, vectors)
            timings["cluster"] = time.perf_counter() - started

            started = time.perf_counter()
            polarities = pending_polarities.result()
            timings["polarity"] = time.perf_counter() - started  # the wait for them, after clustering

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

    def _counts(self, tokens: list[list[str]]) -> Any:
        """The comments' word counts the themes are refined on, when the steps allow it (`_refines`); None
        otherwise."""
        return self.vectoriser_.counts(tokens) if self._refines() else None

    def _refines(self) -> bool:
        """Whether themes are refined on word counts: refinement on, and a vectoriser that counts words
        (`word_weight` > 0)."""
        vectoriser = self.vectoriser_
        return bool(self.refine and getattr(vectoriser, "word_weight", 0) and hasattr(vectoriser, "counts"))

    @staticmethod
    def _chooses_k(clusterer: Any) -> bool:
        """Whether the clusterer chooses k itself (`StableKMeans`: `choose_k`, refining its candidates on the
        word counts it is given)."""
        return getattr(clusterer, "n_clusters", 0) is None and hasattr(clusterer, "choose_k")

    def _refine(self, clusterer: Any, counts: Any, vectors: np.ndarray) -> None:
        """Members moved by their own words (`refine_labels` on `counts`, None when refinement does not apply)
        when it moves any; on the fast path (mini-batch k-means) too: on 100k reviews NMI 0.394 → 0.484
        (seeds 0–4) for about 1 s of word counts and naive Bayes (benchmarks/experiments/fit_sample.py,
        benchmarks/themes_speed.py); the counts are now the transform's (`transform_with_counts`), and the cluster
        stage takes 0.4–0.6 s where it took 0.8–1.4 s."""
        if counts is None or not hasattr(clusterer, "relabel"):
            return
        labels = getattr(clusterer, "labels_", None)
        if labels is None or len(labels) != counts.shape[0] or len(np.unique(labels[labels >= 0])) < 2:
            return  # nothing to move a comment between
        refined = refine_labels(counts, labels)
        if not np.array_equal(refined, labels):
            clusterer.relabel(vectors, refined)

    def _prepare(
        self, comments: Sequence[Comment], timings: dict[str, float]
    ) -> tuple[list[str], list[int], list[int], list[list[str]]]:
        """Normalised texts, the non-answers, the comments tokenised now (no cached tokens) and every comment's
        tokens (a non-answer has none).

        A large batch is normalised here part by part while worker processes tokenise the parts already
        normalised: `timings_["normalise"]` is the time spent normalising (and finding non-answers),
        `timings_["tokenise"]` the wait for the tokens after the last part.
        """
        started = time.perf_counter()
        processes = processes_for(len(comments), self.workers)
        chunk = -(-len(comments) // (4 * processes)) if processes else len(comments)
        texts: list[str] = []
        non_answer: list[int] = []
        missing: list[int] = []
        with tokenising_workers(self.tokeniser_, processes) as tokenising:
            for start in range(0, len(comments), max(chunk, 1)):
                part = normalise_all(self.normaliser_, [c.text for c in comments[start : start + chunk]])
                texts.extend(part)
                waiting = []
                for i, text in enumerate(part, start):
                    if self.non_answers_.is_non_answer(text):
                        non_answer.append(i)
                    elif comments[i].tokens is None:
                        waiting.append(i)
                missing.extend(waiting)
                tokenising.submit([texts[i] for i in waiting])
            timings["normalise"] = time.perf_counter() - started
            self._report("tokenise", 15)
            started = time.perf_counter()
            tokens: list[list[str] | None] = [c.tokens for c in comments]
            for i, made in zip(missing, tokenising.result()):
                tokens[i] = made
        skipped = set(non_answer)
        made_tokens = [[] if i in skipped or made is None else made for i, made in enumerate(tokens)]
        timings["tokenise"] = time.perf_counter() - started
        return texts, non_answer, missing, made_tokens

    def _vectorise(self, texts: list[str], tokens: list[list[str]]) -> tuple[np.ndarray, Any, Any]:
        """The kept comments' vectors, the clusterer's choice of k when it was made meanwhile, and their word
        counts (`_counts`) when they were made on the way (else None).

        When the vectoriser fits on a sample (`fit_positions`) and the clusterer chooses k from the data
        (`choose_k`), k is chosen on the sample's vectors in a thread while the other comments are
        transformed: a 100k run's k search then costs no time of its own. Its transform counts the words for
        the refinement as it goes (`transform_with_counts`), where they were counted twice.
        """
        if len(texts) < 2:
            return np.zeros((len(texts), 1)), None, None
        vectoriser, clusterer = self.vectoriser_, self.clusterer_
        positions = vectoriser.fit_positions(len(texts)) if hasattr(vectoriser, "fit_positions") else None
        if positions is None or not self._chooses_k(clusterer):
            return vectoriser.fit_transform(texts, tokens), None, None
        sample_tokens = [tokens[i] for i in positions]
        sample = vectoriser.fit_transform([texts[i] for i in positions], sample_tokens)
        with ThreadPoolExecutor(max_workers=1) as thread:
            choice = thread.submit(clusterer.choose_k, sample, len(texts), self._counts(sample_tokens))
            if self._refines() and hasattr(vectoriser, "transform_with_counts"):
                vectors, counts = vectoriser.transform_with_counts(texts, tokens)
            else:
                vectors, counts = vectoriser.transform(texts, tokens), None
            return vectors, choice.result(), counts

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
                used = Counter(chain.from_iterable(set(tokens[i]) for i in members))
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
