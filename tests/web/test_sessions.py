"""Sessions end: a cookie copied before logout, a password change, a role change or disabling the account
is refused afterwards, on every device of that user at once (issue 13, break 8)."""

import pytest

from app.extensions import db
from tests.conftest import PASSWORD, csrf_token_from, login
from tests.web.results_helpers import campaign_with, satisfaction


@pytest.fixture
def results_path(app):
    campaign = campaign_with([(6, "employee", "总部/华东区", "第一批", satisfaction())])
    return f"/results/{campaign.id}"


def copied(app, client, name="session"):
    """A second browser holding a copy of `client`'s cookie `name` — what an attacker who copied it has."""
    cookie = client.get_cookie(name)
    assert cookie is not None, f"no {name} cookie to copy"
    thief = app.test_client()
    thief.set_cookie(name, cookie.value)
    return thief


def log_out(client):
    page = client.get("/").get_data(as_text=True)
    assert client.post("/logout", data={"csrf_token": csrf_token_from(page)}).status_code == 302


def is_refused(response) -> bool:
    return response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_session_cookie_copied_before_logout_is_refused_after(app, client, make_staff, results_path):
    manager = make_staff("manager")
    assert login(client, manager.email).status_code == 302
    thief = copied(app, client)
    assert thief.get(results_path).status_code == 200
    log_out(client)
    assert is_refused(thief.get(results_path))


def test_remember_me_cookie_copied_before_logout_is_refused_after(app, client, make_staff, results_path):
    manager = make_staff("manager")
    page = client.get("/login").get_data(as_text=True)
    data = {"email": manager.email, "password": PASSWORD, "remember": "y", "csrf_token": csrf_token_from(page)}
    assert client.post("/login", data=data).status_code == 302
    thief = copied(app, client, "remember_token")
    assert thief.get(results_path).status_code == 200
    log_out(client)
    assert is_refused(app_client_with_remember_cookie_only(app, thief).get(results_path))


def app_client_with_remember_cookie_only(app, thief):
    """A fresh browser with only the copied remember-me cookie (its session cookie expired)."""
    fresh = app.test_client()
    fresh.set_cookie("remember_token", thief.get_cookie("remember_token").value)
    return fresh


def test_session_cookie_is_refused_after_the_password_changes(app, client, make_staff, results_path):
    manager = make_staff("manager")
    login(client, manager.email)
    thief = copied(app, client)
    manager.set_password("a brand new password")
    db.session.commit()
    assert is_refused(thief.get(results_path))


def test_session_cookie_is_refused_after_the_role_changes(app, client, make_staff):
    manager = make_staff("manager")
    login(client, manager.email)
    thief = copied(app, client)
    manager.role = "committee"
    db.session.commit()
    assert is_refused(thief.get("/committee/"))  # a page the new role could open: the old session is over


def test_session_cookie_is_refused_after_the_account_is_disabled(app, client, make_staff, results_path):
    manager = make_staff("manager")
    login(client, manager.email)
    thief = copied(app, client)
    manager.active = False
    db.session.commit()
    assert is_refused(thief.get(results_path))


def test_remember_me_cookie_is_refused_after_the_account_is_disabled(app, client, make_staff, results_path):
    manager = make_staff("manager")
    page = client.get("/login").get_data(as_text=True)
    data = {"email": manager.email, "password": PASSWORD, "remember": "y", "csrf_token": csrf_token_from(page)}
    client.post("/login", data=data)
    thief = app_client_with_remember_cookie_only(app, client)
    manager.active = False
    db.session.commit()
    assert is_refused(thief.get(results_path))
