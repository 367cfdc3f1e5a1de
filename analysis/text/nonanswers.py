"""Non-answers ("无", "没有", "挺好的", "/", emoji only…) are counted, not clustered.

A rule list of whole-answer phrases plus a length/vocabulary test: an answer with fewer than two
Chinese characters or Latin letters after removing punctuation, emoji and placeholders says nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Set

from analysis.text.normalise import PLACEHOLDERS

PHRASES = {
    "无",
    "没有",
    "暂无",
    "没意见",
    "没有意见",
    "无意见",
    "暂无意见",
    "没",
    "没了",
    "没有了",
    "无了",
    "挺好的",
    "挺好",
    "还行",
    "还可以",
    "可以",
    "很好",
    "不错",
    "好",
    "好的",
    "都好",
    "一般",
    "一切都好",
    "没什么",
    "没啥",
    "没什么意见",
    "没有建议",
    "暂无建议",
    "无建议",
    "不知道",
    "不清楚",
    "说不上来",
    "同上",
    "如上",
    "无所谓",
    "ok",
    "okay",
    "no",
    "none",
    "na",
    "n/a",
    "nothing",
    "nil",
    "pass",
    "暂时没有",
    "目前没有",
    "暂时没有意见",
    "目前没有意见",
    "没有问题",
    "无问题",
    "没问题",
}
MEANINGFUL = re.compile(r"[\u4e00-\u9fff]|[a-z]")


def core(text: str) -> str:
    for placeholder in PLACEHOLDERS:
        text = text.replace(placeholder, "")
    return re.sub(r"[\W_]+", "", text.lower())


def is_non_answer(normalised_text: str, phrases: Set[str] = PHRASES) -> bool:
    """True for empty, phrase-list, punctuation/emoji-only and one-character answers."""
    stripped = core(normalised_text)
    if stripped in phrases or not stripped:
        return True
    return len(MEANINGFUL.findall(stripped)) < 2


class NonAnswers:
    """The non-answer filter of the theme pipeline (the phrase list above by default). Any object with an
    `is_non_answer(normalised_text) -> bool` method can take its place."""

    def __init__(self, phrases: Iterable[str] = PHRASES):
        self.phrases = frozenset(phrases)

    def is_non_answer(self, normalised_text: str) -> bool:
        return is_non_answer(normalised_text, self.phrases)
