"""`/` leads each visitor to work: a manager's campaigns, theme run and open suggestions; the committee's
queue; an admin's directory and accounts; and, for everyone, the public board and the suggestion box."""

import pytest

from app.committee.service import create_suggestion
from app.committee.workflow import Decision, transition
from app.extensions import db
from app.models import ThemeRun
from tests.conftest import login
from tests.web.respond_helpers import make_campaign


def page(client, path="/"):
    response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def suggestion(title, *steps):
    item = create_suggestion(db.session, title, "", "other")
    for step in steps:
        transition(db.session, item, Decision(step, note="理由"), None)
    db.session.commit()
    return item


@pytest.mark.parametrize("role", [None, "manager", "committee", "admin"])
def test_every_visitors_home_links_the_public_board_and_the_suggestion_box(client, login_as, role):
    if role:
        login_as(role)
    html = page(client)
    assert 'href="/board/"' in html and 'href="/board/suggest"' in html


@pytest.mark.parametrize("role", ["manager", "committee", "admin"])
def test_login_lands_on_the_roles_home(client, make_staff, role):
    user = make_staff(role, email=f"{role}@example.com")
    assert login(client, user.email).headers["Location"] == "/"


def test_a_manager_sees_campaigns_with_live_rates_the_latest_theme_run_and_open_suggestions(client, login_as):
    campaign, _ = make_campaign(people=4, title="第四季度满意度")
    db.session.add(ThemeRun(campaign_ids=[campaign.id], quarter="2026Q4", status="succeeded", n_comments=37))
    suggestion("开放批量审批", "under_review")
    suggestion("已做完的", "under_review", "declined")
    login_as("manager")
    html = page(client)
    assert "第四季度满意度" in html and "0 / 4" in html and f'href="/results/{campaign.id}"' in html
    assert "37 条意见" in html
    assert "开放批量审批" in html and "评审中 1" in html and "已做完的" not in html


def test_the_committee_sees_its_queue_by_status(client, login_as):
    suggestion("先到的", "under_review")
    suggestion("刚提交的")
    login_as("committee")
    html = page(client)
    queue = html.split("待处理的建议", 1)[1]
    assert queue.index("已提交") < queue.index("刚提交的") < queue.index("评审中") < queue.index("先到的")


def test_an_admin_sees_the_directory_and_the_accounts(client, login_as, make_staff):
    make_campaign(people=3)
    make_staff("committee", email="weiyuan@example.com")
    login_as("admin")
    html = page(client)
    assert "在职 3 人，已停用 0 人" in html and "weiyuan@example.com" in html and 'href="/admin/users"' in html


def test_the_favicon_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
