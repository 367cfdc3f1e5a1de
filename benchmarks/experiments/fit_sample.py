"""How many comments the vectoriser must fit on: themes of 100k comments against the size of its fitting sample.

    .venv/bin/python benchmarks/experiments/fit_sample.py [--sizes 20000 15000 10000] [--seeds 0 1 2 3 4]

The 100k texts of benchmarks/themes_speed.py (shopping reviews of 5 topics, sampled with replacement) go
through the pipeline in this process (no database), with k chosen from the data; each line gives the k,
the NMI of the themes against the topics (catch-all as its own label, non-answers left out) and the
pipeline's seconds. The seed is the pipeline's `random_state`: it draws the fitting sample too.
"""

from __future__ import annotations

import argparse
import importlib
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
importlib.import_module("app")  # as in the app's processes: numpy's hugepage advice off before numpy loads
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.metrics import normalized_mutual_info_score  # noqa: E402

from analysis.text import Comment, ThemePipeline  # noqa: E402
from analysis.text.vectorise import CommentVectoriser  # noqa: E402
from benchmarks._data import data_file  # noqa: E402
from config import Config  # noqa: E402

K_TEXT = Config.ANONYMITY_MIN_GROUP_TEXT  # the text threshold a run gets by default


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="*", default=[20000, 15000, 10000])
    parser.add_argument("--seeds", type=int, nargs="*", default=[0, 1, 2, 3, 4])
    parser.add_argument("--comments", type=int, default=100_000)
    args = parser.parse_args()
    frame = pd.read_csv(data_file("shopping_reviews_5topics.csv"))
    frame = frame.sample(args.comments, replace=True, random_state=0).reset_index(drop=True)
    comments = [Comment(str(i), str(i), text) for i, text in enumerate(frame.text.astype(str))]
    for size in args.sizes:
        nmis, seconds = [], []
        for seed in args.seeds:
            started = time.perf_counter()
            vectoriser = CommentVectoriser(fit_sample=size, random_state=seed)
            pipeline = ThemePipeline(random_state=seed, k_text=K_TEXT, vectoriser=vectoriser).fit(comments)
            seconds.append(time.perf_counter() - started)
            labels = np.full(len(comments), -2)
            for theme in pipeline.result_.themes:
                labels[theme.members] = theme.index
            kept = labels != -2
            nmis.append(normalized_mutual_info_score(frame.topic[kept], labels[kept]))
            print(
                f"fit_sample {size} seed {seed}: k {pipeline.result_.k}, NMI {nmis[-1]:.3f}, "
                f"vectorise {pipeline.timings_['vectorise']:.1f} s, pipeline {seconds[-1]:.1f} s",
                flush=True,
            )
        print(
            f"fit_sample {size}: NMI {statistics.mean(nmis):.3f} ± {statistics.pstdev(nmis):.3f}, "
            f"pipeline median {statistics.median(seconds):.1f} s over seeds {args.seeds}",
            flush=True,
        )


if __name__ == "__main__":
    main()
