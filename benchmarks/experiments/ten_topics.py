"""The product path on 10 of the 13 headline topics (issue 17: the held-out short-text set has 10 even topics).

    .venv/bin/python benchmarks/experiments/ten_topics.py [--seeds 0 1 2 3 4] [--per-topic 150] [--topics 10]

Each seed draws its own 10 topics and `--per-topic` headlines of each from ../shared/data's toutiao set, runs
`ThemePipeline` as a theme run does, and prints k chosen and NMI (mean over the seeds at the end). Not a
held-out corpus (the same headlines' source), but a different number of topics than the benchmark's 13,
to see that k follows the topics rather than the sample it was chosen on.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import normalized_mutual_info_score

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from analysis.text import Comment, ThemePipeline
from benchmarks.themes_quality import corpus, labels_of


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, nargs="*", default=[0, 1, 2, 3, 4])
    parser.add_argument("--per-topic", type=int, default=150)
    parser.add_argument("--topics", type=int, default=10)
    args = parser.parse_args()
    frame = corpus("toutiao")
    nmis, ks = [], []
    for seed in args.seeds:
        topics = np.random.default_rng(seed).permutation(sorted(frame.topic.unique()))[: args.topics]
        parts = [frame[frame.topic == topic].sample(args.per_topic, random_state=seed) for topic in topics]
        data = pd.concat(parts).sample(frac=1, random_state=seed).reset_index(drop=True)
        comments = [Comment(str(i), str(i), text) for i, text in enumerate(data.text)]
        result = ThemePipeline(random_state=0).fit(comments).result_
        labels = labels_of(result, len(comments))
        kept = [i for i, label in enumerate(labels) if label != -2]
        nmi = normalized_mutual_info_score([data.topic[i] for i in kept], [labels[i] for i in kept])
        nmis.append(nmi)
        ks.append(result.k)
        print(
            f"seed {seed}: {len(comments)} headlines, {args.topics} topics, k chosen {result.k}, NMI {nmi:.3f}",
            flush=True,
        )
    print(
        f"{args.topics} topics × {args.per_topic}: NMI {np.mean(nmis):.3f}, k {np.mean(ks):.1f} ({min(ks)}–{max(ks)})"
    )


if __name__ == "__main__":
    main()
