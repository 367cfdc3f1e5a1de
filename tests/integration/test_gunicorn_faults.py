"""The production shape under faults: gunicorn with 4 workers on PostgreSQL, with and without Redis.

Workers SIGKILLed in the middle of submit transactions, many clients racing for one invitation or
answering at once, rate limits shared by all workers through Redis, and Redis going away.
"""

import http.client
import threading
from contextlib import contextmanager
from urllib.parse import urlencode

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from app import create_app
from app.extensions import db
from app.models import Answer, BackgroundJob, Invitation, Response
from tests.conftest import PASSWORD, make_config
from tests.servers import CSRF, Phone, gunicorn, postgres_database, redis_server, run_in_threads, wait_until
from tests.web.respond_helpers import complete_answers, make_campaign

CONNECTION_LOST = (ConnectionError, http.client.HTTPException, OSError)
KILLS = 4
SECRET_KEY = "gunicorn-fault-tests"  # the servers' and the test's: invitation links are derived from it


@contextmanager
def migrated_database(admin_url: str):
    """A migrated, empty PostgreSQL database; yields (app bound to it, its URL) inside its app context."""
    with postgres_database(admin_url) as url:
        app = create_app(make_config(SQLALCHEMY_DATABASE_URI=url, SECRET_KEY=SECRET_KEY))
        with app.app_context():
            upgrade()
            yield app, url
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def database(postgres_url):
    with migrated_database(postgres_url) as pair:
        yield pair


def server_env(url: str, **extra) -> dict:
    return {
        "DATABASE_URL": url,
        "SECRET_KEY": SECRET_KEY,
        "CHANGEPULSE_CONFIG": "development",
        "RATELIMIT_ENABLED": "0",
        **extra,
    }


def invitations(count: int):
    campaign, tokens = make_campaign(people=count)
    answers = complete_answers(campaign)
    db.session.commit()
    return campaign, tokens, answers


def stored_counts(campaign_id: int) -> dict:
    db.session.rollback()
    per_response = (
        db.session.execute(
            select(func.count(Answer.id))
            .join(Response)
            .where(Response.campaign_id == campaign_id)
            .group_by(Answer.response_id)
        )
        .scalars()
        .all()
    )
    return {
        "responses": db.session.execute(
            select(func.count(Response.id)).where(Response.campaign_id == campaign_id)
        ).scalar_one(),
        "completed": db.session.execute(
            select(func.count(Invitation.id)).where(
                Invitation.campaign_id == campaign_id, Invitation.status == "completed"
            )
        ).scalar_one(),
        "answers_per_response": sorted(set(per_response)),
        "orphan_answers": db.session.execute(
            select(func.count(Answer.id)).outerjoin(Response).where(Response.id.is_(None))
        ).scalar_one(),
    }


def run_clients(base: str, tokens: list[str], answers: dict, clients: int) -> dict:
    """Each client answers its share of the invitations; a dropped connection is recorded as 'lost'."""
    outcomes = {}

    def work(share):
        phone = Phone(base)
        for token in share:
            try:
                outcomes[token] = phone.answer(token, answers)
            except CONNECTION_LOST:
                outcomes[token] = "lost"
                phone.reconnect()

    run_in_threads(work, [(tokens[i::clients],) for i in range(clients)])
    return outcomes


def test_sigkilled_workers_leave_each_response_whole_or_absent_with_its_link_still_usable(database, tmp_path):
    _app, url = database
    campaign, tokens, answers = invitations(80)
    marks = tmp_path / "in-transaction"
    marks.mkdir()
    env = server_env(url, SUBMIT_MARK_DIR=str(marks), SUBMIT_PAUSE="0.15")
    killed = []
    with gunicorn(env, workers=4, app_spec="tests.integration.paused_submit_app:create_app()") as server:
        done = threading.Event()

        def kill_workers_inside_transactions():
            while not done.is_set() and len(killed) < KILLS:
                for mark in list(marks.iterdir()):
                    if server.kill_worker(int(mark.name)):
                        killed.append(int(mark.name))
                    mark.unlink(missing_ok=True)
                done.wait(0.01)

        killer = threading.Thread(target=kill_workers_inside_transactions)
        killer.start()
        outcomes = run_clients(server.base, tokens, answers, clients=8)
        done.set()
        killer.join()
        server.wait_ready()  # the master has replaced the killed workers
        phone = Phone(server.base)
        retried = {token: phone.answer(token, answers) for token, outcome in outcomes.items() if outcome != 303}

    assert len(killed) == KILLS
    assert set(outcomes.values()) <= {303, "lost"}
    assert len(retried) >= len(killed)  # each kill dropped the request its worker was in
    # A killed submit either committed before the kill (its link is now used: 404) or left nothing
    # behind and its link still works (303) — never anything in between.
    assert set(retried.values()) <= {303, 404}
    assert 303 in retried.values()
    counts = stored_counts(campaign.id)
    assert counts["responses"] == counts["completed"] == len(tokens)
    assert counts["answers_per_response"] == [len(answers)] and counts["orphan_answers"] == 0


@pytest.fixture(scope="module")
def four_workers(postgres_url):
    """One gunicorn with 4 workers on PostgreSQL, shared by the race tests (each uses its own campaign)."""
    with migrated_database(postgres_url) as (_app, url), gunicorn(server_env(url), workers=4) as server:
        yield server


def race(base: str, tokens: list[str], answers: dict) -> list:
    """Every client opens its link first, then all post at the same moment."""
    prepared = []
    for token in tokens:
        phone = Phone(base)
        status, csrf = phone.open_invitation(token)
        assert csrf, status
        prepared.append((phone, csrf))
    barrier = threading.Barrier(len(prepared))
    statuses = []

    def post(phone, csrf):
        barrier.wait()
        statuses.append(phone.post_answers(answers, csrf))

    run_in_threads(post, prepared)
    return statuses


def test_twenty_clients_racing_for_one_invitation_under_gunicorn_store_one_response(four_workers):
    campaign, tokens, answers = invitations(1)
    statuses = race(four_workers.base, tokens * 20, answers)
    assert statuses.count(303) == 1 and set(statuses) <= {303, 404}
    counts = stored_counts(campaign.id)
    assert counts["responses"] == counts["completed"] == 1


def test_fifty_clients_answering_at_once_under_gunicorn_all_store(four_workers):
    campaign, tokens, answers = invitations(50)
    statuses = race(four_workers.base, tokens, answers)
    assert statuses == [303] * 50
    counts = stored_counts(campaign.id)
    assert counts["responses"] == counts["completed"] == 50
    assert counts["answers_per_response"] == [len(answers)]


def concurrent_gets(base: str, paths: list[str]) -> list[int]:
    """GET each path on a connection of its own, all at once, so several workers serve them."""
    barrier = threading.Barrier(len(paths))
    statuses = []

    def get(path):
        phone = Phone(base)
        barrier.wait()
        statuses.append(phone.request("GET", path, headers={"Connection": "close"})[0])

    run_in_threads(get, [(path,) for path in paths])
    return statuses


def test_rate_limits_hold_across_four_workers_with_redis(database):
    _app, url = database
    with (
        redis_server() as redis,
        gunicorn(server_env(url, REDIS_URL=redis.url, RATELIMIT_ENABLED="1"), workers=4) as server,
    ):
        receipts = concurrent_gets(server.base, ["/board/receipt?code=AAAA-BBBB-CCCC-DDDD"] * 30)
        guesses = [
            Phone(server.base).request("GET", f"/s/guess-{i}", headers={"Connection": "close"})[0] for i in range(24)
        ]
    assert receipts.count(200) == 10 and receipts.count(429) == 20
    assert guesses == [404] * 20 + [429] * 4


def test_with_redis_gone_submits_still_store_and_an_export_job_runs_in_process(database):
    _app, url = database
    campaign, tokens, answers = invitations(12)
    from app.staff import create_staff_user

    create_staff_user(db.session, "manager@example.com", "manager", PASSWORD)
    db.session.commit()
    with (
        redis_server() as redis,
        gunicorn(server_env(url, REDIS_URL=redis.url, RATELIMIT_ENABLED="1"), workers=2) as server,
    ):
        redis.stop()
        phone = Phone(server.base)
        statuses = [phone.answer(token, answers) for token in tokens]
        health = phone.request("GET", "/healthz")
        manager = Phone(server.base)
        status, page = manager.request("GET", "/login")
        manager.request(
            "POST",
            "/login",
            urlencode({"email": "manager@example.com", "password": PASSWORD, "csrf_token": CSRF.search(page).group(1)}),
        )
        status, page = manager.request("GET", f"/campaigns/{campaign.id}")
        assert status == 200
        status, _ = manager.request(
            "POST",
            f"/campaigns/{campaign.id}/exports",
            urlencode({"file_format": "csv-answers", "csrf_token": CSRF.search(page).group(1)}),
        )
        assert status == 302

        def export_finished():
            db.session.rollback()
            job = db.session.execute(select(BackgroundJob).where(BackgroundJob.kind == "export")).scalar_one_or_none()
            return job if job is not None and job.status in ("succeeded", "failed") else None

        job = wait_until(export_finished, 60, "the export job")
        download = manager.request("GET", f"/campaigns/{campaign.id}/exports/{job.id}")
    assert statuses == [303] * 12
    assert health[0] == 503 and '"redis":"unreachable"' in health[1].replace(" ", "")
    assert (job.status, job.backend) == ("succeeded", "thread")
    assert download[0] == 200 and len(download[1].strip().splitlines()) == 13
    counts = stored_counts(campaign.id)
    assert counts["responses"] == counts["completed"] == 12
