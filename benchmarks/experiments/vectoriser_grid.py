"""The product's CommentVectoriser under other settings, with k-means told the true number of topics.

    .venv/bin/python benchmarks/experiments/vectoriser_grid.py --design shopping-400|shopping-imbalanced|toutiao-150

For each setting (LSA dimensions, character n-gram range, max_df, jieba word weight), the mean NMI over
seeds 0–4 of KMeans(true k, n_init=10) on the vectors: the ceiling any choice of k can reach with that
setting. Issue 17 phase 3 ran it to see whether the shopping rows of the issue's table (≥ 0.62 at
400/topic, ≥ 0.50 imbalanced) were a matter of k or of the features.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import normalized_mutual_info_score
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from analysis.text.nonanswers import NonAnswers
from analysis.text.normalise import Normaliser
from analysis.text.tokenise import Tokeniser
from analysis.text.vectorise import CommentVectoriser
from benchmarks.themes_quality import corpus, sample

DESIGNS = {
    "shopping-400": ("shopping", 400, None),
    "shopping-imbalanced": ("shopping", None, [400, 200, 100, 50, 25]),
    "toutiao-150": ("toutiao", 150, None),
}
SETTINGS = [
    {"n_components": dims, "char_ngrams": grams, "max_df": 0.5, "word_weight": 0.3}
    for dims in (50, 100, 200)
    for grams in ((1, 2), (1, 3))
] + [
    {"n_components": 100, "char_ngrams": (1, 2), "max_df": 0.2, "word_weight": 0.3},
    {"n_components": 100, "char_ngrams": (2, 2), "max_df": 0.5, "word_weight": 0.3},
    {"n_components": 100, "char_ngrams": (1, 2), "max_df": 0.5, "word_weight": 0.0},
]


def prepared(design: str, seeds: list[int]) -> list[tuple[list[str], list[list[str]], list[str]]]:
    name, per_topic, sizes = DESIGNS[design]
    frame, normaliser, non_answers, tokeniser = corpus(name), Normaliser(), NonAnswers(), Tokeniser()
    samples = []
    for seed in seeds:
        data = sample(frame, seed, per_topic, sizes)
        texts = normaliser.normalise_many(list(data.text))
        kept = [i for i, text in enumerate(texts) if not non_answers.is_non_answer(text)]
        samples.append(
            ([texts[i] for i in kept], [tokeniser.tokens(texts[i]) for i in kept], [data.topic[i] for i in kept])
        )
    return samples


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--design", choices=sorted(DESIGNS), default="shopping-400")
    parser.add_argument("--seeds", type=int, nargs="*", default=[0, 1, 2, 3, 4])
    args = parser.parse_args()
    samples = prepared(args.design, args.seeds)
    with threadpool_limits(limits=1):
        for setting in SETTINGS:
            scores = []
            for texts, tokens, truth in samples:
                vectors = CommentVectoriser(random_state=0, **setting).fit_transform(texts, tokens)
                labels = KMeans(len(set(truth)), n_init=10, random_state=0).fit(vectors).labels_
                scores.append(normalized_mutual_info_score(truth, labels))
            each = " ".join(f"{score:.2f}" for score in scores)
            print(f"{args.design} {setting}: told-k NMI {np.mean(scores):.3f} ({each})", flush=True)


if __name__ == "__main__":
    main()
