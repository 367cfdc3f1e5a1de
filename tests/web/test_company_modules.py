"""A company's own modules everywhere: results, the quarterly report, suggestion categories, the board's
filters and the API's enums (and the OpenAPI document) come from the instruments in use, and an existing
suggestion keeps its module when the instruments change."""

from sqlalchemy import delete

import surveys
from app.committee.service import create_suggestion, module_choices, module_labels, publish
from app.extensions import db
from app.models import ApiToken, Campaign
from tests.conftest import csrf_token_from
from tests.web.instrument_helpers import import_erp
from tests.web.respond_helpers import make_campaign
from tests.web.results_helpers import add_responses

EAST = "总部/华东区/杭州门店"


def erp_answers(purchase=4, stock=2):
    return {"purchase": purchase, "stock": stock, "uses_report": "yes_", "report": 3}


def erp_campaign(quarter="2026Q4", version_mutate=None):
    import_erp(version_mutate)
    campaign, _ = make_campaign("erp-quarterly", people=0, quarter=quarter)
    add_responses(campaign, [(12, "employee", EAST, "第一批", erp_answers())])
    return campaign


def bearer(make_staff, role):
    token, plain = ApiToken.issue(make_staff(role, email=f"{role}-modules@example.com"))
    db.session.add(token)
    db.session.commit()
    return {"Authorization": f"Bearer {plain}"}


def test_results_pages_show_the_companys_modules(client, login_as):
    campaign = erp_campaign()
    login_as("manager")
    for page in ("", "/heatmap", "/breakdown?by=role"):
        html = client.get(f"/results/{campaign.id}{page}").get_data(as_text=True)
        assert "采购管理" in html and "库存管理" in html, page
        assert "考勤打卡" not in html, page
    scores = client.get(f"/api/v1/campaigns/{campaign.id}/results").json["overall"]["scores"]["modules"]
    assert scores == {"purchase": 4.0, "stock": 2.0, "report": 3.0}


def test_the_quarterly_report_shows_the_companys_modules(client, login_as):
    erp_campaign()
    login_as("manager")
    html = client.get("/reports/2026Q4").get_data(as_text=True)
    assert "采购管理" in html and "库存管理" in html and "报表中心" in html


def test_suggestion_categories_and_board_filters_are_the_modules_in_use(client, login_as):
    erp_campaign()
    assert list(module_choices(db.session)) == ["purchase", "stock", "report", "other"]
    login_as("committee")
    page = client.get("/committee/new").get_data(as_text=True)
    assert 'value="purchase"' in page and "采购管理" in page and 'value="attendance"' not in page
    response = client.post(
        "/committee/new",
        data={"csrf_token": csrf_token_from(page), "title": "采购审批太慢", "module": "purchase"},
    )
    assert response.status_code == 302
    board = client.get("/board/").get_data(as_text=True)
    assert '<option value="purchase"' in board and "采购管理" in board and 'value="attendance"' not in board
    refused = client.post(
        "/committee/new", data={"csrf_token": csrf_token_from(page), "title": "考勤", "module": "attendance"}
    )
    assert refused.status_code == 200 and "不是有效的选择" in refused.get_data(as_text=True)


def test_the_api_and_its_openapi_document_enumerate_the_modules_in_use(client, make_staff):
    erp_campaign()
    document = client.get("/api/v1/openapi.json").json
    module = document["components"]["schemas"]["NewSuggestion"]["properties"]["module"]
    enums = [option.get("enum") for option in module["anyOf"] if "enum" in option]
    assert enums == [["purchase", "stock", "report", "other", ""]]
    parameters = document["paths"]["/api/v1/suggestions"]["get"]["parameters"]
    assert next(p for p in parameters if p["name"] == "module")["schema"]["enum"] == [
        "purchase", "stock", "report", "other", "",
    ]  # fmt: skip
    headers = bearer(make_staff, "manager")
    created = client.post("/api/v1/suggestions", json={"title": "库存盘点慢", "module": "stock"}, headers=headers)
    assert created.status_code == 201 and created.json["module"] == "stock"
    refused = client.post("/api/v1/suggestions", json={"title": "考勤", "module": "attendance"}, headers=headers)
    assert refused.status_code == 422 and "未知模块“attendance”" in refused.json["message"]
    assert client.get("/api/v1/suggestions?module=attendance").status_code == 400


def test_an_existing_suggestion_keeps_its_module_when_the_instruments_change(client, make_staff):
    first = erp_campaign()
    suggestion = create_suggestion(db.session, "库存盘点慢", "", "stock")
    publish(db.session, suggestion, None)
    db.session.commit()
    without_stock = erp_campaign(
        "2027Q1",
        lambda d: (d["questions"].pop(1), d["scales"].pop(1), d.update(title={"zh": "ERP 调查（第二版）"})),
    )
    db.session.execute(delete(Campaign).where(Campaign.id == first.id))  # no campaign asks about stock now
    db.session.commit()
    assert "stock" not in module_choices(db.session) and without_stock.id
    assert module_labels(db.session)["stock"] == "库存管理"
    db.session.refresh(suggestion)
    assert suggestion.module == "stock"
    board = client.get("/board/?module=stock").get_data(as_text=True)
    assert "库存盘点慢" in board and '<option value="stock" selected>库存管理</option>' in board
    assert client.get("/api/v1/suggestions?module=stock").json[0]["module"] == "stock"


def test_modules_in_use_are_those_of_the_versions_campaigns_use(app):
    """The built-ins' modules are not offered while no campaign uses them (a company rolling out an ERP)."""
    assert surveys.load_builtin("quarterly-satisfaction")  # stored, but in no campaign
    assert list(module_choices(db.session)) == ["other"]
