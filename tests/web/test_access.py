"""Deny by default: every route declares its roles, and the declarations are enforced."""

from app.access import KNOWN_ROLES, allowed_roles


def test_every_route_declares_its_roles(app):
    undeclared = [rule.rule for rule in app.url_map.iter_rules() if allowed_roles(app, rule.endpoint) is None]
    assert undeclared == []


def test_declared_roles_are_known(app):
    for rule in app.url_map.iter_rules():
        assert allowed_roles(app, rule.endpoint) <= KNOWN_ROLES, rule.rule


def test_undeclared_route_is_denied(app, client):
    app.add_url_rule("/undeclared", "undeclared", lambda: "secret")
    assert client.get("/undeclared").status_code == 403


def test_admin_pages_are_admin_only(client, login_as):
    login_as("manager")
    for path in ("/admin/people", "/admin/people/import", "/admin/users"):
        response = client.get(path)
        assert response.status_code == 403, path
        assert "没有权限" in response.get_data(as_text=True)


def test_committee_cannot_see_admin_pages(client, login_as):
    login_as("committee")
    assert client.get("/admin/users").status_code == 403


def test_every_staff_only_get_route_redirects_anonymous_to_login(app, client):
    for rule in app.url_map.iter_rules():
        roles = allowed_roles(app, rule.endpoint)
        if "public" in roles or "GET" not in rule.methods or rule.arguments:
            continue
        response = client.get(rule.rule)
        if rule.rule.startswith("/api/"):
            assert response.status_code == 401, rule.rule
        else:
            assert response.status_code == 302, rule.rule
            assert response.headers["Location"].startswith("/login"), rule.rule
