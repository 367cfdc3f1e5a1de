"""Shared fixtures: a fresh app and database per test, clients, and data builders."""

import os
import re
from contextlib import contextmanager

import pytest
from flask import has_app_context
from flask.testing import FlaskClient

from app import create_app
from app.extensions import db as _db
from config import TestingConfig


def make_config(**overrides):
    return type("Config", (TestingConfig,), overrides)


class IsolatedClient(FlaskClient):
    """Each request gets its own app context (and so its own `g` and db session), as in production.

    Without this, a request would reuse the app context the fixture holds open for the test body,
    and per-request caches such as the Babel locale or the logged-in user would leak between requests.
    """

    def open(self, *args, **kwargs):
        outer = has_app_context()
        if outer:
            _db.session.commit()  # the request sees what the test wrote, and the test's snapshot ends
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        if outer:
            _db.session.commit()
        return response


@pytest.fixture(autouse=True)
def fresh_results_cache():
    """The results cache lives in the process and is keyed by campaign id and response count; every test
    has a fresh database whose ids start again at 1, so a campaign of an earlier test must not be served."""
    from app.results.response_frames import clear_cache

    clear_cache()


@contextmanager
def app_with_tables(database_uri: str, **overrides):
    """An app on `database_uri` with the models' tables created, inside its app context."""
    from app import scheduler

    app = create_app(make_config(SQLALCHEMY_DATABASE_URI=database_uri, **overrides))
    app.test_client_class = IsolatedClient
    with app.app_context():
        _db.create_all()
        yield app
        scheduler.stop(app)  # its thread must not outlive the test's database
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def app(tmp_path):
    """An app on its own SQLite file (WAL works on files, not on :memory:)."""
    with app_with_tables(f"sqlite:///{tmp_path / 'test.sqlite'}") as app:
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture(scope="session")
def postgres_url():
    """The throw-away PostgreSQL server started by scripts/test.sh; its absence is a failure."""
    url = os.environ.get("TEST_POSTGRES_URL")
    if not url:
        pytest.fail("TEST_POSTGRES_URL is not set: run the suite with ./scripts/test.sh")
    return url


@pytest.fixture
def redis_url():
    """A real redis-server of the test's own on a free loopback port."""
    from tests.servers import redis_server

    with redis_server() as server:
        yield server.url


@contextmanager
def postgres_schema(postgres_url):
    """A fresh schema on the test PostgreSQL server, dropped afterwards; yields the engine options that use it."""
    import uuid

    from sqlalchemy import create_engine, text

    schema = "t_" + uuid.uuid4().hex[:12]
    admin_engine = create_engine(postgres_url)
    with admin_engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield {"connect_args": {"options": f"-csearch_path={schema}"}}
    finally:
        with admin_engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin_engine.dispose()


@pytest.fixture
def pg_app(postgres_url):
    """An app on a fresh schema of the test PostgreSQL server."""
    with (
        postgres_schema(postgres_url) as engine_options,
        app_with_tables(postgres_url, SQLALCHEMY_ENGINE_OPTIONS=engine_options) as app,
    ):
        yield app


PASSWORD = "correct horse battery"


@pytest.fixture
def make_staff(app):
    from app.staff import create_staff_user

    def build(role="admin", email=None):
        user = create_staff_user(_db.session, email or f"{role}@example.com", role, PASSWORD)
        _db.session.commit()
        return user

    return build


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "no CSRF token in page"
    return match.group(1)


def login(client, email, password=PASSWORD):
    page = client.get("/login")
    token = csrf_token_from(page.get_data(as_text=True))
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


@pytest.fixture
def login_as(client, make_staff):
    """Log the test client in as a new staff user of `role`; returns the user."""

    def do(role="admin"):
        user = make_staff(role, email=f"{role}-{os.urandom(3).hex()}@example.com")
        response = login(client, user.email)
        assert response.status_code == 302
        return user

    return do


@pytest.fixture
def smtp_sink():
    """A real SMTP server (aiosmtpd) of the test's own on a free loopback port."""
    from tests.smtp_sink import SmtpSink

    sink = SmtpSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def dingtalk_standin():
    """A DingTalk oapi stand-in (tests/dingtalk_standin.py) on a free loopback port."""
    from tests.dingtalk_standin import DingTalkStandIn

    standin = DingTalkStandIn().start()
    yield standin
    standin.stop()


def use_smtp(app, sink) -> None:
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=sink.port, MAIL_FROM="survey@example.com")


def use_dingtalk(app, standin) -> None:
    app.config.update(
        DINGTALK_APP_KEY=standin.app_key,
        DINGTALK_APP_SECRET=standin.app_secret,
        DINGTALK_AGENT_ID=str(standin.agent_id),
        DINGTALK_API_BASE=standin.url,
        DINGTALK_RATE_PER_SECOND=0,
    )


@pytest.fixture
def email_app(app, smtp_sink):
    use_smtp(app, smtp_sink)
    return app


@pytest.fixture
def dingtalk_app(app, dingtalk_standin):
    use_dingtalk(app, dingtalk_standin)
    return app
