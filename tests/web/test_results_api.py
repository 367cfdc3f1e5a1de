"""The results API and pages: roles, bearer tokens, suppression, and agreement with the OpenAPI file."""

import html
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import ApiToken
from tests.web.results_helpers import add_responses, campaign_with, readiness, satisfaction

EAST = "总部/华东区/杭州门店"
SOUTH = "总部/华南区/深圳门店"


def standard_campaign():
    return campaign_with(
        [
            (20, "employee", EAST, "第一批", satisfaction(4, 9, 2, "审批太慢")),
            (12, "manager", SOUTH, "第二批", satisfaction(2, 5, 4, "消息太多")),
            (3, "executive", SOUTH, "第二批", satisfaction(5, 10, 5)),
        ]
    )


def token_for(role, make_staff):
    user = make_staff(role, email=f"api-{role}@example.com")
    token, plain = ApiToken.issue(user)
    db.session.add(token)
    db.session.commit()
    return plain


def test_anonymous_gets_401_json(client):
    campaign = standard_campaign()
    response = client.get(f"/api/v1/campaigns/{campaign.id}/results")
    assert response.status_code == 401 and response.json["error"] == "unauthorized"


@pytest.mark.parametrize("role", ["committee", "admin"])
def test_other_roles_get_403_for_results(client, make_staff, role):
    campaign = standard_campaign()
    plain = token_for(role, make_staff)
    response = client.get(f"/api/v1/campaigns/{campaign.id}/results", headers={"Authorization": f"Bearer {plain}"})
    assert response.status_code == 403


def test_manager_bearer_token_reads_results_with_suppression(client, make_staff):
    campaign = standard_campaign()
    plain = token_for("manager", make_staff)
    body = client.get(
        f"/api/v1/campaigns/{campaign.id}/results?by=role", headers={"Authorization": f"Bearer {plain}"}
    ).json
    assert body["overall"]["n"] == 35 and body["overall"]["scores"]["sus"] is not None
    assert set(body["overall"]["scores"]) >= {"sus", "enps", "modules"}
    segments = {s["key"]: s for s in body["segments"]}
    executive = segments["executive"]
    assert executive["suppressed"] and executive["n"] == "<5" and executive["scores"] is None
    assert "不足 5 人" in executive["message"]
    # hiding 3 executives alone would let them be computed from the total: a complement is hidden too
    assert sum(1 for s in body["segments"] if s["suppressed"]) >= 2
    released = [s for s in body["segments"] if not s["suppressed"]]
    assert all(isinstance(s["n"], int) and s["n"] >= 5 for s in released)


def test_revoked_token_is_refused(client, make_staff):
    campaign = standard_campaign()
    plain = token_for("manager", make_staff)
    from app.models.types import utcnow

    db.session.execute(select(ApiToken)).scalar_one().revoked_at = utcnow()
    db.session.commit()
    response = client.get(f"/api/v1/campaigns/{campaign.id}/results", headers={"Authorization": f"Bearer {plain}"})
    assert response.status_code == 401


def test_wrong_bearer_token_is_refused(client):
    campaign = standard_campaign()
    response = client.get(f"/api/v1/campaigns/{campaign.id}/results", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401


def test_invalid_parameters_get_400_with_a_message(client, login_as):
    campaign = standard_campaign()
    login_as("manager")
    bad_by = client.get(f"/api/v1/campaigns/{campaign.id}/results?by=salary")
    assert bad_by.status_code == 400 and "by" in bad_by.json["message"]
    assert client.get(f"/api/v1/campaigns/{campaign.id}/results?by=department&level=x").status_code == 400
    assert client.get("/api/v1/campaigns/999/results").status_code == 404


def test_department_results_at_a_chosen_level(client, login_as):
    campaign = standard_campaign()
    login_as("manager")
    body = client.get(f"/api/v1/campaigns/{campaign.id}/results?by=department&level=2").json
    assert body["level"] == 2
    assert {s["key"] for s in body["segments"]} == {"总部/华东区", "总部/华南区"}
    east = next(s for s in body["segments"] if s["key"] == "总部/华东区")
    assert east["scores"]["modules"]["approval"] == 2.0 and east["n"] == 20


def test_quarter_results_list_each_quarter(client, login_as):
    older = campaign_with([(6, "employee", EAST, "第一批", satisfaction(2))], quarter="2026Q3")
    newer = campaign_with([(6, "employee", EAST, "第一批", satisfaction(4))])
    login_as("manager")
    body = client.get(f"/api/v1/campaigns/{newer.id}/results?by=quarter").json
    assert [s["key"] for s in body["segments"]] == ["2026Q3", "2026Q4"]
    assert body["segments"][0]["scores"]["sus"] == 25.0 and body["segments"][1]["scores"]["sus"] == 75.0
    assert older.id != newer.id


def test_figures_wait_for_k_new_responses_before_updating(client, login_as):
    campaign = campaign_with([(10, "employee", EAST, "第一批", satisfaction(3))])
    login_as("manager")
    first = client.get(f"/api/v1/campaigns/{campaign.id}/results").json["overall"]
    add_responses(campaign, [(2, "employee", EAST, "第一批", satisfaction(5))])
    body = client.get(f"/api/v1/campaigns/{campaign.id}/results").json
    second = body["overall"]
    assert second["n"] == first["n"] == 10 and second["scores"] == first["scores"]
    assert body["release"] == {"step": 1, "next_update_in": 3}, "the page says when, never how many arrived"
    add_responses(campaign, [(3, "employee", EAST, "第一批", satisfaction(5))])
    third = client.get(f"/api/v1/campaigns/{campaign.id}/results").json["overall"]
    assert third["n"] == 15 and third["scores"]["sus"] != first["scores"]["sus"]


def test_campaign_below_k_shows_nothing(client, login_as):
    campaign = campaign_with([(3, "employee", EAST, "第一批", satisfaction(3))])
    login_as("manager")
    body = client.get(f"/api/v1/campaigns/{campaign.id}/results").json
    assert body["overall"]["suppressed"] and body["overall"]["scores"] is None
    assert all(s["suppressed"] for s in body["segments"])


def test_every_api_route_is_in_the_openapi_document(app, client):
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"].startswith("3.")
    documented = set(document["paths"])
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            path = rule.rule.replace("<int:", "{").replace("<", "{").replace(">", "}")
            assert path in documented, path


def test_campaign_list_api(client, login_as):
    standard_campaign()
    login_as("manager")
    body = client.get("/api/v1/campaigns").json
    assert body[0]["quarter"] == "2026Q4" and "response_rate" in body[0]


def readiness_campaign():
    """A change-readiness campaign (ADKAR and resistance scales, no SUS or eNPS) with last quarter's before it."""
    campaign_with([(8, "employee", EAST, "第一批", readiness(3))], instrument="change-readiness", quarter="2026Q3")
    return campaign_with(
        [
            (12, "employee", EAST, "第一批", readiness(4, "怕学不会")),
            (9, "manager", SOUTH, "第二批", readiness(2, "老系统更顺手")),
            (2, "executive", SOUTH, "第二批", readiness(5)),
        ],
        instrument="change-readiness",
    )


RESULT_PAGES = [
    "/results/{id}",
    "/results/{id}/heatmap",
    "/results/{id}/breakdown?by=role",
    "/results/{id}/breakdown?by=wave",
    "/results/{id}/breakdown?by=quarter",
    "/results/{id}/breakdown?by=department&level=3",
    "/results/{id}/comments",
    "/results/{id}/drivers",
    "/results/{id}/drivers?group=role=employee",
]


@pytest.mark.parametrize("build", [standard_campaign, readiness_campaign], ids=["satisfaction", "readiness"])
@pytest.mark.parametrize("path", RESULT_PAGES)
def test_result_pages_render_for_managers_for_every_instrument(client, login_as, build, path):
    campaign = build()
    login_as("manager")
    response = client.get(path.format(id=campaign.id))
    assert response.status_code == 200


def test_readiness_overview_shows_its_own_scales_and_their_change(client, login_as):
    campaign = readiness_campaign()
    login_as("manager")
    page = client.get(f"/results/{campaign.id}").get_data(as_text=True)
    assert "知晓（Awareness）" in page and "惯性依赖" in page and "SUS" not in page
    assert "较 2026年第三季度 的变化" in page
    assert "+61" in page  # awareness: 14 of 23 favourable now, none of 8 (all neutral) last quarter


def test_heatmap_greys_out_small_departments_with_the_reason(client, login_as):
    campaign = campaign_with(
        [
            (20, "employee", EAST, "第一批", satisfaction(4)),
            (12, "employee", SOUTH, "第一批", satisfaction(2)),
            (2, "employee", "总部/华北区/北京门店", "第一批", satisfaction(1)),
        ]
    )
    login_as("manager")
    page = client.get(f"/results/{campaign.id}/heatmap?level=3").get_data(as_text=True)
    assert page.count("heat-suppressed") >= 2 and "不足 5 人" in page


def test_result_pages_are_manager_only(client, login_as):
    campaign = standard_campaign()
    login_as("committee")
    assert client.get(f"/results/{campaign.id}").status_code == 403


def test_comments_need_k_text_respondents(client, login_as):
    campaign = campaign_with([(8, "employee", EAST, "第一批", satisfaction(3, text="审批太慢了"))])
    login_as("manager")
    page = client.get(f"/results/{campaign.id}/comments").get_data(as_text=True)
    assert "审批太慢了" not in page and "不足 10 人" in page
    add_responses(campaign, [(5, "employee", EAST, "第一批", satisfaction(3, text="<b>消息</b>太多"))])
    page = client.get(f"/results/{campaign.id}/comments").get_data(as_text=True)
    assert "审批太慢了" in page and "&lt;b&gt;消息&lt;/b&gt;太多" in page


def test_negative_comment_share_only_for_groups_meeting_k_text(client, login_as):
    campaign = campaign_with(
        [
            (12, "employee", EAST, "第一批", satisfaction(4, text="审批太慢，很麻烦")),
            (6, "manager", SOUTH, "第二批", satisfaction(2, text="打卡很方便，好用")),
            (10, "manager", SOUTH, "第二批", satisfaction(2, text="无")),
        ]
    )
    login_as("manager")
    assert (
        "negative_comment_share" not in client.get(f"/api/v1/campaigns/{campaign.id}/results?by=role").json["overall"]
    )
    body = client.get(f"/api/v1/campaigns/{campaign.id}/results?by=role&include=negative_share").json
    assert body["overall"]["negative_comment_share"] == round(12 / 18, 3)
    segments = {s["key"]: s for s in body["segments"]}
    assert segments["employee"]["negative_comment_share"] == 1.0
    assert "negative_comment_share" in segments["manager"] or segments["manager"]["suppressed"]
    assert segments["manager"].get("negative_comment_share", 0.0) == 0.0


def test_every_comment_is_reachable_page_by_page(client, login_as):
    """60 released comments: page 1 shows 50, its next link the other 10, none twice, nothing past the end."""
    texts = [f"第{i:02d}条意见" for i in range(60)]
    campaign = campaign_with([(1, "employee", EAST, "第一批", satisfaction(3, text=text)) for text in texts])
    campaign.status = "closed"
    db.session.commit()
    login_as("manager")
    first = client.get(f"/results/{campaign.id}/comments").get_data(as_text=True)
    following = re.search(r'<a rel="next" href="([^"]+)"', first)
    assert following and "第 1 页，共 2 页" in first
    second = client.get(html.unescape(following.group(1))).get_data(as_text=True)
    shown = [re.findall(r"<blockquote[^>]*>([^<]*)</blockquote>", page) for page in (first, second)]
    assert (len(shown[0]), len(shown[1])) == (50, 10) and sorted(shown[0] + shown[1]) == texts
    assert 'rel="next"' not in second and 'rel="prev"' in second
    past = client.get(f"/results/{campaign.id}/comments?page=9").get_data(as_text=True)
    assert re.findall(r"<blockquote[^>]*>([^<]*)</blockquote>", past) == shown[1]


def test_waves_are_listed_in_their_numbered_order_in_the_api_the_page_and_the_export(client, login_as, make_staff):
    campaign = campaign_with(
        [
            (6, "employee", EAST, "第三批", satisfaction(4)),
            (6, "employee", EAST, "第十批", satisfaction(3)),
            (6, "employee", SOUTH, "第一批", satisfaction(2)),
            (6, "employee", SOUTH, "第二批", satisfaction(5)),
        ]
    )
    numbered = ["第一批", "第二批", "第三批", "第十批"]
    plain = token_for("manager", make_staff)
    body = client.get(
        f"/api/v1/campaigns/{campaign.id}/results?by=wave", headers={"Authorization": f"Bearer {plain}"}
    ).json
    assert [s["key"] for s in body["segments"]] == numbered  # code points: 第一批, 第三批, 第二批, 第十批
    login_as("manager")
    page = client.get(f"/results/{campaign.id}/breakdown?by=wave").get_data(as_text=True)
    assert sorted(numbered, key=page.index) == numbered
    export = client.get(f"/campaigns/{campaign.id}/export.csv?table=segments").get_data(as_text=True)
    waves = [line.split(",")[1] for line in export.splitlines() if line.startswith("批次,")]
    assert waves == numbered
