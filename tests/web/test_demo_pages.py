"""The demo as each visitor sees it: every page reachable by links from `/` and `/board/` answers without a
server error.

The demo is seeded once for the module (`flask demo`, plus an admin account); each visitor's crawl runs once
and is shared by the tests.
"""

from __future__ import annotations

import pytest

from app import create_app
from app.extensions import db
from tests.conftest import PASSWORD, IsolatedClient, csrf_token_from, login, make_config
from tests.web.crawl import Crawl, crawl, describe

VISITORS = ("anonymous", "admin", "manager", "committee")


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory):
    database = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    app = create_app(make_config(SQLALCHEMY_DATABASE_URI=f"sqlite:///{database}"))
    app.test_client_class = IsolatedClient
    with app.app_context():
        db.create_all()
        result = app.test_cli_runner().invoke(args=["demo"], env={"CP_PASSWORD": PASSWORD})
        assert result.exit_code == 0, result.output
        from app.staff import create_staff_user

        create_staff_user(db.session, "admin@example.com", "admin", PASSWORD)
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="module")
def site(demo_app):
    """site(visitor, language) → that visitor's crawl of the demo in that language (computed once)."""
    crawls: dict[tuple[str, str], Crawl] = {}

    def visit(visitor: str, language: str = "zh") -> Crawl:
        if (visitor, language) not in crawls:
            client = demo_app.test_client()
            if visitor != "anonymous":
                assert login(client, f"{visitor}@example.com").status_code == 302
            if language != "zh":
                token = csrf_token_from(client.get("/board/").get_data(as_text=True))
                client.post("/language", data={"lang": language, "next": "/", "csrf_token": token})
            crawls[(visitor, language)] = crawl(client)
        return crawls[(visitor, language)]

    return visit


@pytest.mark.parametrize("visitor", VISITORS)
def test_no_page_of_the_demo_answers_a_server_error(site, visitor):
    result = site(visitor)
    assert len(result.pages) > 3, "the crawl reached almost nothing: is the demo seeded and the login working?"
    failures = result.failures()
    assert not failures, f"as {visitor}, {len(failures)} of {len(result.pages)} pages answer 5xx:\n" + describe(
        failures
    )
