"""Themes refined by what their comments say: multinomial naive Bayes on each comment's word counts.

k-means groups comments by their LSA vectors, 100 directions that keep the broad strokes of the text. A
classifier trained on those groups, over every jieba word a comment has (`CommentVectoriser.counts`: the
vectoriser's fitted words), moves the comments whose own
wording belongs to another theme; repeated until nothing moves (or `rounds`). Told the true number of
topics (benchmarks/experiments/refine.py, seeds 0–4), k-means → refined on characters → on words:
shopping 400/topic 0.617 → 0.629 → 0.640, imbalanced 0.442 → 0.460 → 0.461, headlines 13 × 150 0.178 →
0.181 → 0.187. With k chosen (on unrefined fits, the eighth session's search), through the product path
(benchmarks/themes_quality.py, seeds 0–4), without refinement → characters → words: 400/topic 0.596 → 0.613
→ 0.619, 200/topic 0.565 → 0.581 → 0.587, 800/topic 0.574 → 0.596 → 0.608, imbalanced 0.479 → 0.494 →
0.506, headlines 0.243 → 0.244 → 0.252; on 100k reviews (the fast path, benchmarks/experiments/fit_sample.py)
unrefined 0.394 → words 0.484. The k search now refines its candidate fits the same way (`StableKMeans`).

The k search refines some 200 fits of a 2,000-comment sample per run, and scikit-learn's `MultinomialNB` spends
most of each fit checking its input; `naive_bayes_predictions` is the same classifier (the same counts,
smoothing, priors and products: the same predictions, tested) without the checks: 1.08 s → 0.20 s of
refinement in three candidates' fits (k = 5, 12, 20).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.sparse import csr_matrix


def refine_labels(counts: Any, labels: np.ndarray, alpha: float = 0.3, rounds: int = 3) -> np.ndarray:
    """`labels` with each theme member (label ≥ 0) moved to the theme naive Bayes finds likeliest for its
    `counts` (one row per label); members of the catch-all (OTHER) stay there, and so does a member with no
    counted term (naive Bayes would put it in the largest theme on the priors alone)."""
    refined = np.array(labels, copy=True)
    members = np.flatnonzero(refined >= 0)
    current = refined[members]
    if len(np.unique(current)) < 2:
        return refined
    matrix = csr_matrix(counts)[members]
    worded = np.asarray(matrix.sum(axis=1)).ravel() > 0
    for _ in range(rounds):
        predicted = naive_bayes_predictions(matrix, current, alpha)
        moved = np.where(worded, predicted, current)
        if np.array_equal(moved, current):
            break
        current = moved
    refined[members] = current
    return refined


def naive_bayes_predictions(counts: csr_matrix, labels: np.ndarray, alpha: float) -> np.ndarray:
    """`MultinomialNB(alpha=alpha).fit(counts, labels).predict(counts)`, computed as it does (class sums of the
    counts plus `alpha`, log-normalised per class; log priors from the class sizes; the largest joint log
    likelihood, the first class on ties) without its input checks."""
    classes, index = np.unique(labels, return_inverse=True)
    members = csr_matrix(
        (np.ones(len(index)), (index, np.arange(len(index)))), shape=(len(classes), len(index))
    )  # class × comment indicator
    smoothed = np.asarray((members @ counts).todense(), dtype=np.float64) + alpha  # whole counts: sums are exact
    log_probability = np.log(smoothed) - np.log(smoothed.sum(axis=1).reshape(-1, 1))
    sizes = np.bincount(index, minlength=len(classes)).astype(np.float64)
    joint = counts @ log_probability.T + (np.log(sizes) - np.log(sizes.sum()))
    predicted: np.ndarray = classes[np.argmax(joint, axis=1)]
    return predicted
