"""Theme quality on real labelled text, with the number of themes chosen from the data.

    .venv/bin/python benchmarks/themes_quality.py [--data shopping|toutiao] [--per-topic 400]
        [--sizes 400 200 100 50 25] [--seeds 0 1 2 3 4] [--method product|told-k|<candidate>]

`shopping`: the negative shopping reviews (long complaints, 5 topics); `toutiao`: news headlines of the
13 topics with ≥ 300 rows (≈ 22 characters, short like employees' comments). `--per-topic N` samples N
per topic; `--sizes` samples imbalanced topics instead (sizes given to the topics in a seeded order,
cycled when there are more topics than sizes). Every method runs through the product path
(`ThemePipeline`: normalise, non-answers, tokenise, vectorise, cluster, label) and is scored with the
catch-all as its own label (non-answers left out), NMI and ARI against `topic`; the figures are printed
per seed and as mean ± sd, with each theme's readable label (`theme_label`) beside today's keyword
label. `product` is the pipeline as the app runs it today; `told-k` the product told the true number of
topics (a reference, not a method); `k20` the product with k = 20 fixed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from analysis.text import Comment, ThemePipeline
from analysis.text.cluster import StableKMeans
from analysis.text.label import theme_label
from benchmarks._data import data_dir
from benchmarks.experiments.cohesion_rule import CohesiveStableKMeans

DATA = data_dir()
FILES = {"shopping": "shopping_reviews_5topics.csv", "toutiao": "toutiao_titles_15topics.csv"}
MIN_TOPIC_ROWS = 300


def corpus(name: str) -> pd.DataFrame:
    """The labelled texts of one data set: negative shopping reviews, or the toutiao topics with ≥ 300 rows."""
    frame = pd.read_csv(DATA / FILES[name])
    if name == "shopping":
        frame = frame[frame.sentiment == 0]
    counts = frame.topic.value_counts()
    frame = frame[frame.topic.isin(counts[counts >= MIN_TOPIC_ROWS].index)]
    return frame[["text", "topic"]].assign(text=lambda f: f.text.astype(str)).reset_index(drop=True)


def sample(frame: pd.DataFrame, seed: int, per_topic: int | None, sizes: list[int] | None) -> pd.DataFrame:
    topics = sorted(frame.topic.unique())
    if sizes:
        order = np.random.default_rng(seed).permutation(topics)
        wanted = {topic: sizes[i % len(sizes)] for i, topic in enumerate(order)}
    else:
        wanted = dict.fromkeys(topics, per_topic)
    parts = [frame[frame.topic == topic].sample(n, random_state=seed) for topic, n in wanted.items()]
    return pd.concat(parts).sample(frac=1, random_state=seed).reset_index(drop=True)


def _candidates() -> dict[str, Callable[[int], ThemePipeline]]:
    """Candidates measured through the product path (true k is passed for the references only)."""
    return {
        "product": lambda true_k: ThemePipeline(random_state=0),
        "told-k": lambda true_k: ThemePipeline(
            random_state=0, clusterer=StableKMeans(n_clusters=true_k, random_state=0)
        ),
        "no-refine": lambda true_k: ThemePipeline(random_state=0, refine=False),
        "told-k-no-refine": lambda true_k: ThemePipeline(
            random_state=0, refine=False, clusterer=StableKMeans(n_clusters=true_k, random_state=0)
        ),
        "k20": lambda true_k: ThemePipeline(random_state=0, clusterer=StableKMeans(n_clusters=20, random_state=0)),
        # measured, not adopted (benchmarks/experiments/cohesion_rule.py)
        "cohesion": lambda true_k: ThemePipeline(random_state=0, clusterer=CohesiveStableKMeans("count")),
        "cohesion-count-only": lambda true_k: ThemePipeline(
            random_state=0, clusterer=CohesiveStableKMeans("count-only")
        ),
    }


def pipeline_for(method: str, true_k: int) -> ThemePipeline:
    return _candidates()[method](true_k)


def labels_of(result, n: int) -> list[int]:
    labels = [-2] * n
    for theme in result.themes:
        for member in theme.members:
            labels[member] = theme.index
    return labels


def run_seed(method: str, frame: pd.DataFrame, seed: int, args) -> tuple[float, float, int, int]:
    data = sample(frame, seed, args.per_topic, args.sizes)
    true_k = data.topic.nunique()
    comments = [Comment(str(i), str(i), text) for i, text in enumerate(data.text)]
    started = time.perf_counter()
    result = pipeline_for(method, true_k).fit(comments).result_
    labels = labels_of(result, len(comments))
    kept = [i for i, label in enumerate(labels) if label != -2]
    truth = [data.topic[i] for i in kept]
    predicted = [labels[i] for i in kept]
    nmi = normalized_mutual_info_score(truth, predicted)
    ari = adjusted_rand_score(truth, predicted)
    other = sum(t.size for t in result.themes if t.is_other)
    print(
        f"seed {seed}: {len(comments)} comments, k chosen {result.k} vs true {true_k}, catch-all {other}, "
        f"non-answers {len(result.non_answers)}, NMI {nmi:.3f}, ARI {ari:.3f}, {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    for theme in result.themes[: args.show]:
        phrase = theme_label([data.text[i] for i in theme.members], theme.keywords) if not theme.is_other else ""
        print(f"    {theme.size:4d}  {phrase or theme.label}  (today: {theme.label})  [{' '.join(theme.keywords[:6])}]")
    return nmi, ari, result.k, true_k


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", choices=sorted(FILES), default="shopping")
    parser.add_argument("--per-topic", type=int, default=None, help="default 400 (shopping), 150 (toutiao)")
    parser.add_argument("--sizes", type=int, nargs="*", default=None, help="imbalanced sizes, e.g. 400 200 100 50 25")
    parser.add_argument("--seeds", type=int, nargs="*", default=[0, 1, 2, 3, 4])
    parser.add_argument("--method", default="product", choices=sorted(_candidates()))
    parser.add_argument("--show", type=int, default=8, help="themes printed per seed (label, keywords)")
    args = parser.parse_args()
    if args.per_topic is None:
        args.per_topic = 150 if args.data == "toutiao" else 400
    frame = corpus(args.data)
    design = f"sizes {args.sizes}" if args.sizes else f"{args.per_topic}/topic"
    print(f"{args.data}, {frame.topic.nunique()} topics, {design}, method {args.method}")
    rows = [run_seed(args.method, frame, seed, args) for seed in args.seeds]
    nmis, aris, ks, truths = zip(*rows)
    print(
        f"{args.data} {design} {args.method}: NMI {statistics.mean(nmis):.3f} ± {statistics.pstdev(nmis):.3f}, "
        f"ARI {statistics.mean(aris):.3f} ± {statistics.pstdev(aris):.3f}, k {statistics.mean(ks):.1f} "
        f"(range {min(ks)}–{max(ks)}) vs true {truths[0]} over seeds {args.seeds}"
    )


if __name__ == "__main__":
    main()
