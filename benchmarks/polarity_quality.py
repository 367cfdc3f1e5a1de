"""Polarity of comments measured on labelled reviews (1 positive, 0 negative).

    .venv/bin/python benchmarks/polarity_quality.py [--split-seed 17] [--errors 0]

The lexicon rules of `analysis/text/polarity.py` were developed on one half of the waimai reviews (a
seeded split, "development") and never looked at the other ("held out"); both halves are printed, and
the shopping reviews' `sentiment` column as a second domain. The rules say negative / neutral /
positive, the files have two classes, so: accuracy with neutral counted as wrong, the share called
neutral, and — what complaint ranking uses — precision and recall of "negative".
Targets (waimai): negative recall ≥ 0.75 at precision ≥ 0.90, accuracy ≥ 0.75.
`--errors N` prints N misjudged reviews of the development half with their cues (for rule work).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from analysis.text.normalise import normalise
from analysis.text.polarity import explain
from benchmarks._data import data_dir

DATA = data_dir()


def halves(frame: pd.DataFrame, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    development = frame.sample(frac=0.5, random_state=seed)
    return development, frame.drop(development.index)


def scores(frame: pd.DataFrame) -> dict[str, float]:
    predicted = [explain(normalise(str(text), simplify=True)).label for text in frame.text]
    truth = ["positive" if s == 1 else "negative" for s in frame.sentiment]
    right = sum(t == p for t, p in zip(truth, predicted))
    called = sum(p == "negative" for p in predicted)
    hits = sum(p == "negative" and t == "negative" for t, p in zip(truth, predicted))
    negatives = sum(t == "negative" for t in truth)
    return {
        "n": len(frame),
        "accuracy": right / len(frame),
        "neutral": sum(p == "neutral" for p in predicted) / len(frame),
        "precision": hits / called if called else 0.0,
        "recall": hits / negatives if negatives else 0.0,
    }


def line(name: str, figures: dict[str, float]) -> str:
    return (
        f"{name:<28} n={figures['n']:>6}  accuracy {figures['accuracy']:.3f}  neutral {figures['neutral']:.1%}  "
        f"negative precision {figures['precision']:.3f} recall {figures['recall']:.3f}"
    )


def show_errors(frame: pd.DataFrame, count: int) -> None:
    shown = 0
    for text, sentiment in zip(frame.text, frame.sentiment):
        decision = explain(normalise(str(text), simplify=True))
        truth = "positive" if sentiment == 1 else "negative"
        if decision.label != truth:
            cues = "; ".join(f"{c.kind}:{c.text}{c.weight:+.1f}" for c in decision.cues)
            print(f"  [{truth[:3]}→{decision.label[:3]}] {str(text)[:80]}  ⟨{cues}⟩")
            shown += 1
            if shown == count:
                return


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--split-seed", type=int, default=17)
    parser.add_argument("--errors", type=int, default=0)
    args = parser.parse_args()
    waimai = pd.read_csv(DATA / "waimai_reviews_sentiment.csv")
    development, held_out = halves(waimai, args.split_seed)
    shopping = pd.read_csv(DATA / "shopping_reviews_5topics.csv")
    print(f"waimai {len(waimai)} reviews ({(waimai.sentiment == 0).sum()} negative), split seed {args.split_seed}")
    print(line("waimai development half", scores(development)))
    print(line("waimai held-out half", scores(held_out)))
    print(line("waimai all", scores(waimai)))
    print(line("shopping (other domain)", scores(shopping)))
    if args.errors:
        show_errors(development, args.errors)


if __name__ == "__main__":
    main()
