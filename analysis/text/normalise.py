"""Normalisation for analysis only (stored answers stay byte-exact).

NFKC (full-width → half-width), zero-width characters removed, Latin lower-cased, URLs, e-mails,
phone numbers and the names of people from the directory replaced by placeholders (so a name can
never become a keyword), runs of punctuation collapsed, optionally traditional → simplified.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterable

import opencc

URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?(?:1[3-9]\d[- ]?\d{4}[- ]?\d{4}|0\d{2,3}-?\d{7,8})(?!\d)")
ZERO_WIDTH = re.compile("[\u200b-\u200f\u2060-\u2064\ufeff\u00ad]")
REPEATED_PUNCTUATION = re.compile(r"([!?.,;:~。！？，、；：…·—\-_*#=])\1+")
PLACEHOLDER_NAME = "〈姓名〉"
PLACEHOLDER_URL = "〈链接〉"
PLACEHOLDER_EMAIL = "〈邮箱〉"
PLACEHOLDER_PHONE = "〈电话〉"
PLACEHOLDERS = (PLACEHOLDER_NAME, PLACEHOLDER_URL, PLACEHOLDER_EMAIL, PLACEHOLDER_PHONE)


def name_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    """One regex for every name of two or more characters, longest first (三字名 before 两字名)."""
    cleaned = sorted(
        {unicodedata.normalize("NFKC", n).strip().lower() for n in names if n and len(n.strip()) >= 2},
        key=len,
        reverse=True,
    )
    return re.compile("|".join(map(re.escape, cleaned))) if cleaned else None


_TRADITIONAL_TO_SIMPLIFIED = opencc.OpenCC("t2s")


def _single_characters(name: str) -> frozenset[str]:
    path = os.path.join(os.path.dirname(opencc.__file__), "dictionary", name)
    with open(path, encoding="utf-8") as handle:
        return frozenset(key for key in (line.split("\t", 1)[0].strip() for line in handle) if len(key) == 1)


# characters that only traditional text uses (they convert, and are not themselves simplified forms)
TRADITIONAL_ONLY = _single_characters("TSCharacters.txt") - _single_characters("STCharacters.txt")


def to_simplified(text: str) -> str:
    """Traditional → simplified with OpenCC's t2s tables, only for text that has traditional-only characters.

    Simplified text is left exactly as it is (converting it anyway re-maps ambiguous characters).
    """
    if any(ch in TRADITIONAL_ONLY for ch in text):
        simplified: str = _TRADITIONAL_TO_SIMPLIFIED.convert(text)
        return simplified
    return text


def normalise(text: str, names: re.Pattern[str] | None = None, simplify: bool = False) -> str:
    text = unicodedata.normalize("NFKC", text or "")
    text = ZERO_WIDTH.sub("", text)
    if simplify:
        text = to_simplified(text)
    text = URL.sub(PLACEHOLDER_URL, text)
    text = EMAIL.sub(PLACEHOLDER_EMAIL, text)
    text = PHONE.sub(PLACEHOLDER_PHONE, text)
    text = text.lower()
    if names is not None:
        text = names.sub(PLACEHOLDER_NAME, text)
    text = REPEATED_PUNCTUATION.sub(r"\1", text)
    return re.sub(r"\s+", " ", text).strip()


WHITESPACE_WITHIN_LINE = re.compile(r"[^\S\n]+")
# starts only where a run of address characters starts, so a long run is not re-scanned from each of its characters
EMAIL_AT_RUN_START = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def normalise_many(texts: list[str], names: re.Pattern[str] | None = None, simplify: bool = False) -> list[str]:
    """`normalise` of every text, with each step run once over all texts joined by line breaks.

    Same result as `[normalise(t, names, simplify) for t in texts]` (a line break inside a comment is
    carried as a carriage return, which every step treats as the same whitespace): NFKC and the regular
    expressions run in C over one string instead of Python walking each comment step by step, and only
    lines with a traditional-only character go through OpenCC.
    """
    joined = "\n".join((text or "").replace("\n", "\r") for text in texts)
    joined = ZERO_WIDTH.sub("", unicodedata.normalize("NFKC", joined))
    if simplify and not TRADITIONAL_ONLY.isdisjoint(joined):
        lines = joined.split("\n")
        joined = "\n".join(
            line if TRADITIONAL_ONLY.isdisjoint(line) else _TRADITIONAL_TO_SIMPLIFIED.convert(line) for line in lines
        )
    joined = URL.sub(PLACEHOLDER_URL, joined)
    if "@" in joined:
        joined = EMAIL_AT_RUN_START.sub(PLACEHOLDER_EMAIL, joined)
    joined = PHONE.sub(PLACEHOLDER_PHONE, joined).lower()
    if names is not None:
        joined = names.sub(PLACEHOLDER_NAME, joined)
    joined = WHITESPACE_WITHIN_LINE.sub(" ", REPEATED_PUNCTUATION.sub(r"\1", joined))
    lines = joined.split("\n")
    if len(lines) != len(texts):  # NFKC or OpenCC produced a line break: fall back, one by one
        return [normalise(text, names, simplify) for text in texts]
    return [line.strip(" ") for line in lines]


class Normaliser:
    """The normalising step of the theme pipeline: `normalise` with the directory's names and, by default,
    traditional → simplified. Any object with a `normalise(text) -> str` method can take its place."""

    def __init__(self, names: Iterable[str] = (), simplify: bool = True):
        self.names = tuple(names)
        self.simplify = simplify
        self._pattern = name_pattern(self.names)

    def normalise(self, text: str) -> str:
        return normalise(text, self._pattern, self.simplify)

    def normalise_many(self, texts: list[str]) -> list[str]:
        """`normalise` of every text in one pass of each step (what the pipeline calls for a run)."""
        return normalise_many(texts, self._pattern, self.simplify)
