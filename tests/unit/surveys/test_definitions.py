"""Instrument definitions are validated on load with errors naming the file and the field."""

import copy

import pytest
import yaml

from surveys import (
    InstrumentError,
    builtin_instruments,
    definition_hash,
    from_dict,
    load_builtin,
    load_instrument,
    to_dict,
)

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
    "scales": [{"code": "s", "scoring": "mean", "title": {"zh": "量", "en": "S"}, "items": ["q1"]}],
}


def broken(mutate):
    data = copy.deepcopy(BASE)
    mutate(data)
    return data


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


def test_every_builtin_text_is_bilingual():
    for instrument in builtin_instruments():
        for question in instrument.questions:
            assert question.text["zh"] and question.text["en"]


@pytest.mark.parametrize(
    "mutate,path,message",
    [
        (lambda d: d["questions"][0].update(type="likert9"), "questions[0].type", "未知题型“likert9”"),
        (lambda d: d["questions"][1].update(code="q1"), "questions[1].code", "重复"),
        (
            lambda d: d["questions"][1].update(options=[{"code": "a", "text": {"zh": "甲", "en": "A"}}]),
            "questions[1].options",
            "至少需要两个选项",
        ),
        (lambda d: d["questions"][1].update(max_choices=5), "questions[1].max_choices", "超过了选项数"),
        (lambda d: d["questions"][2].update(max_length=0), "questions[2].max_length", "正整数"),
        (lambda d: d["questions"][2]["text"].pop("en"), "questions[2].text.en", "缺少文本"),
        (lambda d: d["scales"][0].update(items=["nope"]), "scales[0].items[0]", "不存在"),
        (lambda d: d["scales"][0].update(items=["q3"]), "scales[0].items[0]", "不是量表题"),
        (lambda d: d["scales"][0].update(scoring="median"), "scales[0].scoring", "未知计分方式"),
        (lambda d: d["scales"][0].update(reverse=["q2"]), "scales[0].reverse[0]", "不在本量表中"),
        (lambda d: d.update(questions=[]), "questions", "至少需要一道题"),
        (lambda d: d["questions"][0].update(code="题一"), "questions[0].code", "编码"),
    ],
)
def test_invalid_definitions_name_file_and_field(mutate, path, message):
    with pytest.raises(InstrumentError) as error:
        from_dict(broken(mutate), source="demo.yaml")
    assert str(error.value).startswith(f"demo.yaml: {path}: ")
    assert message in str(error.value)


def test_yaml_syntax_error_names_the_file(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("name: [unclosed", encoding="utf-8")
    with pytest.raises(InstrumentError, match=r"bad\.yaml"):
        load_instrument(path)


def test_definition_round_trips_and_hash_follows_content(tmp_path):
    instrument = from_dict(copy.deepcopy(BASE))
    assert from_dict(to_dict(instrument)) == instrument
    changed = from_dict(broken(lambda d: d["questions"][0]["text"].update(zh="改过的题一")))
    assert definition_hash(changed) != definition_hash(instrument)
    path = tmp_path / "demo.yaml"
    path.write_text(yaml.safe_dump(BASE, allow_unicode=True), encoding="utf-8")
    assert definition_hash(load_instrument(path)) == definition_hash(instrument)
