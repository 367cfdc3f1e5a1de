"""Validated blocks: SUS, eNPS, the five ADKAR elements and the resistance dimensions.

A block is inserted into an instrument whole — its questions, the scales that score them and (ADKAR) the
barrier point — and its wording and scoring are locked, so its scores stay comparable with the literature
and across quarters. The blocks' one home is the built-in instruments (`surveys/instruments/*.yaml`), whose
questions and scales carry `block: <name>`; any definition that marks something with a block must hold that
block exactly as there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from surveys.definitions import N_, _Checker
from surveys.model import Bilingual, Question, Scale

BLOCK_SOURCES = {
    "sus": "quarterly-satisfaction",
    "enps": "quarterly-satisfaction",
    "adkar": "change-readiness",
    "resistance": "change-readiness",
}
BLOCK_TITLES = {
    "sus": {"zh": "系统易用性量表（SUS）", "en": "System Usability Scale (SUS)"},
    "enps": {"zh": "推荐意愿（eNPS）", "en": "Employee Net Promoter Score (eNPS)"},
    "adkar": {"zh": "ADKAR 五要素", "en": "ADKAR elements"},
    "resistance": {"zh": "变革抗拒四维度", "en": "Resistance to change dimensions"},
}


@dataclass(frozen=True)
class Block:
    name: str
    title: Bilingual
    questions: tuple[Question, ...]
    scales: tuple[Scale, ...]
    barrier_scales: tuple[str, ...] = ()
    barrier_threshold: float = 3.0


BLOCK_NAMES = tuple(BLOCK_SOURCES)


@cache
def block(name: str) -> Block:
    """The block as its built-in instrument defines it (questions without their scale assignment)."""
    from surveys.definitions import BUILTIN_DIR, from_yaml

    path = BUILTIN_DIR / f"{BLOCK_SOURCES[name]}.yaml"
    source = from_yaml(path.read_text(encoding="utf-8"), source=path.name, authoring=False)
    questions = tuple(_unassigned(q) for q in source.questions if q.block == name)
    scales = tuple(s for s in source.scales if s.block == name)
    codes = {s.code for s in scales}
    barrier = tuple(code for code in source.barrier_scales if code in codes)
    return Block(name, BLOCK_TITLES[name], questions, scales, barrier, source.barrier_threshold if barrier else 3.0)


def _unassigned(question: Question) -> Question:
    return Question(**{**question.__dict__, "scale": None})


def block_data(name: str) -> dict[str, Any]:
    """The block as plain data of the file format: {"questions": [...], "scales": [...], "barrier_point"?}."""
    from surveys.definitions import question_data, scale_data

    found = block(name)
    data: dict[str, Any] = {
        "questions": [question_data(q) for q in found.questions],
        "scales": [scale_data(s) for s in found.scales],
    }
    if found.barrier_scales:
        data["barrier_point"] = {"scales": list(found.barrier_scales), "threshold": found.barrier_threshold}
    return data


def check_blocks(
    check: _Checker, questions: list[Question], scales: list[Scale], barrier: tuple[str, ...], threshold: float
) -> None:
    """Add a problem to `check` (a definitions checker) for every way the blocks the definition marks differ
    from the blocks themselves: a block is whole and unchanged, and only ADKAR has a barrier point."""
    marked = [q.block for q in questions if q.block] + [s.block for s in scales if s.block]
    for name in dict.fromkeys(marked):
        if name not in BLOCK_SOURCES:
            sections: tuple[tuple[str, Sequence[Question | Scale]], ...] = (
                ("questions", questions),
                ("scales", scales),
            )
            for section, rows in sections:
                for index, row in enumerate(rows):
                    if row.block == name:
                        _fail_at(check, f"{section}[{index}].block", row.code, name)
            continue
        _check_block(check, block(name), questions, scales, barrier, threshold)
    if barrier and "adkar" not in marked:
        check.code = None
        check.fail("barrier_point", N_("障碍点只用于 ADKAR 题组"))


def _fail_at(check: _Checker, path: str, code: str, name: str) -> None:
    check.code = code
    check.fail(path, N_("未知题组“%(name)s”（可用：%(allowed)s）"), name=name, allowed=tuple(BLOCK_NAMES))
    check.code = None


def _check_block(
    check: _Checker,
    found: Block,
    questions: list[Question],
    scales: list[Scale],
    barrier: tuple[str, ...],
    threshold: float,
) -> None:
    title = found.title  # {zh, en}: the message names the block in its reader's language
    own_questions = {q.code: q for q in found.questions}
    question_at = {q.code: index for index, q in enumerate(questions)}
    for code, canonical in own_questions.items():
        at = question_at.get(code)
        if at is None or questions[at].block != found.name:
            check.code = None
            check.fail("questions", N_("题组“%(block)s”须整组插入，缺少题目 %(code)s"), block=title, code=code)
        elif _unassigned(questions[at]) != canonical:
            check.code = code
            check.fail(f"questions[{at}]", N_("“%(block)s”的题目措辞和计分已锁定，不能修改"), block=title)
    for index, question in enumerate(questions):
        if question.block == found.name and question.code not in own_questions:
            check.code = question.code
            check.fail(
                f"questions[{index}].block", N_("题目 %(code)s 不属于题组“%(block)s”"), code=question.code, block=title
            )
    own_scales = {s.code: s for s in found.scales}
    scale_at = {s.code: index for index, s in enumerate(scales)}
    for code, canonical_scale in own_scales.items():
        at = scale_at.get(code)
        if at is None:
            check.code = None
            check.fail("scales", N_("题组“%(block)s”须整组插入，缺少量表 %(code)s"), block=title, code=code)
        elif scales[at] != canonical_scale:
            check.code = code
            check.fail(f"scales[{at}]", N_("“%(block)s”的题目措辞和计分已锁定，不能修改"), block=title)
    for index, scale in enumerate(scales):
        if scale.block == found.name and scale.code not in own_scales:
            check.code = scale.code
            check.fail(
                f"scales[{index}].block", N_("量表 %(code)s 不属于题组“%(block)s”"), code=scale.code, block=title
            )
    check.code = None
    if found.barrier_scales and (barrier != found.barrier_scales or threshold != found.barrier_threshold):
        check.fail("barrier_point", N_("“%(block)s”的障碍点计算已锁定，不能修改"), block=title)
