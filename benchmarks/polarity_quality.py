"""Polarity of comments measured on the waimai reviews (1 positive, 0 negative).

    .venv/bin/python benchmarks/polarity_quality.py

The lexicon says negative / neutral / positive; the file has only two classes, so two figures are
printed: (a) all reviews, neutral counted as a miss (a wrong class) — accuracy and macro-F1 over
negative/positive; (b) the share of reviews called neutral, and accuracy on the decided ones.
Complaint ranking only uses "negative", so its precision and recall are printed too.
"""

import sys
from pathlib import Path

import pandas as pd
from sklearn.metrics import accuracy_score, f1_score, precision_score, recall_score

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from analysis.text.normalise import normalise
from analysis.text.polarity import polarity

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "waimai_reviews_sentiment.csv"


def main():
    reviews = pd.read_csv(DATA)
    predicted = [polarity(normalise(str(text))) for text in reviews.text]
    truth = ["positive" if s == 1 else "negative" for s in reviews.sentiment]
    mapped = [p if p != "neutral" else "neutral" for p in predicted]
    print(f"{len(reviews)} reviews ({sum(t == 'negative' for t in truth)} negative)")
    print(
        f"(a) accuracy {accuracy_score(truth, mapped):.3f}, macro-F1 "
        f"{f1_score(truth, mapped, labels=['negative', 'positive'], average='macro'):.3f} (neutral counts as wrong)"
    )
    decided = [(t, p) for t, p in zip(truth, predicted) if p != "neutral"]
    print(
        f"(b) neutral {1 - len(decided) / len(truth):.1%}; accuracy on decided "
        f"{accuracy_score([t for t, _ in decided], [p for _, p in decided]):.3f}"
    )
    negative_truth = [t == "negative" for t in truth]
    negative_predicted = [p == "negative" for p in predicted]
    print(
        f"negative: precision {precision_score(negative_truth, negative_predicted):.3f}, "
        f"recall {recall_score(negative_truth, negative_predicted):.3f}"
    )


if __name__ == "__main__":
    main()
