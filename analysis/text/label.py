"""Theme keywords by class-based TF-IDF: terms frequent in one theme and rare in the others.

c-TF-IDF(t, c) = tf(t, c) / |c| · log(1 + A / f(t)), with A the average number of words per theme
and f(t) the frequency of t over all themes (as BERTopic defines it). Labels people can read are
phrases from the theme's own comments (`theme_label`), never keywords joined.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

import numpy as np


def class_tfidf(
    token_lists: Sequence[Sequence[str]], labels: Sequence[int], classes: Sequence[int]
) -> dict[int, dict[str, float]]:
    counts: dict[int, Counter[str]] = {c: Counter() for c in classes}
    for tokens, label in zip(token_lists, labels):
        if label in counts:
            counts[label].update(tokens)
    totals: Counter[str] = Counter()
    for counter in counts.values():
        totals.update(counter)
    if not totals:
        return {c: {} for c in classes}
    average = np.mean([sum(counter.values()) for counter in counts.values()]) or 1.0
    weights: dict[int, dict[str, float]] = {}
    for c, counter in counts.items():
        size = sum(counter.values()) or 1
        weights[c] = {term: (count / size) * np.log(1 + average / totals[term]) for term, count in counter.items()}
    return weights


def keywords(weights: dict[str, float], limit: int = 8, min_count_terms: set[str] | None = None) -> list[str]:
    ranked = sorted(weights.items(), key=lambda item: (-item[1], item[0]))
    return [term for term, _ in ranked if min_count_terms is None or term in min_count_terms][:limit]


def label_from(words: Sequence[str]) -> str:
    return "、".join(words[:3]) if words else "其他/未归类"


# Readable labels: a short phrase taken from the theme's own comments.

CLAUSE_BREAK = re.compile(r"[,，。.!！?？;；:：~～…、()（）\[\]【】\"“”'‘’\s/|]+")
FILLERS = (
    "我觉得 我感觉 个人觉得 个人认为 个人感觉 我认为 我想说 说实话 老实说 说真的 总的来说 总之 感觉 觉得 "
    "认为 建议 希望 就是 还有 然后 而且 并且 另外 其实 真的 反正 主要是 因为 所以 但是 不过 可是 只是 "
    "同时 目前 现在 我们 咱们 大家 我 呢 啊 哎 唉 嗯 "
    # a request's auxiliary, after its filler ("希望能简化审批流程" → "简化审批流程")
    "希望能够 希望能 希望可以 建议能 建议可以 能不能 能否 可不可以 可否"
)
LEADING_FILLERS = tuple(sorted(FILLERS.split(), key=len, reverse=True))
FILLERS_BY_FIRST = {
    first: tuple(f for f in LEADING_FILLERS if f[0] == first) for first in {f[0] for f in FILLERS.split()}
}
TRAILING_PARTICLES = "了啊呀吧呢哦啦嘛哈的么吗呐哇噢喔"
KEEP_TRAILING = ("不了", "得了", "完了", "坏了", "错了", "丢了", "没了")
PLACEHOLDER = re.compile(r"〈[^〉]*〉")


def clean_clause(clause: str) -> str:
    """A clause without its leading discourse fillers ("我觉得", "希望") and trailing particles ("了", "啊")."""
    text = PLACEHOLDER.sub("", clause).strip()
    changed = True
    while changed and text:
        changed = False
        for filler in FILLERS_BY_FIRST.get(text[0], ()):  # LEADING_FILLERS that start as the text does
            if text.startswith(filler) and len(text) > len(filler):
                text, changed = text[len(filler) :], True
                break
        while text and text[-1] in TRAILING_PARTICLES and not text.endswith(KEEP_TRAILING):
            text, changed = text[:-1], True
    return text


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)} or {text}


def theme_label(
    texts: Sequence[str],
    keywords: Sequence[str],
    min_length: int = 4,
    max_length: int = 14,
    sample_size: int = 400,
) -> str:
    """The most central clause of a theme's comments that carries its top keywords, cleaned of fillers.

    Each clause of the (first `sample_size`, ideally the most central) comments is a candidate; a
    candidate scores by the rank-weighted keywords it contains plus how typical its character bigrams
    are of the theme (the share of comments that use them). Candidates of `min_length`..`max_length`
    characters are preferred; a longer clause is cut to a window around its first keyword. Returns ""
    when no comment has a clause (the caller keeps its own fallback).
    """
    sample = list(texts[:sample_size])
    clauses = [clean_clause(part) for text in sample for part in CLAUSE_BREAK.split(text)]
    clauses = [c for c in clauses if len(c) >= 2]
    if not clauses:
        return ""
    document_frequency = Counter(b for text in sample for b in _bigrams(CLAUSE_BREAK.sub("", text)))
    weights = {word: 1.0 / (rank + 1) for rank, word in enumerate(keywords[:8])}
    candidates = Counter(_fit(c, keywords, max_length) for c in clauses)

    def score(candidate: str) -> tuple[bool, float, int, str]:
        grams = _bigrams(candidate)
        typical = sum(document_frequency[g] for g in grams) / (len(grams) * len(sample))
        carried = sum(w for word, w in weights.items() if word in candidate)
        fits = min_length <= len(candidate) <= max_length
        repeated = np.log1p(candidates[candidate] - 1) * 0.1
        return (fits, carried + typical + repeated, -len(candidate), candidate)

    return max(candidates, key=score)


def _fit(clause: str, keywords: Sequence[str], max_length: int) -> str:
    """A clause of at most `max_length` characters: long ones cut around their first top keyword."""
    if len(clause) <= max_length:
        return clause
    positions = [clause.find(word) for word in keywords[:8] if word in clause]
    start = max(0, min(positions) - 2) if positions else 0
    return clean_clause(clause[start : start + max_length])
