"""Building a WTForms form class from an instrument, and reading the answers back out of it.

The base class is passed in (the app passes Flask-WTF's FlaskForm), so this module stays free of Flask.
Messages are in Chinese by default and in another language (locale="en") from the catalogue (`surveys.i18n`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypedDict

from wtforms import Field, Form, RadioField, SelectMultipleField, TextAreaField, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.fields.core import UnboundField
from wtforms.validators import StopValidation, ValidationError

from surveys.i18n import gettext
from surveys.model import Instrument, Question


def has_unstorable_characters(text: str) -> bool:
    """NUL bytes and lone surrogates cannot be stored as text in PostgreSQL (or safely anywhere)."""
    return any(ch == "\x00" or "\ud800" <= ch <= "\udfff" for ch in text)


# WTForms ships no type information (and types-WTForms is not installed), so its classes are `Any` to mypy:
# the fields and the form below subclass them with `# type: ignore[misc]`.
ValidatorList = Sequence[Callable[[Form, Field], object]]  # each is called as validator(form, field)
StoredAnswer = tuple[str, float | None, str | None]  # (code, value_number, value_text), as an Answer row stores it


def _values(choices: Iterable[SelectChoice | tuple[int | str, str]]) -> set[int | str]:
    return {choice.value if isinstance(choice, SelectChoice) else choice[0] for choice in choices}


class _Messages:
    """The validation messages and hints of a form, in its language (from the catalogue)."""

    def __init__(self, locale: str) -> None:
        self.locale = locale

    def required(self) -> str:
        return gettext("请回答这道题", self.locale)

    def invalid_choice(self) -> str:
        return gettext("请从给出的选项中选择", self.locale)

    def too_long(self, limit: int, length: int) -> str:
        return gettext("最多 %(max)s 字，当前 %(length)s 字，请精简后再提交", self.locale, max=limit, length=length)

    def too_many(self, limit: int, count: int) -> str:
        return gettext("最多选择 %(max)s 项，当前选了 %(count)s 项", self.locale, max=limit, count=count)

    def bad_characters(self) -> str:
        return gettext("内容中含有无法保存的特殊字符（如空字符），请删除后再提交", self.locale)

    def max_choices_hint(self, limit: int) -> str:
        return gettext("最多选 %(max)s 项", self.locale, max=limit)

    def anchors(self, question_type: str) -> tuple[str, str]:
        """The default end labels of a scale whose question names none."""
        if question_type == "likert7":
            return gettext("1 = 非常不同意", self.locale), gettext("7 = 非常同意", self.locale)
        if question_type == "nps":
            return gettext("0 = 完全不可能", self.locale), gettext("10 = 非常可能", self.locale)
        return gettext("1 = 非常不同意", self.locale), gettext("5 = 非常同意", self.locale)


class _Answer(Field):  # type: ignore[misc]
    """What every answer field takes besides WTForms' own arguments: its messages and whether it is required.
    It comes first among an answer field's bases, so `super()` here is the WTForms field class after it."""

    def __init__(
        self,
        label: str | None = None,
        validators: ValidatorList | None = None,
        *,
        messages: _Messages,
        required: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(label, validators, **kwargs)
        self.messages = messages
        self.required = required


class ScaleField(_Answer, RadioField):  # type: ignore[misc]
    """A 1–5, 1–7 or 0–10 answer given as a row of buttons; stores an int or None."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, coerce=int, validate_choice=False, **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data: int | None = None
        self.raw = valuelist[0] if valuelist else None
        if valuelist and valuelist[0] != "":
            try:
                self.data = int(valuelist[0])
            except (TypeError, ValueError):
                self.data = None
                raise ValueError(self.messages.invalid_choice()) from None

    def pre_validate(self, form: Form) -> None:
        if self.process_errors:
            raise StopValidation()
        if self.data is None:
            if self.required or getattr(self, "raw", None) not in (None, ""):
                raise StopValidation(self.messages.required() if self.required else self.messages.invalid_choice())
            raise StopValidation()
        if self.data not in _values(self.choices):
            raise StopValidation(self.messages.invalid_choice())


class SingleChoiceField(_Answer, RadioField):  # type: ignore[misc]
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, validate_choice=False, **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = valuelist[0] if valuelist and valuelist[0] != "" else None

    def pre_validate(self, form: Form) -> None:
        if self.data is None:
            if self.required:
                raise StopValidation(self.messages.required())
            raise StopValidation()
        if self.data not in _values(self.choices):
            raise StopValidation(self.messages.invalid_choice())


class MultiChoiceField(_Answer, SelectMultipleField):  # type: ignore[misc]
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()

    def __init__(self, *args: Any, max_choices: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, validate_choice=False, **kwargs)
        self.max_choices = max_choices

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = [value for value in valuelist if value != ""]

    def pre_validate(self, form: Form) -> None:
        chosen = self.data or []
        if not chosen:
            if self.required:
                raise StopValidation(self.messages.required())
            raise StopValidation()
        allowed = _values(self.choices)
        if any(value not in allowed for value in chosen) or len(set(chosen)) != len(chosen):
            raise StopValidation(self.messages.invalid_choice())
        if self.max_choices is not None and len(chosen) > self.max_choices:
            raise StopValidation(self.messages.too_many(self.max_choices, len(chosen)))


class CommentField(_Answer, TextAreaField):  # type: ignore[misc]
    """Free text kept byte-exact; refused when over the limit or holding unstorable characters."""

    def __init__(self, *args: Any, max_length: int = 1000, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_length = max_length

    def pre_validate(self, form: Form) -> None:
        text = self.data or ""
        if not text.strip():
            if self.required:
                raise StopValidation(self.messages.required())
            raise StopValidation()
        if has_unstorable_characters(text):
            raise StopValidation(self.messages.bad_characters())
        if len(text) > self.max_length:
            raise StopValidation(self.messages.too_long(self.max_length, len(text)))


def _anchor_text(question: Question, locale: str, messages: _Messages) -> str:
    if question.anchors:
        return f"{question.anchors['low'][locale]} … {question.anchors['high'][locale]}"
    low, high = messages.anchors(question.type)
    return f"{low} … {high}"


class _FieldOptions(TypedDict):
    """What every question's field is given."""

    messages: _Messages
    required: bool


def build_field(question: Question, locale: str = "zh") -> UnboundField:
    """The question's field, unbound: WTForms binds it to each form made from the class it is put in."""
    messages = _Messages(locale)
    label = question.text.get(locale) or question.text["zh"]
    common: _FieldOptions = {"messages": messages, "required": question.required}
    if question.value_range is not None:
        low, high = question.value_range
        return ScaleField(
            label,
            choices=[SelectChoice(value, str(value)) for value in range(low, high + 1)],
            description=_anchor_text(question, locale, messages),
            **common,
        )
    choices = [SelectChoice(option.code, option.text.get(locale) or option.text["zh"]) for option in question.options]
    if question.type == "single":
        return SingleChoiceField(label, choices=choices, **common)
    if question.type == "multi":
        hint = messages.max_choices_hint(question.max_choices) if question.max_choices else ""
        return MultiChoiceField(label, choices=choices, max_choices=question.max_choices, description=hint, **common)
    return CommentField(label, max_length=question.max_length or 1000, **common)


class ConditionalForm(Form):  # type: ignore[misc]
    """Applies the instrument's display conditions when the form validates: a question that the answers
    hide is neither required nor kept (its data is emptied), whatever the browser showed or sent."""

    _instrument: Instrument

    def hidden_questions(self) -> frozenset[str]:
        return self._instrument.hidden_questions({q.code: self[q.code].data for q in self._instrument.questions})

    def validate(self, extra_validators: Mapping[str, ValidatorList] | None = None) -> bool:
        for code in self.hidden_questions():
            field = self[code]
            field.required = False
            field.data = [] if isinstance(field, MultiChoiceField) else None
            field.raw = None
            field.process_errors = []
        valid: bool = super().validate(extra_validators)
        return valid


def build_form_class(
    instrument: Instrument, base_class: type[Form] = Form, locale: str = "zh"
) -> type[ConditionalForm]:
    """A form class with one field per question, named by the question's code, in instrument order."""
    attributes: dict[str, object] = {question.code: build_field(question, locale) for question in instrument.questions}
    attributes["_instrument"] = instrument
    return type(f"{instrument.name.title().replace('-', '')}Form", (ConditionalForm, base_class), attributes)


def answers_from_form(instrument: Instrument, form: Form) -> list[StoredAnswer]:
    """(code, value_number, value_text) for every answered question that the answers do not hide, as the
    Answer rows store them."""
    answers: list[StoredAnswer] = []
    hidden = instrument.hidden_questions({q.code: form[q.code].data for q in instrument.questions})
    for question in instrument.questions:
        if question.code in hidden:
            continue
        value = form[question.code].data
        if question.value_range is not None:
            if value is not None:
                answers.append((question.code, float(value), None))
        elif question.type == "multi":
            if value:
                answers.append((question.code, None, json.dumps(value, ensure_ascii=False)))
        elif value is not None and value != "":
            if question.type == "text" and not value.strip():
                continue
            answers.append((question.code, None, value))
    return answers


__all__ = ["ValidationError", "answers_from_form", "build_form_class", "has_unstorable_characters"]
