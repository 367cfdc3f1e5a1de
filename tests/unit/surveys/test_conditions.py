"""Conditional questions, on the server: a question hidden by an earlier answer is neither required nor
stored, whatever the browser sent, and counts again as soon as the answer shows it."""

from werkzeug.datastructures import MultiDict

from surveys import answers_from_form, build_form_class, from_dict

ERP = from_dict(
    {
        "name": "erp",
        "title": {"zh": "ERP 满意度"},
        "questions": [
            {
                "code": "uses",
                "type": "single",
                "required": True,
                "text": {"zh": "你用采购模块吗？"},
                "options": [{"code": "yes_", "text": {"zh": "用"}}, {"code": "no_", "text": {"zh": "不用"}}],
            },
            {
                "code": "purchase",
                "type": "likert5",
                "required": True,
                "text": {"zh": "你对采购模块满意吗？"},
                "show_if": {"question": "uses", "in": ["yes_"]},
            },
            {
                "code": "purchase_why",
                "type": "text",
                "required": True,
                "text": {"zh": "哪里不满意？"},
                "show_if": {"question": "purchase", "in": [1, 2]},
            },
        ],
        "scales": [{"code": "module_purchase", "scoring": "mean", "title": {"zh": "采购"}, "items": ["purchase"]}],
    }
)


def submit(**answers):
    form = build_form_class(ERP)(MultiDict(answers))
    return form, form.validate()


def stored(form):
    return {code: (number, text) for code, number, text in answers_from_form(ERP, form)}


def test_a_hidden_required_question_is_not_required():
    form, ok = submit(uses="no_")
    assert ok, form.errors


def test_a_hidden_question_is_not_stored_even_when_the_browser_sends_it():
    form, ok = submit(uses="no_", purchase="1", purchase_why="采购单太难填")
    assert ok, form.errors
    assert stored(form) == {"uses": (None, "no_")}


def test_a_question_hidden_by_a_hidden_question_is_hidden_too():
    form, ok = submit(uses="no_", purchase="2", purchase_why="x")
    assert ok and "purchase_why" not in stored(form)


def test_the_question_counts_again_when_the_answer_shows_it():
    form, ok = submit(uses="yes_")
    assert not ok
    assert form.errors == {"purchase": ["请回答这道题"]}
    form, ok = submit(uses="yes_", purchase="2")
    assert form.errors == {"purchase_why": ["请回答这道题"]}
    form, ok = submit(uses="yes_", purchase="2", purchase_why="采购单太难填")
    assert ok and stored(form) == {
        "uses": (None, "yes_"),
        "purchase": (2.0, None),
        "purchase_why": (None, "采购单太难填"),
    }


def test_an_answer_outside_the_condition_keeps_the_question_hidden():
    form, ok = submit(uses="yes_", purchase="5", purchase_why="不该保存")
    assert ok and "purchase_why" not in stored(form)
