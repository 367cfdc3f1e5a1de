"""Conditional questions on the employee's form, on the server: without JavaScript every question shows with
its condition spelled out, and the server decides what is required and stored from the answers."""

from sqlalchemy import select

from app.extensions import db
from app.models import Answer
from tests.web.instrument_helpers import import_erp
from tests.web.respond_helpers import csrf_from, make_campaign, open_form


def erp_campaign():
    import_erp()
    return make_campaign("erp-quarterly", people=2)


def post(client, token, **answers):
    html = open_form(client, token)
    return client.post("/respond", data={"csrf_token": csrf_from(html), "purchase": "4", "stock": "3", **answers})


def stored_codes():
    return set(db.session.execute(select(Answer.question_code)).scalars())


def test_every_question_shows_with_its_condition_when_the_page_has_no_script(client):
    _, tokens = erp_campaign()
    html = open_form(client, tokens[0])
    assert 'id="q-report"' in html and 'data-show-if="uses_report" data-show-values="yes_"' in html
    assert "仅在第 3 题回答“用”时作答" in html


def test_a_hidden_required_question_may_stay_unanswered_and_is_not_stored_when_sent(client):
    _, tokens = erp_campaign()
    response = post(client, tokens[0], uses_report="no_", report="1")
    assert response.status_code == 303
    assert stored_codes() == {"purchase", "stock", "uses_report"}


def test_the_question_is_required_again_when_the_answer_shows_it(client):
    _, tokens = erp_campaign()
    refused = post(client, tokens[0], uses_report="yes_")
    assert refused.status_code == 422 and "请回答这道题" in refused.get_data(as_text=True)
    assert stored_codes() == set()
    accepted = post(client, tokens[0], uses_report="yes_", report="2")
    assert accepted.status_code == 303
    assert stored_codes() == {"purchase", "stock", "uses_report", "report"}
