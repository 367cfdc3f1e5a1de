"""Which features separate topics, with the clustering told the number of topics (and a few k around it).

    .venv/bin/python benchmarks/experiments/features_told_k.py --data toutiao [--seeds 0 1 2 3 4]

Prints NMI of KMeans on LSA vectors of several feature sets at k = true k and at other k, mean over
seeds: the ceiling a k-choosing method can reach with each feature set.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

import numpy as np
from scipy.sparse import hstack
from sklearn.cluster import KMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import normalized_mutual_info_score
from sklearn.preprocessing import normalize

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from analysis.text.normalise import normalise
from analysis.text.tokenise import Tokeniser
from analysis.text.vectorise import NON_TEXT
from benchmarks.themes_quality import corpus, sample


def identity(tokens):
    return tokens


def features(texts, tokens, kind, dims, seed=0):
    chars = [NON_TEXT.sub("", t) for t in texts]
    common = dict(sublinear_tf=True, min_df=2, max_df=0.5, dtype=np.float32)
    parts = []
    if "char" in kind:
        ngram = (1, 2) if "char12" in kind else (2, 3) if "char23" in kind else (1, 3)
        parts.append(TfidfVectorizer(analyzer="char", ngram_range=ngram, **common).fit_transform(chars))
    if "word" in kind or kind.startswith("w"):
        weight = float(kind.split("+")[0][1:]) if kind.startswith("w") and kind[1].isdigit() else 1.0
        parts.append(weight * TfidfVectorizer(analyzer=identity, **common).fit_transform(tokens))
    matrix = hstack(parts).tocsr() if len(parts) > 1 else parts[0]
    if dims:
        return normalize(TruncatedSVD(dims, random_state=seed).fit_transform(matrix))
    return normalize(matrix)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default="toutiao")
    parser.add_argument("--per-topic", type=int, default=150)
    parser.add_argument("--seeds", type=int, nargs="*", default=[0, 1, 2])
    parser.add_argument("--kinds", nargs="*", default=["char12", "word", "word+char12", "word+char23", "char13"])
    parser.add_argument("--dims", type=int, nargs="*", default=[100])
    parser.add_argument("--ks", type=int, nargs="*", default=[])
    args = parser.parse_args()
    frame = corpus(args.data)
    tokeniser = Tokeniser()
    data = []
    for seed in args.seeds:
        s = sample(frame, seed, args.per_topic, None)
        texts = [normalise(t, None, True) for t in s.text]
        data.append((texts, [tokeniser.tokens(t) for t in texts], list(s.topic)))
    true_k = len(set(data[0][2]))
    ks = args.ks or [true_k]
    for kind in args.kinds:
        for dims in args.dims:
            row = []
            for k in ks:
                scores = []
                for seed, (texts, tokens, truth) in zip(args.seeds, data):
                    vectors = features(texts, tokens, kind, dims, seed)
                    labels = KMeans(k, n_init=5, random_state=0).fit(vectors).labels_
                    scores.append(normalized_mutual_info_score(truth, labels))
                row.append(f"k={k}: {statistics.mean(scores):.3f}")
            print(f"{kind:<14} dims {dims:>4}  " + "  ".join(row), flush=True)


if __name__ == "__main__":
    main()
