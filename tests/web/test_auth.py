import pytest

from tests.conftest import PASSWORD, csrf_token_from, login


def test_login_page_is_chinese_and_has_csrf_token(client):
    page = client.get("/login").get_data(as_text=True)
    assert "工作人员登录" in page
    assert csrf_token_from(page)


def test_staff_logs_in_and_reaches_home(client, make_staff):
    user = make_staff("admin")
    response = login(client, user.email)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_wrong_password_is_refused_with_a_message(client, make_staff):
    user = make_staff("manager")
    response = login(client, user.email, password="wrong password!")
    assert response.status_code == 200
    assert "邮箱或密码不正确" in response.get_data(as_text=True)
    assert client.get("/admin/people").status_code == 302


def test_login_without_csrf_token_is_rejected(client, make_staff):
    user = make_staff("admin")
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/admin/people").status_code == 302


def test_login_with_foreign_csrf_token_is_rejected(client, app, make_staff):
    user = make_staff("admin")
    other = app.test_client()
    foreign_token = csrf_token_from(other.get("/login").get_data(as_text=True))
    client.get("/login")
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": foreign_token})
    assert response.status_code == 400


def test_logout_needs_post_with_csrf(client, login_as):
    login_as("admin")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    page = client.get("/admin/people").get_data(as_text=True)
    response = client.post("/logout", data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 302
    assert client.get("/admin/people").status_code == 302


def test_inactive_user_cannot_log_in(client, make_staff, app):
    from app.extensions import db

    user = make_staff("admin")
    user.active = False
    db.session.commit()
    assert login(client, user.email).status_code == 200


@pytest.mark.parametrize("target", ["/admin/users", "/admin/people?q=%E7%8E%8B"])
def test_next_redirect_to_same_site_path_is_followed(client, make_staff, target):
    user = make_staff("admin")
    page = client.get("/login", query_string={"next": target})
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token_from(page.get_data(as_text=True))},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == target


@pytest.mark.parametrize(
    "target",
    [
        "/\\evil.com",
        "////evil.com",
        "//evil.com",
        "https://evil.com",
        "http:evil.com",
        "javascript:alert(1)",
        "/\tevil.com",
        "evil.com",
    ],
)
def test_next_redirect_off_site_is_ignored(client, make_staff, target):
    user = make_staff("admin")
    page = client.get("/login", query_string={"next": target})
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token_from(page.get_data(as_text=True))},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_anonymous_visitor_is_sent_to_login_with_next(client):
    response = client.get("/admin/people")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/admin/people")


def test_session_cookie_is_httponly_and_lax(client, make_staff):
    user = make_staff("admin")
    response = login(client, user.email)
    cookie = next(v for k, v in response.headers.items() if k == "Set-Cookie" and v.startswith("session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_security_headers_on_every_response(client):
    for path in ("/login", "/does-not-exist", "/static/css/app.css"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
        assert "frame-ancestors 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "no-referrer"
        assert headers["X-Frame-Options"] == "DENY"


def test_password_is_hashed_with_scrypt(make_staff):
    user = make_staff("committee")
    assert user.password_hash.startswith("scrypt:")
    assert PASSWORD not in user.password_hash


def test_pages_have_no_inline_script(client):
    import re

    page = client.get("/login").get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)


def test_account_created_by_the_cli_at_an_intranet_domain_can_log_in(client, runner, monkeypatch):
    monkeypatch.setenv("CP_PASSWORD", PASSWORD)
    created = runner.invoke(args=["users", "create", "it@corp.local", "--role", "admin"])
    assert created.exit_code == 0, created.output
    response = login(client, "it@corp.local")
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_login_finds_the_account_whatever_the_case_of_the_address(client, make_staff):
    make_staff("manager", email="it@corp.local")
    assert login(client, "  IT@Corp.LOCAL ").status_code == 302
