"""Forms built from instruments: valid answers pass; bad input gets a message and keeps the answers."""

import json

from werkzeug.datastructures import MultiDict

from surveys import answers_from_form, build_form_class, from_dict, load_builtin
from tests.unit.surveys.test_definitions import BASE

SATISFACTION = load_builtin("quarterly-satisfaction")


def complete():
    data = MultiDict({q.code: "4" for q in SATISFACTION.questions if q.type == "likert5"})
    data["enps"] = "0"
    data["trouble"] = "审批太慢"
    return data


def form_for(data, instrument=SATISFACTION, locale="zh"):
    return build_form_class(instrument, locale=locale)(data)


def test_complete_answers_validate_and_map_to_storage():
    form = form_for(complete())
    assert form.validate(), form.errors
    answers = {code: (number, text) for code, number, text in answers_from_form(SATISFACTION, form)}
    assert answers["sus1"] == (4.0, None)
    assert answers["enps"] == (0.0, None)
    assert answers["trouble"] == (None, "审批太慢")
    assert "suggestion" not in answers


def test_missing_required_answer_gets_chinese_message():
    data = complete()
    del data["sus3"]
    form = form_for(data)
    assert not form.validate()
    assert form.errors["sus3"] == ["请回答这道题"]


def test_english_messages_with_english_locale():
    data = complete()
    del data["sus3"]
    form = form_for(data, locale="en")
    form.validate()
    assert form.errors["sus3"] == ["Please answer this question"]
    assert form.sus1.label.text.startswith("I think")


def test_out_of_range_and_non_numeric_likert_values_are_refused():
    for bad in ("6", "0", "abc", "4.5"):
        data = complete()
        data["sus1"] = bad
        form = form_for(data)
        assert not form.validate(), bad
        assert form.errors["sus1"] == ["请从给出的选项中选择"], bad


def test_nps_accepts_zero_and_ten_but_not_eleven():
    for value, ok in (("0", True), ("10", True), ("11", False), ("-1", False)):
        data = complete()
        data["enps"] = value
        assert form_for(data).validate() is ok, value


def test_over_long_comment_gets_a_message_with_the_limit():
    data = complete()
    data["trouble"] = "长" * 1001
    form = form_for(data)
    assert not form.validate()
    assert form.errors["trouble"] == ["最多 1000 字，当前 1001 字，请精简后再提交"]


def test_nul_and_lone_surrogates_are_refused():
    for bad in ("a\x00b", "坏\ud800字"):
        data = complete()
        data["trouble"] = bad
        form = form_for(data)
        assert not form.validate()
        assert "特殊字符" in form.errors["trouble"][0]


def test_emoji_full_width_and_traditional_text_pass_unchanged():
    text = "審批太慢😡ＡＢＣ　全角"
    data = complete()
    data["trouble"] = text
    form = form_for(data)
    assert form.validate()
    assert {c: t for c, _, t in answers_from_form(SATISFACTION, form)}["trouble"] == text


def test_values_are_kept_on_error():
    data = complete()
    data["trouble"] = "保留我"
    del data["sus2"]
    form = form_for(data)
    form.validate()
    assert form.trouble.data == "保留我"
    assert "checked" in str(form.sus1) and 'value="4"' in str(form.sus1)


def test_multi_answer_over_max_is_refused():
    instrument = from_dict(BASE)
    form = form_for(MultiDict([("q2", "a"), ("q2", "b"), ("q2", "c")]), instrument)
    assert not form.validate()
    assert form.errors["q2"] == ["最多选择 2 项，当前选了 3 项"]


def test_multi_answer_is_stored_as_json_list():
    instrument = from_dict(BASE)
    form = form_for(MultiDict([("q2", "a"), ("q2", "c")]), instrument)
    assert form.validate(), form.errors
    stored = {c: t for c, _, t in answers_from_form(instrument, form)}
    assert json.loads(stored["q2"]) == ["a", "c"]


def test_unknown_multi_option_is_refused():
    instrument = from_dict(BASE)
    form = form_for(MultiDict([("q2", "z")]), instrument)
    assert not form.validate()
