"""The editor's draft: built-ins copy into drafts and back unchanged, buttons change the draft, a validated
block is added, moved and removed whole, and what is posted for a block's questions is ignored."""

import copy

from surveys import from_dict, load_builtin, to_dict
from surveys.editing import (
    apply_action,
    blank_draft,
    definition_from_draft,
    draft_from_definition,
    options_text,
    parse_condition_values,
    parse_options,
)


def test_every_builtin_survives_draft_and_back():
    for name in ("quarterly-satisfaction", "change-readiness"):
        data = to_dict(load_builtin(name))
        definition, _origins = definition_from_draft(draft_from_definition(data))
        assert from_dict(definition) == load_builtin(name)


def company_draft():
    draft = blank_draft()
    draft.update(name="erp-q", title={"zh": "ERP 季度调查", "en": ""})
    draft = apply_action(draft, "add_module")
    draft["modules"][0] = {"code": "purchase", "title": {"zh": "采购", "en": "Purchasing"}}
    draft = apply_action(draft, "add:likert5")
    draft["questions"][0].update(text={"zh": "采购模块好用吗？", "en": ""}, module="purchase")
    return draft


def test_a_module_becomes_a_mean_scale_of_its_questions():
    definition, origins = definition_from_draft(company_draft())
    instrument = from_dict(definition)
    assert [s.code for s in instrument.scales] == ["module_purchase"]
    assert instrument.scales[0].items == ("q1",) and origins == [("module", 0)]


def test_adding_a_block_inserts_it_whole_and_removing_one_of_its_questions_removes_it_whole():
    draft = apply_action(company_draft(), "block:sus")
    assert [q["code"] for q in draft["questions"]] == ["q1", *[f"sus{i}" for i in range(1, 11)]]
    assert apply_action(draft, "block:sus") == draft
    assert [q["code"] for q in apply_action(draft, "remove:4")["questions"]] == ["q1"]


def test_a_block_moves_as_one():
    draft = apply_action(company_draft(), "block:enps")
    draft = apply_action(draft, "block:sus")
    moved = apply_action(draft, "up:5")  # sus3: the SUS block moves above eNPS
    assert [q["code"] for q in moved["questions"]][:3] == ["q1", "sus1", "sus2"]
    assert moved["questions"][-1]["code"] == "enps"


def test_posted_wording_of_a_block_question_is_ignored():
    draft = apply_action(company_draft(), "block:sus")
    crafted = copy.deepcopy(draft)
    crafted["questions"][1]["text"] = {"zh": "这个系统太棒了！", "en": ""}
    crafted["questions"][1]["required"] = False
    definition, _ = definition_from_draft(crafted)
    assert from_dict(definition) == from_dict(definition_from_draft(draft)[0])
    assert from_dict(definition).question("sus1").text["zh"] == "我愿意经常使用这个系统。"


def test_removing_a_module_unassigns_its_questions():
    draft = apply_action(company_draft(), "remove_module:0")
    assert draft["modules"] == [] and draft["questions"][0]["module"] is None


def test_unknown_actions_change_nothing():
    draft = company_draft()
    for action in ("add:likert9", "remove:99", "block:gallup", "up:x", "drop"):
        assert apply_action(draft, action) == draft


def test_options_text_round_trips_and_lines_without_codes_get_free_ones():
    options = [{"code": "a", "text": {"zh": "甲", "en": "A"}}, {"code": "b", "text": {"zh": "乙", "en": ""}}]
    assert parse_options(options_text(options)) == options
    assert [o["code"] for o in parse_options("o1 | 用\n不用 | No\n偶尔")] == ["o1", "o2", "o3"]
    assert parse_options("不用 | No")[0]["text"] == {"zh": "不用", "en": "No"}


def test_condition_values_become_numbers_for_scales():
    assert parse_condition_values("1, 2、3", "likert5") == [1, 2, 3]
    assert parse_condition_values("yes_，no_", "single") == ["yes_", "no_"]
