"""Tuning the recurrence threshold on labelled complaints.

    .venv/bin/python benchmarks/recurrence_threshold.py

Two disjoint samples of the negative shopping reviews play two quarters (300 per topic each, seeds 0–4);
the first quarter lacks one topic (a different one per seed), so the second has a new complaint that must
not be matched to anything. Each quarter is clustered by the product pipeline; a theme's true topic is
the majority topic of its members. For each threshold, `analysis.text.recurrence.match` pairs this
quarter's themes with last quarter's; a pair is right when both themes have the same true topic, and a
theme left unmatched is right when last quarter had no theme of its topic. Prints precision, recall and
F1 of the pairs per threshold; the product uses the best.
"""

import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from analysis.text import Comment, ThemePipeline
from analysis.text.recurrence import match

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "shopping_reviews_5topics.csv"
THRESHOLDS = [0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6]


def quarter_themes(sample):
    comments = [Comment(str(i), str(i), text) for i, text in enumerate(sample.text)]
    result = ThemePipeline(random_state=0).fit(comments).result_
    themes = []
    for theme in result.themes:
        if theme.is_other or not theme.members:
            continue
        topic = Counter(sample.topic[i] for i in theme.members).most_common(1)[0][0]
        themes.append((topic, theme.term_weights))
    return themes


def main():
    negative = pd.read_csv(DATA).query("sentiment == 0")
    totals = {t: Counter() for t in THRESHOLDS}
    for seed in range(5):
        shuffled = negative.groupby("topic").sample(600, random_state=seed)
        topics = sorted(negative.topic.unique())
        first_rows = shuffled.groupby("topic").head(300)
        second = shuffled.drop(first_rows.index).reset_index(drop=True)
        first = first_rows[first_rows.topic != topics[seed % len(topics)]].reset_index(drop=True)
        before, after = quarter_themes(first), quarter_themes(second)
        before_topics = {topic for topic, _ in before}
        for threshold in THRESHOLDS:
            pairs = match([w for _, w in before], [w for _, w in after], threshold)
            for current, previous in pairs.items():
                totals[threshold]["tp" if after[current][0] == before[previous][0] else "fp"] += 1
            for index, (topic, _) in enumerate(after):
                if index not in pairs and topic in before_topics:
                    totals[threshold]["fn"] += 1
    best = None
    for threshold in THRESHOLDS:
        c = totals[threshold]
        precision = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 0.0
        recall = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        print(
            f"threshold {threshold:.2f}: precision {precision:.3f}, recall {recall:.3f}, F1 {f1:.3f} "
            f"(pairs right {c['tp']}, wrong {c['fp']}, missed {c['fn']})"
        )
        if best is None or f1 > best[1]:
            best = (threshold, f1)
    print(f"best threshold {best[0]:.2f} (F1 {best[1]:.3f})")


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
