import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import ApiToken, AuditLog, StaffUser
from app.models.staff import sha256_hex
from tests.conftest import PASSWORD, csrf_token_from, login


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


# --- Accounts an admin controls (issue 13 step 6) -------------------------------------------------------


def admin_post(client, path, **data):
    """POST as the logged-in admin with the CSRF token of the users page."""
    token = csrf_token_from(client.get("/admin/users").get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **data})


def audit_actions(target_id) -> list[str]:
    rows = db.session.execute(
        select(AuditLog.action).where(AuditLog.target_id == str(target_id)).order_by(AuditLog.id)
    ).scalars()
    return list(rows)


def bearer(user) -> dict:
    token, plain = ApiToken.issue(user)
    db.session.add(token)
    db.session.commit()
    return {"Authorization": f"Bearer {plain}"}


def test_new_account_form_preselects_no_role(client, login_as):
    login_as("admin")
    page = client.get("/admin/users").get_data(as_text=True)
    role_select = re.search(r'<select id="role" name="role"[^>]*>(.*?)</select>', page, re.S).group(1)
    assert role_select.startswith('<option value="">') and "selected" not in role_select
    response = client.post(
        "/admin/users",
        data={"csrf_token": csrf_token_from(page), "email": "x@example.com", "name": "X", "password": PASSWORD},
    )
    assert "请选择角色" in response.get_data(as_text=True)
    assert db.session.execute(select(StaffUser).where(StaffUser.email == "x@example.com")).first() is None


def test_cli_create_needs_a_role(runner, monkeypatch):
    monkeypatch.setenv("CP_PASSWORD", PASSWORD)
    result = runner.invoke(args=["users", "create", "x@example.com"])
    assert result.exit_code != 0 and "--role" in result.output


def test_page_creates_an_account_at_an_intranet_domain(client, login_as):
    login_as("admin")
    response = admin_post(
        client, "/admin/users", email="IT@corp.local", name="IT", role="manager", password="long password 123"
    )
    assert response.status_code == 302
    assert db.session.execute(select(StaffUser.role).where(StaffUser.email == "it@corp.local")).scalar_one()


@pytest.mark.parametrize(
    "address", ["not-an-email", "a@b", "a b@corp.local", "a@corp..local", "@corp.local", "a@-x.cn"]
)
def test_page_and_cli_refuse_the_same_addresses_with_the_same_message(client, runner, login_as, monkeypatch, address):
    login_as("admin")
    page = admin_post(client, "/admin/users", email=address, name="X", role="manager", password=PASSWORD)
    monkeypatch.setenv("CP_PASSWORD", PASSWORD)
    cli = runner.invoke(args=["users", "create", address, "--role", "manager"])
    assert cli.exit_code == 1
    assert "邮箱格式不正确" in page.get_data(as_text=True) and "邮箱格式不正确" in cli.output
    assert db.session.execute(select(func.count()).select_from(StaffUser)).scalar_one() == 1


def test_disabling_an_account_ends_its_sessions_and_api_tokens(app, client, login_as, make_staff):
    login_as("admin")
    manager = make_staff("manager")
    headers = bearer(manager)
    theirs = app.test_client()
    login(theirs, manager.email)
    assert client.get("/api/v1/campaigns", headers=headers).status_code == 200
    response = admin_post(client, f"/admin/users/{manager.id}/disable")
    assert response.status_code == 302
    assert theirs.get("/campaigns/").headers["Location"].startswith("/login")
    assert app.test_client().get("/api/v1/campaigns", headers=headers).status_code == 401
    assert "此账号已停用" in login(app.test_client(), manager.email).get_data(as_text=True)
    assert db.session.execute(select(ApiToken.revoked_at)).scalar_one() is not None
    assert audit_actions(manager.id)[-2:] == ["api_token.revoke_all", "staff.disable"]


def test_api_token_of_a_disabled_user_stops_working(app, client, make_staff):
    manager = make_staff("manager")
    headers = bearer(manager)
    manager.active = False
    db.session.commit()
    assert client.get("/api/v1/campaigns", headers=headers).status_code == 401


def test_re_enabled_account_can_log_in_again(app, client, login_as, make_staff):
    login_as("admin")
    manager = make_staff("manager")
    admin_post(client, f"/admin/users/{manager.id}/disable")
    assert admin_post(client, f"/admin/users/{manager.id}/enable").status_code == 302
    assert login(app.test_client(), manager.email).status_code == 302
    assert audit_actions(manager.id)[-1] == "staff.enable"


def test_admin_cannot_disable_or_demote_themself(client, login_as):
    admin = login_as("admin")
    disabled = admin_post(client, f"/admin/users/{admin.id}/disable")
    demoted = admin_post(client, f"/admin/users/{admin.id}/role", role="manager")
    assert disabled.status_code == demoted.status_code == 302
    db.session.refresh(admin)
    assert (admin.active, admin.role) == (True, "admin")
    assert "不能停用自己的账号" in client.get("/admin/users").get_data(as_text=True)


def test_the_last_active_admin_is_never_disabled_or_demoted(app, make_staff):
    from app.staff import StaffUserError, change_role, set_active

    only_admin = make_staff("admin")
    with pytest.raises(StaffUserError, match="最后一个"):
        set_active(db.session, None, only_admin, False)
    with pytest.raises(StaffUserError, match="最后一个"):
        change_role(db.session, None, only_admin, "manager")
    second = make_staff("admin", email="second@example.com")
    set_active(db.session, None, second, False)
    with pytest.raises(StaffUserError, match="最后一个"):
        set_active(db.session, None, only_admin, False)


def test_admin_demotes_another_admin_and_their_sessions_end(app, client, login_as, make_staff):
    login_as("admin")
    other = make_staff("admin", email="other@example.com")
    theirs = app.test_client()
    login(theirs, other.email)
    response = admin_post(client, f"/admin/users/{other.id}/role", role="committee")
    assert response.status_code == 302
    db.session.refresh(other)
    assert other.role == "committee"
    assert theirs.get("/committee/").headers["Location"].startswith("/login")
    assert audit_actions(other.id)[-1] == "staff.change_role"


def test_role_change_with_an_unknown_role_is_refused(client, login_as, make_staff):
    login_as("admin")
    manager = make_staff("manager")
    assert admin_post(client, f"/admin/users/{manager.id}/role", role="king").status_code == 400
    db.session.refresh(manager)
    assert manager.role == "manager"


def test_password_reset_shows_a_temporary_password_once_and_ends_sessions(app, client, login_as, make_staff):
    login_as("admin")
    manager = make_staff("manager")
    theirs = app.test_client()
    login(theirs, manager.email)
    response = admin_post(client, f"/admin/users/{manager.id}/password")
    assert response.headers["Cache-Control"] == "no-store"
    temporary = re.search(r'data-temporary-password="([^"]+)"', response.get_data(as_text=True)).group(1)
    assert temporary not in client.get("/admin/users").get_data(as_text=True)
    assert theirs.get("/campaigns/").headers["Location"].startswith("/login")
    assert login(app.test_client(), manager.email).status_code == 200  # the old password no longer works
    first = login(app.test_client(), manager.email, password=temporary)
    assert first.headers["Location"] == "/account/password"
    assert audit_actions(manager.id)[-1] == "staff.reset_password"


def test_revoke_all_tokens_of_an_account(app, client, login_as, make_staff):
    login_as("admin")
    manager = make_staff("manager")
    first, second = bearer(manager), bearer(manager)
    response = admin_post(client, f"/admin/users/{manager.id}/tokens/revoke")
    assert response.status_code == 302
    for headers in (first, second):
        assert app.test_client().get("/api/v1/campaigns", headers=headers).status_code == 401
    assert db.session.execute(select(func.count()).where(ApiToken.revoked_at.is_(None))).scalar_one() == 0
    assert audit_actions(manager.id)[-1] == "api_token.revoke_all"


def test_last_login_is_recorded_and_shown(app, client, login_as, make_staff):
    login_as("admin")
    manager = make_staff("manager")
    assert "从未登录" in client.get("/admin/users").get_data(as_text=True)
    login(app.test_client(), manager.email)
    db.session.refresh(manager)
    assert manager.last_login_at is not None
    row = re.search(
        rf'data-staff-user="{manager.id}">(.*?)</tr>', client.get("/admin/users").get_data(as_text=True), re.S
    )
    assert f"{manager.last_login_at.year}年" in row.group(1)


@pytest.mark.parametrize("action", ["disable", "enable", "password", "role", "tokens", "tokens/revoke"])
def test_account_actions_need_the_csrf_token(client, login_as, make_staff, action):
    login_as("admin")
    manager = make_staff("manager")
    assert client.post(f"/admin/users/{manager.id}/{action}", data={"role": "committee"}).status_code == 400
    db.session.refresh(manager)
    assert (manager.active, manager.role, manager.must_change_password) == (True, "manager", False)


@pytest.mark.parametrize("role", ["manager", "committee"])
@pytest.mark.parametrize("action", ["disable", "enable", "password", "role", "tokens", "tokens/revoke"])
def test_account_actions_are_admin_only(client, login_as, make_staff, role, action):
    user = login_as(role)
    token = csrf_token_from(client.get("/board/suggest").get_data(as_text=True))
    response = client.post(f"/admin/users/{user.id}/{action}", data={"csrf_token": token, "role": "admin"})
    assert response.status_code == 403
    db.session.refresh(user)
    assert (user.active, user.role, user.must_change_password) == (True, role, False)


def test_users_page_is_complete_in_english(client, login_as, make_staff):
    login_as("admin")
    make_staff("manager")
    token = csrf_token_from(client.get("/admin/users").get_data(as_text=True))
    client.post("/language", data={"lang": "en", "next": "/", "csrf_token": token})
    main = client.get("/admin/users").get_data(as_text=True).split("<main", 1)[1].split("</main>")[0]
    assert "Reset password" in main and re.findall(r"[\u4e00-\u9fff]+", main) == []
