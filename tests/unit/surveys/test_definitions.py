"""Instrument definitions are validated whole: every problem names the file, the question (or scale) by its
code and the field, in Chinese or English; nothing invalid becomes an instrument."""

import copy

import pytest
import yaml

from surveys import (
    InstrumentError,
    builtin_instruments,
    definition_hash,
    from_dict,
    from_yaml,
    load_builtin,
    load_instrument,
    to_dict,
    to_yaml,
)
from surveys.blocks import block_data

BASE = {
    "name": "demo",
    "title": {"zh": "演示", "en": "Demo"},
    "questions": [
        {"code": "q1", "type": "likert5", "text": {"zh": "题一", "en": "Q1"}},
        {
            "code": "q2",
            "type": "multi",
            "text": {"zh": "题二", "en": "Q2"},
            "max_choices": 2,
            "options": [
                {"code": "a", "text": {"zh": "甲", "en": "A"}},
                {"code": "b", "text": {"zh": "乙", "en": "B"}},
                {"code": "c", "text": {"zh": "丙", "en": "C"}},
            ],
        },
        {"code": "q3", "type": "text", "text": {"zh": "题三", "en": "Q3"}, "max_length": 50},
    ],
    "scales": [{"code": "module_s", "scoring": "mean", "title": {"zh": "量", "en": "S"}, "items": ["q1"]}],
}


def broken(mutate):
    data = copy.deepcopy(BASE)
    mutate(data)
    return data


def with_block(name):
    data = copy.deepcopy(BASE)
    block = block_data(name)
    data["questions"] += block["questions"]
    data["scales"] += block["scales"]
    if "barrier_point" in block:
        data["barrier_point"] = block["barrier_point"]
    return data


def single_parent(data):
    data["questions"].insert(
        0,
        {
            "code": "uses",
            "type": "single",
            "text": {"zh": "你用采购模块吗？"},
            "options": [{"code": "yes_", "text": {"zh": "用"}}, {"code": "no_", "text": {"zh": "不用"}}],
        },
    )


def problems_of(data):
    with pytest.raises(InstrumentError) as error:
        from_dict(data, source="demo.yaml")
    return error.value.problems


def test_builtin_instruments_load():
    names = {i.name for i in builtin_instruments()}
    assert names == {"quarterly-satisfaction", "change-readiness"}
    satisfaction = load_builtin("quarterly-satisfaction")
    assert [q.code for q in satisfaction.questions[:10]] == [f"sus{i}" for i in range(1, 11)]
    assert {q.code for q in satisfaction.text_questions} == {"trouble", "suggestion"}
    readiness = load_builtin("change-readiness")
    adkar = [s for s in readiness.scales if s.group == "adkar"]
    assert [s.code for s in adkar] == list(readiness.barrier_scales)
    assert all(2 <= len(s.items) <= 3 for s in readiness.scales)


def test_every_builtin_text_is_bilingual_and_whole():
    """Unquoted commas in YAML flow mappings once cut English texts short; unknown keys are refused now."""
    for instrument in builtin_instruments():
        for question in instrument.questions:
            assert question.text["zh"] and question.text["en"]
    assert load_builtin("change-readiness").question("knowledge2").text["en"] == (
        "When I am stuck, I know where to find help."
    )


@pytest.mark.parametrize(
    "mutate,path,code,message",
    [
        (lambda d: d["questions"][0].update(type="likert9"), "questions[0].type", "q1", "未知题型“likert9”"),
        (lambda d: d["questions"][1].update(code="q1"), "questions[1].code", "q1", "重复"),
        (
            lambda d: d["questions"][1].update(options=[{"code": "a", "text": {"zh": "甲"}}]),
            "questions[1].options",
            "q2",
            "至少需要两个选项",
        ),
        (lambda d: d["questions"][1]["options"][1].update(code="a"), "questions[1].options[1].code", "q2", "重复"),
        (lambda d: d["questions"][1].update(max_choices=5), "questions[1].max_choices", "q2", "超过了选项数"),
        (lambda d: d["questions"][0].update(max_choices=1), "questions[0].max_choices", "q1", "只有多选题"),
        (lambda d: d["questions"][2].update(max_length=0), "questions[2].max_length", "q3", "正整数"),
        (lambda d: d["questions"][0].update(max_length=10), "questions[0].max_length", "q1", "只有文本题"),
        (lambda d: d["questions"][0].update(options=[]), "questions[0].options", "q1", "不能有选项"),
        (lambda d: d["questions"][2].update(anchors={}), "questions[2].anchors", "q3", "只有量表题"),
        (lambda d: d["questions"][2]["text"].pop("zh"), "questions[2].text.zh", "q3", "缺少中文文本"),
        (lambda d: d["questions"][2]["text"].update(fr="x"), "questions[2].text.fr", "q3", "未知语言"),
        (lambda d: d["questions"][0].update(required="yes"), "questions[0].required", "q1", "true 或 false"),
        (lambda d: d["questions"][0].update(requred=True), "questions[0].requred", "q1", "未知字段“requred”"),
        (lambda d: d["questions"][0].update(code="题一"), "questions[0].code", None, "编码"),
        (lambda d: d["questions"][0].update(code="validate"), "questions[0].code", "validate", "保留字"),
        (lambda d: d["questions"][0].update(code="q" * 41), "questions[0].code", None, "最长 40"),
        (lambda d: d.update(questions=[]), "questions", None, "至少需要一道题"),
        (lambda d: d.update(name="Demo Survey"), "name", None, "小写字母"),
        (lambda d: d.update(kind="engagement"), "kind", None, "未知类别"),
        (lambda d: d.update(colour="blue"), "colour", None, "未知字段"),
        (lambda d: d["scales"][0].update(items=["nope"]), "scales[0].items[0]", "module_s", "不存在"),
        (lambda d: d["scales"][0].update(items=["q3"]), "scales[0].items[0]", "module_s", "不是量表题"),
        (lambda d: d["scales"][0].update(items=[]), "scales[0].items", "module_s", "至少需要一道题"),
        (lambda d: d["scales"][0].update(scoring="median"), "scales[0].scoring", "module_s", "未知计分方式"),
        (lambda d: d["scales"][0].update(scoring="nps"), "scales[0].scoring", "module_s", "只用于验证过的题组"),
        (lambda d: d["scales"][0].update(reverse=["q2"]), "scales[0].reverse[0]", "module_s", "不在本量表中"),
        (lambda d: d["scales"][0].update(code="attendance"), "scales[0].code", "attendance", "module_"),
        (lambda d: d["scales"][0].update(code="adkar_awareness"), "scales[0].code", "adkar_awareness", "module_"),
        (
            lambda d: d["scales"].append(
                {"code": "module_t", "scoring": "mean", "title": {"zh": "T"}, "items": ["q1"]}
            ),
            "scales[1].items[0]",
            "module_t",
            "已计入量表“module_s”",
        ),
        (
            lambda d: d.update(barrier_point={"scales": ["module_s"]}),
            "barrier_point",
            None,
            "障碍点只用于 ADKAR 题组",
        ),
    ],
)
def test_each_invalid_field_is_named_by_file_question_code_and_field(mutate, path, code, message):
    problems = problems_of(broken(mutate))
    matching = [p for p in problems if p.path == path]
    assert matching, [p.describe() for p in problems]
    assert matching[0].code == code
    assert message in matching[0].describe()
    assert matching[0].describe().startswith("demo.yaml: ")


@pytest.mark.parametrize(
    "condition,path,message",
    [
        ({"question": "later", "in": ["yes_"]}, "questions[1].show_if.question", "前面的题目"),
        ({"question": "q3", "in": ["x"]}, "questions[4].show_if.question", "单选题或量表题"),
        ({"question": "uses", "in": []}, "questions[4].show_if.in", "至少选择一个"),
        ({"question": "uses", "in": ["maybe"]}, "questions[4].show_if.in[0]", "不是“uses”的答案"),
        ({"question": "q1", "in": [6]}, "questions[4].show_if.in[0]", "不是“q1”的答案"),
        ({"question": "uses", "in": ["yes_"], "when": 1}, "questions[4].show_if.when", "未知字段"),
    ],
)
def test_invalid_display_conditions_are_refused(condition, path, message):
    data = broken(single_parent)
    if condition["question"] == "later":
        data["questions"][1]["show_if"] = {**condition, "question": "q2"}
    else:
        data["questions"].append({"code": "why", "type": "text", "text": {"zh": "为什么？"}, "show_if": condition})
    problems = problems_of(data)
    assert any(p.path == path and message in p.describe() for p in problems), [p.describe() for p in problems]


def test_a_valid_condition_names_an_earlier_choice_or_scale_answer():
    data = broken(single_parent)
    data["questions"].append(
        {"code": "why", "type": "text", "text": {"zh": "为什么不用？"}, "show_if": {"question": "uses", "in": ["no_"]}}
    )
    data["questions"].append(
        {"code": "low", "type": "text", "text": {"zh": "哪里不好？"}, "show_if": {"question": "q1", "in": [1, 2]}}
    )
    instrument = from_dict(data)
    assert instrument.question("why").show_if.values == ("no_",)
    assert instrument.hidden_questions({"uses": "yes_", "q1": 4}) == {"why", "low"}
    assert instrument.hidden_questions({"uses": "no_", "q1": 2}) == set()


def test_every_problem_is_reported_at_once_in_chinese_and_english():
    def many(d):
        d["questions"][0].update(type="likert9")
        d["questions"][2]["text"].pop("zh")
        d["scales"][0].update(scoring="median")

    with pytest.raises(InstrumentError) as error:
        from_dict(broken(many), source="demo.yaml")
    assert len(error.value.problems) == 3
    assert str(error.value).splitlines()[0] == (
        "demo.yaml: 题目 q1 · type: 未知题型“likert9”（可用：likert5、likert7、nps、single、multi、text）"
    )
    english = error.value.describe("en")
    assert english[0] == (
        "demo.yaml: question q1 · type: Unknown question type “likert9” "
        "(available: likert5, likert7, nps, single, multi, text)"
    )
    assert english[1] == "demo.yaml: question q3 · text.zh: Chinese text is missing"


def test_english_text_is_optional():
    instrument = from_dict(broken(lambda d: d["questions"][0]["text"].pop("en")))
    assert instrument.question("q1").text == {"zh": "题一", "en": ""}


def test_a_block_is_accepted_whole_and_unchanged():
    instrument = from_dict(with_block("sus"))
    assert instrument.question("sus1").block == "sus" and instrument.question("sus1").scale == "sus"


@pytest.mark.parametrize(
    "mutate,path,message",
    [
        (lambda d: d["questions"][3]["text"].update(zh="我很喜欢这个系统。"), "questions[3]", "已锁定"),
        (lambda d: d["questions"][3].update(required=False), "questions[3]", "已锁定"),
        (lambda d: d["questions"][3].update(show_if={"question": "q1", "in": [1]}), "questions[3]", "已锁定"),
        (lambda d: d["questions"].pop(5), "questions", "须整组插入，缺少题目 sus3"),
        (lambda d: d["scales"][1].update(items=[f"sus{i}" for i in range(10, 0, -1)]), "scales[1]", "已锁定"),
        (lambda d: d["scales"].pop(1), "scales", "须整组插入，缺少量表 sus"),
        (lambda d: d["questions"][0].update(block="sus"), "questions[0].block", "不属于题组"),
        (lambda d: d["questions"][0].update(block="gallup"), "questions[0].block", "未知题组"),
    ],
)
def test_a_locked_block_cannot_be_changed_in_a_file(mutate, path, message):
    data = with_block("sus")
    mutate(data)
    problems = problems_of(data)
    assert any(p.path == path and message in p.describe() for p in problems), [p.describe() for p in problems]


def test_the_adkar_barrier_point_is_locked_with_its_block():
    data = with_block("adkar")
    data["barrier_point"]["threshold"] = 4
    assert any("障碍点计算已锁定" in p.describe() for p in problems_of(data))


def test_yaml_syntax_error_names_the_file(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("name: [unclosed", encoding="utf-8")
    with pytest.raises(InstrumentError, match=r"bad\.yaml: YAML 格式错误"):
        load_instrument(path)


def test_definition_round_trips_and_hash_follows_content(tmp_path):
    instrument = from_dict(copy.deepcopy(BASE))
    assert from_dict(to_dict(instrument)) == instrument
    changed = from_dict(broken(lambda d: d["questions"][0]["text"].update(zh="改过的题一")))
    assert definition_hash(changed) != definition_hash(instrument)
    path = tmp_path / "demo.yaml"
    path.write_text(yaml.safe_dump(BASE, allow_unicode=True), encoding="utf-8")
    assert definition_hash(load_instrument(path)) == definition_hash(instrument)


@pytest.mark.parametrize("name", ["quarterly-satisfaction", "change-readiness"])
def test_yaml_export_reads_back_equal_and_exports_the_same_text(name):
    instrument = load_builtin(name)
    exported = to_yaml(instrument)
    again = from_yaml(exported)
    assert again == instrument and to_yaml(again) == exported


def test_option_codes_yaml_would_read_as_booleans_survive_export():
    data = broken(lambda d: d["questions"][1]["options"][0].update(code="no"))
    exported = to_yaml(from_dict(data))
    assert from_yaml(exported).question("q2").options[0].code == "no"


def test_a_version_stored_before_blocks_were_marked_still_loads():
    """Stored versions are read without the authoring rules: they were valid when they were stored."""
    data = to_dict(load_builtin("quarterly-satisfaction"))
    for row in data["questions"] + data["scales"]:
        row.pop("block", None)
    with pytest.raises(InstrumentError, match="只用于验证过的题组"):
        from_dict(data)
    assert from_dict(data, authoring=False).scales[0].code == "sus"


def test_the_example_in_the_documentation_is_a_valid_definition():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[3] / "docs" / "instruments.md").read_text(encoding="utf-8")
    example = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    instrument = from_yaml(example, source="instruments.md")
    assert instrument.scales[0].items == ("purchase", "purchase_track")
    assert instrument.question("mobile_why").show_if.values == ("no",)
