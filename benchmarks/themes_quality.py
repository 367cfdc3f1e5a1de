"""Theme quality on real labelled complaints: the negative shopping reviews, 400 per topic, seeds 0–4.

    .venv/bin/python benchmarks/themes_quality.py [--per-topic 400] [--seeds 0 1 2 3 4]

Runs the product pipeline exactly as the app does (number of themes chosen from the data, catch-all
included as its own label) and prints NMI and ARI against `topic`, mean ± sd over the seeds.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

import pandas as pd
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from analysis.text import Comment, ThemePipeline

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "shopping_reviews_5topics.csv"


def labels_of(result, n):
    labels = [-2] * n
    for theme in result.themes:
        for member in theme.members:
            labels[member] = theme.index
    return labels


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--per-topic", type=int, default=400)
    parser.add_argument("--seeds", type=int, nargs="*", default=[0, 1, 2, 3, 4])
    args = parser.parse_args()
    reviews = pd.read_csv(DATA)
    negative = reviews[reviews.sentiment == 0]
    nmis, aris = [], []
    for seed in args.seeds:
        sample = negative.groupby("topic").sample(args.per_topic, random_state=seed).reset_index(drop=True)
        comments = [Comment(str(i), str(i), text) for i, text in enumerate(sample.text)]
        started = time.perf_counter()
        result = ThemePipeline(random_state=0).fit(comments)
        labels = labels_of(result, len(comments))
        kept = [i for i, label in enumerate(labels) if label != -2]
        truth = [sample.topic[i] for i in kept]
        predicted = [labels[i] for i in kept]
        nmi = normalized_mutual_info_score(truth, predicted)
        ari = adjusted_rand_score(truth, predicted)
        nmis.append(nmi)
        aris.append(ari)
        other = sum(t.size for t in result.themes if t.is_other)
        print(
            f"seed {seed}: k={result.k} (stability {', '.join(f'{k}:{v:.2f}' for k, v in result.stability.items())}), "
            f"catch-all {other}, non-answers {len(result.non_answers)}, NMI {nmi:.3f}, ARI {ari:.3f}, "
            f"{time.perf_counter() - started:.1f} s"
        )
        for theme in result.themes[:8]:
            print(f"    {theme.size:4d}  {theme.label}  [{' '.join(theme.keywords)}]")
    print(
        f"NMI {statistics.mean(nmis):.3f} ± {statistics.pstdev(nmis):.3f}, "
        f"ARI {statistics.mean(aris):.3f} ± {statistics.pstdev(aris):.3f} over seeds {args.seeds}"
    )


if __name__ == "__main__":
    main()
