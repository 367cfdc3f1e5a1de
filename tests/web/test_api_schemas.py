"""The API's input and output are declared once (app.api.schemas): what the views accept is what the OpenAPI
document says, and what they answer is what it describes."""

from datetime import datetime

import pytest
import schemathesis

from app.api.schemas import ApiError, Transition, parse
from app.committee.service import create_suggestion
from app.extensions import db
from app.models import ApiToken, Suggestion
from tests.web.results_helpers import campaign_with, satisfaction

EAST = "总部/华东区/杭州门店"


def bearer(make_staff, role):
    user = make_staff(role, email=f"{role}-schemas@example.com")
    token, plain = ApiToken.issue(user)
    db.session.add(token)
    db.session.commit()
    return {"Authorization": f"Bearer {plain}"}


def documented(client, path, method):
    """The operation of the document the app serves, able to check a response against it."""
    return schemathesis.openapi.from_dict(client.get("/api/v1/openapi.json").json)[path][method]


def test_results_of_a_campaign_not_yet_open_are_as_the_document_describes(client, make_staff):
    campaign = campaign_with([(6, "employee", EAST, "第一批", satisfaction(4))], opens_at=datetime(2099, 1, 1))
    response = client.get(f"/api/v1/campaigns/{campaign.id}/results", headers=bearer(make_staff, "manager"))
    assert response.status_code == 200 and response.json["campaign"]["status"] == "not_open"
    documented(client, "/api/v1/campaigns/{campaign_id}/results", "GET").validate_response(response)


def test_a_draft_campaign_in_the_campaign_list_is_as_the_document_describes(client, make_staff):
    campaign_with([], draft=True)
    response = client.get("/api/v1/campaigns", headers=bearer(make_staff, "manager"))
    assert response.json[0]["status"] == "draft"
    documented(client, "/api/v1/campaigns", "GET").validate_response(response)


def test_the_document_takes_request_bodies_from_the_models_the_views_validate_with(client):
    document = client.get("/api/v1/openapi.json").json
    body = document["paths"]["/api/v1/suggestions/{suggestion_id}/transitions"]["post"]["requestBody"]
    assert body["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Transition"}
    declared = document["components"]["schemas"]["Transition"]
    assert declared["required"] == ["to"] and set(declared["properties"]) == set(Transition.model_fields)


@pytest.mark.parametrize(
    "body,status,code,words",
    [
        (["to"], 400, "invalid_json", "JSON"),
        ({"note": "x"}, 400, "invalid_json", "to"),
        ({"to": 5}, 400, "invalid_json", "to"),
        ({"to": "nowhere"}, 409, "illegal", "未知状态“nowhere”"),
        ({"to": "adopted", "note": 5, "merged_into": True}, 422, "invalid_fields", "note、merged_into 类型不对"),
        ({"to": "adopted", "note": 5, "owner": "a\x00"}, 422, "invalid_fields", "note 类型不对"),
        ({"to": "adopted", "owner": "a\x00", "note": "\ud800"}, 422, "invalid_text", "note、owner 中含有"),
        ({"to": "under_review", "target_quarter": "明年"}, 422, "invalid_quarter", "2027Q1"),
    ],
)
def test_a_transition_body_is_refused_with_the_most_important_problem_first(body, status, code, words):
    with pytest.raises(ApiError) as refused:
        parse(Transition, body)
    assert (refused.value.status, refused.value.code) == (status, code) and words in refused.value.message


def test_unknown_body_fields_and_query_parameters_are_ignored_as_documented(client, make_staff):
    headers = bearer(make_staff, "manager")
    created = client.post("/api/v1/suggestions", json={"title": "少发DING", "colour": "红"}, headers=headers)
    assert created.status_code == 201
    assert client.get("/api/v1/suggestions?colour=red&status=").status_code == 200


def test_include_takes_a_comma_separated_list_as_before(client, make_staff):
    campaign = campaign_with([(12, "employee", EAST, "第一批", satisfaction(4, text="审批太慢"))])
    response = client.get(
        f"/api/v1/campaigns/{campaign.id}/results?include=negative_share,negative_share&level=03",
        headers=bearer(make_staff, "manager"),
    )
    assert response.status_code == 200, response.json


def test_a_target_quarter_that_is_no_quarter_is_refused_whatever_the_transition(client, make_staff):
    suggestion = create_suggestion(db.session, "审批流程太长", "说明", "other")
    db.session.commit()
    response = client.post(
        f"/api/v1/suggestions/{suggestion.id}/transitions",
        json={"to": "under_review", "target_quarter": "明年"},
        headers=bearer(make_staff, "committee"),
    )
    assert response.status_code == 422 and response.json["error"] == "invalid_quarter"
    assert db.session.get(Suggestion, suggestion.id).status == "submitted"
