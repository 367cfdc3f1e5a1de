"""The shape of an instrument: questions, their options, and the scales that score them."""

from __future__ import annotations

from dataclasses import dataclass, field

QUESTION_TYPES = ("likert5", "likert7", "nps", "single", "multi", "text")
NUMERIC_RANGES = {"likert5": (1, 5), "likert7": (1, 7), "nps": (0, 10)}
SCORING_METHODS = ("sus", "nps", "mean")


@dataclass(frozen=True)
class Option:
    code: str
    text: dict


@dataclass(frozen=True)
class Question:
    """One question. `text` and every label are {"zh": …, "en": …}."""

    code: str
    type: str
    text: dict
    required: bool = False
    options: tuple[Option, ...] = ()
    max_choices: int | None = None
    max_length: int | None = None
    anchors: dict | None = None
    scale: str | None = None

    @property
    def value_range(self) -> tuple[int, int] | None:
        return NUMERIC_RANGES.get(self.type)


@dataclass(frozen=True)
class Scale:
    """A group of questions scored together: 'sus', 'nps' (raw 0–10 rating) or 'mean' (reverse items allowed)."""

    code: str
    title: dict
    scoring: str
    items: tuple[str, ...]
    reverse: tuple[str, ...] = ()
    group: str | None = None


@dataclass(frozen=True)
class Instrument:
    name: str
    title: dict
    description: dict
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
