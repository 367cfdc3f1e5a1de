"""What changed between two versions of an instrument: for the editor's comparison, and for trends, which
compare scales by code and mark a scale whose items changed ("题目有变化，趋势仅供参考")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from surveys.definitions import question_data, scale_data
from surveys.model import Instrument

QUESTION_ASPECTS = ("type", "text", "required", "options", "max_choices", "max_length", "anchors", "show_if")
SCALE_ASPECTS = ("title", "scoring", "items", "reverse")


@dataclass(frozen=True)
class Change:
    """One difference: `what` is 'instrument', 'question' or 'scale'; `how` is 'added', 'removed', 'changed'
    or 'moved'; `aspects` name the fields that differ (for 'changed')."""

    what: str
    code: str
    how: str
    aspects: tuple[str, ...] = ()


def _aspects(old: dict[str, Any], new: dict[str, Any], names: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(name for name in names if old.get(name) != new.get(name))


def changes(old: Instrument, new: Instrument) -> list[Change]:
    """Every difference from `old` to `new`, in the new version's order (removals last)."""
    found: list[Change] = []
    top = _aspects(
        {"title": old.title, "description": old.description, "kind": old.kind},
        {"title": new.title, "description": new.description, "kind": new.kind},
        ("title", "description", "kind"),
    )
    if top:
        found.append(Change("instrument", new.name, "changed", top))
    found += _rows(
        "question",
        [question_data(q) for q in old.questions],
        [question_data(q) for q in new.questions],
        QUESTION_ASPECTS,
    )
    found += _rows("scale", [scale_data(s) for s in old.scales], [scale_data(s) for s in new.scales], SCALE_ASPECTS)
    return found


def _rows(
    what: str, old_rows: list[dict[str, Any]], new_rows: list[dict[str, Any]], aspects: tuple[str, ...]
) -> list[Change]:
    old_by_code = {row["code"]: row for row in old_rows}
    new_codes = [row["code"] for row in new_rows]
    kept_old = [row["code"] for row in old_rows if row["code"] in new_codes]
    kept_new = [code for code in new_codes if code in old_by_code]
    found = []
    for row in new_rows:
        code = row["code"]
        before = old_by_code.get(code)
        if before is None:
            found.append(Change(what, code, "added"))
            continue
        differ = _aspects(before, row, aspects)
        if differ:
            found.append(Change(what, code, "changed", differ))
        elif kept_old.index(code) != kept_new.index(code):
            found.append(Change(what, code, "moved"))
    found += [Change(what, row["code"], "removed") for row in old_rows if row["code"] not in new_codes]
    return found


def changed_scales(old: Instrument, new: Instrument) -> frozenset[str]:
    """Codes of the scales both versions have whose items changed: other items, other scoring, or an item
    whose wording, type, options, requirement or display condition differs."""
    old_scales = {s.code: s for s in old.scales}
    changed = set()
    for scale in new.scales:
        before = old_scales.get(scale.code)
        if before is None:
            continue
        if _aspects(scale_data(before), scale_data(scale), ("scoring", "items", "reverse")):
            changed.add(scale.code)
            continue
        if any(
            _aspects(question_data(old.question(code)), question_data(new.question(code)), QUESTION_ASPECTS)
            for code in scale.items
        ):
            changed.add(scale.code)
    return frozenset(changed)
