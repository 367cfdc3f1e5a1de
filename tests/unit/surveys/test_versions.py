"""What changed between two versions; a scale whose items changed is marked in trends."""

import copy

from surveys import from_dict, load_builtin, to_dict
from surveys.versions import Change, changed_scales, changes

SATISFACTION = load_builtin("quarterly-satisfaction")


def edited(mutate):
    data = copy.deepcopy(to_dict(SATISFACTION))
    mutate(data)
    return from_dict(data)


def question(data, code):
    return next(q for q in data["questions"] if q["code"] == code)


def test_equal_versions_have_no_changes():
    assert changes(SATISFACTION, SATISFACTION) == [] and changed_scales(SATISFACTION, SATISFACTION) == set()


def test_reworded_module_item_marks_its_scale_only():
    new = edited(lambda d: question(d, "mod_approval")["text"].update(zh="你对“审批流”满意吗？"))
    assert changed_scales(SATISFACTION, new) == {"module_approval"}
    assert Change("question", "mod_approval", "changed", ("text",)) in changes(SATISFACTION, new)


def test_an_added_question_and_a_retitled_scale_do_not_mark_trends():
    def mutate(d):
        d["questions"].append({"code": "extra", "type": "text", "text": {"zh": "还有吗？"}})
        next(s for s in d["scales"] if s["code"] == "module_log")["title"]["zh"] = "日志"

    new = edited(mutate)
    assert changed_scales(SATISFACTION, new) == set()
    found = changes(SATISFACTION, new)
    assert Change("question", "extra", "added") in found
    assert Change("scale", "module_log", "changed", ("title",)) in found


def test_removed_and_moved_questions_are_listed():
    def mutate(d):
        d["questions"] = [q for q in d["questions"] if q["code"] != "suggestion"]
        trouble = d["questions"].pop(next(i for i, q in enumerate(d["questions"]) if q["code"] == "trouble"))
        d["questions"].insert(0, trouble)

    found = changes(SATISFACTION, edited(mutate))
    assert Change("question", "suggestion", "removed") in found
    assert Change("question", "trouble", "moved") in found
