"""Rate limits on invitation links and behind a reverse proxy (PROXY_COUNT)."""

import pytest

from tests.conftest import app_with_tables, login
from tests.web.respond_helpers import make_campaign, submit


@pytest.fixture
def limited_app(tmp_path):
    """Build an app with rate limits on (tables created, inside its app context) with extra settings."""

    def build(**overrides):
        return app_with_tables(f"sqlite:///{tmp_path / 'limits.sqlite'}", RATELIMIT_ENABLED=True, **overrides)

    return build


def test_valid_invitation_links_from_one_address_are_not_limited(limited_app):
    with limited_app() as app:
        _, tokens = make_campaign(people=40)
        statuses = [app.test_client().get(f"/s/{token}").status_code for token in tokens]
    assert statuses == [303] * 40


def test_guessing_invitation_tokens_from_one_address_is_stopped(limited_app):
    with limited_app() as app:
        _, tokens = make_campaign(people=1)
        client = app.test_client()
        guesses = [client.get(f"/s/guess{i:04d}").status_code for i in range(21)]
        after = client.get(f"/s/{tokens[0]}").status_code
    assert guesses[:20] == [404] * 20 and guesses[20] == 429
    assert after == 429  # the address is blocked for this minute, even with a valid token


def test_reopening_used_links_from_one_address_is_never_limited(limited_app):
    with limited_app() as app:
        campaign, tokens = make_campaign(people=1)
        client = app.test_client()
        assert submit(client, tokens[0], campaign).status_code == 303
        statuses = [app.test_client().get(f"/s/{tokens[0]}").status_code for _ in range(40)]
    assert statuses == [404] * 40  # everyone who answered may click the reminder's link again


def test_behind_one_proxy_each_forwarded_address_has_its_own_limit(limited_app):
    with limited_app(PROXY_COUNT=1) as app:
        client = app.test_client()
        first = [
            client.get("/board/receipt?code=X", headers={"X-Forwarded-For": "10.0.0.1"}).status_code for _ in range(11)
        ]
        other = client.get("/board/receipt?code=X", headers={"X-Forwarded-For": "10.0.0.2"}).status_code
    assert first[-1] == 429 and other == 200


def test_without_a_proxy_a_forged_forwarded_address_does_not_escape_the_limit(limited_app):
    with limited_app() as app:
        client = app.test_client()
        statuses = [
            client.get("/board/receipt?code=X", headers={"X-Forwarded-For": f"10.0.0.{i}"}).status_code
            for i in range(11)
        ]
    assert statuses[-1] == 429


def test_staff_login_attempts_are_limited(limited_app):
    with limited_app() as app:
        client = app.test_client()
        statuses = [login(client, "nobody@example.com", "wrong").status_code for _ in range(11)]
    assert statuses[:10] == [200] * 10 and statuses[10] == 429
