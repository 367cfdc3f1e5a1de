"""The editor's draft of an instrument, as plain data, and what the editor's buttons do to it.

A draft is what a manager edits: questions (each may belong to one of the company's modules), the modules
(each a one-item or multi-item scale), and validated blocks inserted whole. `definition_from_draft` turns it
into the file format that `surveys.definitions.from_dict` validates; a block's questions and scales are
always taken from the block itself (`surveys.blocks`), never from what was posted, so its wording and
scoring cannot be edited through the editor. Pure: no Flask, no database.
"""

from __future__ import annotations

import copy
import re
from typing import Any, TypeAlias

from surveys.blocks import BLOCK_NAMES, block_data
from surveys.definitions import CODE_PATTERN, MODULE_PREFIX
from surveys.model import NUMERIC_RANGES, QUESTION_TYPES

CHOICE_TYPES = ("single", "multi")
DEFAULT_MAX_LENGTH = 1000
_SPLIT_VALUES = re.compile(r"[\s,，、;；]+")
# A draft, and a definition in the file format, are plain JSON data (posted, stored, or from YAML): their
# values are text, numbers, booleans, lists and nested objects, field by field.
Draft: TypeAlias = dict[str, Any]
Row: TypeAlias = dict[str, Any]  # a question, module, option or scale of a draft or definition


def blank_draft() -> Draft:
    return {
        "name": "",
        "title": {"zh": "", "en": ""},
        "description": {"zh": "", "en": ""},
        "kind": "satisfaction",
        "modules": [],
        "questions": [],
    }


def blank_question(code: str, qtype: str) -> Row:
    question: Row = {
        "code": code,
        "type": qtype,
        "text": {"zh": "", "en": ""},
        "required": False,
        "options": [],
        "max_length": DEFAULT_MAX_LENGTH if qtype == "text" else None,
        "max_choices": None,
        "anchors": None,
        "show_if": None,
        "module": None,
        "reverse": False,
        "block": None,
    }
    if qtype in CHOICE_TYPES:
        question["options"] = [
            {"code": "o1", "text": {"zh": "", "en": ""}},
            {"code": "o2", "text": {"zh": "", "en": ""}},
        ]
    return question


def draft_from_definition(data: Row) -> Draft:
    """The draft of a definition (the file format's plain data)."""
    modules: list[Row] = []
    module_of: dict[str, str] = {}
    reverse: set[str] = set()
    for scale in data.get("scales") or []:
        if scale.get("block"):
            continue
        code = scale["code"]
        member = code[len(MODULE_PREFIX) :] if code.startswith(MODULE_PREFIX) else code
        modules.append({"code": member, "title": dict(scale["title"])})
        module_of.update(dict.fromkeys(scale["items"], member))
        reverse |= set(scale.get("reverse") or ())
    questions = []
    for raw in data.get("questions") or []:
        question = blank_question(raw["code"], raw["type"])
        question.update(copy.deepcopy({k: v for k, v in raw.items() if k in question}))
        question["module"] = module_of.get(raw["code"])
        question["reverse"] = raw["code"] in reverse
        questions.append(question)
    return {
        "name": data.get("name", ""),
        "title": dict(data.get("title") or {"zh": "", "en": ""}),
        "description": dict(data.get("description") or {"zh": "", "en": ""}),
        "kind": data.get("kind", "satisfaction"),
        "modules": modules,
        "questions": questions,
    }


def template_draft(data: Row) -> Draft:
    """A copy of a definition (a built-in) to start a new instrument from: everything but its name."""
    draft = draft_from_definition(data)
    draft["name"] = ""
    return draft


def blocks_in(draft: Draft) -> list[str]:
    """The validated blocks a draft holds, in the order they first appear."""
    return list(dict.fromkeys(q["block"] for q in draft["questions"] if q.get("block") in BLOCK_NAMES))


def definition_from_draft(draft: Draft) -> tuple[Row, list[tuple[str, str | int]]]:
    """The draft as the file format's plain data, and where each of its scales came from: ("block", name)
    or ("module", index in draft["modules"]), so a problem with a scale can be shown at its row."""
    questions = [_question_definition(q) for q in draft["questions"]]
    scales: list[Row] = []
    origins: list[tuple[str, str | int]] = []
    present = blocks_in(draft)
    for name in present:
        for scale in block_data(name)["scales"]:
            scales.append(scale)
            origins.append(("block", name))
    for index, module in enumerate(draft["modules"]):
        member = module.get("code") or ""
        items = [q["code"] for q in draft["questions"] if q.get("module") == member and member and not q.get("block")]
        scale = {"code": MODULE_PREFIX + member, "title": dict(module["title"]), "scoring": "mean", "items": items}
        reverse = [q["code"] for q in draft["questions"] if q["code"] in items and q.get("reverse")]
        if reverse:
            scale["reverse"] = reverse
        scale["group"] = "module"
        scales.append(scale)
        origins.append(("module", index))
    data: Row = {
        "name": draft["name"],
        "title": dict(draft["title"]),
        "description": dict(draft["description"]),
        "kind": draft["kind"],
        "questions": questions,
        "scales": scales,
    }
    if "adkar" in present:
        data["barrier_point"] = block_data("adkar")["barrier_point"]
    return data, origins


def _question_definition(question: Row) -> Row:
    name = question.get("block")
    if name in BLOCK_NAMES:
        canonical = {q["code"]: q for q in block_data(name)["questions"]}
        if question["code"] in canonical:
            return copy.deepcopy(canonical[question["code"]])
    qtype = question["type"]
    item: Row = {
        "code": question["code"],
        "type": qtype,
        "text": dict(question["text"]),
        "required": bool(question.get("required")),
    }
    if qtype in CHOICE_TYPES:
        item["options"] = copy.deepcopy(question.get("options") or [])
    if qtype == "multi" and question.get("max_choices"):
        item["max_choices"] = question["max_choices"]
    if qtype == "text":
        item["max_length"] = question.get("max_length") or DEFAULT_MAX_LENGTH
    if qtype in NUMERIC_RANGES and question.get("anchors"):
        item["anchors"] = copy.deepcopy(question["anchors"])
    if question.get("show_if"):
        item["show_if"] = copy.deepcopy(question["show_if"])
    if name:
        item["block"] = name
    return item


# The editor's buttons ----------------------------------------------------------------------------------


def apply_action(draft: Draft, action: str) -> Draft:
    """What a button does to the draft: `add:<type>`, `remove:<i>`, `up:<i>`, `down:<i>`, `block:<name>`,
    `add_module`, `remove_module:<j>`. A validated block is added, moved and removed whole. Unknown actions
    (a crafted request) change nothing."""
    draft = copy.deepcopy(draft)
    verb, _, argument = action.partition(":")
    questions = draft["questions"]
    if verb == "add" and argument in QUESTION_TYPES:
        questions.append(blank_question(_free_code(questions, "q"), argument))
    elif verb == "block" and argument in BLOCK_NAMES and argument not in blocks_in(draft):
        for question in block_data(argument)["questions"]:
            added = blank_question(question["code"], question["type"])
            added.update(copy.deepcopy(question))
            questions.append(added)
    elif verb in ("remove", "up", "down") and argument.isdigit() and int(argument) < len(questions):
        draft["questions"] = _move(questions, int(argument), verb)
    elif verb == "add_module":
        draft["modules"].append({"code": _free_code(draft["modules"], "m"), "title": {"zh": "", "en": ""}})
    elif verb == "remove_module" and argument.isdigit() and int(argument) < len(draft["modules"]):
        removed = draft["modules"].pop(int(argument))
        for question in questions:
            if question.get("module") == removed["code"]:
                question["module"] = None
    return draft


def _free_code(rows: list[Row], prefix: str) -> str:
    used = {row.get("code") for row in rows}
    return next(f"{prefix}{n}" for n in range(1, len(rows) + 2) if f"{prefix}{n}" not in used)


def units(questions: list[Row]) -> list[list[int]]:
    """Question indices grouped as the editor moves them: a run of one block's questions is one unit."""
    grouped: list[list[int]] = []
    for index, question in enumerate(questions):
        name = question.get("block")
        if grouped and name and questions[grouped[-1][0]].get("block") == name:
            grouped[-1].append(index)
        else:
            grouped.append([index])
    return grouped


def _move(questions: list[Row], index: int, verb: str) -> list[Row]:
    grouped = units(questions)
    position = next(n for n, unit in enumerate(grouped) if index in unit)
    if verb == "remove":
        grouped.pop(position)
    elif verb == "up" and position > 0:
        grouped[position - 1], grouped[position] = grouped[position], grouped[position - 1]
    elif verb == "down" and position < len(grouped) - 1:
        grouped[position + 1], grouped[position] = grouped[position], grouped[position + 1]
    return [questions[i] for unit in grouped for i in unit]


# Text fields of the editor -----------------------------------------------------------------------------


def options_text(options: list[Row]) -> str:
    """Options as the editor's text box shows them: one per line, `code | 中文 | English`."""
    lines = []
    for option in options:
        text = option.get("text") or {}
        parts = [option.get("code", ""), text.get("zh", "")]
        if text.get("en"):
            parts.append(text["en"])
        lines.append(" | ".join(parts))
    return "\n".join(lines)


def parse_options(text: str) -> list[Row]:
    """The text box's lines back into options: `code | 中文 | English`, `code | 中文`, `中文 | English` or
    just `中文`; a line without a code gets the first free o1, o2, …"""
    parsed: list[Row] = []
    for line in (text or "").splitlines():
        parts = [part.strip() for part in line.split("|")]
        if not any(parts):
            continue
        if len(parts) >= 3:
            code, zh, en = parts[0], parts[1], " | ".join(parts[2:])
        elif len(parts) == 2 and CODE_PATTERN.fullmatch(parts[0]) and parts[0].isascii():
            code, zh, en = parts[0], parts[1], ""
        elif len(parts) == 2:
            code, zh, en = None, parts[0], parts[1]
        else:
            code, zh, en = None, parts[0], ""
        parsed.append({"code": code, "text": {"zh": zh, "en": en}})
    used = {option["code"] for option in parsed if option["code"]}
    number = 1
    for option in parsed:
        if option["code"] is None:
            while f"o{number}" in used:
                number += 1
            option["code"] = f"o{number}"
            used.add(option["code"])
    return parsed


def parse_condition_values(text: str, parent_type: str | None) -> list[str | int]:
    """The condition's answers as typed ("4, 5" or "a、b"): scale points become numbers."""
    values: list[str | int] = []
    for part in _SPLIT_VALUES.split((text or "").strip()):
        if not part:
            continue
        values.append(int(part) if parent_type in NUMERIC_RANGES and part.lstrip("-").isdigit() else part)
    return values


def condition_values_text(values: list[str | int] | None) -> str:
    return ", ".join(str(value) for value in values or ())
