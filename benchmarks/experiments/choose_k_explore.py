"""Ways of choosing the number of themes, compared on the same vectors (jieba words + character 1–2-grams,
LSA 100) for every design of the quality benchmark.

    .venv/bin/python benchmarks/experiments/choose_k_explore.py --methods stability clest merge agglo hdbscan

Vectors are cached under /tmp so methods can be compared quickly; the product path is measured by
benchmarks/themes_quality.py. Prints, per design, k chosen (mean, range) and NMI mean ± sd over seeds.
"""

from __future__ import annotations

import argparse
import pickle
import statistics
import sys
import time
from pathlib import Path

from sklearn.metrics import normalized_mutual_info_score

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from analysis.text.nonanswers import is_non_answer
from analysis.text.normalise import normalise
from analysis.text.tokenise import Tokeniser
from benchmarks.themes_quality import corpus, sample

CACHE = Path("/tmp/cp-choose-k")
DESIGNS = {
    "toutiao 13x150": ("toutiao", 150, None),
    "shopping 400": ("shopping", 400, None),
    "shopping 200": ("shopping", 200, None),
    "shopping 800": ("shopping", 800, None),
    "shopping imbalanced": ("shopping", None, [400, 200, 100, 50, 25]),
    "toutiao imbalanced": ("toutiao", None, [400, 200, 100, 50, 25]),
}


def prepared(design: str, seed: int):
    """(texts, tokens, topics) of one design and seed, non-answers removed, cached."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"{design.replace(' ', '_')}_{seed}.pkl"
    if path.exists():
        return pickle.loads(path.read_bytes())
    name, per_topic, sizes = DESIGNS[design]
    frame = sample(corpus(name), seed, per_topic, sizes)
    texts = [normalise(t, None, True) for t in frame.text]
    keep = [i for i, t in enumerate(texts) if not is_non_answer(t)]
    tokeniser = Tokeniser()
    data = ([texts[i] for i in keep], [tokeniser.tokens(texts[i]) for i in keep], [frame.topic[i] for i in keep])
    path.write_bytes(pickle.dumps(data))
    return data


def main():
    from benchmarks.experiments import choose_k_methods as choose_k

    parser = argparse.ArgumentParser()
    parser.add_argument("--designs", nargs="*", default=list(DESIGNS))
    parser.add_argument("--methods", nargs="*", default=list(choose_k.EXPLORE_METHODS))
    parser.add_argument("--seeds", type=int, nargs="*", default=[0, 1, 2, 3, 4])
    args = parser.parse_args()
    for design in args.designs:
        data = [prepared(design, seed) for seed in args.seeds]
        for method in args.methods:
            ks, nmis, started = [], [], time.perf_counter()
            for texts, tokens, topics in data:
                labels = choose_k.EXPLORE_METHODS[method](texts, tokens)
                ks.append(len(set(labels) - {-1}))
                nmis.append(normalized_mutual_info_score(topics, labels))
            print(
                f"{design:<20} {method:<18} k {statistics.mean(ks):5.1f} ({min(ks)}–{max(ks)}) vs "
                f"{len(set(data[0][2]))}  NMI {statistics.mean(nmis):.3f} ± {statistics.pstdev(nmis):.3f}  "
                f"[{' '.join(f'{v:.2f}' for v in nmis)}]  {(time.perf_counter() - started) / len(data):.1f} s/seed",
                flush=True,
            )


if __name__ == "__main__":
    main()
