"""Concurrent submits: one token wins exactly once; many tokens all succeed without lock errors."""

import multiprocessing
import threading

from sqlalchemy import func, select

from app.extensions import db
from app.models import Invitation, Response
from tests.servers import run_in_threads
from tests.web.respond_helpers import complete_answers, csrf_from, make_campaign, open_form


def race(app, campaign, tokens_per_client):
    """Each client opens its link, then all post at the same moment; returns the status codes."""
    data = complete_answers(campaign)
    prepared = []
    for token in tokens_per_client:
        client = app.test_client()
        prepared.append((client, csrf_from(open_form(client, token))))
    barrier = threading.Barrier(len(prepared))
    statuses = []

    def post(client, csrf):
        barrier.wait()
        statuses.append(client.post("/respond", data={**data, "csrf_token": csrf}).status_code)

    run_in_threads(post, prepared)
    return statuses


def response_count():
    return db.session.execute(select(func.count(Response.id))).scalar_one()


def test_twenty_threads_submitting_one_token_store_exactly_one_response(app):
    campaign, tokens = make_campaign(people=1)
    statuses = race(app, campaign, [tokens[0]] * 20)
    assert sorted(statuses).count(303) == 1
    assert set(statuses) <= {303, 404}
    assert response_count() == 1


def test_fifty_threads_with_different_tokens_store_fifty_responses(app):
    campaign, tokens = make_campaign(people=50)
    statuses = race(app, campaign, tokens)
    assert statuses.count(303) == 50, statuses
    assert response_count() == 50
    completed = db.session.execute(
        select(func.count(Invitation.id)).where(Invitation.status == "completed")
    ).scalar_one()
    assert completed == 50


def _process_submit(database_url, token, data, start, results):
    from app import create_app
    from tests.conftest import IsolatedClient, make_config

    app = create_app(make_config(SQLALCHEMY_DATABASE_URI=database_url))
    app.test_client_class = IsolatedClient
    with app.app_context():
        client = app.test_client()
        csrf = csrf_from(open_form(client, token))
        start.wait()
        results.put(client.post("/respond", data={**data, "csrf_token": csrf}).status_code)
        db.engine.dispose()


def run_processes(database_url, tokens, data):
    context = multiprocessing.get_context("fork")
    start = context.Barrier(len(tokens))
    results = context.Queue()
    processes = [context.Process(target=_process_submit, args=(database_url, t, data, start, results)) for t in tokens]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)
    return [results.get(timeout=5) for _ in processes]


def test_twenty_processes_on_one_sqlite_file_store_exactly_one_response(app):
    campaign, tokens = make_campaign(people=1)
    data = complete_answers(campaign)
    db.session.commit()
    db.engine.dispose()
    statuses = run_processes(app.config["SQLALCHEMY_DATABASE_URI"], [tokens[0]] * 20, data)
    assert statuses.count(303) == 1 and set(statuses) <= {303, 404}
    assert response_count() == 1
