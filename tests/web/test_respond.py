"""An employee answers through a single-use link; the stored response cannot be linked to them."""

import re
import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import func, inspect, select

from app.extensions import db
from app.models import Answer, Invitation, Response
from app.models.types import utcnow
from tests.web.respond_helpers import complete_answers, csrf_from, make_campaign, open_form, submit


def main_of(response) -> str:
    html = response.get_data(as_text=True)
    return html[html.index("<main") : html.index("</main>")]


def count(model):
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_invitation_link_redirects_to_a_token_free_url(client):
    _campaign, tokens = make_campaign()
    response = client.get(f"/s/{tokens[0]}")
    assert response.status_code == 303
    assert response.headers["Location"] == "/respond"
    page = client.get("/respond").get_data(as_text=True)
    assert tokens[0] not in page
    assert "测试问卷" in page


def test_invitation_tokens_are_long_random_and_stored_hashed(client):
    _campaign, tokens = make_campaign(people=2)
    assert len(set(tokens)) == 2
    assert all(len(t) >= 22 and re.fullmatch(r"[A-Za-z0-9_-]+", t) for t in tokens)
    stored = db.session.execute(select(Invitation.token_hash)).scalars().all()
    assert all(len(h) == 64 for h in stored)
    assert not set(tokens) & set(stored)


def test_complete_submit_stores_one_response_and_shows_receipt(client):
    campaign, tokens = make_campaign()
    response = submit(client, tokens[0], campaign)
    assert response.status_code == 303 and response.headers["Location"] == "/respond/thanks"
    thanks = client.get("/respond/thanks").get_data(as_text=True)
    receipt = re.search(r'data-receipt="([A-Z0-9-]+)"', thanks).group(1)
    assert len(receipt.replace("-", "")) == 16
    stored = db.session.execute(select(Response)).scalar_one()
    assert stored.receipt_hash and receipt not in stored.receipt_hash
    assert (
        db.session.execute(select(Invitation.status).where(Invitation.id.is_not(None)))
        .scalars()
        .all()
        .count("completed")
        == 1
    )
    assert count(Answer) == len(complete_answers(campaign))


def test_stored_response_row_has_nothing_that_identifies_the_person(client):
    campaign, tokens = make_campaign(people=5)
    submit(client, tokens[0], campaign)
    columns = {c["name"] for c in inspect(db.engine).get_columns("responses")}
    assert columns == {
        "id",
        "campaign_id",
        "submitted_on",
        "role",
        "department_path",
        "wave",
        "via_open_link",
        "receipt_hash",
        "release_step",  # which batch of at least k answers it first counts in: coarser than the day
    }
    row = db.session.execute(select(Response)).scalar_one()
    assert uuid.UUID(row.id).version == 4
    assert isinstance(row.submitted_on, date)
    assert row.role == "employee" and row.department_path == "总部/华东区/杭州门店"


def test_logged_in_staff_answering_through_a_link_leaves_the_same_kind_of_row(client, login_as):
    campaign, tokens = make_campaign(people=5)
    login_as("manager")
    submit(client, tokens[0], campaign)
    row = db.session.execute(select(Response)).scalar_one()
    assert (row.role, row.department_path, row.wave, row.via_open_link) == (
        "employee",
        "总部/华东区/杭州门店",
        "第一批",
        False,
    )


def test_used_and_unknown_links_look_the_same(client, app):
    campaign, tokens = make_campaign()
    submit(client, tokens[0], campaign)
    used = app.test_client().get(f"/s/{tokens[0]}")
    unknown = app.test_client().get("/s/" + "x" * 32)
    assert used.status_code == unknown.status_code == 404
    assert main_of(used) == main_of(unknown)
    assert tokens[0] not in used.get_data(as_text=True)
    assert "链接无效或已使用" in used.get_data(as_text=True)


def test_closed_and_not_yet_open_campaigns_get_a_clear_page_with_the_same_status(client):
    closed, closed_tokens = make_campaign(closes_at=None)
    closed.status = "closed"
    _later, later_tokens = make_campaign(people=0, opens_at=utcnow() + timedelta(days=3))
    closed_page = client.get(f"/s/{closed_tokens[0]}")
    later_page = client.get(f"/s/{later_tokens[0]}")
    assert closed_page.status_code == later_page.status_code == 404
    assert "问卷已结束" in closed_page.get_data(as_text=True)
    assert "问卷尚未开始" in later_page.get_data(as_text=True)


def test_double_submit_stores_one_response(client):
    campaign, tokens = make_campaign()
    html = open_form(client, tokens[0])
    data = complete_answers(campaign)
    data["csrf_token"] = csrf_from(html)
    first = client.post("/respond", data=data)
    second = client.post("/respond", data=data)
    assert first.status_code == 303
    assert second.status_code == 404 and "链接无效或已使用" in second.get_data(as_text=True)
    assert count(Response) == 1


def test_back_and_resubmit_with_a_second_browser_stores_one_response(client, app):
    campaign, tokens = make_campaign()
    other = app.test_client()
    html_a = open_form(client, tokens[0])
    html_b = open_form(other, tokens[0])
    data = complete_answers(campaign)
    assert client.post("/respond", data={**data, "csrf_token": csrf_from(html_a)}).status_code == 303
    late = other.post("/respond", data={**data, "csrf_token": csrf_from(html_b)})
    assert late.status_code == 404 and "链接无效或已使用" in late.get_data(as_text=True)
    assert count(Response) == 1


def test_missing_csrf_token_is_rejected_and_nothing_stored(client):
    campaign, tokens = make_campaign()
    open_form(client, tokens[0])
    response = client.post("/respond", data=complete_answers(campaign))
    assert response.status_code == 400
    assert count(Response) == 0


def test_foreign_csrf_token_is_rejected_and_nothing_stored(client, app):
    campaign, tokens = make_campaign()
    foreign = csrf_from(open_form(app.test_client(), tokens[1]))
    open_form(client, tokens[0])
    response = client.post("/respond", data={**complete_answers(campaign), "csrf_token": foreign})
    assert response.status_code == 400
    assert count(Response) == 0


def test_expired_csrf_token_keeps_every_answer(client, app):
    campaign, tokens = make_campaign()
    html = open_form(client, tokens[0])
    app.config["WTF_CSRF_TIME_LIMIT"] = -1
    data = complete_answers(campaign, text="我的回答不能丢")
    response = client.post("/respond", data={**data, "csrf_token": csrf_from(html)})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "安全校验已过期" in page and "我的回答不能丢" in page
    assert count(Response) == 0
    app.config["WTF_CSRF_TIME_LIMIT"] = 3600
    again = client.post("/respond", data={**data, "csrf_token": csrf_from(page)})
    assert again.status_code == 303 and count(Response) == 1


def text_question(campaign):
    from app.instruments import instrument_for

    return next(q for q in instrument_for(campaign.instrument_version).questions if q.type == "text")


def test_over_long_comment_gets_a_message_and_keeps_answers(client):
    campaign, tokens = make_campaign()
    code = text_question(campaign).code
    response = submit(client, tokens[0], campaign, **{code: "长" * 100_000})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "字" in page and "有 1 道题需要修改" in page
    assert count(Response) == 0


@pytest.mark.parametrize("bad", ["前\x00后", "\x00"])
def test_nul_bytes_are_rejected_with_a_message(client, bad):
    campaign, tokens = make_campaign()
    response = submit(client, tokens[0], campaign, **{text_question(campaign).code: bad})
    assert response.status_code == 422
    assert count(Response) == 0


def test_emoji_full_width_and_traditional_text_is_stored_byte_exact(client):
    campaign, tokens = make_campaign()
    text = "審批太慢😡！ＡＢＣ　全角，還有繁體字 ｅｍｏｊｉ👍🏽"
    code = text_question(campaign).code
    submit(client, tokens[0], campaign, **{code: text})
    stored = db.session.execute(select(Answer.value_text).where(Answer.question_code == code)).scalar_one()
    assert stored == text


def test_out_of_range_likert_value_is_refused(client):
    campaign, tokens = make_campaign()
    response = submit(client, tokens[0], campaign, sus1="9")
    assert response.status_code == 422 and count(Response) == 0


def test_missing_required_answer_is_refused_and_other_answers_kept(client):
    campaign, tokens = make_campaign()
    html = open_form(client, tokens[0])
    data = complete_answers(campaign, text="保留我")
    del data["sus1"]
    response = client.post("/respond", data={**data, "csrf_token": csrf_from(html)})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "保留我" in page and 'id="q-sus1"' in page
    assert count(Response) == 0


def test_request_body_over_the_limit_gets_a_413_page(client, app):
    _campaign, tokens = make_campaign()
    html = open_form(client, tokens[0])
    app.config["MAX_CONTENT_LENGTH"] = 10_000
    response = client.post("/respond", data={"csrf_token": csrf_from(html), "trouble": "x" * 20_000})
    assert response.status_code == 413
    assert "提交的内容太大" in response.get_data(as_text=True)


def test_respond_without_a_link_in_the_session_shows_the_link_page(client):
    response = client.get("/respond")
    assert response.status_code == 404 and "链接无效或已使用" in response.get_data(as_text=True)


def test_responses_carry_only_the_day(client):
    campaign, tokens = make_campaign()
    submit(client, tokens[0], campaign)
    submitted = db.session.execute(select(Response.submitted_on)).scalar_one()
    assert type(submitted) is date


def test_open_link_responses_are_counted_separately_and_carry_no_segment(client, app):
    from app.campaigns.service import response_rates

    campaign, _tokens = make_campaign(people=2, open_link=True)
    from app.campaigns.service import new_token, token_hash

    plain = new_token()
    campaign.open_link_hash = token_hash(plain)
    db.session.commit()
    first = client.get(f"/o/{plain}")
    assert first.status_code == 303 and first.headers["Location"] == "/respond"
    html = client.get("/respond").get_data(as_text=True)
    data = {**complete_answers(campaign), "csrf_token": csrf_from(html)}
    assert client.post("/respond", data=data).status_code == 303
    again = app.test_client()
    again.get(f"/o/{plain}")
    html = again.get("/respond").get_data(as_text=True)
    assert again.post("/respond", data={**data, "csrf_token": csrf_from(html)}).status_code == 303
    rows = db.session.execute(select(Response)).scalars().all()
    assert [(r.via_open_link, r.role, r.department_path) for r in rows] == [(True, None, None)] * 2
    rates = response_rates(db.session, campaign)
    assert rates["open_link_responses"] == 2 and rates["overall"].completed == 0


def test_instrument_change_creates_a_new_version_and_leaves_the_used_one_alone(client, monkeypatch):
    import dataclasses

    import surveys
    from app.instruments import latest_version

    campaign, tokens = make_campaign()
    submit(client, tokens[0], campaign)
    used = campaign.instrument_version
    original = surveys.builtin_instruments()

    def edited():
        changed = []
        for definition in original:
            if definition.name == "quarterly-satisfaction":
                first = dataclasses.replace(definition.questions[0], text={"zh": "改过的第一题", "en": "Edited"})
                definition = dataclasses.replace(definition, questions=(first,) + definition.questions[1:])
            changed.append(definition)
        return changed

    monkeypatch.setattr(surveys, "builtin_instruments", edited)
    newer = latest_version(db.session, "quarterly-satisfaction")
    assert (used.version, newer.version) == (1, 2)
    assert newer.questions[0].text_zh == "改过的第一题"
    assert "改过的第一题" not in used.definition
    assert campaign.instrument_version_id == used.id
