from sqlalchemy import select

from app.extensions import db
from app.models import ApiToken, StaffUser
from app.models.staff import sha256_hex
from tests.conftest import csrf_token_from


def test_cli_creates_user_with_password_from_environment(runner, monkeypatch):
    monkeypatch.setenv("CP_PASSWORD", "a long enough password")
    result = runner.invoke(args=["users", "create", "Pm@Example.com", "--role", "manager", "--name", "项目经理"])
    assert result.exit_code == 0, result.output
    user = db.session.execute(select(StaffUser)).scalar_one()
    assert (user.email, user.role, user.name) == ("pm@example.com", "manager", "项目经理")
    assert user.check_password("a long enough password")


def test_cli_refuses_unknown_role_and_duplicates(runner, monkeypatch):
    monkeypatch.setenv("CP_PASSWORD", "a long enough password")
    assert runner.invoke(args=["users", "create", "x@example.com", "--role", "boss"]).exit_code != 0
    assert runner.invoke(args=["users", "create", "x@example.com", "--role", "admin"]).exit_code == 0
    again = runner.invoke(args=["users", "create", "X@example.com", "--role", "admin"])
    assert again.exit_code == 1 and "已有账号" in again.output


def test_cli_token_prints_token_on_last_line_and_stores_only_hash(runner, make_staff):
    user = make_staff("manager")
    result = runner.invoke(args=["users", "token", user.email])
    assert result.exit_code == 0
    plain = result.output.strip().splitlines()[-1]
    stored = db.session.execute(select(ApiToken)).scalar_one()
    assert stored.token_hash == sha256_hex(plain) and plain not in stored.token_hash


def test_admin_creates_user_on_users_page(client, login_as):
    login_as("admin")
    page = client.get("/admin/users").get_data(as_text=True)
    response = client.post(
        "/admin/users",
        data={
            "csrf_token": csrf_token_from(page),
            "email": "c@example.com",
            "name": "委员",
            "role": "committee",
            "password": "long password 123",
        },
    )
    assert response.status_code == 302
    assert (
        db.session.execute(select(StaffUser.role).where(StaffUser.email == "c@example.com")).scalar_one() == "committee"
    )


def test_admin_users_page_shows_short_password_error_and_keeps_input(client, login_as):
    login_as("admin")
    page = client.get("/admin/users").get_data(as_text=True)
    response = client.post(
        "/admin/users",
        data={
            "csrf_token": csrf_token_from(page),
            "email": "c@example.com",
            "name": "委员",
            "role": "committee",
            "password": "short",
        },
    )
    html = response.get_data(as_text=True)
    assert "密码长度需为 10–200 个字符" in html
    assert 'value="c@example.com"' in html


def test_admin_issues_and_revokes_token(client, login_as):
    admin = login_as("admin")
    page = client.get("/admin/users").get_data(as_text=True)
    response = client.post(f"/admin/users/{admin.id}/tokens", data={"csrf_token": csrf_token_from(page)})
    html = response.get_data(as_text=True)
    assert "只显示这一次" in html
    token = db.session.execute(select(ApiToken)).scalar_one()
    response = client.post(f"/admin/tokens/{token.id}/revoke", data={"csrf_token": csrf_token_from(html)})
    assert response.status_code == 302
    db.session.refresh(token)
    assert token.revoked_at is not None
