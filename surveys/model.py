"""The shape of an instrument: questions, their options, and the scales that score them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TypeAlias

QUESTION_TYPES = ("likert5", "likert7", "nps", "single", "multi", "text")
NUMERIC_RANGES = {"likert5": (1, 5), "likert7": (1, 7), "nps": (0, 10)}
SCORING_METHODS = ("sus", "nps", "mean")
CONDITION_TYPES = ("single", *NUMERIC_RANGES)  # questions whose answer may decide whether a later one shows
Bilingual: TypeAlias = dict[str, str]  # {"zh": …, "en": …}: English may be empty (Chinese is shown)


@dataclass(frozen=True)
class Option:
    code: str
    text: Bilingual


@dataclass(frozen=True)
class ShowIf:
    """Show a question only when the answer to an earlier one (`question`, single choice or scale) is one
    of `values` (option codes, or scale points as ints)."""

    question: str
    values: tuple[str | int, ...]


@dataclass(frozen=True)
class Question:
    """One question. `text` and every label are {"zh": …, "en": …} (English may be empty: Chinese is shown).
    `block` names the validated block (SUS, eNPS, ADKAR, resistance) the question belongs to, whose wording
    and scoring are locked."""

    code: str
    type: str
    text: Bilingual
    required: bool = False
    options: tuple[Option, ...] = ()
    max_choices: int | None = None
    max_length: int | None = None
    anchors: dict[str, Bilingual] | None = None  # {"low": …, "high": …}
    show_if: ShowIf | None = None
    block: str | None = None
    scale: str | None = None

    @property
    def value_range(self) -> tuple[int, int] | None:
        return NUMERIC_RANGES.get(self.type)


@dataclass(frozen=True)
class Scale:
    """A group of questions scored together: 'sus', 'nps' (raw 0–10 rating) or 'mean' (reverse items allowed)."""

    code: str
    title: Bilingual
    scoring: str
    items: tuple[str, ...]
    reverse: tuple[str, ...] = ()
    group: str | None = None
    block: str | None = None


@dataclass(frozen=True)
class Instrument:
    name: str
    title: Bilingual
    description: Bilingual
    questions: tuple[Question, ...]
    scales: tuple[Scale, ...] = ()
    barrier_scales: tuple[str, ...] = ()
    barrier_threshold: float = 3.0
    kind: str = "satisfaction"
    source: str = field(default="", compare=False)

    def question(self, code: str) -> Question:
        for question in self.questions:
            if question.code == code:
                return question
        raise KeyError(code)

    @property
    def text_questions(self) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if q.type == "text")

    def hidden_questions(self, answers: Mapping[str, object]) -> frozenset[str]:
        """Codes of the questions that `answers` (code → answer) hide: a conditional question shows only
        when its earlier question is shown and answered with one of its values. This is the rule the
        form applies when it validates (hidden questions are neither required nor stored)."""
        hidden: set[str] = set()
        for question in self.questions:
            condition = question.show_if
            if condition is None:
                continue
            if condition.question in hidden or answers.get(condition.question) not in condition.values:
                hidden.add(question.code)
        return frozenset(hidden)
