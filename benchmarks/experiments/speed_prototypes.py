"""Where a 100k-comment first run spends its time, and what the prototypes save, stage by stage.

    .venv/bin/python benchmarks/experiments/speed_prototypes.py [--comments 100000]

Same texts as benchmarks/themes_speed.py. Each line: the step as the pipeline runs it today, the
prototype meant to replace it, and their ratio, next to a plain single-process jieba.lcut pass
measured in the same run (the yardstick of issue 17).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import jieba
import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from analysis.text.char_ngrams import CharNgramTfidf
from analysis.text.normalise import normalise, normalise_many
from analysis.text.polarity import polarity
from analysis.text.tokenise import Tokeniser, tokens_many
from analysis.text.vectorise import NON_TEXT
from benchmarks._data import data_file


def timed(function):
    started = time.perf_counter()
    result = function()
    return result, time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--comments", type=int, default=100_000)
    args = parser.parse_args()
    data = pd.read_csv(data_file("shopping_reviews_5topics.csv")).text.astype(str)
    texts = data.sample(args.comments + 1000, replace=True, random_state=0).tolist()[: args.comments]
    print(f"{len(texts)} comments, {sum(map(len, texts)) / 1e6:.2f} M characters")
    jieba.initialize()
    _, yardstick = timed(lambda: [jieba.lcut(t) for t in texts])
    print(f"plain single-process jieba.lcut pass        {yardstick:6.1f} s")

    old, old_s = timed(lambda: [normalise(t, None, True) for t in texts])
    new, new_s = timed(lambda: normalise_many(texts, None, True))
    assert old == new
    print(f"normalise: per comment {old_s:5.1f} s, normalise_many {new_s:5.1f} s ({old_s / new_s:.1f}x)")

    tokeniser = Tokeniser()
    _, one_s = timed(lambda: [tokeniser.tokens(t) for t in new])
    _, many_s = timed(lambda: tokens_many(tokeniser, new))
    print(f"tokenise: one process {one_s:5.1f} s, tokens_many (every core, pool per run) {many_s:5.1f} s")

    _, polarity_s = timed(lambda: [polarity(t) for t in new])
    print(f"polarity (rules, one process)               {polarity_s:6.1f} s")

    chars = [NON_TEXT.sub("", t) for t in new]
    settings = dict(min_df=2, max_df=0.5)
    _, sk_s = timed(
        lambda: TfidfVectorizer(
            analyzer="char", ngram_range=(1, 2), sublinear_tf=True, dtype=np.float32, **settings
        ).fit_transform(chars)
    )
    _, np_s = timed(lambda: CharNgramTfidf(**settings).fit_transform(chars))
    print(f"char 1-2-gram TF-IDF: scikit-learn {sk_s:5.1f} s, CharNgramTfidf {np_s:5.1f} s ({sk_s / np_s:.1f}x)")


if __name__ == "__main__":
    main()
