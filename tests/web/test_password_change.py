"""Changing one's password, and the forced change after an admin's reset that nothing else gets around."""

import re

import pytest

from app.access import PASSWORD_CHANGE_ENDPOINTS, PUBLIC, allowed_roles
from app.extensions import db
from app.models import ApiToken
from app.staff import reset_password
from tests.conftest import PASSWORD, csrf_token_from, login

NEW_PASSWORD = "another long password"


def change(client, current=PASSWORD, new=NEW_PASSWORD, confirm=None):
    page = client.get("/account/password").get_data(as_text=True)
    data = {"current_password": current, "new_password": new, "confirm": confirm or new}
    return client.post("/account/password", data={**data, "csrf_token": csrf_token_from(page)})


@pytest.fixture
def reset_manager(app, make_staff):
    """A manager whose password an admin reset; returns (user, temporary password)."""
    user = make_staff("manager")
    temporary = reset_password(user)
    db.session.commit()
    return user, temporary


def fill(rule: str) -> str:
    return re.sub(r"<(?:int:)?[a-z_]+>", "1", rule)


def test_after_a_reset_the_first_login_leads_to_the_password_change(client, reset_manager):
    user, temporary = reset_manager
    response = login(client, user.email, password=temporary)
    assert response.headers["Location"] == "/account/password"
    assert "管理员已重置你的密码" in client.get("/account/password").get_data(as_text=True)


def test_after_a_reset_no_other_route_can_be_reached(app, client, reset_manager):
    user, temporary = reset_manager
    login(client, user.email, password=temporary)
    token = csrf_token_from(client.get("/account/password").get_data(as_text=True))
    reached = []
    for rule in app.url_map.iter_rules():
        roles = allowed_roles(app, rule.endpoint)
        if PUBLIC in roles or rule.endpoint in PASSWORD_CHANGE_ENDPOINTS:
            continue
        for method in sorted(rule.methods & {"GET", "POST", "PUT", "PATCH", "DELETE"}):
            response = client.open(fill(rule.rule), method=method, data={"csrf_token": token})
            held = (
                response.status_code == 403 and response.json["error"] == "password_change_required"
                if rule.rule.startswith("/api/")
                else response.status_code == 302 and response.headers["Location"] == "/account/password"
            )
            if not held:
                reached.append((method, rule.rule, response.status_code))
    assert reached == []


def test_after_a_reset_the_api_token_is_refused_until_the_password_is_changed(app, client, reset_manager):
    user, temporary = reset_manager
    token, plain = ApiToken.issue(user)
    db.session.add(token)
    db.session.commit()
    headers = {"Authorization": f"Bearer {plain}"}
    response = app.test_client().get("/api/v1/campaigns", headers=headers)
    assert response.status_code == 403 and response.json["error"] == "password_change_required"
    login(client, user.email, password=temporary)
    change(client, current=temporary)
    assert app.test_client().get("/api/v1/campaigns", headers=headers).status_code == 200


def test_after_the_forced_change_the_pages_open_again(client, reset_manager):
    user, temporary = reset_manager
    login(client, user.email, password=temporary)
    response = change(client, current=temporary)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/campaigns/").status_code == 200
    db.session.refresh(user)
    assert not user.must_change_password and user.check_password(NEW_PASSWORD)


def test_password_change_ends_the_other_sessions_and_keeps_this_one(app, client, make_staff):
    user = make_staff("manager")
    other_device = app.test_client()
    login(client, user.email)
    login(other_device, user.email)
    assert change(client).status_code == 302
    assert client.get("/campaigns/").status_code == 200
    assert other_device.get("/campaigns/").headers["Location"].startswith("/login")


def test_password_change_renews_this_devices_remember_me_cookie_and_voids_the_old_one(app, client, make_staff):
    user = make_staff("manager")
    page = client.get("/login").get_data(as_text=True)
    data = {"email": user.email, "password": PASSWORD, "remember": "y", "csrf_token": csrf_token_from(page)}
    client.post("/login", data=data)
    old = client.get_cookie("remember_token").value
    change(client)
    new = client.get_cookie("remember_token").value
    for value, expected in ((new, 200), (old, 302)):
        browser = app.test_client()
        browser.set_cookie("remember_token", value)
        assert browser.get("/campaigns/").status_code == expected


def test_wrong_current_password_changes_nothing(client, make_staff):
    user = make_staff("manager")
    login(client, user.email)
    response = change(client, current="not my password")
    assert response.status_code == 200 and "当前密码不正确" in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.check_password(PASSWORD)


@pytest.mark.parametrize(
    "new,confirm,message",
    [("short", None, "密码长度需为 10–200 个字符"), (NEW_PASSWORD, "something else!", "两次输入的新密码不一致")],
)
def test_a_new_password_that_breaks_a_rule_is_refused(client, make_staff, new, confirm, message):
    user = make_staff("manager")
    login(client, user.email)
    response = change(client, new=new, confirm=confirm)
    assert message in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.check_password(PASSWORD)


def test_password_change_needs_the_csrf_token(client, make_staff):
    user = make_staff("manager")
    login(client, user.email)
    data = {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    assert client.post("/account/password", data=data).status_code == 400
