"""The same single-use guarantees on PostgreSQL."""

from sqlalchemy import func, select

from app.extensions import db
from app.models import Answer, Response
from tests.web.respond_helpers import complete_answers, make_campaign, submit
from tests.web.test_respond_concurrency import race, run_processes


def test_twenty_threads_one_token_on_postgresql_store_one_response(pg_app):
    campaign, tokens = make_campaign(people=1)
    statuses = race(pg_app, campaign, [tokens[0]] * 20)
    assert statuses.count(303) == 1
    assert db.session.execute(select(func.count(Response.id))).scalar_one() == 1


def test_twenty_processes_one_token_on_postgresql_store_one_response(pg_app):
    campaign, tokens = make_campaign(people=1)
    data = complete_answers(campaign)
    db.session.commit()
    db.engine.dispose()
    options = pg_app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    search_path = options["connect_args"]["options"].split("=", 1)[1]
    url = pg_app.config["SQLALCHEMY_DATABASE_URI"] + f"?options=-csearch_path%3D{search_path}"
    statuses = run_processes(url, [tokens[0]] * 20, data)
    assert statuses.count(303) == 1
    assert db.session.execute(select(func.count(Response.id))).scalar_one() == 1


def test_nul_byte_is_rejected_on_postgresql_too(pg_app):
    campaign, tokens = make_campaign(people=1)
    response = submit(pg_app.test_client(), tokens[0], campaign, trouble="坏\x00字节")
    assert response.status_code == 422
    assert db.session.execute(select(func.count(Response.id))).scalar_one() == 0


def test_emoji_and_traditional_text_round_trip_on_postgresql(pg_app):
    campaign, tokens = make_campaign(people=1)
    text = "審批太慢😡ＡＢＣ"
    submit(pg_app.test_client(), tokens[0], campaign, trouble=text)
    assert db.session.execute(select(Answer.value_text).where(Answer.question_code == "trouble")).scalar_one() == text
