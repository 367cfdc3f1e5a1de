"""The instrument editor's domain: the posted form ↔ the draft (`surveys.editing`), validating a draft with
its problems placed at the question, module or block and field they concern, saving, and what the pages
list. Routes parse the request and call these."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

import surveys
from app.instruments import (
    all_latest_versions,
    campaigns_by_version,
    instrument_for,
    is_builtin,
    latest_version,
    save_definition,
)
from app.instruments.forms import EditorForm
from app.models import Instrument
from surveys.blocks import BLOCK_NAMES, BLOCK_TITLES, block_data
from surveys.editing import (
    blank_draft,
    blank_question,
    condition_values_text,
    definition_from_draft,
    draft_from_definition,
    options_text,
    parse_condition_values,
    parse_options,
    template_draft,
    units,
)
from surveys.model import CONDITION_TYPES, NUMERIC_RANGES

# Where a problem's field (`surveys.Problem.field`) is shown in a question row.
QUESTION_FIELD_PREFIXES = (
    ("text.en", "text_en"),
    ("text", "text_zh"),
    ("code", "code"),
    ("type", "qtype"),
    ("required", "required"),
    ("options", "options"),
    ("max_choices", "max_choices"),
    ("max_length", "max_length"),
    ("anchors", "anchors"),
    ("show_if.question", "show_if_question"),
    ("show_if", "show_if_values"),
)
MODULE_FIELD_PREFIXES = (("code", "code"), ("title.en", "title_en"), ("title", "title_zh"), ("items", "items"))
TOP_FIELD_PREFIXES = (
    ("name", "name"),
    ("title.en", "title_en"),
    ("title", "title_zh"),
    ("description.en", "description_en"),
    ("description", "description_zh"),
    ("kind", "kind"),
)


class EditorRefused(LookupError):
    """The instrument cannot be edited here (a built-in, or none by that name)."""


@dataclass
class EditorErrors:
    """Problems of a draft by where the editor shows them: top fields, question rows, module rows, blocks."""

    top: dict[str, list[str]] = field(default_factory=dict)
    questions: dict[int, dict[str, list[str]]] = field(default_factory=dict)
    modules: dict[int, dict[str, list[str]]] = field(default_factory=dict)
    blocks: dict[str, list[str]] = field(default_factory=dict)

    @property
    def count(self) -> int:
        rows = [*self.questions.values(), *self.modules.values()]
        return (
            sum(len(v) for v in self.top.values())
            + sum(len(v) for row in rows for v in row.values())
            + sum(len(v) for v in self.blocks.values())
        )

    def __bool__(self) -> bool:
        return self.count > 0


# Drafts ------------------------------------------------------------------------------------------------


def starting_draft(session, template: str | None) -> dict:
    """A new instrument's draft: blank, or a copy of a stored instrument (a built-in or the company's)."""
    if not template:
        return blank_draft()
    return template_draft(surveys.to_dict(instrument_for(latest_version(session, template))))


def editable_draft(session, slug: str) -> dict:
    """The draft of a company instrument's latest version; built-ins are templates, not edited."""
    if is_builtin(slug):
        raise EditorRefused(slug)
    return draft_from_definition(surveys.to_dict(instrument_for(latest_version(session, slug))))


def draft_from_form(form: EditorForm, name: str | None = None) -> dict:
    """The posted form as a draft, questions in the order of their positions (a drag reorders them);
    a block's questions are taken from the block, whatever was posted for them. `name`: a fixed name."""
    draft = blank_draft()
    draft.update(
        name=name if name is not None else (form.name.data or "").strip(),
        title={"zh": form.title_zh.data or "", "en": form.title_en.data or ""},
        description={"zh": form.description_zh.data or "", "en": form.description_en.data or ""},
        kind=form.kind.data or "satisfaction",
    )
    draft["modules"] = [
        {
            "code": (row.form.code.data or "").strip(),
            "title": {"zh": row.form.title_zh.data or "", "en": row.form.title_en.data or ""},
        }
        for row in form.modules.entries
    ]
    rows = sorted(enumerate(form.questions.entries), key=lambda pair: (_position(pair[1].form), pair[0]))
    types = {(row.form.code.data or "").strip(): row.form.qtype.data for _index, row in rows}
    draft["questions"] = [_question_from_row(row.form, types) for _index, row in rows]
    return draft


def _position(row) -> float:
    try:
        return float(row.position.data)
    except (TypeError, ValueError):
        return float("inf")


def _number(text: str | None):
    """A whole number as typed, or the text itself (the validation says what is wrong with it)."""
    text = (text or "").strip()
    if not text:
        return None
    return int(text) if text.isascii() and text.isdigit() else text


def _question_from_row(row, types: dict) -> dict:
    code = (row.code.data or "").strip()
    name = row.block.data or None
    if name in BLOCK_NAMES:
        canonical = {q["code"]: q for q in block_data(name)["questions"]}
        if code in canonical:
            question = blank_question(code, canonical[code]["type"])
            question.update(canonical[code])
            return question
    question = blank_question(code, row.qtype.data or "likert5")
    question.update(
        text={"zh": row.text_zh.data or "", "en": row.text_en.data or ""},
        required=bool(row.required.data),
        options=parse_options(row.options.data),
        max_length=_number(row.max_length.data),
        max_choices=_number(row.max_choices.data),
        module=row.module.data or None,
        reverse=bool(row.reverse.data),
        block=name,
    )
    anchors = [row.anchor_low_zh.data, row.anchor_low_en.data, row.anchor_high_zh.data, row.anchor_high_en.data]
    if any((text or "").strip() for text in anchors):
        question["anchors"] = {
            "low": {"zh": anchors[0] or "", "en": anchors[1] or ""},
            "high": {"zh": anchors[2] or "", "en": anchors[3] or ""},
        }
    parent = row.show_if_question.data or ""
    if parent:
        question["show_if"] = {
            "question": parent,
            "in": parse_condition_values(row.show_if_values.data, types.get(parent)),
        }
    return question


def form_data(draft: dict) -> dict:
    """The draft as the editor form's data (what `EditorForm(data=…)` renders)."""
    return {
        "name": draft["name"],
        "title_zh": draft["title"].get("zh", ""),
        "title_en": draft["title"].get("en", ""),
        "description_zh": draft["description"].get("zh", ""),
        "description_en": draft["description"].get("en", ""),
        "kind": draft["kind"],
        "modules": [
            {"code": m["code"], "title_zh": m["title"].get("zh", ""), "title_en": m["title"].get("en", "")}
            for m in draft["modules"]
        ],
        "questions": [_row_data(q, position) for position, q in enumerate(draft["questions"])],
    }


def _row_data(question: dict, position: int) -> dict:
    anchors = question.get("anchors") or {}
    condition = question.get("show_if") or {}
    max_length = question.get("max_length")
    return {
        "code": question["code"],
        "qtype": question["type"],
        "text_zh": question["text"].get("zh", ""),
        "text_en": question["text"].get("en", ""),
        "required": question.get("required", False),
        "options": options_text(question.get("options") or []),
        "max_length": "" if max_length is None else str(max_length),
        "max_choices": "" if question.get("max_choices") is None else str(question["max_choices"]),
        "module": question.get("module") or "",
        "reverse": question.get("reverse", False),
        "show_if_question": condition.get("question", ""),
        "show_if_values": condition_values_text(condition.get("in")),
        "anchor_low_zh": (anchors.get("low") or {}).get("zh", ""),
        "anchor_low_en": (anchors.get("low") or {}).get("en", ""),
        "anchor_high_zh": (anchors.get("high") or {}).get("zh", ""),
        "anchor_high_en": (anchors.get("high") or {}).get("en", ""),
        "block": question.get("block") or "",
        "position": str(position),
    }


def editor_form(draft: dict) -> EditorForm:
    """The editor form showing `draft`, with the choices each row needs (modules, earlier questions)."""
    form = EditorForm(formdata=None, data=form_data(draft))
    modules = [("", "—")] + [(m["code"], m["title"].get("zh") or m["code"]) for m in draft["modules"]]
    earlier: list[tuple[str, str]] = [("", "—")]
    for index, (entry, question) in enumerate(zip(form.questions.entries, draft["questions"], strict=True)):
        entry.form.module.choices = modules
        entry.form.show_if_question.choices = list(earlier)
        if question["type"] in CONDITION_TYPES and question["code"]:
            earlier.append((question["code"], f"{index + 1}. {question['code']}"))
    return form


def condition_hints(draft: dict) -> dict[str, str]:
    """For each question that can decide a condition: the answers a condition may name (shown as a hint)."""
    hints = {}
    for question in draft["questions"]:
        if question["type"] == "single":
            hints[question["code"]] = "、".join(o["code"] for o in question.get("options") or [])
        elif question["type"] in NUMERIC_RANGES:
            low, high = NUMERIC_RANGES[question["type"]]
            hints[question["code"]] = f"{low}–{high}"
    return hints


def block_cards(draft: dict) -> dict[int, dict]:
    """The validated blocks as the editor shows them: one card per run of a block's questions, keyed by the
    index of the run's first question."""
    cards: dict[int, dict] = {}
    for run in units(draft["questions"]):
        name = draft["questions"][run[0]].get("block")
        if name in BLOCK_NAMES:
            cards[run[0]] = {"name": name, "title": BLOCK_TITLES[name], "indices": run}
    return cards


# Validating and saving --------------------------------------------------------------------------------


def check_draft(draft: dict, language: str) -> tuple[surveys.Instrument | None, EditorErrors]:
    """The draft's instrument, or None and its problems where the editor shows them."""
    data, origins = definition_from_draft(draft)
    try:
        return surveys.from_dict(data, source=draft["name"] or "draft"), EditorErrors()
    except surveys.InstrumentError as exc:
        return None, place_problems(exc.problems, draft, origins, language)


def place_problems(problems, draft: dict, origins: list, language: str) -> EditorErrors:
    errors = EditorErrors()
    for problem in problems:
        message = problem.text(language)
        if problem.section == "questions":
            index = problem.index
            name = draft["questions"][index].get("block") if index < len(draft["questions"]) else None
            if name:
                errors.blocks.setdefault(name, []).append(message)
            else:
                _add(errors.questions.setdefault(index, {}), problem.field, QUESTION_FIELD_PREFIXES, message)
        elif problem.section == "scales" and problem.index < len(origins):
            kind, where = origins[problem.index]
            if kind == "block":
                errors.blocks.setdefault(where, []).append(message)
            else:
                _add(errors.modules.setdefault(where, {}), problem.field, MODULE_FIELD_PREFIXES, message)
        elif problem.path == "barrier_point":
            errors.blocks.setdefault("adkar", []).append(message)
        else:
            _add(errors.top, problem.path, TOP_FIELD_PREFIXES, message)
    return errors


def _add(target: dict, field_path: str, prefixes, message: str) -> None:
    name = next((name for prefix, name in prefixes if field_path.startswith(prefix)), "general")
    target.setdefault(name, []).append(message)


def save(session, definition) -> tuple[int, bool]:
    """Store the editor's instrument; returns its version number and whether the version is new."""
    version, created = save_definition(session, definition, source=definition.name)
    return version.version, created


def refused_name(exc: surveys.InstrumentError, language: str) -> EditorErrors:
    errors = EditorErrors()
    for problem in exc.problems:
        errors.top.setdefault("name", []).append(problem.text(language))
    return errors


# Pages ---------------------------------------------------------------------------------------------------


def overview(session) -> list[dict]:
    """Every instrument (built-ins first) with its versions and the campaigns that use each."""
    using = campaigns_by_version(session)
    rows = []
    for latest in all_latest_versions(session):
        instrument = latest.instrument
        rows.append(
            {
                "slug": instrument.slug,
                "title": instrument.name_zh,
                "title_en": instrument.name_en,
                "builtin": is_builtin(instrument.slug),
                "latest": latest,
                "versions": [(v, using.get(v.id, [])) for v in reversed(instrument.versions)],
            }
        )
    return rows


def attach_errors(form: EditorForm, errors: EditorErrors) -> None:
    """Put each problem on the field it concerns, so the form shows it there (row-level ones stay in errors)."""
    targets = [(form, errors.top)]
    targets += [(form.questions.entries[i].form, row) for i, row in errors.questions.items() if i < len(form.questions)]
    targets += [(form.modules.entries[j].form, row) for j, row in errors.modules.items() if j < len(form.modules)]
    for owner, fields in targets:
        for name, messages in fields.items():
            target = "anchor_low_zh" if name == "anchors" else name
            if target in owner._fields:
                owner[target].errors = list(messages)


def name_taken(session, draft: dict) -> EditorErrors | None:
    """A new instrument needs a name no instrument has yet (saving would otherwise add a version to it)."""
    if session.execute(select(Instrument.id).where(Instrument.slug == draft["name"])).first() is None:
        return None
    errors = EditorErrors()
    errors.top["name"] = [_("名称“%(name)s”已被另一份问卷使用，请换一个", name=draft["name"])]
    return errors
