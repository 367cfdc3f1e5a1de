"""k-means told the true k on the product's vectors, then its themes refined by multinomial naive Bayes
(`analysis.text.refine`) on each comment's character 1–2-gram counts or its jieba word counts (what the product
uses: `CommentVectoriser.counts`), for several smoothing values and rounds.

    .venv/bin/python benchmarks/experiments/refine.py --design shopping-400|shopping-imbalanced|toutiao-150

Prints the mean NMI over seeds 0–4 and each seed's, without refinement ("base") and with it. Seventh
session: words 0.640 against characters 0.629 (shopping 400/topic), 0.187 against 0.181 (headlines 13 × 150).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from sklearn.cluster import KMeans
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.metrics import normalized_mutual_info_score
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from analysis.text.refine import refine_labels
from analysis.text.vectorise import NON_TEXT, CommentVectoriser
from benchmarks.experiments.vectoriser_grid import DESIGNS, prepared


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--design", choices=sorted(DESIGNS), default="shopping-400")
    parser.add_argument("--seeds", type=int, nargs="*", default=[0, 1, 2, 3, 4])
    args = parser.parse_args()
    scores: dict[str, list[float]] = {}
    with threadpool_limits(limits=1):
        for texts, tokens, truth in prepared(args.design, args.seeds):
            vectoriser = CommentVectoriser(random_state=0)
            vectors = vectoriser.fit_transform(texts, tokens)
            labels = KMeans(len(set(truth)), n_init=10, random_state=0).fit(vectors).labels_
            chars = [NON_TEXT.sub("", text) for text in texts]  # as the vectoriser sees them
            char_counts = CountVectorizer(analyzer="char", ngram_range=(1, 2), min_df=2, max_df=0.5).fit_transform(
                chars
            )
            every_counts = {"chars": char_counts, "words": vectoriser.counts(tokens)}
            scores.setdefault("base", []).append(normalized_mutual_info_score(truth, labels))
            for kind, counts in every_counts.items():
                for alpha in (0.03, 0.1, 0.3, 1.0):
                    for rounds in (1, 3, 10):
                        refined = refine_labels(counts, labels, alpha=alpha, rounds=rounds)
                        scores.setdefault(f"{kind}, alpha {alpha}, rounds {rounds}", []).append(
                            normalized_mutual_info_score(truth, refined)
                        )
    for name, values in scores.items():
        each = " ".join(f"{value:.3f}" for value in values)
        print(f"{args.design} {name}: told-k NMI {np.mean(values):.3f} ({each})", flush=True)


if __name__ == "__main__":
    main()
