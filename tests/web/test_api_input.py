"""API input that fuzzing showed crashing (500) or silently accepted: each now gets a clear JSON error."""

import pytest

from app.committee.service import create_suggestion
from app.extensions import db
from app.models import ApiToken
from tests.web.results_helpers import campaign_with, satisfaction

BEYOND_ANY_ID = 10**30  # past SQLite's 64-bit integers: the driver raised OverflowError


def bearer(make_staff, role):
    user = make_staff(role, email=f"{role}-input@example.com")
    token, plain = ApiToken.issue(user)
    db.session.add(token)
    db.session.commit()
    return {"Authorization": f"Bearer {plain}"}


def a_suggestion(title="审批流程太长"):
    suggestion = create_suggestion(db.session, title, "说明", "other")
    db.session.commit()
    return suggestion


def assert_json_error(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json and response.json["error"] and response.json["message"]


@pytest.mark.parametrize("level", ["²", "٣", "1.5", "-1", "x", ""])
def test_results_with_non_integer_level_is_a_400(client, make_staff, level):
    campaign = campaign_with([(12, "employee", "总部/华东区/杭州门店", "第一批", satisfaction(4))])
    response = client.get(
        f"/api/v1/campaigns/{campaign.id}/results?by=department&level={level}", headers=bearer(make_staff, "manager")
    )
    assert_json_error(response, 400)
    assert "level" in response.json["message"]


def test_results_with_an_unknown_include_is_a_400(client, make_staff):
    campaign = campaign_with([(12, "employee", "总部/华东区/杭州门店", "第一批", satisfaction(4))])
    response = client.get(
        f"/api/v1/campaigns/{campaign.id}/results?include=salaries", headers=bearer(make_staff, "manager")
    )
    assert_json_error(response, 400)
    assert "include" in response.json["message"]


@pytest.mark.parametrize(
    "method,path,role",
    [
        ("get", "/api/v1/campaigns/{id}/results", "manager"),
        ("get", "/api/v1/theme-runs/{id}", "manager"),
        ("get", "/api/v1/theme-runs/{id}/themes", "manager"),
        ("post", "/api/v1/suggestions/{id}/publish", "committee"),
        ("post", "/api/v1/suggestions/{id}/transitions", "committee"),
    ],
)
def test_an_id_beyond_the_database_range_is_a_404(client, make_staff, method, path, role):
    response = getattr(client, method)(
        path.format(id=BEYOND_ANY_ID), json={"to": "under_review"}, headers=bearer(make_staff, role)
    )
    assert_json_error(response, 404)


def test_a_theme_id_beyond_the_database_range_is_a_422(client, make_staff):
    response = client.post(
        "/api/v1/suggestions",
        json={"title": "少发DING", "theme_ids": [BEYOND_ANY_ID]},
        headers=bearer(make_staff, "manager"),
    )
    assert_json_error(response, 422)


def test_merging_into_an_id_beyond_the_database_range_is_a_422(client, make_staff):
    suggestion = a_suggestion()
    suggestion.status = "under_review"
    db.session.commit()
    response = client.post(
        f"/api/v1/suggestions/{suggestion.id}/transitions",
        json={"to": "merged", "note": "重复", "merged_into": BEYOND_ANY_ID},
        headers=bearer(make_staff, "committee"),
    )
    assert_json_error(response, 422)


@pytest.mark.parametrize("theme_ids", [False, 0, "", {}, "1"])
def test_theme_ids_that_are_not_an_array_are_a_422(client, make_staff, theme_ids):
    response = client.post(
        "/api/v1/suggestions", json={"title": "少发DING", "theme_ids": theme_ids}, headers=bearer(make_staff, "manager")
    )
    assert_json_error(response, 422)
    assert "theme_ids" in response.json["message"]


@pytest.mark.parametrize(
    "field,value",
    [
        ("merged_into", True),
        ("merged_into", "2"),
        ("note", 5),
        ("owner", ["committee@example.com"]),
        ("target_quarter", 2027),
    ],
)
def test_transition_fields_of_the_wrong_type_are_a_422(client, make_staff, field, value):
    suggestion, other = a_suggestion(), a_suggestion("另一条")
    suggestion.status = "under_review"
    db.session.commit()
    response = client.post(
        f"/api/v1/suggestions/{suggestion.id}/transitions",
        json={"to": "merged", "note": "重复", "merged_into": other.id, field: value},
        headers=bearer(make_staff, "committee"),
    )
    assert_json_error(response, 422)
    assert field in response.json["message"]
    assert db.session.get(type(suggestion), suggestion.id).status == "under_review"


@pytest.mark.parametrize(
    "field,value",
    [("note", "理由\x00"), ("note", "理由\ud800"), ("owner", "\ud800@example.com"), ("target_quarter", "2027Q1\x00")],
)
def test_transition_text_that_cannot_be_stored_is_a_422(client, make_staff, field, value):
    suggestion = a_suggestion()
    body = {"to": "under_review", field: value}
    response = client.post(
        f"/api/v1/suggestions/{suggestion.id}/transitions", json=body, headers=bearer(make_staff, "committee")
    )
    assert_json_error(response, 422)
    assert field in response.json["message"]


def test_adopting_with_a_target_quarter_followed_by_a_newline_is_a_422(client, make_staff):
    suggestion = a_suggestion()
    suggestion.status = "under_review"
    db.session.commit()
    committee = bearer(make_staff, "committee")
    response = client.post(
        f"/api/v1/suggestions/{suggestion.id}/transitions",
        json={"to": "adopted", "owner": "committee-input@example.com", "target_quarter": "2027Q1\n"},
        headers=committee,
    )
    assert_json_error(response, 422)
    assert db.session.get(type(suggestion), suggestion.id).target_quarter is None


@pytest.mark.parametrize(
    "method,path",
    [("delete", "/api/v1/campaigns"), ("put", "/api/v1/suggestions"), ("trace", "/api/v1/suggestions/1/publish")],
)
def test_an_unsupported_method_is_a_405_that_names_the_allowed_ones(client, method, path):
    response = client.open(path, method=method.upper())
    assert_json_error(response, 405)
    assert "GET" in response.headers["Allow"] or "POST" in response.headers["Allow"]
